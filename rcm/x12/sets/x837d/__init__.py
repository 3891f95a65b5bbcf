"""837 dental claim (005010X224A2): ``ClaimBatch`` of ``SubmittedClaim``s with ``ServiceLine``s."""

from rcm.x12.sets.claim837 import ClaimBatch, CodeEntry
from rcm.x12.sets.x837d.loops import (
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    Patient,
    ServiceLine,
    SubmittedClaim,
    Subscriber,
)
from rcm.x12.sets.x837d.parsing import early_837d, parse_837d
from rcm.x12.sets.x837d.transaction_set import SPEC

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
    "early_837d",
    "parse_837d",
]
