"""Ingest one export into the store: read it whole, then save every encounter and quarantine every bad record.

The file is read and validated before the database is touched, so an unreadable file writes nothing; all
records of a file go into the caller's one transaction. Counts always add up: read = accepted + quarantined +
duplicates (accepted = new + new_versions).
"""

from __future__ import annotations

import enum
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from rcm.errors import RecordError
from rcm.store import quarantine, save_encounter

from .csv_format import read_csv
from .jsonl import read_jsonl
from .records import ExportReading, IntakeRecord
from .synthea import read_synthea

__all__ = ["ExportFormat", "IngestResult", "guess_format", "ingest_export", "read_export", "store_reading"]

log = logging.getLogger(__name__)


class ExportFormat(enum.StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    synthea = "synthea"


def guess_format(path: Path) -> ExportFormat:
    """A folder is a Synthea export; otherwise the file extension decides (JSON Lines unless it ends in .csv)."""
    if path.is_dir() or (path.name.lower() == "encounters.csv" and (path.parent / "patients.csv").exists()):
        return ExportFormat.synthea
    return ExportFormat.csv if path.suffix.lower() == ".csv" else ExportFormat.jsonl


def read_export(path: Path, export_format: ExportFormat | str, *, rules_dir: Path | None = None) -> ExportReading:
    """Read and validate a whole export without touching the database (UnreadableFileError if it cannot be read)."""
    fmt = ExportFormat(export_format)
    # The absolute path names the file in the store, so re-ingesting from another folder is still a re-ingest.
    path = path.expanduser().resolve()
    if fmt is ExportFormat.jsonl:
        return read_jsonl(path, rules_dir=rules_dir)
    if fmt is ExportFormat.csv:
        return read_csv(path, rules_dir=rules_dir)
    return read_synthea(path, rules_dir=rules_dir)


@dataclass
class QuarantinedRecord:
    record: str
    reason: str
    field: str | None
    detail: str


@dataclass
class IngestResult:
    """What one ingest did, in numbers a billing office can check."""

    source: str
    format: str
    read: int = 0
    new: int = 0
    new_versions: int = 0
    duplicates: int = 0
    quarantined: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    quarantine: list[QuarantinedRecord] = field(default_factory=list)
    mapping: dict[str, object] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        return self.new + self.new_versions

    def as_dict(self) -> dict[str, object]:
        result: dict[str, object] = {
            "file": self.source,
            "format": self.format,
            "read": self.read,
            "accepted": self.accepted,
            "new": self.new,
            "new_versions": self.new_versions,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
            "reasons": dict(sorted(self.reasons.items())),
            "quarantine": [
                {"record": q.record, "reason": q.reason, "field": q.field, "detail": q.detail} for q in self.quarantine
            ],
        }
        if self.mapping:
            result["mapping"] = self.mapping
            result["unmapped"] = self.mapping.get("unmapped", {})
        return result


def _quarantine(session: Session, result: IngestResult, record: IntakeRecord, error: RecordError) -> None:
    ref = record.ref
    quarantine(
        session,
        source_file=result.source,
        record_ref=ref,
        reason=error.reason,
        field=error.field,
        detail=error.detail,
        raw=record.raw.replace("\x00", "\\x00"),  # PostgreSQL text cannot hold NUL
    )
    result.quarantined += 1
    result.reasons[error.reason] += 1
    result.quarantine.append(QuarantinedRecord(ref, error.reason, error.field, error.detail))
    # Reference, reason and field only: the detail is PHI-free by construction, the raw record never is.
    log.info("quarantined %s of %s: %s (field %s)", ref, result.source, error.reason, error.field or "-")


def store_reading(session: Session, reading: ExportReading) -> IngestResult:
    """Save the accepted encounters and quarantine the rest, in the caller's transaction (the caller commits)."""
    result = IngestResult(source=reading.source, format=reading.format, mapping=reading.mapping)
    for record in reading.records:
        result.read += 1
        if record.error is not None:
            _quarantine(session, result, record, record.error)
            continue
        assert record.encounter is not None
        try:
            saved = save_encounter(session, record.encounter, source_file=reading.source, source_row=record.position)
        except RecordError as exc:  # a value the database cannot hold; nothing was written for it
            _quarantine(session, result, record, RecordError(exc.reason, exc.detail, field=exc.field))
            continue
        if saved.status == "new":
            result.new += 1
        elif saved.status == "new_version":
            result.new_versions += 1
        else:
            result.duplicates += 1
    assert result.read == result.accepted + result.quarantined + result.duplicates
    log.info(
        "ingested %s: read %d, new %d, new versions %d, duplicates %d, quarantined %d",
        result.source, result.read, result.new, result.new_versions, result.duplicates, result.quarantined,
    )  # fmt: skip
    return result


def ingest_export(
    session: Session, path: Path, export_format: ExportFormat | str, *, rules_dir: Path | None = None
) -> IngestResult:
    """Read the export, then store it in the caller's transaction. Raises UnreadableFileError before any write."""
    reading = read_export(path, export_format, rules_dir=rules_dir)
    return store_reading(session, reading)
