"""What intake reads out of an export: one record per encounter, either a valid Encounter or the reason it is not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rcm.domain import Encounter
from rcm.errors import RecordError

__all__ = ["ExportReading", "IntakeRecord", "PositionKind", "record_ref"]

PositionKind = Literal["line", "row"]


def record_ref(kind: PositionKind, position: int, encounter_id: str | None) -> str:
    """How a biller finds the record again: ``line 12 (encounter E1001)``. Never PHI."""
    where = f"{kind} {position}"
    return f"{where} (encounter {encounter_id})" if encounter_id else where


@dataclass(frozen=True)
class IntakeRecord:
    """One record of an export with where it came from and how it turned out.

    Exactly one of ``encounter`` and ``error`` is set. ``raw`` is the record's text as read (kept for the
    quarantine table, which is PHI-protected like the rest of the database; never logged).
    """

    position: int
    kind: PositionKind
    raw: str
    encounter_id: str | None = None
    encounter: Encounter | None = None
    error: RecordError | None = None

    def __post_init__(self) -> None:
        if (self.encounter is None) == (self.error is None):
            raise ValueError("an intake record is either an encounter or an error")

    @property
    def ref(self) -> str:
        return record_ref(self.kind, self.position, self.encounter_id)

    @property
    def accepted(self) -> bool:
        return self.encounter is not None


@dataclass
class ExportReading:
    """All records of one export file, in file order, plus what a format adapter wants to report (mapping)."""

    source: str
    format: str
    records: list[IntakeRecord] = field(default_factory=list)
    mapping: dict[str, object] = field(default_factory=dict)
