"""Reports and commands: `rcm scrub` (summary, --json shape, HTML and CSV worklists, override), `rcm rules`."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from rcm.cli import app
from rcm.coding import RuleBook
from rcm.coding.report import load_worklist, render_worklist_html, summary_lines, write_worklist_csv
from rcm.coding.service import scrub_pending
from rcm.config import reset_settings
from rcm.domain import Encounter
from rcm.store import save_encounter
from rcm.store.testing import db_session, fresh_database

from .conftest import RULES_DIR, encounter_data, line

runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, book: RuleBook) -> Iterator[Engine]:
    """A fresh database (SQLite in tmp_path, or a PostgreSQL schema) that the CLI also uses."""
    with fresh_database(tmp_path) as engine:
        monkeypatch.setenv("RCM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("RCM_DATA_DIR", str(tmp_path / "data"))
        import rcm.coding.rulebook as rulebook

        monkeypatch.setattr(rulebook, "default_rulebook", lambda: book)  # skip recompiling the NCCI table
        reset_settings()
        yield engine
    reset_settings()


def _ingest(engine: Engine, *encounters: dict[str, Any]) -> None:
    with db_session(engine) as session:
        for data in encounters:
            save_encounter(session, Encounter.model_validate(data), source_file="t.jsonl", source_row=1)
        session.commit()


def _encounters() -> list[dict[str, Any]]:
    return [
        encounter_data(encounter_id="E1"),
        encounter_data(encounter_id="E2", patient={**encounter_data()["patient"], "id": "P2"}, diagnoses=["E11"]),
        encounter_data(
            encounter_id="E3",
            patient={**encounter_data()["patient"], "id": "P3"},
            place_of_service="10",
            lines=[line("1", "99213"), line("2", "99213", "95", charge="1.00", date_of_service="2026-03-03")],
        ),
    ]


def test_scrub_json_shape_and_worklists(store: Engine, tmp_path: Path) -> None:
    _ingest(store, *_encounters())
    html, table = tmp_path / "worklist.html", tmp_path / "worklist.csv"
    result = runner.invoke(
        app, ["scrub", "--json", "--as-of", "2026-03-10", "--report", str(html), "--csv", str(table)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["claims"], data["clean"], data["held"]) == (3, 1, 2)
    assert {(f["claim"], f["line"], f["category"], f["rule"], f["severity"]) for f in data["findings"]} == {
        ("E2", None, "icd10_not_billable", "ICD10-NOT-BILLABLE", "error"),
        ("E3", "1", "pos_invalid", "POS-TELEHEALTH-MODIFIER", "warning"),
    }
    assert all(set(f) == {"claim", "line", "category", "rule", "severity", "message"} for f in data["findings"])
    page = html.read_text(encoding="utf-8")
    assert "Claim E2" in page and "Claim E3" in page and "Claim E1" not in page
    assert page.index("Claim E2") < page.index("Claim E3")  # claims with errors first
    assert "Pick the complete code under E11" in page  # the fix hint
    assert "Testa" not in page and "Sample" not in page and "1985" not in page  # no patient names or birth dates
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert [(r["claim"], r["rule"]) for r in rows] == [("E2", "ICD10-NOT-BILLABLE"), ("E3", "POS-TELEHEALTH-MODIFIER")]
    assert rows[0]["fix_hint"] and rows[1]["severity"] == "warning"


def test_scrub_summary_and_override(store: Engine) -> None:
    _ingest(store, *_encounters())
    result = runner.invoke(app, ["scrub", "--as-of", "2026-03-10"])
    assert result.exit_code == 0, result.output
    assert "scrubbed 3 claim(s): 1 clean, 2 held, 1 ready" in result.output
    assert "clean claim rate: 33.3%" in result.output and "ICD10-NOT-BILLABLE" in result.output
    result = runner.invoke(
        app,
        [
            "scrub",
            "override",
            "E3",
            "POS-TELEHEALTH-MODIFIER",
            "--line",
            "1",
            "--actor",
            "jdoe",
            "--reason",
            "payer accepts POS 10 without 95",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["scrub", "--json", "--as-of", "2026-03-10"])
    data = json.loads(result.output)
    assert (data["claims"], data["held"]) == (2, 1)  # E3 released, E2 still held
    refused = runner.invoke(app, ["scrub", "override", "E2", "ICD10-NOT-BILLABLE", "--actor", "jdoe", "--reason", "no"])
    assert refused.exit_code != 0


def test_report_functions_without_the_cli(store: Engine, book: RuleBook, tmp_path: Path) -> None:
    _ingest(store, *_encounters())
    with db_session(store) as session:
        summary = scrub_pending(session, book, as_of=date(2026, 3, 10))
        worklist = load_worklist(session)
    assert [c.claim_number for c in worklist] == ["E2", "E3"]
    assert worklist[0].errors == 1 and worklist[1].warnings == 1
    lines = summary_lines(summary)
    assert lines[0].startswith("scrubbed 3 claim(s)")
    html = render_worklist_html([], summary)
    assert "No open findings" in html
    assert write_worklist_csv(worklist, tmp_path / "w.csv") == 2


def test_rules_list_and_imports(store: Engine, tmp_path: Path) -> None:
    result = runner.invoke(app, ["rules", "list"])
    assert result.exit_code == 0, result.output
    assert "NCCI-PTP-1" in result.output and "MCR-PREVENTIVE-EM" in result.output
    result = runner.invoke(app, ["rules", "list", "--json", "--payer", "UHC01"])
    ids = {r["id"] for r in json.loads(result.output)["rules"]}
    assert "UHC-TELEHEALTH-95" in ids and "MCR-PREVENTIVE-EM" not in ids
    sample = RULES_DIR / "ncci" / "ptp_practitioner_sample.txt"
    result = runner.invoke(app, ["rules", "import-ncci", str(sample), "--setting", "practitioner"])
    assert result.exit_code == 0, result.output
    assert "10 edit rows" in result.output and "first_day_after" in result.output
    neutral = tmp_path / "edits.txt"
    neutral.write_bytes(sample.read_bytes())
    result = runner.invoke(app, ["rules", "import-ncci", str(neutral)])
    assert result.exit_code != 0  # the name does not say which setting
    mue = RULES_DIR / "ncci" / "mue_practitioner_sample.csv"
    result = runner.invoke(app, ["rules", "import-mue", str(mue), "--setting", "practitioner"])
    assert result.exit_code == 0 and "MUE practitioner table" in result.output
    assert (tmp_path / "data" / "coding" / "ncci_practitioner.npz").is_file()
