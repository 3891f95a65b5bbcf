"""The spreadsheet form of the canonical export: one row per service line, encounter columns repeated.

Columns are read by name (extra columns are ignored, order does not matter). Lists inside a cell
(diagnoses, modifiers, diagnosis pointers) are separated by ``|``. Rows sharing an encounter_id form one
encounter, wherever they are in the file; encounter columns left blank on later rows mean "same as above".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rcm.errors import RecordError, UnreadableFileError

from .files import read_text
from .normalize import field_name
from .records import ExportReading, IntakeRecord, record_ref
from .validation import validate_encounter

__all__ = ["CSV_COLUMNS", "REQUIRED_COLUMNS", "encounter_rows", "read_csv", "write_csv"]

_PATIENT = ("id", "first_name", "last_name", "middle_name", "birth_date", "sex")
_ADDRESS = ("line1", "line2", "city", "state", "zip")
_ADDRESS_COLUMN = {"line1": "address_line1", "line2": "address_line2", "city": "city", "state": "state", "zip": "zip"}
_COVERAGE = (
    "payer_id",
    "payer_name",
    "plan_type",
    "member_id",
    "group_number",
    "relationship",
    "start_date",
    "end_date",
)
_SUBSCRIBER = ("first_name", "last_name", "birth_date", "sex")
_PRIORITIES = ("primary", "secondary", "tertiary")
_PERSON_PROVIDER = ("npi", "first_name", "last_name", "taxonomy")
_PERSON_ROLES = ("rendering", "referring", "attending")  # attending: institutional claims (837I loop 2310A)
_LINE = (
    "line_id",
    "code",
    "modifiers",
    "units",
    "charge",
    "diagnosis_pointers",
    "date_of_service",
    "date_of_service_end",
    "place_of_service",
    "revenue_code",
    "ndc",
)
_ENCOUNTER_SCALARS = (
    "encounter_id",
    "date_of_service",
    "place_of_service",
    "claim_type",
    "frequency_code",
    "payer_claim_number",
    "prior_authorization",
    "type_of_bill",
    "admission_date",
    "discharge_date",
    "admission_type",
    "point_of_origin",
    "patient_status",
)


def _line_column(name: str) -> str:
    """``line_id`` keeps its name; the other line fields are prefixed: ``line_code``, ``line_charge``..."""
    return name if name == "line_id" else f"line_{name}"


CSV_COLUMNS: tuple[str, ...] = (
    *_ENCOUNTER_SCALARS,
    *(f"patient_{f}" for f in _PATIENT),
    *(f"patient_{_ADDRESS_COLUMN[f]}" for f in _ADDRESS),
    *(
        c
        for p in _PRIORITIES
        for c in (
            *(f"{p}_{f}" for f in _COVERAGE),
            *(f"{p}_subscriber_{f}" for f in _SUBSCRIBER),
            *(f"{p}_subscriber_{_ADDRESS_COLUMN[f]}" for f in _ADDRESS),
        )
    ),
    "billing_npi",
    "billing_name",
    "billing_tax_id",
    "billing_taxonomy",
    *(f"billing_{_ADDRESS_COLUMN[f]}" for f in _ADDRESS),
    *(f"rendering_{f}" for f in _PERSON_PROVIDER),
    *(f"referring_{f}" for f in _PERSON_PROVIDER),
    *(f"attending_{f}" for f in _PERSON_PROVIDER),
    "diagnoses",
    *(_line_column(f) for f in _LINE),
)
"""Every column the CSV form knows, in the order write_csv writes them."""

REQUIRED_COLUMNS: tuple[str, ...] = ("encounter_id", "date_of_service", "patient_id", "line_code", "line_charge")
"""Without these in the header the file is not this format at all (UnreadableFileError)."""

_ENCOUNTER_COLUMNS = tuple(c for c in CSV_COLUMNS if not c.startswith("line_"))
_SPLIT = re.compile(r"[|;]")
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def _cell(row: Mapping[str, str | None], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def _list(value: str | None) -> list[str]:
    return [p.strip() for p in _SPLIT.split(value)] if value else []


def _pick(row: Mapping[str, str | None], prefix: str, names: Iterable[str]) -> dict[str, Any] | None:
    picked = {n: v for n in names if (v := _cell(row, f"{prefix}{n}")) is not None}
    return picked or None


def _pick_address(row: Mapping[str, str | None], prefix: str) -> dict[str, Any] | None:
    picked = {n: v for n in _ADDRESS if (v := _cell(row, f"{prefix}{_ADDRESS_COLUMN[n]}")) is not None}
    return picked or None


def _encounter_dict(rows: Sequence[Mapping[str, str | None]]) -> dict[str, Any]:
    """The JSON-shaped record of one encounter from its rows (header columns taken from the first non-blank)."""
    merged: dict[str, str | None] = {}
    for name in _ENCOUNTER_COLUMNS:
        merged[name] = next((v for r in rows if (v := _cell(r, name)) is not None), None)
    data: dict[str, Any] = {k: v for k in _ENCOUNTER_SCALARS if (v := merged[k]) is not None}
    patient = _pick(merged, "patient_", _PATIENT) or {}
    address = _pick_address(merged, "patient_")
    if address:
        patient["address"] = address
    data["patient"] = patient
    coverage = []
    for priority in _PRIORITIES:
        cov = _pick(merged, f"{priority}_", _COVERAGE)
        subscriber = _pick(merged, f"{priority}_subscriber_", _SUBSCRIBER)
        subscriber_address = _pick_address(merged, f"{priority}_subscriber_")
        if subscriber_address:
            subscriber = {**(subscriber or {}), "address": subscriber_address}
        if cov or subscriber:
            cov = {"priority": priority, **(cov or {})}
            if subscriber:
                cov["subscriber"] = subscriber
            coverage.append(cov)
    data["coverage"] = coverage
    billing = _pick(merged, "billing_", ("npi", "name", "tax_id", "taxonomy"))
    billing_address = _pick_address(merged, "billing_")
    if billing or billing_address:
        billing = billing or {}
        if billing_address:
            billing["address"] = billing_address
        data["billing_provider"] = billing
    for role in _PERSON_ROLES:
        person = _pick(merged, f"{role}_", _PERSON_PROVIDER)
        if person:
            data[f"{role}_provider"] = person
    data["diagnoses"] = _list(merged["diagnoses"])
    lines: list[dict[str, Any]] = []
    for row in rows:
        line: dict[str, Any] = {n: v for n in _LINE if (v := _cell(row, _line_column(n))) is not None}
        if not line:
            continue
        for name in ("modifiers", "diagnosis_pointers"):
            if name in line:
                line[name] = _list(line[name])
        # Spreadsheets often carry no line id: number the lines in file order (stable while the export is).
        line.setdefault("line_id", str(len(lines) + 1))
        lines.append(line)
    data["lines"] = lines
    return data


@dataclass
class _Group:
    first_row: int
    encounter_id: str | None
    rows: list[dict[str, str | None]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    malformed_row: int | None = None
    malformed_why: str = ""


def _conflict(rows: list[dict[str, str | None]], row_numbers: list[int]) -> tuple[str, int] | None:
    first: dict[str, str] = {}
    for row, number in zip(rows, row_numbers, strict=True):
        for name in _ENCOUNTER_COLUMNS:
            value = _cell(row, name)
            if value is None:
                continue
            if first.setdefault(name, value) != value:
                return name, number
    return None


def read_csv(path: Path, *, rules_dir: Path | None = None) -> ExportReading:
    """Group rows into encounters and validate each; a row that cannot be parsed quarantines its encounter.

    ``rules_dir``: where the NUBC code table is (see validate_encounter)."""
    text = read_text(path)
    source = str(path)
    reading = ExportReading(source=source, format="csv")
    lines = _PHYSICAL_LINE.findall(text)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFileError(source, "the file is empty (no CSV header)") from None
    except csv.Error as exc:
        raise UnreadableFileError(source, f"the CSV header cannot be read ({exc})") from None
    names = [field_name(h) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise UnreadableFileError(source, f"the CSV header lacks the required column(s): {', '.join(missing)}")
    id_index = names.index("encounter_id")
    groups: dict[str, _Group] = {}
    order: list[_Group] = []
    while True:
        row_number = reader.line_num + 1  # physical line where this row starts (the header is line 1)
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            why = f"the row cannot be parsed ({exc})"
            group = _Group(row_number, None, malformed_row=row_number, malformed_why=why)
            group.raw.append("".join(lines[row_number - 1 : reader.line_num]))
            order.append(group)
            continue
        raw = "".join(lines[row_number - 1 : reader.line_num])
        if not any(v.strip() for v in values):
            continue
        encounter_id = values[id_index].strip() if id_index < len(values) else ""
        if len(values) != len(names):
            why = f"the row has {len(values)} cells but the header has {len(names)} columns"
            bad = groups.get(encounter_id) if encounter_id else None
            if bad is None:
                bad = _Group(row_number, encounter_id or None)
                order.append(bad)
                if encounter_id:
                    groups[encounter_id] = bad
            if bad.malformed_row is None:
                bad.malformed_row, bad.malformed_why = row_number, why
            bad.raw.append(raw)
            continue
        row: dict[str, str | None] = dict(zip(names, values, strict=True))
        if not encounter_id:
            group = _Group(row_number, None)
            order.append(group)
        else:
            group = groups.get(encounter_id) or _Group(row_number, encounter_id)
            if encounter_id not in groups:
                groups[encounter_id] = group
                order.append(group)
        group.rows.append(row)
        group.row_numbers.append(row_number)
        group.raw.append(raw)
    for group in order:
        for copy in _repeats(group):
            reading.records.append(_group_record(copy, source, rules_dir))
    return reading


def _repeats(group: _Group) -> list[_Group]:
    """Split an encounter exported more than once into its copies: identical rows are repeats, not new lines.

    The k-th occurrence of each distinct row belongs to copy k, so an encounter written twice in one file
    reads as two records (the second one a duplicate), while a line that differs stays a line of the first.
    """
    if group.malformed_row is not None or len(group.rows) < 2:
        return [group]
    copies: list[_Group] = []
    seen: dict[tuple[tuple[str, str | None], ...], int] = {}
    for row, number, raw in zip(group.rows, group.row_numbers, group.raw, strict=True):
        key = tuple(sorted(row.items()))
        index = seen.get(key, 0)
        seen[key] = index + 1
        if index == len(copies):
            copies.append(_Group(number, group.encounter_id))
        copies[index].rows.append(row)
        copies[index].row_numbers.append(number)
        copies[index].raw.append(raw)
    return copies


def _group_record(group: _Group, source: str, rules_dir: Path | None) -> IntakeRecord:
    raw = "".join(group.raw)
    ref = record_ref("row", group.first_row, group.encounter_id)
    if group.malformed_row is not None:
        detail = f"Row {group.malformed_row} {group.malformed_why.removeprefix('the row ')}"
        error = RecordError("malformed_line", detail, source=source, record=ref)
        return IntakeRecord(group.first_row, "row", raw, group.encounter_id, error=error)
    conflict = _conflict(group.rows, group.row_numbers)
    if conflict is not None:
        column, number = conflict
        error = RecordError(
            "conflicting_rows",
            f"Row {number} gives a different {column.replace('_', ' ')} than an earlier row of the same encounter",
            source=source,
            record=ref,
            field=column,
        )
        return IntakeRecord(group.first_row, "row", raw, group.encounter_id, error=error)
    data = _encounter_dict(group.rows)
    return validate_encounter(data, source=source, position=group.first_row, kind="row", raw=raw, rules_dir=rules_dir)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(_text(v) for v in value)
    return str(value)


def encounter_rows(record: Mapping[str, Any]) -> list[dict[str, str]]:
    """Flatten one JSON-shaped record into CSV rows (one per line; one row with blank line cells if none).

    Values are written as given, valid or not, so that deliberately bad sample records stay bad in CSV form.
    """
    base: dict[str, str] = dict.fromkeys(CSV_COLUMNS, "")
    for name in _ENCOUNTER_SCALARS:
        base[name] = _text(record.get(name))
    patient = record.get("patient") or {}
    for name in _PATIENT:
        base[f"patient_{name}"] = _text(patient.get(name))
    for name in _ADDRESS:
        base[f"patient_{_ADDRESS_COLUMN[name]}"] = _text((patient.get("address") or {}).get(name))
    coverage = record.get("coverage") or []
    for index, cov in enumerate(coverage):
        priority = cov.get("priority") or _PRIORITIES[min(index, 2)]
        for name in _COVERAGE:
            base[f"{priority}_{name}"] = _text(cov.get(name))
        subscriber = cov.get("subscriber") or {}
        for name in _SUBSCRIBER:
            base[f"{priority}_subscriber_{name}"] = _text(subscriber.get(name))
        for name in _ADDRESS:
            base[f"{priority}_subscriber_{_ADDRESS_COLUMN[name]}"] = _text((subscriber.get("address") or {}).get(name))
    billing = record.get("billing_provider") or {}
    for name in ("npi", "name", "tax_id", "taxonomy"):
        base[f"billing_{name}"] = _text(billing.get(name))
    for name in _ADDRESS:
        base[f"billing_{_ADDRESS_COLUMN[name]}"] = _text((billing.get("address") or {}).get(name))
    for role in _PERSON_ROLES:
        person = record.get(f"{role}_provider") or {}
        for name in _PERSON_PROVIDER:
            base[f"{role}_{name}"] = _text(person.get(name))
    base["diagnoses"] = _text(record.get("diagnoses") or [])
    rows: list[dict[str, str]] = []
    for line in record.get("lines") or []:
        row = dict(base)
        for name in _LINE:
            row[_line_column(name)] = _text(line.get(name))
        rows.append(row)
    return rows or [base]


def write_csv(records: Iterable[Mapping[str, Any] | list[str]], path: Path) -> int:
    """Write records as CSV rows; a ``list[str]`` is written as a raw row (for deliberately broken ones)."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for record in records:
            if isinstance(record, list):
                writer.writerow(record)
            else:
                for row in encounter_rows(record):
                    writer.writerow([row[c] for c in CSV_COLUMNS])
            count += 1
    return count
