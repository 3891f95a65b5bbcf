"""The nightly demo's loop closed by the simulator: our 837 out, its 999, 277CA and 835s back in, every answer
matched to what we sent and the remittances posted balanced."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from rcm.config import Settings
from rcm.nightly import NightlyRun, build_claim_files, ingest_export, process_inbound, sample_export_path, scrub_claims
from rcm.payer_sim.clearinghouse import LEDGER_NAME, respond_to_outbound
from rcm.store.testing import fresh_database

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(tmp_path) as e:
        yield e


@pytest.mark.slow  # the scrubber loads its code sets: about 15 s
def test_nightly_run_reads_back_what_the_simulator_answers(tmp_path: Path, engine: Engine) -> None:
    export = sample_export_path()
    if not export.is_file():
        pytest.skip(f"the bundled sample export is missing ({export})")
    small = tmp_path / "encounters.jsonl"
    small.write_text("".join(export.read_text(encoding="utf-8").splitlines(keepends=True)[:90]), encoding="utf-8")
    data = tmp_path / "var"
    settings = Settings(data_dir=data, database_url=engine.url.render_as_string(hide_password=False),
                        outbound_dir=data / "outbound", inbound_dir=data / "inbound", archive_dir=data / "archive",
                        rules_dir=REPO_ROOT / "rules")
    settings.ensure_dirs()
    run = NightlyRun(settings=settings, engine=engine)
    ingest_export(run, small)
    scrub_claims(run)
    build_claim_files(run)
    sent = sorted(p for p in settings.outbound_dir.rglob("837*") if p.is_file())
    if not sent:
        pytest.skip("no claim of the sample slice came out of the scrubber clean: nothing to answer")

    answers = respond_to_outbound(settings.outbound_dir, settings.inbound_dir / "default", seed=1,
                                  today=date.today())
    assert {p.name.split("_")[0] for p in answers} >= {"999", "277CA", "835"}
    assert (data / LEDGER_NAME).is_file()

    result = process_inbound(run)
    assert result["errors"] == [] and result["left"] == []
    by_kind: dict[str, list[dict[str, object]]] = {}
    for item in result["files"]:
        by_kind.setdefault(str(item["kind"]), []).append(item)
    (ack,) = by_kind["999"]
    assert ack["unmatched"] == 0 and ack["rejected"] == 0 and int(str(ack["accepted"])) >= 1
    (status,) = by_kind["277CA"]
    assert status["unmatched"] == 0 and int(str(status["accepted"])) >= 1
    posted = [tx for item in by_kind["835"] for tx in item["transactions"]]  # type: ignore[attr-defined]
    assert posted and all(tx["balanced"] and tx["unmatched"] == 0 and tx["matched"] == tx["claims"] for tx in posted)
    assert sum(tx["claims"] for tx in posted) == status["accepted"]  # every claim the 277CA accepted is paid or denied

    # the next night: nothing new to answer, nothing posted twice
    assert respond_to_outbound(settings.outbound_dir, settings.inbound_dir / "default", seed=1,
                               today=date.today()) == []
    assert process_inbound(run)["files"] == []
