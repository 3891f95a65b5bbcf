"""UB-04 FL14/FL15/FL17 codes (admission type, point of origin, patient status) through intake: read from JSONL and
CSV, normalised, refused when NUBC does not list them, and derived from a Synthea export."""

from __future__ import annotations

import csv
import os
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest
import yaml

from rcm.errors import ConfigError
from rcm.intake import read_csv, read_jsonl, read_synthea, write_csv
from rcm.intake.crosswalk import load_crosswalk
from rcm.intake.nubc_codes import NUBC_FILE, load_nubc_codes, nubc_codes_in
from rcm.intake.records import IntakeRecord

from .conftest import RENDERING_NPI, record, write_jsonl

RULES = Path(__file__).resolve().parents[2] / "rules"
INSTITUTIONAL: dict[str, Any] = {
    "claim_type": "institutional",
    "type_of_bill": "0111",
    "admission_date": "2026-03-01",
    "discharge_date": "2026-03-04",
    "attending_provider": {"npi": RENDERING_NPI, "first_name": "Ada", "last_name": "Attending"},
}


def _read(tmp_path: Path, **changes: Any) -> IntakeRecord:
    reading = read_jsonl(write_jsonl(tmp_path / "export.jsonl", [record("E1", **INSTITUTIONAL, **changes)]),
                         rules_dir=RULES)  # fmt: skip
    (only,) = reading.records
    return only


def test_the_shipped_table_lists_nubc_codes() -> None:
    codes = nubc_codes_in(RULES)
    assert sorted(codes.admission_type) == ["1", "2", "3", "4", "5", "9"]
    assert sorted(codes.point_of_origin) == ["1", "2", "4", "5", "6", "8", "9", "D", "E", "F", "G"]
    assert sorted(codes.newborn_point_of_origin) == ["5", "6"]
    statuses = set(codes.patient_status)
    expected = {"01", "02", "03", "04", "05", "06", "07", "09", "20", "21", "30", "40", "41", "42", "43", "50", "51",
                "61", "62", "63", "64", "65", "66", "69", "70", *(str(n) for n in range(81, 96))}  # fmt: skip
    assert statuses == expected
    assert codes.patient_status["20"] == "Expired" and codes.patient_status["30"] == "Still patient"
    assert "7" not in codes.point_of_origin  # emergency room: retired in 2010


def test_codes_are_read_and_normalised(tmp_path: Path) -> None:
    got = _read(tmp_path, admission_type=1, point_of_origin="d", patient_status="2")
    assert got.encounter is not None, got.error
    assert (got.encounter.admission_type, got.encounter.point_of_origin, got.encounter.patient_status) == (
        "1", "D", "02")  # fmt: skip
    plain = _read(tmp_path)
    assert plain.encounter is not None and plain.encounter.patient_status is None  # optional: the scrubber asks


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"admission_type": "7"}, "admission_type", "not a NUBC admission type code"),
        ({"point_of_origin": "7"}, "point_of_origin", "not a NUBC point of origin code"),  # retired ER code
        ({"patient_status": "08"}, "patient_status", "not a NUBC patient status code"),  # retired
        ({"patient_status": "99"}, "patient_status", "not a NUBC patient status code"),
        ({"admission_type": "4", "point_of_origin": "1"}, "point_of_origin", "newborn admission (type 4: 5 or 6)"),
    ],
)
def test_unknown_codes_are_quarantined(tmp_path: Path, changes: dict[str, str], field: str, words: str) -> None:
    got = _read(tmp_path, **changes)
    assert got.error is not None and got.encounter is None
    assert (got.error.reason, got.error.field) == ("bad_code_format", field)
    assert words in got.error.detail and "UB-04 FL1" in got.error.detail


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"admission_type": "12"}, "admission_type"), ({"point_of_origin": "!"}, "point_of_origin"),
     ({"patient_status": "ABC"}, "patient_status"), ({"patient_status": True}, "patient_status")],
)  # fmt: skip
def test_malformed_codes_are_quarantined(tmp_path: Path, changes: dict[str, object], field: str) -> None:
    got = _read(tmp_path, **changes)
    assert got.error is not None
    assert (got.error.reason, got.error.field) == ("bad_code_format", field)


def test_every_problem_is_named_and_no_value_is_repeated(tmp_path: Path) -> None:
    got = _read(tmp_path, admission_type="6", patient_status="77")
    assert got.error is not None and got.error.field == "admission_type"
    assert "admission type" in got.error.detail and "patient status" in got.error.detail
    assert "77" not in got.error.detail


def test_a_newborn_admission_takes_the_newborn_points_of_origin(tmp_path: Path) -> None:
    got = _read(tmp_path, admission_type="4", point_of_origin="6", patient_status="01")
    assert got.encounter is not None and got.encounter.point_of_origin == "6"


def test_csv_carries_the_codes_and_the_attending_provider(tmp_path: Path) -> None:
    source = record("E7", **INSTITUTIONAL, admission_type="2", point_of_origin="4", patient_status="03")
    path = tmp_path / "export.csv"
    write_csv([source], path)
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert {"admission_type", "point_of_origin", "patient_status", "attending_npi"} <= set(header)
    (got,) = read_csv(path, rules_dir=RULES).records
    assert got.encounter is not None, got.error
    enc = got.encounter
    assert (enc.admission_type, enc.point_of_origin, enc.patient_status) == ("2", "4", "03")
    assert enc.attending_provider is not None and enc.attending_provider.last_name == "Attending"
    # A spreadsheet that dropped the leading zero of a status still reads as the NUBC code.
    text = path.read_text(encoding="utf-8").replace(",2,4,03,", ",2,4,3,")
    path.write_text(text, encoding="utf-8")
    (again,) = read_csv(path, rules_dir=RULES).records
    assert again.encounter is not None and again.encounter.patient_status == "03"


def _table(tmp_path: Path, lists: dict[str, Any]) -> Path:
    path = tmp_path / "codesets" / NUBC_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"lists": lists}), encoding="utf-8")
    return path


def test_a_broken_table_is_a_config_error(tmp_path: Path) -> None:
    good = yaml.safe_load((RULES / "codesets" / NUBC_FILE).read_text(encoding="utf-8"))["lists"]
    assert load_nubc_codes(_table(tmp_path, good)).patient_status == good["patient_status"]
    broken = {**good, "patient_status": {**good["patient_status"], 1: "unquoted, read as a number"}}
    with pytest.raises(ConfigError, match="patient_status"):
        load_nubc_codes(_table(tmp_path, broken))
    with pytest.raises(ConfigError, match="admission_type"):
        load_nubc_codes(_table(tmp_path, {k: v for k, v in good.items() if k != "admission_type"}))
    with pytest.raises(ConfigError, match="no name"):
        load_nubc_codes(_table(tmp_path, {**good, "admission_type": {"1": ""}}))
    with pytest.raises(ConfigError, match="missing"):
        nubc_codes_in(tmp_path / "nowhere")


def test_the_table_is_read_again_when_it_changes(tmp_path: Path) -> None:
    good = yaml.safe_load((RULES / "codesets" / NUBC_FILE).read_text(encoding="utf-8"))["lists"]
    path = _table(tmp_path, good)
    assert "9" in nubc_codes_in(tmp_path).admission_type
    _table(tmp_path, {**good, "admission_type": {"1": "Emergency"}})
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000_000))
    assert sorted(nubc_codes_in(tmp_path).admission_type) == ["1"]


def test_the_synthea_crosswalk_uses_listed_codes() -> None:
    codes = nubc_codes_in(RULES)
    crosswalk = load_crosswalk(RULES / "crosswalk")
    assert set(crosswalk.institutional) >= set(crosswalk.place_of_service)  # every class with a POS has codes
    for defaults in crosswalk.institutional.values():
        assert defaults.admission_type in codes.admission_type
        assert defaults.point_of_origin in codes.point_of_origin
        assert {defaults.patient_status, defaults.expired_status} <= set(codes.patient_status)
    for (_, to_class, _), transfer in crosswalk.transfers.items():
        assert to_class in crosswalk.institutional
        assert transfer.admission_type in (None, *codes.admission_type)
        assert transfer.point_of_origin in (None, *codes.point_of_origin)
        assert transfer.patient_status in (None, *codes.patient_status)
    assert crosswalk.institutional["hospice"].expired_status in {"40", "41", "42"}


# --- Synthea ---------------------------------------------------------------------------------------------------
P1, P2, BABY = "p-0001", "p-0002", "p-0003"
ENCOUNTER_HEADER = ["Id", "START", "STOP", "PATIENT", "ORGANIZATION", "PROVIDER", "PAYER", "ENCOUNTERCLASS", "CODE",
                    "DESCRIPTION", "BASE_ENCOUNTER_COST", "TOTAL_CLAIM_COST", "PAYER_COVERAGE", "REASONCODE",
                    "REASONDESCRIPTION"]  # fmt: skip


def _write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def _enc(eid: str, start: str, stop: str, patient: str, org: str, cls: str) -> list[str]:
    return [eid, start, stop, patient, org, "prov1", "pay-medicare", cls, "185345009", "(description)", "100.00", "",
            "", "", ""]  # fmt: skip


ENCOUNTERS = [
    # P1: an emergency visit, admitted the same day at the same hospital, then on to another org's SNF.
    _enc("ed", "2025-03-01T08:00:00Z", "2025-03-01T11:00:00Z", P1, "hosp", "emergency"),
    _enc("stay", "2025-03-01T11:30:00Z", "2025-03-05T10:00:00Z", P1, "hosp", "inpatient"),
    _enc("snf", "2025-03-05T14:00:00Z", "2025-03-20T10:00:00Z", P1, "snf-org", "snf"),
    _enc("visit", "2025-04-02T09:00:00Z", "2025-04-02T09:20:00Z", P1, "clinic", "ambulatory"),
    # P2: an elective stay, then a stay that is still going on.
    _enc("elective", "2025-02-01T07:00:00Z", "2025-02-03T12:00:00Z", P2, "hosp", "inpatient"),
    _enc("ongoing", "2025-05-01T07:00:00Z", "", P2, "hosp", "inpatient"),
    # BABY: born in the hospital.
    _enc("born", "2025-06-10T02:00:00Z", "2025-06-12T10:00:00Z", BABY, "hosp", "inpatient"),
    _enc("space", "2025-06-20T02:00:00Z", "2025-06-20T03:00:00Z", BABY, "hosp", "spaceship"),
]  # fmt: skip


def _export(folder: Path, encounters: list[list[str]], deaths: dict[str, str] | None = None) -> Path:
    deaths = deaths or {}
    _write(folder, "encounters.csv", ENCOUNTER_HEADER, encounters)
    _write(folder, "patients.csv", ["Id", "BIRTHDATE", "DEATHDATE", "FIRST", "LAST", "GENDER", "ADDRESS", "CITY",
                                    "STATE", "ZIP"], [
        [P1, "1940-01-01", deaths.get(P1, ""), "Ann1", "Example1", "F", "1 Main St", "Boston", "MA", "02110"],
        [P2, "1945-01-01", deaths.get(P2, ""), "Bob2", "Example2", "M", "2 Main St", "Boston", "MA", "02110"],
        [BABY, "2025-06-10", "", "Cy3", "Example3", "M", "3 Main St", "Boston", "MA", "02110"],
    ])  # fmt: skip
    _write(folder, "organizations.csv", ["Id", "NAME", "ADDRESS", "CITY", "STATE", "ZIP"],
           [[o, f"{o} Hospital", "5 Rd", "Boston", "MA", "02110"] for o in ("hosp", "snf-org", "clinic")])
    _write(folder, "providers.csv", ["Id", "ORGANIZATION", "NAME", "GENDER", "SPECIALITY"],
           [["prov1", "hosp", "Carl55 Doctor99", "M", "GENERAL PRACTICE"]])
    _write(folder, "payers.csv", ["Id", "NAME"], [["pay-medicare", "Medicare"]])
    return folder


def _codes(folder: Path) -> dict[str, tuple[object, ...]]:
    reading = read_synthea(folder, rules_dir=RULES)
    out: dict[str, tuple[object, ...]] = {}
    for r in reading.records:
        assert r.encounter is not None, r.error
        e = r.encounter
        out[e.encounter_id] = (e.admission_type, e.point_of_origin, e.patient_status, e.admission_date,
                               e.discharge_date)  # fmt: skip
    return out


def test_synthea_classes_stops_and_moves_become_codes(tmp_path: Path) -> None:
    got = _codes(_export(tmp_path, ENCOUNTERS))
    assert got["ed"][:3] == ("1", "1", "09")  # admitted as an inpatient to this hospital
    assert got["stay"] == ("1", "1", "03", date(2025, 3, 1), date(2025, 3, 5))  # emergency admission, on to a SNF
    assert got["snf"] == ("3", "4", "01", date(2025, 3, 5), date(2025, 3, 20))  # transfer from a hospital
    assert got["visit"] == ("3", "1", "01", None, None)
    assert got["elective"] == ("3", "1", "01", date(2025, 2, 1), date(2025, 2, 3))
    assert got["ongoing"] == ("3", "1", "30", date(2025, 5, 1), None)  # no STOP: still a patient
    assert got["born"][:3] == ("4", "5", "01")  # newborn, born inside this hospital
    assert got["space"] == (None, None, None, None, None)  # a class the crosswalk does not know: no codes


def test_synthea_deaths_are_expired_statuses(tmp_path: Path) -> None:
    hospice = _enc("hospice", "2025-01-10T00:00:00Z", "2025-01-20T00:00:00Z", P1, "hosp", "hospice")
    elective = [e for e in ENCOUNTERS if e[3] == P2 and e[0] != "ongoing"]
    # P1 died at the end of a hospice stay, P2 on the elective stay's last day.
    export = _export(tmp_path, [hospice, *elective], deaths={P1: "2025-01-20", P2: "2025-02-03"})
    reading = read_synthea(export, rules_dir=RULES)
    status = {r.encounter_id: r.encounter.patient_status for r in reading.records if r.encounter is not None}
    assert status["elective"] == "20"
    assert status["hospice"] == "42"  # hospice claims report death with 40-42; Synthea does not say where
    counts = reading.mapping["institutional_codes"]
    assert isinstance(counts, dict) and counts["patient_status"]["42"] == 1


@pytest.mark.shared
def test_the_shared_synthea_export_gets_listed_codes(shared_dir: Path) -> None:
    folder = shared_dir / "synthea" / "us_small"
    if not (folder / "encounters.csv").is_file():
        pytest.skip(f"the Synthea sample is not at {folder}")
    codes = nubc_codes_in(RULES)
    encounters = [r.encounter for r in read_synthea(folder, rules_dir=RULES).records if r.encounter is not None]
    assert encounters
    for e in encounters:
        assert e.admission_type in codes.admission_type and e.point_of_origin in codes.point_of_origin
        assert e.patient_status in codes.patient_status
    stays = [e for e in encounters if e.place_of_service in ("21", "31")]
    assert stays and all(e.admission_date is not None and e.discharge_date is not None for e in stays)
    assert {e.admission_type for e in encounters if e.place_of_service == "23"} == {"1"}  # emergency visits


def test_synthea_stays_carry_their_start_and_stop_times(tmp_path: Path) -> None:
    """UB-04 FL13/FL16 (837I DTP*435, DTP*096): the times of day as Synthea exported them (its clock is UTC)."""
    reading = read_synthea(_export(tmp_path, ENCOUNTERS), rules_dir=RULES)
    got = {r.encounter.encounter_id: (r.encounter.admission_time, r.encounter.discharge_time)
           for r in reading.records if r.encounter is not None}  # fmt: skip
    assert got["stay"] == (time(11, 30), time(10, 0))
    assert got["ongoing"] == (time(7, 0), None)  # no STOP: still a patient, no discharge
    assert got["visit"] == (None, None)  # not a stay
