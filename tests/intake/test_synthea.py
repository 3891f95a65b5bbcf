"""The Synthea adapter on the shared sample export (read in place), plus older and newer Synthea layouts."""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from pathlib import Path

import pytest

from rcm.codes import npi_check_digit_ok
from rcm.errors import UnreadableFileError
from rcm.intake.crosswalk import load_crosswalk
from rcm.intake.records import ExportReading
from rcm.intake.synthea import read_synthea, synthetic_npi

REPO_ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.shared
RULES = REPO_ROOT / "rules"


@pytest.fixture(scope="module")
def synthea_dir(shared_dir: Path) -> Path:
    folder = shared_dir / "synthea" / "us_small"
    if not (folder / "encounters.csv").is_file():
        pytest.skip(f"the Synthea sample is not at {folder}")
    return folder


@pytest.fixture(scope="module")
def reading(synthea_dir: Path) -> ExportReading:
    return read_synthea(synthea_dir, rules_dir=RULES)


def test_every_encounter_is_read_and_almost_all_map(reading: ExportReading, synthea_dir: Path) -> None:
    with (synthea_dir / "encounters.csv").open(encoding="utf-8") as handle:
        rows = sum(1 for _ in csv.DictReader(handle))
    assert len(reading.records) == rows == reading.mapping["encounters"]
    accepted = [r for r in reading.records if r.accepted]
    assert len(accepted) >= 0.95 * rows
    # What is not accepted has no billable service (hospice, death certificate), with the reason saying so.
    assert {r.error.reason for r in reading.records if r.error} == {"no_billable_services"}
    assert all(r.ref.startswith("row ") and r.encounter_id for r in reading.records)


def test_mapped_encounters_look_like_claims(reading: ExportReading) -> None:
    encounters = [r.encounter for r in reading.records if r.encounter is not None]
    for encounter in encounters:
        assert encounter.place_of_service in {"11", "22", "20", "23", "21", "31", "34", "12", "10"}
        assert encounter.billing_provider is not None and npi_check_digit_ok(encounter.billing_provider.npi)
        assert encounter.rendering_provider is not None and npi_check_digit_ok(encounter.rendering_provider.npi)
        for line in encounter.lines:
            assert all(1 <= p <= len(encounter.diagnoses) for p in line.diagnosis_pointers)
    payers = {c.payer_id for e in encounters for c in e.coverage}
    assert {"MCR01", "MCD01"} <= payers
    codes = {line.code for e in encounters for line in e.lines}
    assert {"99213", "90471"} <= codes and any(c.startswith("9939") for c in codes)  # E/M, vaccine, preventive
    assert sum(1 for e in encounters if e.diagnoses) >= 0.8 * len(encounters)


def test_mapping_report_says_what_was_not_mapped(reading: ExportReading) -> None:
    mapping = reading.mapping
    unmapped = mapping["unmapped"]
    assert isinstance(unmapped, dict)
    assert "SNOMED 15220000" in unmapped["procedures"]  # "Laboratory test": too vague to code
    assert mapping["unmapped_descriptions"]["SNOMED 15220000"] == "Laboratory test (procedure)"  # type: ignore[index]
    not_billed = mapping["lines_not_billed"]
    assert isinstance(not_billed, dict) and any("RxNorm" in k for k in not_billed)
    assert mapping["lines_mapped"] and mapping["synthetic_npis"]


def test_npis_are_deterministic_and_valid() -> None:
    assert synthetic_npi("prov", "abc") == synthetic_npi("prov", "abc") != synthetic_npi("org", "abc")
    assert npi_check_digit_ok(synthetic_npi("org", "x")) and synthetic_npi("org", "x").startswith("1")


def test_newer_columns_are_tolerated(synthea_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "newer"
    shutil.copytree(synthea_dir, folder)
    for name, column, value in (("patients.csv", "MIDDLE", "Q"), ("conditions.csv", "SYSTEM", "SNOMED-CT"),
                                ("procedures.csv", "SYSTEM", "SNOMED-CT")):  # fmt: skip
        path = folder / name
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        # A new column in the middle: readers that count positions would now read the wrong cells.
        with path.open("w", newline="", encoding="utf-8") as out:
            csv.writer(out).writerows([[*r[:2], column if i == 0 else value, *r[2:]] for i, r in enumerate(rows)])
    newer = read_synthea(folder, rules_dir=RULES)
    original = read_synthea(synthea_dir, rules_dir=RULES)
    assert [r.accepted for r in newer.records] == [r.accepted for r in original.records]
    first = next(r.encounter for r in newer.records if r.encounter)
    assert first.patient.middle_name == "Q"


def test_older_export_without_claims_is_priced_from_base_costs(synthea_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "older"
    shutil.copytree(synthea_dir, folder, ignore=shutil.ignore_patterns("claims*.csv"))
    older = read_synthea(folder, rules_dir=RULES)
    assert older.mapping["priced_from"] == "encounter base costs"
    assert sum(r.accepted for r in older.records) >= 0.95 * len(older.records)


def test_not_a_synthea_folder(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no such folder"):
        read_synthea(tmp_path / "nope", rules_dir=RULES)
    with pytest.raises(UnreadableFileError, match=r"encounters\.csv is missing"):
        read_synthea(tmp_path, rules_dir=RULES)
    (tmp_path / "encounters.csv").write_text("Id,WHEN\nx,y\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="START"):
        read_synthea(tmp_path, rules_dir=RULES)


def test_crosswalk_targets_are_billable_codes(shared_dir: Path) -> None:
    """Every ICD-10-CM target is a billable FY2026 code; every HCPCS Level II target exists."""
    crosswalk = load_crosswalk(RULES / "crosswalk")
    codesets = shared_dir / "codesets"
    with gzip.open(codesets / "icd10cm_code_edits.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        billable = {row["icd10cm"] for row in csv.DictReader(handle)}
    with (codesets / "hcpcs_level2.csv").open(encoding="utf-8", newline="") as handle:
        hcpcs = {row["hcpcs"] for row in csv.DictReader(handle)}
    icd = {t.icd10cm for t in crosswalk.diagnoses.values() if t.icd10cm}
    assert icd and not icd - billable
    level2 = {t.code for targets in crosswalk.procedures.values() for t in targets if t.code and t.code[0].isalpha()}
    assert level2 and not level2 - hcpcs
