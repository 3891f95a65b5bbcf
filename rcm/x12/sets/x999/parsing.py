"""999/997 loop tree to ``ImplementationAcknowledgment``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.engine import Loop
from rcm.x12.sets.x999.loops import GroupResponse, SegmentError, SetResponse
from rcm.x12.sets.x999.segments import Context, ElementError
from rcm.x12.sets.x999.transaction_set import ImplementationAcknowledgment
from rcm.x12.tokenizer import Segment

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
    ack.groups = _groups(root, ack.responses)
    return ack


def _groups(root: Loop, responses: list[SetResponse]) -> list[GroupResponse]:
    """The AK1..AK9 runs of the set.  A repeated AK1 is out of place for the engine (kept, with a finding, in the
    loop it met), so the AK1s and AK9s are taken from the whole tree in file order."""
    marks = sorted((s for loop in root.walk() for s in loop.segments if s.id in ("AK1", "AK9")),
                   key=lambda s: s.number)
    groups: list[GroupResponse] = []
    for s in marks:
        if s.id == "AK1":
            groups.append(GroupResponse(s.get(1), s.get(2), s.get(3), "", [], s.number))
        elif groups:  # AK9: the verdict of the group it follows
            groups[-1].status = s.get(1)
            groups[-1].codes = [c for c in s.elements[4:9] if c]
    for k, group in enumerate(groups):
        end = groups[k + 1].segment if k + 1 < len(groups) else None
        group.responses = [r for r in responses if r.segment > group.segment and (end is None or r.segment < end)]
    return groups


def _response(loop: Loop) -> SetResponse:
    ak2 = loop.segments[0]
    trailer = loop.first("IK5") or loop.first("AK5")
    resp = SetResponse(ak2.get(1), ak2.get(2), ak2.get(3), trailer.get(1) if trailer else "",
                       [c for c in (trailer.elements[1:6] if trailer else []) if c], ak2.number)
    for child in loop.children:
        if child.id not in ("2100", "AK3"):  # (an IK4 loop without its IK3 is no segment error)
            continue
        head = child.segments[0]
        err = SegmentError(head.get(1), _int(head.get(2)), head.get(3), head.get(4), head.number)
        for s in child.segments[1:]:
            if s.id == "CTX":
                err.contexts.append(Context.of(s))
            elif s.id == "AK4":
                err.elements.append(ElementError.of(s))
        for grandchild in child.children:
            ik4 = ElementError.of(grandchild.segments[0])
            ik4.contexts.extend(Context.of(s) for s in grandchild.segments[1:] if s.id == "CTX")
            err.elements.append(ik4)
        resp.errors.append(err)
    loose = _loose_errors(loop.segments[1:])
    if loose:
        resp.errors = sorted([*resp.errors, *loose], key=lambda e: e.segment)
    return resp


def _loose_errors(segments: list[Segment]) -> list[SegmentError]:
    """Segment notes in the other acknowledgment's spelling (AK3/AK4 in a 999, IK3/IK4 in a 997) mean the same;
    not in the set's description, the engine keeps them (with a finding) among the response's own segments,
    where they are read in order up to IK5/AK5."""
    errors: list[SegmentError] = []
    current: SegmentError | None = None
    for s in segments:
        sid = s.id
        if sid in ("IK3", "AK3"):
            current = SegmentError(s.get(1), _int(s.get(2)), s.get(3), s.get(4), s.number)
            errors.append(current)
        elif sid in ("IK5", "AK5"):
            break
        elif current is None:
            continue
        elif sid in ("IK4", "AK4"):
            current.elements.append(ElementError.of(s))
        elif sid == "CTX":
            (current.elements[-1].contexts if current.elements else current.contexts).append(Context.of(s))
    return errors
