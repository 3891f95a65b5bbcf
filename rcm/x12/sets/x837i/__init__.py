"""837 institutional claim (005010X223A2): ``ClaimBatch`` of ``SubmittedClaim``s with ``ServiceLine``s."""

from rcm.x12.sets.claim837 import ClaimBatch, CodeEntry
from rcm.x12.sets.x837i.loops import (
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    Patient,
    ServiceLine,
    SubmittedClaim,
    Subscriber,
)
from rcm.x12.sets.x837i.parsing import early_837i, parse_837i
from rcm.x12.sets.x837i.transaction_set import SPEC

__all__ = [
    "SPEC",
    "BillingProvider",
    "ClaimBatch",
    "CodeEntry",
    "LineAdjudication",
    "OtherPayer",
    "Patient",
    "ServiceLine",
    "SubmittedClaim",
    "Subscriber",
    "early_837i",
    "parse_837i",
]
