"""999/997 loop tree to ``ImplementationAcknowledgment``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.engine import Loop
from rcm.x12.sets.x999.loops import SegmentError, SetResponse
from rcm.x12.sets.x999.segments import Context, ElementError
from rcm.x12.sets.x999.transaction_set import ImplementationAcknowledgment

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["acknowledgment_from_tree", "parse_999"]


def parse_999(tx: Transaction) -> ImplementationAcknowledgment:
    """The typed 999 (or 997) of a transaction."""
    return acknowledgment_from_tree(tx.tree, control_number=tx.control_number, version=tx.version)


def _int(value: str) -> int | None:
    return int(value) if value.isdecimal() else None


def acknowledgment_from_tree(
    root: Loop, *, control_number: str = "", version: str = ""
) -> ImplementationAcknowledgment:
    ak1 = root.first("AK1")
    ak9 = root.first("AK9")
    ack = ImplementationAcknowledgment(
        control_number=control_number, version=version,
        functional_id=ak1.get(1) if ak1 else "", group_control_number=ak1.get(2) if ak1 else "",
        group_version=ak1.get(3) if ak1 else "",
        group_status=ak9.get(1) if ak9 else "",
        sets_included=_int(ak9.get(2)) if ak9 else None, sets_received=_int(ak9.get(3)) if ak9 else None,
        sets_accepted=_int(ak9.get(4)) if ak9 else None,
        group_codes=[c for c in (ak9.elements[4:9] if ak9 else []) if c],
        segment=root.segments[0].number if root.segments else 0,
    )
    for loop in root.children:
        if loop.id in ("2000", "AK2"):
            ack.responses.append(_response(loop))
    return ack


def _response(loop: Loop) -> SetResponse:
    ak2 = loop.segments[0]
    trailer = loop.first("IK5") or loop.first("AK5")
    resp = SetResponse(ak2.get(1), ak2.get(2), ak2.get(3), trailer.get(1) if trailer else "",
                       [c for c in (trailer.elements[1:6] if trailer else []) if c], ak2.number)
    for child in loop.children:
        head = child.segments[0]
        err = SegmentError(head.get(1), _int(head.get(2)), head.get(3), head.get(4), head.number)
        for s in child.segments[1:]:
            if s.id == "CTX":
                err.contexts.append(Context.of(s))
            elif s.id == "AK4":
                err.elements.append(ElementError.of(s))
        for grandchild in child.children:
            ik4 = ElementError.of(grandchild.segments[0])
            err.elements.append(ik4)
        resp.errors.append(err)
    return resp
