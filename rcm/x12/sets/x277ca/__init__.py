"""277CA health care claim acknowledgment (005010X214): ``ClaimStatusReport`` of ``ClaimStatus``es."""

from rcm.x12.sets.x277ca.loops import ClaimStatus, LineStatus
from rcm.x12.sets.x277ca.parsing import parse_277ca
from rcm.x12.sets.x277ca.segments import StatusInfo
from rcm.x12.sets.x277ca.transaction_set import SPEC, ClaimStatusReport

__all__ = ["SPEC", "ClaimStatus", "ClaimStatusReport", "LineStatus", "StatusInfo", "parse_277ca"]
