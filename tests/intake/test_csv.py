"""The CSV form: one row per service line, columns by name, the same encounters as the JSONL form."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from rcm.errors import UnreadableFileError
from rcm.intake import read_csv, read_jsonl, write_csv
from rcm.intake.csv_format import CSV_COLUMNS, encounter_rows

from .conftest import record, write_jsonl


def _dump(reading_records: list[Any]) -> list[str]:
    return sorted(
        json.dumps(r.encounter.model_dump(mode="json"), sort_keys=True) for r in reading_records if r.accepted
    )


def test_csv_and_jsonl_of_the_same_records_give_the_same_encounters(tmp_path: Path) -> None:
    dependent = record("E2", coverage=[{
        "priority": "primary", "payer_id": "UHC01", "member_id": "UH1", "relationship": "child",
        "subscriber": {"first_name": "Parent", "last_name": "Person", "birth_date": "1980-01-01", "sex": "M",
                       "address": {"line1": "1 Main", "city": "Lowell", "state": "MA", "zip": "01852"}},
        "start_date": "2026-01-01",
    }, {"priority": "secondary", "payer_id": "MCD01", "member_id": "MA1"}], prior_authorization="PA123")  # fmt: skip
    records = [
        record("E1"),
        dependent,
        record("E3", lines=[{"line_id": "A", "code": "J3301", "units": 4, "charge": "18.00", "modifiers": ["JZ"]}]),
    ]
    csv_path, jsonl_path = tmp_path / "e.csv", tmp_path / "e.jsonl"
    write_csv(records, csv_path)
    write_jsonl(jsonl_path, list(records))
    from_csv, from_jsonl = read_csv(csv_path), read_jsonl(jsonl_path)
    assert [r.ref for r in from_csv.records] == ["row 2 (encounter E1)", "row 4 (encounter E2)", "row 6 (encounter E3)"]
    assert _dump(from_csv.records) == _dump(from_jsonl.records)
    assert len(_dump(from_csv.records)) == 3


def _write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_columns_are_read_by_name_in_any_order_with_extra_columns(tmp_path: Path) -> None:
    header = ["Line Charge", "extra_note", "lineCode", "patient_id", "date_of_service", "encounter_id", "line_id",
              "diagnoses", "line_diagnosis_pointers"]  # fmt: skip
    rows = [["125.00", "hello", "99213", "P1", "2026-03-02", "E1", "1", "J02.0|R50.9", "1|2"],
            ["32.00", "", "87880", "P1", "2026-03-02", "E1", "2", "", "1"]]  # fmt: skip
    reading = read_csv(_write_rows(tmp_path / "e.csv", header, rows))
    assert len(reading.records) == 1
    encounter = reading.records[0].encounter
    assert encounter is not None
    assert [line.code for line in encounter.lines] == ["99213", "87880"]
    assert encounter.diagnoses == ["J020", "R509"] and encounter.lines[0].diagnosis_pointers == [1, 2]


def test_rows_of_one_encounter_need_not_be_adjacent_but_must_agree(tmp_path: Path) -> None:
    rows = encounter_rows(record("E1")) + encounter_rows(record("E2"))
    rows = [rows[0], rows[2], rows[1], rows[3]]
    conflicting = encounter_rows(record("E3"))
    conflicting[1]["date_of_service"] = "2026-03-09"
    blank_later = encounter_rows(record("E4"))
    blank_later[1]["patient_first_name"] = ""  # blank on a later row means "same as above"
    path = _write_rows(tmp_path / "e.csv", list(CSV_COLUMNS),
                       [[r[c] for c in CSV_COLUMNS] for r in rows + conflicting + blank_later])  # fmt: skip
    reading = read_csv(path)
    by_id = {r.encounter_id: r for r in reading.records}
    assert len(by_id["E1"].encounter.lines) == 2  # type: ignore[union-attr]
    assert by_id["E3"].error is not None and by_id["E3"].error.reason == "conflicting_rows"
    assert by_id["E3"].error.field == "date_of_service" and "Row 7" in by_id["E3"].error.detail
    assert by_id["E4"].accepted


def test_an_encounter_exported_twice_reads_as_two_records(tmp_path: Path) -> None:
    rows = encounter_rows(record("E1")) * 2
    path = _write_rows(tmp_path / "e.csv", list(CSV_COLUMNS), [[r[c] for c in CSV_COLUMNS] for r in rows])
    reading = read_csv(path)
    assert [r.position for r in reading.records] == [2, 4]
    assert all(r.accepted for r in reading.records)


def test_malformed_rows_quarantine_their_encounter_and_never_stop_the_file(tmp_path: Path) -> None:
    good = encounter_rows(record("E1"))
    bad = encounter_rows(record("E2"))
    lines = [",".join(CSV_COLUMNS)]
    lines += [",".join(f'"{r[c]}"' for c in CSV_COLUMNS) for r in good]
    lines.append(",".join(f'"{bad[0][c]}"' for c in CSV_COLUMNS))
    lines.append('"E2","only, two cells"')  # the second line of E2 lost its columns
    lines.append('"E9","x"broken quote,' + "," * (len(CSV_COLUMNS) - 3))
    lines.append(",".join(f'"{r[c]}"' for c in CSV_COLUMNS for r in encounter_rows(record("E5"))[:1]))
    path = tmp_path / "e.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reading = read_csv(path)
    outcome = {r.ref: (r.error.reason if r.error else "ok") for r in reading.records}
    assert outcome == {
        "row 2 (encounter E1)": "ok",
        "row 4 (encounter E2)": "malformed_line",
        "row 6": "malformed_line",
        "row 7 (encounter E5)": "ok",
    }


def test_rows_without_encounter_id_or_lines(tmp_path: Path) -> None:
    no_id = encounter_rows(record(""))[:1]
    no_lines = encounter_rows(record("E7", lines=[]))
    path = _write_rows(tmp_path / "e.csv", list(CSV_COLUMNS), [[r[c] for c in CSV_COLUMNS] for r in no_id + no_lines])
    reasons = [(r.error.reason, r.error.field) for r in read_csv(path).records if r.error]
    assert reasons == [("missing_field", "encounter_id"), ("no_service_lines", "lines")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"encounter_id,date_of_service\nE1,2026-01-01\n", "line_code"),
        (b"encounter_id,date_of_service,patient_id,line_code,line_charge\nE1,2026-01-01,P\xe9,99213,1\n", "UTF-8"),
    ],
)
def test_unreadable_csv_raises(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=message):
        read_csv(path)


def test_flattened_rows_use_exactly_the_known_columns() -> None:
    for row in encounter_rows(record()):
        assert list(row) == list(CSV_COLUMNS)


def test_lines_without_a_line_id_column_are_numbered_in_file_order(tmp_path: Path) -> None:
    header = ["encounter_id", "date_of_service", "patient_id", "line_code", "line_charge"]
    rows = [["E1", "2026-03-02", "P1", "99213", "125.00"], ["E1", "2026-03-02", "P1", "36415", "15.00"]]
    encounter = read_csv(_write_rows(tmp_path / "e.csv", header, rows)).records[0].encounter
    assert encounter is not None and [line.line_id for line in encounter.lines] == ["1", "2"]
