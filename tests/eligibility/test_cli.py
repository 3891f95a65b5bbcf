"""`rcm eligibility request | ingest` against a throw-away database (a fresh PostgreSQL schema or SQLite file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rcm.cli import eligibility as eligibility_cli
from rcm.domain import Encounter
from rcm.payer_sim.eligibility import respond_to_270
from rcm.store import save_encounter
from rcm.store.database import make_engine, session_factory

from .conftest import SAMPLES, encounter_data

app = typer.Typer()
eligibility_cli.register(app)


def test_request_then_ingest(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        for n in range(3):
            save_encounter(session, Encounter.model_validate(encounter_data(f"C{n}")), source_file="t", source_row=n)
        session.commit()
    engine.dispose()
    runner = CliRunner()
    asked = runner.invoke(app, ["eligibility", "request", "--json"])
    assert asked.exit_code == 0, asked.output
    summary = json.loads(asked.output)
    assert summary["inquiries"] == 3 and len(summary["files"]) == 1
    request = Path(summary["files"][0]["file"])
    response = tmp_path / "answer.271"
    response.write_bytes(respond_to_270(request.read_bytes(), seed=11))

    again = runner.invoke(app, ["eligibility", "request", "--json"])
    assert json.loads(again.output)["inquiries"] == 0

    read = runner.invoke(app, ["eligibility", "ingest", str(response), "--json"])
    assert read.exit_code == 0, read.output
    line = json.loads(read.output.strip().splitlines()[0])
    assert set(line) == {"file", "responses", "active", "inactive", "rejected", "unmatched"}
    assert line["responses"] == 3 and line["unmatched"] == 0
    assert line["active"] + line["inactive"] + line["rejected"] == 3


def test_ingest_samples_and_a_bad_file(database_url: str, tmp_path: Path) -> None:
    sample = SAMPLES / "aaronhuggins+node-x12" / "test" / "test-data" / "271.edi"
    if not sample.is_file():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    junk = tmp_path / "junk.271"
    junk.write_text("not x12 at all")
    result = CliRunner().invoke(app, ["eligibility", "ingest", str(sample), str(junk), "--json"])
    assert result.exit_code == 2
    first = json.loads(result.stdout.strip().splitlines()[0])
    assert first == {"file": str(sample), "responses": 1, "active": 1, "inactive": 0, "rejected": 0,
                     "unmatched": 1}
