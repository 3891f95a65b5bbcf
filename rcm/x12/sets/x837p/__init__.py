"""837 professional claim (005010X222A1): ``ClaimBatch`` of ``SubmittedClaim``s with ``ServiceLine``s."""

from rcm.x12.sets.claim837 import ClaimBatch, CodeEntry
from rcm.x12.sets.x837p.loops import (
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    Patient,
    ServiceLine,
    SubmittedClaim,
    Subscriber,
)
from rcm.x12.sets.x837p.parsing import early_837p, parse_837p
from rcm.x12.sets.x837p.transaction_set import SPEC

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
    "early_837p",
    "parse_837p",
]
