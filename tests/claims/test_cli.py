"""`rcm claims build|show|list` and `rcm acks ingest` on a configured database: what they print and change."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from rcm.cli import acks as acks_cli
from rcm.cli import claims as claims_cli
from rcm.store import make_engine, session_factory

from .store_helpers import primary_encounter, ready_claim

app = typer.Typer()
claims_cli.register(app)
acks_cli.register(app)


def test_build_show_list_and_ack(database_url: str, tmp_path: Path) -> None:
    engine = make_engine(database_url)
    with session_factory(engine)() as session:
        for i in (50, 52):
            ready_claim(session, primary_encounter(i))
    runner = CliRunner()

    listed = runner.invoke(app, ["claims", "list", "--status", "ready", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [c["claim"] for c in json.loads(listed.output)["claims"]] == ["ENC00050", "ENC00052"]

    built = runner.invoke(app, ["claims", "build", "--json"])
    assert built.exit_code == 0, built.output
    files = json.loads(built.output)["files"]
    assert len(files) == 1 and files[0]["claims"] == 2 and files[0]["transactions"] == 2
    assert set(files[0]) >= {"path", "interchange_control_number", "transactions", "claims", "charges"}
    assert Path(files[0]["path"]).is_file() and Path(files[0]["path"]).is_relative_to(tmp_path / "data" / "outbound")

    again = runner.invoke(app, ["claims", "build"])
    assert again.exit_code == 0 and "no claims ready to send" in again.output

    ta1 = tmp_path / "reject.ta1"
    ta1.write_text("ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*RCMSUBMITTER   *240802*1200*^*00501*"
                   f"000000077*0*P*:~TA1*{files[0]['interchange_control_number']}*240802*1200*R*024~IEA*0*000000077~")
    stranger = tmp_path / "stranger.ta1"
    stranger.write_text("ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*RCMSUBMITTER   *240802*1200*^*00501*"
                        "000000078*0*P*:~TA1*000999999*240802*1200*A*000~IEA*0*000000078~")
    acked = runner.invoke(app, ["acks", "ingest", str(ta1), str(stranger), "--json"])
    assert acked.exit_code == 0, acked.output
    per_file = json.loads(acked.output)["files"]
    assert [(f["kind"], f["accepted"], f["rejected"], f["unmatched"]) for f in per_file] == [
        ("TA1", 0, 1, 0), ("TA1", 1, 0, 1)]
    assert per_file[1]["unmatched_items"][0]["interchange"] == "000999999"

    rejected = runner.invoke(app, ["claims", "list", "--status", "rejected"])
    assert rejected.exit_code == 0 and "ENC00050" in rejected.output and "ENC00052" in rejected.output

    shown = runner.invoke(app, ["claims", "show", "ENC00050"])
    assert shown.exit_code == 0, shown.output
    steps = [line for line in shown.output.splitlines() if "->" in line]
    assert [s.split("->")[1].split()[0] for s in steps] == ["ingested", "ready", "submitted", "rejected"]
    assert "invalid interchange content" in shown.output and "reject.ta1" in shown.output

    twice = runner.invoke(app, ["acks", "ingest", str(ta1)])
    assert twice.exit_code == 0 and "already ingested" in twice.output

    bad = runner.invoke(app, ["claims", "list", "--status", "lost"])
    assert bad.exit_code != 0
    engine.dispose()


def test_acks_ingest_reports_unreadable_files(database_url: str, tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_text("hello, this is not X12")
    result = CliRunner().invoke(app, ["acks", "ingest", str(junk), "--json"])
    assert result.exit_code == 2
    assert "error" in json.loads(result.output)["files"][0]
