"""276 health care claim status request (005010X212): ``ClaimStatusReport`` of ``ClaimStatus``es."""

from rcm.x12.sets.x276.loops import ClaimStatus, LineStatus
from rcm.x12.sets.x276.parsing import parse_276
from rcm.x12.sets.x276.segments import StatusInfo
from rcm.x12.sets.x276.transaction_set import SPEC, ClaimStatusReport

__all__ = ["SPEC", "ClaimStatus", "ClaimStatusReport", "LineStatus", "StatusInfo", "parse_276"]
