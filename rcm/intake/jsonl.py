"""The canonical EMR export: JSON Lines, one encounter per line, in the shape of rcm.domain.Encounter."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from rcm.errors import RecordError

from .files import read_text
from .records import ExportReading, IntakeRecord, record_ref
from .validation import validate_encounter

__all__ = ["dump_jsonl_line", "read_jsonl", "write_jsonl"]


def read_jsonl(path: Path, *, rules_dir: Path | None = None) -> ExportReading:
    """Every non-blank line is one record; a line that is not a JSON object is quarantined, never fatal.

    ``rules_dir``: where the NUBC code table is (see validate_encounter)."""
    text = read_text(path)
    source = str(path)
    reading = ExportReading(source=source, format="jsonl")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            # Decimal keeps charges exact: 125.10 must not become 125.09999...
            data: object = json.loads(line, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            ref = record_ref("line", number, None)
            error = RecordError(
                "malformed_line",
                f"The line is not valid JSON (column {exc.colno}: {exc.msg})",
                source=source,
                record=ref,
            )
            reading.records.append(IntakeRecord(number, "line", line, error=error))
            continue
        reading.records.append(
            validate_encounter(data, source=source, position=number, kind="line", raw=line, rules_dir=rules_dir)
        )
    return reading


def _default(value: object) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def dump_jsonl_line(record: Mapping[str, Any]) -> str:
    """One record as one JSON line (keys kept in the order given)."""
    return json.dumps(record, ensure_ascii=False, default=_default)


def write_jsonl(records: Iterable[Mapping[str, Any] | str], path: Path) -> int:
    """Write records (dicts, or raw lines for deliberately broken ones); returns how many were written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(record if isinstance(record, str) else dump_jsonl_line(record))
            out.write("\n")
            count += 1
    return count
