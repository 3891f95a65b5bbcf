"""EMR intake: read an export (JSONL, CSV or Synthea), validate every record, store encounters, quarantine the rest."""

from __future__ import annotations

from .csv_format import read_csv, write_csv
from .jsonl import read_jsonl, write_jsonl
from .records import ExportReading, IntakeRecord
from .validation import REASONS, validate_encounter

__all__ = [
    "REASONS",
    "ExportReading",
    "IntakeRecord",
    "read_csv",
    "read_jsonl",
    "validate_encounter",
    "write_csv",
    "write_jsonl",
]
