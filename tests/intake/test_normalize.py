"""Spellings real exports use are read as the canonical record; anything ambiguous is still quarantined."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rcm.intake import read_jsonl
from rcm.intake.normalize import normalize_record

from .conftest import record, write_jsonl


def _read(tmp_path: Path, *items: dict[str, Any]) -> list[Any]:
    return read_jsonl(write_jsonl(tmp_path / "e.jsonl", list(items))).records


def test_emr_spellings_give_the_canonical_encounter(tmp_path: Path) -> None:
    canonical = record("E1")
    emr_style: dict[str, Any] = {
        "encounterId": "E1",
        "dateOfService": "2026-03-02T09:30:00-05:00",
        "placeOfService": "11",
        "referring_provider": "",
        "prior_authorization": "  ",
        "patient": {**canonical["patient"], "sex": "Female", "address": {**canonical["patient"]["address"],
                                                                           "zip": "1970"}},
        "coverage": [{**canonical["coverage"][0], "priority": "P", "relationship": "18"}],
        "billingProvider": canonical["billing_provider"],
        "renderingProvider": canonical["rendering_provider"],
        "diagnoses": "J02.0, R50.9",
        "lines": [
            {**canonical["lines"][0], "modifiers": "25", "diagnosis_pointers": "A:B"},
            {**canonical["lines"][1], "modifiers": ["QW", ""], "diagnosis_pointers": "1",
             "date_of_service": "2026-03-02"},
        ],
    }  # fmt: skip
    first, second = _read(tmp_path, canonical, emr_style)
    assert second.accepted, second.error
    assert second.encounter.model_dump(mode="json") == first.encounter.model_dump(mode="json")


def test_sex_values_outside_f_m_are_sent_as_u() -> None:
    assert [normalize_record({"sex": s})["sex"] for s in ("F", "male", "X", "", None)] == ["F", "M", "U", "U", "U"]


def test_empty_required_values_read_as_missing(tmp_path: Path) -> None:
    item = record("E2")
    item["date_of_service"] = ""
    item["lines"][0]["charge"] = ""
    (result,) = _read(tmp_path, item)
    assert result.error.reason == "missing_field" and result.error.field == "date_of_service"
    assert "service line 1's charge is missing" in result.error.detail


def test_ambiguous_values_are_not_guessed(tmp_path: Path) -> None:
    slash_date = record("E3", date_of_service="03/02/2026")
    bad_pointer = record("E4")
    bad_pointer["lines"][0]["diagnosis_pointers"] = "first"
    results = _read(tmp_path, slash_date, bad_pointer)
    assert [r.error.reason for r in results] == ["bad_date", "bad_value"]
    assert json.dumps(normalize_record({"zip": "123456"})) == '{"zip": "123456"}'


def test_text_with_a_nul_character_is_quarantined(tmp_path: Path) -> None:
    item = record("E5")
    item["patient"]["last_name"] = "Smi\x00th"
    (result,) = _read(tmp_path, item)
    assert result.error.reason == "bad_value" and result.error.field == "patient.last_name"
    assert "NUL" in result.error.detail and "Smi" not in str(result.error)


def test_a_stay_written_with_timestamps_keeps_its_times_of_day() -> None:
    """UB-04 FL13/FL16: the admission and discharge hours as the export wrote them (its clock, no conversion)."""
    got = normalize_record({"admissionDate": "2026-03-01T07:05:00-05:00", "Discharge Date": "2026-03-04 14:30"})
    assert got == {"admission_date": "2026-03-01", "discharge_date": "2026-03-04", "admission_time": "07:05",
                   "discharge_time": "14:30"}  # fmt: skip
    assert normalize_record({"admission_date": "2026-03-01"}) == {"admission_date": "2026-03-01"}
    given = normalize_record({"admission_date": "2026-03-01T07:05", "admission_time": "07:10"})
    assert given["admission_time"] == "07:10"
    assert normalize_record({"admission_time": "", "admission_date": "2026-03-01T07:05"})["admission_time"] == "07:05"
