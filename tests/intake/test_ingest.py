"""Ingest end to end: counts that add up, idempotent re-ingest, new versions, one transaction per file, no PHI."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from rcm.intake import service
from rcm.intake.service import IngestResult, ingest_export
from rcm.store import EncounterVersion, QuarantineRecord

from .conftest import MEMBER_ID, PATIENT_DOB, PATIENT_FIRST, PATIENT_LAST, record, write_jsonl

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE = REPO_ROOT / "samples" / "encounters.jsonl"
PHI = (PATIENT_FIRST, PATIENT_LAST, PATIENT_DOB, MEMBER_ID)


def _ingest(new_session: Callable[[], Session], path: Path, fmt: str = "jsonl") -> IngestResult:
    with new_session() as session, session.begin():
        return ingest_export(session, path, fmt)


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _adds_up(result: IngestResult) -> None:
    assert result.read == result.accepted + result.quarantined + result.duplicates
    assert result.accepted == result.new + result.new_versions
    assert sum(result.reasons.values()) == result.quarantined == len(result.quarantine)


def _bad_mix() -> list[dict[str, Any] | str]:
    return [
        record("E1"),
        "{not json",
        record("E2", date_of_service="2026-02-30"),
        record("E3", diagnoses=["E11"]),  # header code: accepted, the scrubber reports it
        record("E1"),  # the EMR wrote it twice
        record("E4", lines=[]),
    ]


def test_counts_add_up_and_reingest_creates_nothing(
    new_session: Callable[[], Session], engine: Engine, tmp_path: Path
) -> None:
    path = write_jsonl(tmp_path / "export.jsonl", _bad_mix())
    first = _ingest(new_session, path)
    _adds_up(first)
    assert (first.read, first.new, first.duplicates, first.quarantined) == (6, 2, 1, 3)
    assert first.reasons == {"malformed_line": 1, "bad_date": 1, "no_service_lines": 1}
    versions, quarantined = _count(engine, EncounterVersion), _count(engine, QuarantineRecord)
    assert (versions, quarantined) == (2, 3)

    again = _ingest(new_session, path)
    _adds_up(again)
    assert (again.read, again.new, again.new_versions, again.duplicates, again.quarantined) == (6, 0, 0, 3, 3)
    assert (_count(engine, EncounterVersion), _count(engine, QuarantineRecord)) == (versions, quarantined)


def test_a_changed_encounter_becomes_a_new_version(
    new_session: Callable[[], Session], engine: Engine, tmp_path: Path
) -> None:
    _ingest(new_session, write_jsonl(tmp_path / "a.jsonl", [record("E1"), record("E2")]))
    changed = record("E1")
    changed["lines"][0]["charge"] = "135.00"
    result = _ingest(new_session, write_jsonl(tmp_path / "b.jsonl", [changed, record("E2")]))
    _adds_up(result)
    assert (result.new, result.new_versions, result.duplicates) == (0, 1, 1)
    with new_session() as session:
        rows = session.scalars(select(EncounterVersion).where(EncounterVersion.encounter_id == "E1")).all()
        assert sorted((r.version, r.is_current) for r in rows) == [(1, False), (2, True)]


@pytest.mark.slow
def test_the_sample_export_in_both_forms(new_session: Callable[[], Session], engine: Engine) -> None:
    jsonl = _ingest(new_session, SAMPLE)
    _adds_up(jsonl)
    assert jsonl.read >= 300 and jsonl.accepted >= 290 and jsonl.duplicates == 2
    assert set(jsonl.reasons) == {"malformed_line", "missing_field", "bad_date", "bad_code_format",
                                  "bad_npi_format", "bad_amount", "no_service_lines", "duplicate_line_id"}  # fmt: skip
    # The CSV form holds the same encounters: nothing new, the same quarantine reasons.
    csv_form = _ingest(new_session, SAMPLE.with_suffix(".csv"), "csv")
    _adds_up(csv_form)
    assert csv_form.new == csv_form.new_versions == 0
    assert csv_form.read == jsonl.read and csv_form.reasons == jsonl.reasons


def test_a_failure_mid_file_writes_nothing(
    new_session: Callable[[], Session], engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_jsonl(tmp_path / "export.jsonl", [record("E1"), "{bad", record("E2"), record("E3")])
    real = service.save_encounter  # type: ignore[attr-defined]
    calls = {"n": 0}

    def failing(session: Session, encounter: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("database went away")
        return real(session, encounter, **kw)

    monkeypatch.setattr(service, "save_encounter", failing)
    with pytest.raises(RuntimeError):
        _ingest(new_session, path)
    assert _count(engine, EncounterVersion) == 0 and _count(engine, QuarantineRecord) == 0


def test_a_value_the_store_cannot_hold_is_quarantined(new_session: Callable[[], Session], tmp_path: Path) -> None:
    too_long = record("E1")
    too_long["patient"]["first_name"] = "X" * 150
    result = _ingest(new_session, write_jsonl(tmp_path / "e.jsonl", [too_long, record("E2")]))
    _adds_up(result)
    assert result.quarantined == 1 and result.new == 1
    assert result.reasons == {"value_too_long": 1}
    assert result.quarantine[0].record == "line 1 (encounter E1)"
    assert "X" * 150 not in json.dumps(result.as_dict())


@pytest.fixture
def cli() -> Callable[..., Any]:
    from rcm.cli.ingest import register

    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """Test harness: the real `rcm` app registers the same command."""

    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


def test_cli_json_output_and_no_phi_anywhere(
    cli: Callable[..., Any], cli_database: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_jsonl(tmp_path / "export.jsonl", _bad_mix())
    caplog.set_level(logging.DEBUG)
    result = cli("ingest", str(path), "--format", "jsonl", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["read"] == out["accepted"] + out["quarantined"] + out["duplicates"] == 6
    assert (out["new"], out["new_versions"], out["duplicates"]) == (2, 0, 1)
    assert out["reasons"] == {"bad_date": 1, "malformed_line": 1, "no_service_lines": 1}
    assert {q["record"] for q in out["quarantine"]} == {"line 2", "line 3 (encounter E2)", "line 6 (encounter E4)"}
    human = cli("ingest", str(path))
    assert human.exit_code == 0 and "duplicates 6" not in human.stdout and "read 6" in human.stdout
    for phi in PHI:
        assert phi not in result.output and phi not in human.output
        assert phi not in caplog.text


@pytest.mark.parametrize("case", ["missing", "folder", "latin1", "no_header"])
def test_cli_unreadable_file_exits_2_and_writes_nothing(
    cli: Callable[..., Any], cli_database: Engine, tmp_path: Path, case: str
) -> None:
    path = tmp_path / "export.jsonl"
    fmt = "jsonl"
    if case == "folder":
        path = tmp_path
    elif case == "latin1":
        path.write_bytes(json.dumps(record("E1")).encode() + b'\n{"encounter_id": "E2", "x": "\xe9"}\n')
    elif case == "no_header":
        path = tmp_path / "export.csv"
        path.write_text("E1,2026-01-01,P1\n", encoding="utf-8")
        fmt = "csv"
    result = cli("ingest", str(path), "--format", fmt, "--json")
    assert result.exit_code == 2
    assert "error:" in result.output
    assert _count(cli_database, EncounterVersion) == 0 and _count(cli_database, QuarantineRecord) == 0


@pytest.mark.shared
@pytest.mark.slow
def test_synthea_ingest_is_idempotent(new_session: Callable[[], Session], shared_dir: Path) -> None:
    folder = shared_dir / "synthea" / "us_small"
    if not folder.is_dir():
        pytest.skip(f"the Synthea sample is not at {folder}")
    first = _ingest(new_session, folder, "synthea")
    _adds_up(first)
    assert first.new >= 370 and set(first.reasons) == {"no_billable_services"}
    assert "unmapped" in first.as_dict()
    again = _ingest(new_session, folder, "synthea")
    _adds_up(again)
    assert again.new == again.new_versions == 0 and again.duplicates == first.new


def test_the_rcm_command_has_ingest(cli_database: Engine, tmp_path: Path) -> None:
    from rcm.cli import app

    path = write_jsonl(tmp_path / "export.jsonl", [record("E1")])
    result = CliRunner().invoke(app, ["ingest", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == 1
