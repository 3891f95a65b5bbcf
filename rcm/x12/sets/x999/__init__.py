"""999 implementation acknowledgment (005010X231A1), 997 read alike: ``ImplementationAcknowledgment``."""

from rcm.x12.sets.x999.loops import GroupResponse, SegmentError, SetResponse
from rcm.x12.sets.x999.parsing import acknowledgment_from_tree, parse_999
from rcm.x12.sets.x999.segments import Context, ElementError
from rcm.x12.sets.x999.transaction_set import SPEC, SPEC_997, ImplementationAcknowledgment

__all__ = [
    "SPEC",
    "SPEC_997",
    "Context",
    "ElementError",
    "GroupResponse",
    "ImplementationAcknowledgment",
    "SegmentError",
    "SetResponse",
    "acknowledgment_from_tree",
    "parse_999",
]
