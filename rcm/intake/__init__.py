"""EMR intake: read an export (JSONL, CSV or Synthea), validate every record, store encounters, quarantine the rest.

reading = read_export(path, "jsonl")          # no database: Encounters and quarantine reasons, with positions
result = store_reading(session, reading)      # the caller's transaction; result.as_dict() is `rcm ingest --json`
"""

from __future__ import annotations

from .csv_format import read_csv, write_csv
from .jsonl import read_jsonl, write_jsonl
from .records import ExportReading, IntakeRecord
from .sample_catalog import SAMPLE_DIR
from .service import ExportFormat, IngestResult, guess_format, ingest_export, read_export, store_reading
from .synthea import read_synthea
from .validation import REASONS, validate_encounter

__all__ = [
    "REASONS",
    "SAMPLE_DIR",
    "ExportFormat",
    "ExportReading",
    "IngestResult",
    "IntakeRecord",
    "guess_format",
    "ingest_export",
    "read_csv",
    "read_export",
    "read_jsonl",
    "read_synthea",
    "store_reading",
    "validate_encounter",
    "write_csv",
    "write_jsonl",
]
