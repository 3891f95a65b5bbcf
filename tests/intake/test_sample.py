"""The committed sample export and JSON Schema are exactly what the project's generators write."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rcm.codes import npi_check_digit_ok
from rcm.intake import read_jsonl
from rcm.intake.sample import SAMPLE_DIR, generate_sample, write_sample
from rcm.intake.schema import encounter_json_schema, render_schema

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT / "samples"


def test_committed_sample_equals_the_generator(tmp_path: Path) -> None:
    jsonl, csv_path = write_sample(tmp_path)
    assert jsonl.read_bytes() == (SAMPLES / "encounters.jsonl").read_bytes()
    assert csv_path.read_bytes() == (SAMPLES / "encounters.csv").read_bytes()
    assert generate_sample(7) != generate_sample(8)


def test_the_package_finds_the_samples_folder() -> None:
    assert SAMPLE_DIR == SAMPLES and (SAMPLE_DIR / "encounters.jsonl").is_file()


def test_committed_schema_equals_the_generated_one() -> None:
    committed = (REPO_ROOT / "docs" / "encounter.schema.json").read_text(encoding="utf-8")
    assert committed == render_schema(), "regenerate: python -m rcm.intake.schema docs/encounter.schema.json"
    schema = encounter_json_schema()
    assert {"encounter_id", "date_of_service", "patient", "lines"} <= set(schema["required"])


def test_sample_covers_what_a_billing_office_sees() -> None:
    records = read_jsonl(SAMPLES / "encounters.jsonl").records
    encounters = [r.encounter for r in records if r.encounter is not None]
    assert len(records) >= 300
    payers = Counter(c.payer_id for e in encounters for c in e.coverage if c.priority.value == "primary")
    assert {"MCR01", "MCD01"} <= set(payers) and len(set(payers) - {"MCR01", "MCD01"}) >= 3
    assert len({e.billing_provider.npi for e in encounters if e.billing_provider}) >= 3
    assert len({e.rendering_provider.npi for e in encounters if e.rendering_provider}) >= 5
    assert len({e.date_of_service.month for e in encounters}) >= 5
    lines = [(e, line) for e in encounters for line in e.lines]
    assert any("25" in line.modifiers for _, line in lines)
    codes = {line.code for _, line in lines}
    assert {"99213", "99214", "36415", "97110", "96372", "90471"} <= codes  # E/M, lab draw, therapy, injections
    assert any(code.startswith("993") for code in codes)  # preventive visits
    assert any(c.relationship.value == "child" and c.subscriber for e in encounters for c in e.coverage)
    assert any(len(e.coverage) > 1 for e in encounters)
    assert any(e.prior_authorization for e in encounters)
    # Deliberate scrubber cases: accepted here, reported later.
    assert any("E11" in e.diagnoses for e in encounters)
    assert any(e.billing_provider and not npi_check_digit_ok(e.billing_provider.npi) for e in encounters)
    assert any(p > len(e.diagnoses) for e, line in lines for p in line.diagnosis_pointers)
    assert any(e.place_of_service == "88" for e in encounters)
    assert any(line.charge == 0 for _, line in lines)
    # Deliberate quarantine cases: at least one of each kind.
    reasons = Counter(r.error.reason for r in records if r.error)
    assert set(reasons) >= {"malformed_line", "missing_field", "bad_date", "bad_code_format", "bad_npi_format",
                            "bad_amount", "no_service_lines", "duplicate_line_id"}  # fmt: skip


def test_sample_holds_only_invented_people() -> None:
    text = (SAMPLES / "encounters.jsonl").read_text(encoding="utf-8")
    first = json.loads(text.splitlines()[0])
    assert first["patient"]["last_name"] in {
        "Testwell", "Samplesen", "Fakeley", "Mockford", "Demoson", "Placeholt", "Synthetica", "Examplar",
        "Notreal", "Trialby", "Fixturo", "Stubbins", "Draftwood", "Pseudon",
    }  # fmt: skip
