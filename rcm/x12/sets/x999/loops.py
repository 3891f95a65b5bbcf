"""999 loop models: a transaction set response (AK2 loop 2000), its segment errors (IK3 loop 2100), and the
functional group response (AK1..AK9) they belong to."""

from __future__ import annotations

from dataclasses import dataclass, field

from rcm.x12.sets.x999.segments import Context, ElementError

__all__ = ["GroupResponse", "SegmentError", "SetResponse"]


@dataclass(slots=True)
class SegmentError:
    """Loop 2100: IK3 (AK3 in a 997): segment id, its position in the set, loop id, error code; IK4s."""

    segment_id: str
    position: int | None
    loop: str
    code: str
    segment: int
    contexts: list[Context] = field(default_factory=list)
    elements: list[ElementError] = field(default_factory=list)


@dataclass(slots=True)
class SetResponse:
    """Loop 2000: AK2 (set id, control number, guide) and IK5 (A accepted, E accepted with errors,
    R rejected, M/W/X) with its syntax error codes, and the segment errors between them."""

    set_id: str
    control_number: str
    implementation: str
    status: str
    codes: list[str]
    segment: int
    errors: list[SegmentError] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E")


@dataclass(slots=True)
class GroupResponse:
    """One functional group response: AK1 (functional id, group control number, version; ``segment`` is the
    AK1's number), the set responses that follow it and its AK9 verdict (status, codes AK905..AK909; the last
    AK9 before the next AK1).  A 999 or 997 transaction set has one; a set that repeats AK1 (X231 and the 997
    allow only one) is read as one group per AK1, so that no set response is put under another group's AK1."""

    functional_id: str
    group_control_number: str
    version: str
    status: str
    codes: list[str]
    segment: int
    responses: list[SetResponse] = field(default_factory=list)
