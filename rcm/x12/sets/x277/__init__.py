"""277 health care claim status response (005010X212): ``ClaimStatusReport`` of ``ClaimStatus``es."""

from rcm.x12.sets.x277.loops import ClaimStatus, LineStatus
from rcm.x12.sets.x277.parsing import parse_277
from rcm.x12.sets.x277.segments import StatusInfo
from rcm.x12.sets.x277.transaction_set import SPEC, ClaimStatusReport

__all__ = ["SPEC", "ClaimStatus", "ClaimStatusReport", "LineStatus", "StatusInfo", "parse_277"]
