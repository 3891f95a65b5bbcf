"""837I loop models (shared by the three 837 guides): claim, line, subscriber, patient, other payer."""

from rcm.x12.sets.claim837 import (
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    Patient,
    ServiceLine,
    SubmittedClaim,
    Subscriber,
)

__all__ = ["BillingProvider", "LineAdjudication", "OtherPayer", "Patient", "ServiceLine", "SubmittedClaim",
           "Subscriber"]
