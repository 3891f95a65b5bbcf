"""The TA1 interchange acknowledgment: one segment, no transaction set, so no loops to describe."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rcm.x12.envelope import parse_date
from rcm.x12.tokenizer import Segment

__all__ = ["InterchangeAcknowledgment"]


@dataclass(slots=True)
class InterchangeAcknowledgment:
    """TA1: the acknowledged interchange's control number (ISA13), date and time, status (A accepted,
    E accepted with errors, R rejected) and note code (TA105, 000 = no error)."""

    control_number: str
    date: date | None
    time: str
    status: str
    note_code: str
    segment: int

    @property
    def accepted(self) -> bool:
        return self.status in ("A", "E")

    @classmethod
    def of(cls, s: Segment) -> InterchangeAcknowledgment:
        return cls(s.get(1).strip(), parse_date(s.get(2)), s.get(3), s.get(4), s.get(5), s.number)
