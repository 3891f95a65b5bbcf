"""JSON Lines intake: every record becomes an Encounter or a quarantine reason naming the record and the field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from rcm.errors import UnreadableFileError
from rcm.intake import REASONS, read_jsonl
from rcm.intake.records import IntakeRecord

from .conftest import BILLING_NPI, MEMBER_ID, PATIENT_DOB, PATIENT_FIRST, PATIENT_LAST, record, write_jsonl


def _one(tmp_path: Path, item: dict[str, Any] | str) -> IntakeRecord:
    reading = read_jsonl(write_jsonl(tmp_path / "export.jsonl", [record("E0"), item]))
    assert len(reading.records) == 2
    assert reading.records[0].accepted
    return reading.records[1]


def _without(data: dict[str, Any], *path: str | int) -> dict[str, Any]:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


def _with(data: dict[str, Any], *path: str | int, value: Any) -> dict[str, Any]:
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def test_valid_export_reads_every_line_exactly(tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    # Charges written as JSON numbers must stay exact (parsed as Decimal, never float).
    raw = '{"encounter_id": "E9", "date_of_service": "2026-04-01", "patient": {"id": "P9"}, ' \
          '"lines": [{"line_id": "1", "code": "99213", "charge": 125.10, "units": 1.5}]}'  # fmt: skip
    write_jsonl(path, [record("E1"), "", "   ", raw, record("E2")])
    reading = read_jsonl(path)
    assert [r.encounter_id for r in reading.records] == ["E1", "E9", "E2"]
    assert [r.position for r in reading.records] == [1, 4, 5]
    assert all(r.accepted for r in reading.records)
    line = reading.records[1].encounter.lines[0]  # type: ignore[union-attr]
    assert line.charge == Decimal("125.10") and line.units == Decimal("1.5")
    first = reading.records[0].encounter
    assert first is not None and first.diagnoses == ["J020", "R509"] and first.lines[1].date_of_service is not None


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + write_jsonl(tmp_path / "x.jsonl", [record()]).read_bytes())
    assert read_jsonl(path).records[0].accepted


@pytest.mark.parametrize(
    ("item", "reason", "field"),
    [
        ('{"encounter_id": "E5", "date_of_service": ', "malformed_line", None),
        ("[1, 2, 3]", "malformed_line", None),
        (_without(record(), "encounter_id"), "missing_field", "encounter_id"),
        (record(""), "missing_field", "encounter_id"),
        (_without(record(), "patient", "id"), "missing_field", "patient.id"),
        (_without(record(), "patient"), "missing_field", "patient"),
        (_without(record(), "date_of_service"), "missing_field", "date_of_service"),
        (record(date_of_service="2026-02-30"), "bad_date", "date_of_service"),
        (record(date_of_service="03/15/2026"), "bad_date", "date_of_service"),
        (record(date_of_service=20260315), "bad_date", "date_of_service"),
        (_with(record(), "patient", "birth_date", value="1961-13-01"), "bad_date", "patient.birth_date"),
        (_with(record(), "lines", 1, "date_of_service", value="2026-3-2"), "bad_date", "lines.2.date_of_service"),
        (record(diagnoses=["J02-0"]), "bad_code_format", "diagnoses.1"),
        (record(diagnoses=["J02.0", "123.4"]), "bad_code_format", "diagnoses.2"),
        (_with(record(), "lines", 0, "code", value="9921"), "bad_code_format", "lines.1.code"),
        (_with(record(), "lines", 0, "code", value="99213-25"), "bad_code_format", "lines.1.code"),
        (_with(record(), "lines", 0, "modifiers", value=["255"]), "bad_code_format", "lines.1.modifiers.1"),
        (record(place_of_service="office"), "bad_code_format", "place_of_service"),
        (_with(record(), "billing_provider", "npi", value="123456789"), "bad_npi_format", "billing_provider.npi"),
        (_with(record(), "rendering_provider", "npi", value="3123456789"), "bad_npi_format", "rendering_provider.npi"),
        (_with(record(), "lines", 0, "charge", value="one twenty"), "bad_amount", "lines.1.charge"),
        (_with(record(), "lines", 0, "charge", value="12.345"), "bad_amount", "lines.1.charge"),
        (_with(record(), "lines", 1, "units", value="two"), "bad_amount", "lines.2.units"),
        (record(lines=[]), "no_service_lines", "lines"),
        (_without(record(), "lines"), "no_service_lines", "lines"),
        (_with(record(), "lines", 1, "line_id", value="1"), "duplicate_line_id", "lines.2.line_id"),
        (record(diagnoses=["R50.9"] * 13), "too_many_items", "diagnoses"),
    ],
)
def test_each_unrepresentable_record_is_quarantined_with_reason_and_field(
    tmp_path: Path, item: dict[str, Any] | str, reason: str, field: str | None
) -> None:
    result = _one(tmp_path, item)
    assert result.error is not None and result.encounter is None
    assert result.error.reason == reason and reason in REASONS
    assert result.error.field == field
    assert result.position == 2 and result.ref.startswith("line 2")
    assert result.error.detail and result.error.detail[0].isupper()
    for phi in (PATIENT_FIRST, PATIENT_LAST, PATIENT_DOB, MEMBER_ID):
        assert phi not in str(result.error)


def test_message_names_the_record_and_the_field_in_words(tmp_path: Path) -> None:
    result = _one(tmp_path, _with(record("E77"), "lines", 1, "charge", value="abc"))
    assert result.error is not None
    message = str(result.error)
    assert "line 2 (encounter E77)" in message
    assert "Service line 2's charge" in message


def test_several_problems_take_the_most_fundamental_reason(tmp_path: Path) -> None:
    item = record("E8", date_of_service="2026-02-30", diagnoses=["J02-0"])
    result = _one(tmp_path, item)
    assert result.error is not None and result.error.reason == "bad_date"
    assert "diagnosis 1" in result.error.detail


@pytest.mark.parametrize(
    "changes",
    [
        {"diagnoses": ["E11", "R50.9"]},  # header code: not billable, the scrubber's finding
        {"place_of_service": "88"},  # unknown POS, right shape
        {"billing_provider": {"npi": BILLING_NPI[:9] + str((int(BILLING_NPI[9]) + 1) % 10), "name": "Clinic"}},
        {"coverage": [{"priority": "primary", "payer_id": "BCBS1", "member_id": None}]},
        {"lines": [{"line_id": "1", "code": "99213", "charge": "0.00", "diagnosis_pointers": [7]}]},
        {"lines": [{"line_id": "1", "code": "ZZZZZ", "modifiers": ["Q9"], "charge": "10"}]},  # unknown, right shape
        {"coverage": []},
    ],
)
def test_what_a_biller_can_fix_is_accepted_for_the_scrubber(tmp_path: Path, changes: dict[str, Any]) -> None:
    assert _one(tmp_path, record("E3", **changes)).accepted


def test_unreadable_files_raise(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no such file"):
        read_jsonl(tmp_path / "missing.jsonl")
    with pytest.raises(UnreadableFileError, match="folder"):
        read_jsonl(tmp_path)
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes('{"encounter_id": "E1", "patient": {"id": "P1", "last_name": "Mu\xf1oz"}}\n'.encode("latin-1"))
    with pytest.raises(UnreadableFileError, match="not UTF-8"):
        read_jsonl(latin1)
