"""The nightly run with the default clearinghouse on SFTP (a real sshd): 270s and 837s go to its inbox after they
are built, its answers are fetched before the inbound drop is read; an unreachable server stops nothing and loses
nothing; no patient's name or member id reaches a file name, a log line or the transfer summary."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from rcm import nightly
from rcm.config import load_settings, reset_settings
from rcm.payer_sim.clearinghouse import respond_to_outbound
from rcm.payer_sim.eligibility import answer_outbound_270s

from .conftest import Site
from .servers import SshServer, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_LINES = 40  # enough encounters for a 270 file and an 837 file, quick to run


def _rules_with_default_on_sftp(site: Site) -> Path:
    """The repository's rules, with the default clearinghouse reached over SFTP (a copy; the repo is untouched)."""
    rules = site.rules_dir
    rules.mkdir(parents=True, exist_ok=True)
    for item in (REPO_ROOT / "rules").iterdir():
        if item.name != "clearinghouses.yaml":
            (rules / item.name).symlink_to(item)
    shipped = yaml.safe_load((REPO_ROOT / "rules" / "clearinghouses.yaml").read_text())
    default = shipped["clearinghouses"]["default"]
    default.update({k: v for k, v in site.entry().items()})
    (rules / "clearinghouses.yaml").write_text(yaml.safe_dump({"clearinghouses": {"default": default}}))
    return rules


def _sample(tmp_path: Path) -> Path:
    lines = nightly.sample_export_path().read_text().splitlines()[:SAMPLE_LINES]
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def _phi(export: Path) -> set[str]:
    """Names, birth dates and member ids of the patients in the export (what must never leak)."""
    found: set[str] = set()
    for line in export.read_text().splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # the sample carries malformed lines on purpose (quarantined by intake)
        patient = record.get("patient") or {}
        found.update(v for v in (patient.get("last_name"), patient.get("first_name"), patient.get("birth_date")) if v)
        found.update(c["member_id"] for c in record.get("coverage", []) if c.get("member_id"))
    return {v for v in found if len(v) >= 4}


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


@pytest.fixture
def sftp_site(database_url: str, tmp_path: Path, sshd: SshServer, monkeypatch: pytest.MonkeyPatch) -> Site:
    site = Site(tmp_path, sshd, name="default")
    for folder in (site.inbox, site.outbox):
        folder.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("RCM_RULES_DIR", str(_rules_with_default_on_sftp(site)))
    reset_settings()
    return site


@pytest.mark.slow
def test_nightly_sends_what_it_built_and_reads_what_came_back(
        sftp_site: Site, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    site = sftp_site
    export = _sample(tmp_path)
    settings = load_settings()
    assert settings.data_dir == site.data_dir

    first = nightly.run_nightly(export, settings=settings, as_of=nightly.SAMPLE_EXPORT_DATE)

    assert first["claims"]["files"], "an 837 was built"
    sent = first["send"]
    assert sent["errors"] == [] and sent["moved"] == 2  # the 270 file and the 837 file
    kinds = sorted(name.split("_")[0] for name in _names(site.inbox))
    assert kinds == ["270", "837P"]
    assert _names(site.outbound) == []  # nothing left waiting
    assert sorted(_names(site.sent)) == _names(site.inbox)
    assert first["fetch"]["moved"] == 0
    lines = nightly.summary_lines(first)
    assert "sent to clearinghouses: 2 file(s) (default 2)" in lines

    # The clearinghouse answers on its side: 271s for the 270s, then TA1/999/277CA/835 for the 837.
    answer_outbound_270s(site.inbox, site.outbox, ledger=tmp_path / "sim-271.json")
    respond_to_outbound(site.inbox, site.outbox, today=nightly.SAMPLE_EXPORT_DATE, ledger=tmp_path / "sim.json")
    waiting = _names(site.outbox)
    assert len(waiting) >= 4

    second = nightly.run_nightly(None, settings=settings, as_of=nightly.SAMPLE_EXPORT_DATE)

    assert second["fetch"]["errors"] == [] and second["fetch"]["moved"] == len(waiting)
    assert _names(site.outbox) == []
    read = {item["kind"] for item in second["inbound_before"]["files"]}
    assert {"271", "999", "277CA", "835"} <= read
    assert second["inbound_before"]["errors"] == [] and second["inbound_before"]["left"] == []
    assert f"fetched from clearinghouses: {len(waiting)} file(s) (default {len(waiting)})" in \
        nightly.summary_lines(second)
    # Claims held for eligibility in the first run can go now: exactly what was built is sent, nothing twice.
    built = [Path(f["path"]).name for f in second["claims"]["files"]]
    answers = [f["acknowledgment"]["file"] for f in second["inbound_before"]["files"] if f.get("acknowledgment")]
    assert answers and all(a.startswith("999_") for a in answers)
    sent = [f["name"] for c in second["send"]["clearinghouses"] for f in c["files"]]
    assert sorted(sent) == sorted(built + answers)  # the 837s built and the 999s answering what was fetched
    assert _names(site.outbound) == []

    phi = _phi(export)
    assert phi
    transfers = json.dumps([first["send"], first["fetch"], second["send"], second["fetch"]])
    names = " ".join(_names(site.inbox) + waiting + _names(site.sent) + _names(site.data_dir / "archive"))
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("rcm.transport", "paramiko")))
    for text in (transfers, names, logged):
        leaked = sorted(v for v in phi if v in text)
        assert not leaked, leaked


@pytest.mark.slow
def test_an_unreachable_clearinghouse_stops_nothing_and_its_files_go_next_run(
        database_url: str, tmp_path: Path, sshd: SshServer, monkeypatch: pytest.MonkeyPatch) -> None:
    site = Site(tmp_path, sshd, name="default", port=free_port())  # nothing listens there tonight
    site.inbox.mkdir(parents=True)
    site.outbox.mkdir(parents=True)
    site.sftp = {"retry": {"attempts": 2, "first_delay_seconds": 0.01}}
    monkeypatch.setenv("RCM_RULES_DIR", str(_rules_with_default_on_sftp(site)))
    reset_settings()
    export = _sample(tmp_path)

    down = nightly.run_nightly(export, settings=load_settings(), as_of=nightly.SAMPLE_EXPORT_DATE)

    assert down["scrub"]["claims"] > 0 and down["claims"]["files"]  # every other step ran
    assert [e["kind"] for e in down["fetch"]["errors"]] == ["TransferConnectionError"]
    assert [e["kind"] for e in down["send"]["errors"]] == ["TransferConnectionError"]
    waiting = _names(site.outbound)
    assert sorted(n.split("_")[0] for n in waiting) == ["270", "837P"]
    lines = nightly.summary_lines(down)
    assert any(line.startswith("  left for the next run: clearinghouse default, host 127.0.0.1:") for line in lines)

    # The next night the server answers again (here: the rules point at the real port).
    site.port = None
    (site.rules_dir / "clearinghouses.yaml").unlink()
    for item in site.rules_dir.iterdir():
        item.unlink()
    _rules_with_default_on_sftp(site)
    reset_settings()
    up = nightly.run_nightly(None, settings=load_settings(), as_of=nightly.SAMPLE_EXPORT_DATE)
    assert up["send"]["errors"] == [] and up["send"]["moved"] == 2
    assert _names(site.inbox) == waiting and _names(site.outbound) == []


def test_with_local_clearinghouses_the_summary_has_no_transfer_lines(database_url: str, tmp_path: Path) -> None:
    settings = load_settings()  # the repository's rules: default is a local folder
    run = nightly.open_run(settings)
    try:
        fetched = nightly.fetch_from_clearinghouses(run)
        sent = nightly.send_to_clearinghouses(run)
    finally:
        run.engine.dispose()
    assert fetched["remote"] is False and sent["remote"] is False
    assert fetched["moved"] == sent["moved"] == 0 and fetched["errors"] == sent["errors"] == []
    summary: dict[str, Any] = {"fetch": fetched, "send": sent}
    assert nightly.summary_lines(summary) == []


def test_a_broken_clearinghouse_entry_is_reported_by_the_step_not_raised(database_url: str, tmp_path: Path) -> None:
    from rcm.config import Settings

    settings = Settings(**{**load_settings().model_dump(), "clearinghouses": {"acme": {"transport": "sftp"}}})
    run = nightly.open_run(settings)
    try:
        report = nightly.send_to_clearinghouses(run)
    finally:
        run.engine.dispose()
    assert [e["kind"] for e in report["errors"]] == ["ConfigError"]
    assert "transport is sftp but there is no sftp: section" in report["errors"][0]["error"]
    assert nightly.summary_lines({"send": report}) == [
        "sent to clearinghouses: 0 file(s) (acme 0)",
        f"  left for the next run: {settings.rules_dir / 'clearinghouses.yaml'}: clearinghouse acme: transport is "
        "sftp but there is no sftp: section"]


def test_temporary_files_in_the_inbound_drop_are_not_read(database_url: str, tmp_path: Path) -> None:
    settings = load_settings()
    settings.ensure_dirs()
    (settings.inbound_dir / ".999_0001.x12.1234.part").write_bytes(b"ISA*half a file")
    run = nightly.open_run(settings)
    try:
        result = nightly.process_inbound(run)
    finally:
        run.engine.dispose()
    assert result == {"files": [], "errors": [], "left": []}
    assert (settings.inbound_dir / ".999_0001.x12.1234.part").exists()
