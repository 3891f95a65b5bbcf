"""999/997 segment records: element errors (IK4/AK4) and segment contexts (CTX)."""

from __future__ import annotations

from dataclasses import dataclass, field

from rcm.x12.tokenizer import Segment

__all__ = ["Context", "ElementError"]


@dataclass(slots=True)
class ElementError:
    """IK4 (AK4 in a 997): element position (IK401-1), component (IK401-2), repeat (IK401-3), data element
    reference number, error code (IK403) and the copy of the bad value (IK404, may be PHI: not in repr); the
    element contexts (CTX of loop 2110) that follow an IK4."""

    position: int | None
    component: int | None
    repeat: int | None
    reference_number: str
    code: str
    bad_value: str
    segment: int
    contexts: list[Context] = field(default_factory=list)

    @classmethod
    def of(cls, s: Segment) -> ElementError:
        pos = s.components(1)
        pos += [""] * (3 - len(pos))
        return cls(_int(pos[0]), _int(pos[1]), _int(pos[2]), s.get(2), s.get(3), s.get(4), s.number)

    def __repr__(self) -> str:
        return f"ElementError(position={self.position}, component={self.component}, code={self.code!r})"


@dataclass(slots=True)
class Context:
    """CTX: context name (CTX01-1, or SITUATIONAL TRIGGER), segment id, position, loop, element position, and
    the context reference (CTX01-2: the patient control number of CTX*CLM01:<id>; None when CTX01 has no second
    component)."""

    name: str
    segment_id: str
    position: int | None
    loop: str
    element: str
    segment: int
    reference: str | None = None

    @classmethod
    def of(cls, s: Segment) -> Context:
        parts = s.components(1)
        return cls(parts[0] if parts else "", s.get(2), _int(s.get(3)), s.get(4), s.get(5), s.number,
                   parts[1] if len(parts) > 1 else None)


def _int(value: str) -> int | None:
    return int(value) if value.isdecimal() else None
