"""`rcm synth` and `rcm denials train|score|report|appeal` on a synthetic history folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from rcm.cli import denials as denials_cli
from rcm.payer_sim.output import load_history

app = typer.Typer()
denials_cli.register(app)
runner = CliRunner()


@pytest.fixture()
def data_dir(database_url: str, tmp_path: Path) -> Path:
    """A private data folder and an empty database of its own (see tests/conftest.py)."""
    return tmp_path / "data"


@pytest.mark.slow
def test_synth_then_train_score_report_appeal(tmp_path: Path, data_dir: Path) -> None:
    out = tmp_path / "synth"
    result = runner.invoke(app, ["synth", "--months", "3", "--seed", "3", "--out", str(out),
                                 "--encounters-per-month", "350"])
    assert result.exit_code == 0, result.output
    assert [p.name for p in sorted(out.iterdir()) if p.is_dir()][:3] == ["2025-01", "2025-02", "2025-03"]
    january = out / "2025-01"
    assert (january / "emr_export.jsonl").stat().st_size > 0
    assert sorted(p.name for p in january.glob("*.x12"))[:2] == ["835_AET01.x12", "835_BCBS1.x12"]
    assert list(january.glob("837P_*.x12"))
    # the EMR export is what intake reads: nothing quarantined
    from rcm.intake.jsonl import read_jsonl

    reading = read_jsonl(january / "emr_export.jsonl")
    assert reading.records and not [r for r in reading.records if r.error]
    # no patient data in file names
    history = load_history(out)
    names = {p.name for p in out.rglob("*")}
    assert not any((c.encounter.patient.last_name or "?") in n for c in history.claims[:50] for n in names)

    from rcm.x12.balancing import check_835
    from rcm.x12.reader import read_file
    from rcm.x12.validation import validate_file

    for x12 in [*sorted(january.glob("835_*.x12"))[:2], *sorted(january.glob("837P_*.x12"))[:2]]:
        assert validate_file(x12) == [], x12.name
    for tx in read_file(january / "835_BCBS1.x12").transactions:
        assert check_835(tx) == []

    result = runner.invoke(app, ["denials", "train", "--json", "--history", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    for key in ("roc_auc", "pr_auc", "brier", "recall_at_10pct"):
        assert isinstance(metrics[key], float)
        assert key in metrics["baselines"]["rules"] and key in metrics["baselines"]["payer_code_rate"]
    assert metrics["accepted"] is True
    assert (data_dir / "models" / "active.json").exists()

    result = runner.invoke(app, ["denials", "score", "--json", "--history", str(out)])
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)["claims"]
    assert scored and all(0 <= s["score"] <= 1 for s in scored)
    assert any(s["held"] and s["reasons"] for s in scored)

    report = tmp_path / "report.html"
    result = runner.invoke(app, ["denials", "report", "--history", str(out), "--html", str(report)])
    assert result.exit_code == 0, result.output
    page = report.read_text()
    assert page.count("<svg") == 4 and "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert "Denial rate by payer" in page and "UHC01" in page and metrics["model_version"] in page

    denied = next(a for a in history.adjudications.values() if a.reason_group == "medical_necessity")
    result = runner.invoke(app, ["denials", "appeal", denied.claim_id, "--history", str(out)])
    assert result.exit_code == 0, result.output
    assert "medically necessary" in result.output and denied.claim_id in result.output


def test_score_without_a_model_says_what_to_do(data_dir: Path) -> None:
    result = runner.invoke(app, ["denials", "score"])
    assert result.exit_code != 0
    assert "rcm denials train" in str(result.exception)
