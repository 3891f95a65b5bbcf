"""The Synthea adapter on a tiny hand-written export: every outcome, no shared data needed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rcm.codes import npi_check_digit_ok
from rcm.intake.synthea import read_synthea

RULES = Path(__file__).resolve().parents[2] / "rules"
P1, P2 = "11111111-aaaa-bbbb-cccc-000000000001", "11111111-aaaa-bbbb-cccc-000000000002"
MEDICARE, NONE, AETNA = "pay-medicare", "pay-none", "pay-aetna"


def _write(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    with (folder / name).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def _enc(eid: str, day: str, patient: str, payer: str, cls: str, code: str, cost: str, reason: str = "") -> list[str]:
    return [eid, f"{day}T08:34:30Z", "", patient, "org1", "prov1", payer, cls, code, "(description)", cost, "", "",
            reason, ""]  # fmt: skip


@pytest.fixture
def export(tmp_path: Path) -> Path:
    enc = ["Id", "START", "STOP", "PATIENT", "ORGANIZATION", "PROVIDER", "PAYER", "ENCOUNTERCLASS", "CODE",
           "DESCRIPTION", "BASE_ENCOUNTER_COST", "TOTAL_CLAIM_COST", "PAYER_COVERAGE", "REASONCODE",
           "REASONDESCRIPTION"]  # fmt: skip
    _write(tmp_path, "encounters.csv", enc, [
        _enc("e-ok", "2025-05-06", P1, MEDICARE, "ambulatory", "185345009", "85.55", "195662009"),
        _enc("e-well", "2025-06-01", P2, AETNA, "wellness", "162673000", "150.00"),
        _enc("e-selfpay", "2025-06-02", P2, NONE, "urgentcare", "702927004", "120.00"),
        _enc("e-nobody", "2025-06-03", "ghost", MEDICARE, "ambulatory", "185345009", "1"),
        _enc("e-baddate", "2025-13-40", P1, MEDICARE, "ambulatory", "185345009", "1"),
        _enc("e-death", "2025-06-04", P1, MEDICARE, "outpatient", "308646001", "0"),
        _enc("e-space", "2025-06-05", P1, MEDICARE, "spaceship", "185345009", "129.16000000000003"),
    ])  # fmt: skip
    _write(tmp_path, "patients.csv", ["Id", "BIRTHDATE", "DEATHDATE", "FIRST", "MIDDLE", "LAST", "GENDER", "ADDRESS",
                                      "CITY", "STATE", "ZIP", "NEW_COLUMN"], [
        [P1, "1950-02-03", "", "Ann452", "B", "Example771", "F", "1 Main St", "Boston", "Massachusetts", "02110", "x"],
        [P2, "1990-07-08", "", "Bob12", "", "Example771", "M", "2 Main St", "Boston", "Massachusetts", "", "y"],
    ])  # fmt: skip
    _write(tmp_path, "organizations.csv", ["Id", "NAME", "ADDRESS", "CITY", "STATE", "ZIP"],
           [["org1", "Example Clinic", "5 Clinic Rd", "Boston", "MA", "02110"]])  # fmt: skip
    _write(tmp_path, "providers.csv", ["Id", "ORGANIZATION", "NAME", "GENDER", "SPECIALITY"],
           [["prov1", "org1", "Carl55 Doctor99", "M", "GENERAL PRACTICE"]])  # fmt: skip
    _write(tmp_path, "payers.csv", ["Id", "NAME", "OWNERSHIP"],
           [[MEDICARE, "Medicare", "GOVERNMENT"], [NONE, "NO_INSURANCE", "NO_INSURANCE"],
            [AETNA, "Aetna", "PRIVATE"]])  # fmt: skip
    _write(tmp_path, "payer_transitions.csv", ["PATIENT", "MEMBERID", "START_DATE", "END_DATE", "PAYER",
                                               "SECONDARY_PAYER", "PLAN_OWNERSHIP", "OWNER_NAME"], [
        [P1, "MBR-1", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", MEDICARE, AETNA, "Self", "Ann452 Example771"],
        [P2, "MBR-2", "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z", AETNA, "", "Spouse", "Cat33 Example771"],
    ])  # fmt: skip
    _write(tmp_path, "conditions.csv", ["START", "STOP", "PATIENT", "ENCOUNTER", "SYSTEM", "CODE", "DESCRIPTION"], [
        ["2025-05-06", "", P1, "e-ok", "SNOMED-CT", "195662009", "Acute viral pharyngitis (disorder)"],
        ["2025-05-06", "", P1, "e-ok", "SNOMED-CT", "160903007", "Full-time employment (finding)"],
        ["2025-05-06", "", P1, "e-ok", "SNOMED-CT", "999999999", "Something new (disorder)"],
    ])  # fmt: skip
    _write(tmp_path, "procedures.csv", ["START", "STOP", "PATIENT", "ENCOUNTER", "SYSTEM", "CODE", "DESCRIPTION",
                                        "BASE_COST", "REASONCODE"], [
        ["2025-05-06T08:40:00Z", "", P1, "e-ok", "SNOMED-CT", "117015009", "Throat culture (procedure)", "40.00",
         "195662009"],
        ["2025-05-06T08:45:00Z", "", P1, "e-ok", "SNOMED-CT", "15220000", "Laboratory test (procedure)", "10", ""],
    ])  # fmt: skip
    _write(tmp_path, "immunizations.csv", ["DATE", "PATIENT", "ENCOUNTER", "CODE", "DESCRIPTION", "BASE_COST"],
           [["2025-06-01T08:10:00Z", P2, "e-well", "140", "Influenza seasonal injectable", "136.00"]])  # fmt: skip
    return tmp_path


def test_every_outcome_of_a_small_export(export: Path) -> None:
    reading = read_synthea(export, rules_dir=RULES)
    outcome = {r.encounter_id: (r.error.reason if r.error else "ok") for r in reading.records}
    assert outcome == {
        "e-ok": "ok",
        "e-well": "ok",
        "e-selfpay": "ok",
        "e-nobody": "missing_field",
        "e-baddate": "bad_date",
        "e-death": "no_billable_services",
        "e-space": "ok",
    }
    assert [r.position for r in reading.records] == [2, 3, 4, 5, 6, 7, 8]
    found = {r.encounter_id: r.encounter for r in reading.records if r.encounter}

    ok = found["e-ok"]
    assert ok is not None and ok.place_of_service == "11"
    assert [line.code for line in ok.lines] == ["99213", "87070"]  # "Laboratory test" is too vague: unmapped
    assert ok.diagnoses == ["J028"] and ok.lines[1].diagnosis_pointers == [1]
    assert ok.patient.middle_name == "B" and ok.patient.address is not None and ok.patient.address.state == "MA"
    assert [(c.priority.value, c.payer_id, c.member_id) for c in ok.coverage] == [
        ("primary", "MCR01", "MBR-1"),
        ("secondary", "AET01", None),  # the export has no member id for the secondary plan: the scrubber asks
    ]
    assert ok.billing_provider is not None and npi_check_digit_ok(ok.billing_provider.npi)

    well = found["e-well"]
    assert well is not None and [line.code for line in well.lines] == ["99395", "90686"]  # age 34
    assert well.coverage[0].relationship.value == "spouse" and well.coverage[0].subscriber is not None
    assert well.patient.address is None  # no ZIP in the export

    assert found["e-selfpay"] is not None and found["e-selfpay"].coverage == []
    assert found["e-space"] is not None and found["e-space"].place_of_service is None
    assert str(found["e-space"].lines[0].charge) == "129.16"  # Synthea prices in floating point

    unmapped = reading.mapping["unmapped"]
    assert unmapped == {
        "procedures": {"SNOMED 15220000": 1},
        "diagnoses": {"SNOMED 999999999": 1},
        "encounter_classes": {"spaceship": 1},
    }
    assert reading.mapping["diagnoses_not_coded"] == 1  # employment status is not a diagnosis
    assert reading.mapping["priced_from"] == "encounter base costs"
