"""Where the 999s for received 835s and 271s go: the choice (rcm.transport.answers.route_answer) and the nightly
inbound step end to end (plain functions, no Prefect): each answer in the outbound folder of the clearinghouse the
file came from, said in the summary, never twice, never lost; the simulated clearinghouse and payers ignore them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rcm import nightly
from rcm.config import Settings, load_settings, reset_settings
from rcm.errors import ConfigError
from rcm.store import X12FileRecord
from rcm.transport.answers import InterchangeIds, route_answer
from tests.conftest import SHARED
from tests.remits.answer_files import ACME, DEFAULT, OTHER, eligibility_response, remittance, rules_with

ACME_IDS = InterchangeIds(*ACME)
DEFAULT_IDS = InterchangeIds(*DEFAULT)
PAYER_IDS = InterchangeIds("SOMEPAYER", "SOMEONEELSE")  # names none of our clearinghouses


def _settings(tmp_path: Path, **rules: Any) -> Settings:
    env = {"RCM_DATA_DIR": str(tmp_path / "data"), "RCM_RULES_DIR": str(rules_with(tmp_path / "rules", **rules))}
    return load_settings(env)


# ------------------------------------------------------------------------------------------------ the choice


def test_a_file_in_a_clearinghouse_folder_is_answered_through_it(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    found = settings.inbound_dir / "acme" / "sub" / "remit.835"
    # the folder decides, whatever the ISA says
    route = route_answer(settings, found, ids=DEFAULT_IDS)
    assert (route.clearinghouse, route.outbound, route.chosen_by) == (
        "acme", settings.data_dir / "outbound" / "acme", "inbound folder")
    assert route.describe(settings.data_dir) == {"clearinghouse": "acme", "folder": "outbound/acme",
                                                 "chosen_by": "inbound folder"}
    assert route_answer(settings, settings.inbound_dir / "default" / "r.835", ids=ACME_IDS).clearinghouse == "default"


def test_a_clearinghouse_folder_outside_the_data_directory_counts_too(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    settings = _settings(tmp_path, acme_inbound=str(elsewhere / "acme-in"), acme_outbound=str(elsewhere / "acme-out"))
    route = route_answer(settings, elsewhere / "acme-in" / "r.835", ids=None)
    assert (route.clearinghouse, route.outbound) == ("acme", elsewhere / "acme-out")
    assert route.describe(settings.data_dir)["folder"] == str(elsewhere / "acme-out")


def test_a_file_in_the_generic_drop_is_answered_through_the_clearinghouse_its_isa_names(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    generic = settings.inbound_dir / "remit.835"
    assert route_answer(settings, generic, ids=ACME_IDS).clearinghouse == "acme"
    assert route_answer(settings, generic, ids=DEFAULT_IDS).clearinghouse == "default"
    # its sender alone (a clearinghouse id we send to), or our id with it alone, is enough
    assert route_answer(settings, generic, ids=InterchangeIds("ACMECH", "SOMEONEELSE")).clearinghouse == "acme"
    assert route_answer(settings, generic, ids=InterchangeIds("A PAYER", "RCMACME")).clearinghouse == "acme"
    # the sender weighs more than the receiver (we may use one submitter id with every clearinghouse)
    route = route_answer(settings, generic, ids=InterchangeIds("acmech", "RCMSUBMITTER"))
    assert (route.clearinghouse, route.chosen_by) == ("acme", "interchange ids")


def test_undecided_files_are_answered_through_default(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    generic = settings.inbound_dir / "remit.835"
    for ids in (PAYER_IDS, None):
        route = route_answer(settings, generic, ids=ids)
        assert (route.clearinghouse, route.outbound, route.chosen_by) == (
            "default", settings.data_dir / "outbound" / "default", "default")
    # a file given from anywhere else (the CLI) is not in any clearinghouse's folder
    assert route_answer(settings, tmp_path / "downloads" / "r.835", ids=ACME_IDS).clearinghouse == "acme"


def test_a_named_clearinghouse_wins_and_an_unknown_name_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    route = route_answer(settings, settings.inbound_dir / "default" / "r.835", ids=DEFAULT_IDS, clearinghouse="acme")
    assert (route.clearinghouse, route.chosen_by) == ("acme", "named")
    with pytest.raises(ConfigError, match=r"no clearinghouse named 'nosuch'.*configured: acme, default"):
        route_answer(settings, settings.inbound_dir / "r.835", ids=None, clearinghouse="nosuch")


def test_without_a_default_an_undecided_file_is_refused_not_answered_into_nowhere(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "one", default=False)
    assert route_answer(settings, settings.inbound_dir / "r.835", ids=ACME_IDS).clearinghouse == "acme"
    # with only one clearinghouse there is nothing to decide
    only = route_answer(settings, settings.inbound_dir / "r.835", ids=PAYER_IDS)
    assert (only.clearinghouse, only.chosen_by) == ("acme", "only clearinghouse")
    two = _settings(tmp_path / "two", default=False, other=True)
    assert route_answer(two, two.inbound_dir / "r.835", ids=InterchangeIds(*OTHER)).clearinghouse == "other"
    with pytest.raises(ConfigError, match=r"remit\.835: cannot tell which clearinghouse sent it"):
        route_answer(two, two.inbound_dir / "remit.835", ids=PAYER_IDS)


def test_a_clearinghouse_reading_the_generic_drop_has_no_folder_of_its_own(tmp_path: Path) -> None:
    settings = _settings(tmp_path, acme_inbound="inbound")
    assert route_answer(settings, settings.inbound_dir / "r.835", ids=DEFAULT_IDS).clearinghouse == "default"
    assert route_answer(settings, settings.inbound_dir / "r.835", ids=ACME_IDS).clearinghouse == "acme"


def test_without_any_clearinghouse_the_answer_stays_in_the_outbound_drop(tmp_path: Path) -> None:
    rules = tmp_path / "empty-rules"
    rules.mkdir()
    settings = load_settings({"RCM_DATA_DIR": str(tmp_path / "data"), "RCM_RULES_DIR": str(rules)})
    route = route_answer(settings, settings.inbound_dir / "r.835", ids=ACME_IDS)
    assert (route.clearinghouse, route.outbound) == (None, settings.outbound_dir)


# ------------------------------------------------------------------------------------------------ the nightly step


@pytest.fixture
def run(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[nightly.NightlyRun]:
    """The nightly run on a fresh database, with the clearinghouses ``default`` and ``acme``."""
    monkeypatch.setenv("RCM_RULES_DIR", str(rules_with(tmp_path / "rules")))
    reset_settings()
    opened = nightly.open_run(load_settings())
    yield opened
    opened.engine.dispose()
    reset_settings()


def _drop(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


def _answers(settings: Settings) -> dict[str, list[str]]:
    """The 999s waiting in the outbound drop, by folder (relative to the data directory)."""
    found: dict[str, list[str]] = {}
    for path in sorted(settings.outbound_dir.rglob("999_*")):
        found.setdefault(str(path.parent.relative_to(settings.data_dir)), []).append(path.name)
    return found


def _by_file(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(item["file"]).name: item for item in result["files"]}


def test_each_answer_goes_to_the_clearinghouse_its_file_came_from(run: nightly.NightlyRun) -> None:
    s = run.settings
    _drop(s.inbound_dir, "generic-acme.835", remittance("T-A", sender=ACME[0], receiver=ACME[1]))
    _drop(s.inbound_dir, "generic-payer.835", remittance("T-P", sender="SOMEPAYER", receiver="SOMEONEELSE"))
    _drop(s.inbound_dir / "acme", "own-acme.835", remittance("T-O", sender=DEFAULT[0], receiver=DEFAULT[1]))
    _drop(s.inbound_dir, "generic-acme.271", eligibility_response("SILVER", sender=ACME[0], receiver=ACME[1]))
    _drop(s.inbound_dir / "default", "own-default.271", eligibility_response("GOLD", sender=ACME[0],
                                                                             receiver=ACME[1]))

    result = nightly.process_inbound(run)

    assert result["errors"] == [] and result["left"] == []
    files = _by_file(result)
    where = {name: (item["acknowledgment"]["clearinghouse"], item["acknowledgment"]["folder"],
                    item["acknowledgment"]["chosen_by"]) for name, item in files.items()}
    assert where == {
        "generic-acme.835": ("acme", "outbound/acme", "interchange ids"),
        "generic-payer.835": ("default", "outbound/default", "default"),
        "own-acme.835": ("acme", "outbound/acme", "inbound folder"),
        "generic-acme.271": ("acme", "outbound/acme", "interchange ids"),
        "own-default.271": ("default", "outbound/default", "inbound folder"),
    }
    written = _answers(s)
    assert {folder: len(names) for folder, names in written.items()} == {"outbound/acme": 3, "outbound/default": 2}
    for name, item in files.items():
        ack = item["acknowledgment"]
        assert ack["state"] == "written" and ack["file"] in written[ack["folder"]], name
    assert not list(s.outbound_dir.glob("999_*"))  # none left in the root, where no clearinghouse reads
    # what the records say agrees with the drop
    with run.session() as session:
        records = session.scalars(select(X12FileRecord).where(X12FileRecord.kind == "999",
                                                              X12FileRecord.direction == "out")).all()
        assert sorted((r.clearinghouse, r.status, Path(r.path).parent.name) for r in records) == [
            ("acme", "dropped", "acme")] * 3 + [("default", "dropped", "default")] * 2
    # the summary lines read as before; the summary names no patient
    lines = nightly.summary_lines({"inbound_before": result})
    assert lines[0] == "received and read before scrubbing: 2 271, 3 835"
    assert [line for line in lines if line.startswith("999s")] == [
        "999s written: 3 to outbound/acme", "999s written: 2 to outbound/default"]
    assert "PATIENT" not in json.dumps(result) and "PATIENT" not in "\n".join(lines)


def test_a_file_read_again_is_not_answered_twice(run: nightly.NightlyRun) -> None:
    s = run.settings
    content = remittance("T-TWICE", sender=ACME[0], receiver=ACME[1])
    _drop(s.inbound_dir, "remit.835", content)
    first = nightly.process_inbound(run)
    assert _by_file(first)["remit.835"]["acknowledgment"]["state"] == "written"
    answered = _answers(s)
    assert sum(len(v) for v in answered.values()) == 1

    # the same bytes again (the archive move failed, or the clearinghouse dropped the file twice)
    _drop(s.inbound_dir / "acme", "remit-again.835", content)
    second = nightly.process_inbound(run)
    again = _by_file(second)["remit-again.835"]
    assert again["transactions"][0]["duplicate"] is True
    assert again["acknowledgment"]["state"] == "answered before" and again["acknowledgment"]["file"] is None
    assert _answers(s) == answered
    assert not list(s.inbound_dir.rglob("*.835"))  # archived all the same

    # a 271 likewise
    _drop(s.inbound_dir, "elig.271", eligibility_response("GOLD", sender=ACME[0], receiver=ACME[1]))
    nightly.process_inbound(run)
    answered = _answers(s)
    _drop(s.inbound_dir, "elig.271", eligibility_response("GOLD", sender=ACME[0], receiver=ACME[1]))
    third = nightly.process_inbound(run)
    assert _by_file(third)["elig.271"]["acknowledgment"]["state"] == "answered before"
    assert _answers(s) == answered


def test_a_999_that_could_not_be_written_is_written_by_the_next_run_once(
        run: nightly.NightlyRun, monkeypatch: pytest.MonkeyPatch) -> None:
    import rcm.remits.files as files

    s = run.settings
    path = _drop(s.inbound_dir, "remit.835", remittance("T-FULL", sender=ACME[0], receiver=ACME[1]))
    real = files.drop_answer

    def disk_full(answer: Any) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "drop_answer", disk_full)
    first = nightly.process_inbound(run)
    assert [e["file"] for e in first["errors"]] == ["remit.835"]
    assert "posted, but its 999 could not be written into outbound/acme" in first["errors"][0]["error"]
    assert path.is_file() and _answers(s) == {}  # left in the inbound drop for the next run

    monkeypatch.setattr(files, "drop_answer", real)
    second = nightly.process_inbound(run)
    item = _by_file(second)["remit.835"]
    assert item["transactions"][0]["duplicate"] is True  # posted once, by the first run
    assert item["acknowledgment"]["state"] == "written"
    assert list(_answers(s)) == ["outbound/acme"] and len(_answers(s)["outbound/acme"]) == 1
    assert not path.exists()
    with run.session() as session:
        statuses = sorted(session.scalars(select(X12FileRecord.status).where(X12FileRecord.kind == "999")))
    assert statuses == ["dropped", "never_dropped"]

    nightly.process_inbound(run)
    assert len(_answers(s)["outbound/acme"]) == 1


def test_a_run_cut_off_between_the_commit_and_the_drop(run: nightly.NightlyRun) -> None:
    """The posting committed, then the process died before the 999 reached the drop: a run moments later leaves
    the file for later (the run that recorded the 999 may still be writing it); once that is past, it is written."""
    from rcm.remits.files import post_file
    from rcm.transport.answers import InterchangeIds, route_answer

    s = run.settings
    path = _drop(s.inbound_dir, "remit.835", remittance("T-CUT", sender=ACME[0], receiver=ACME[1]))
    with run.transaction() as session:
        post_file(session, path, answer_to=route_answer(s, path, ids=InterchangeIds(*ACME)))

    soon = nightly.process_inbound(run)
    assert soon["files"] == [] and [item["file"] for item in soon["left"]] == ["remit.835"]
    assert soon["left"][0]["acknowledgment"]["state"] == "in flight"
    assert path.is_file() and _answers(s) == {}

    with run.transaction() as session:  # the time a run takes to drop what it recorded is past
        answer = session.scalars(select(X12FileRecord).where(X12FileRecord.kind == "999")).one()
        answer.created_at -= timedelta(minutes=11)
    later = nightly.process_inbound(run)
    assert _by_file(later)["remit.835"]["acknowledgment"]["state"] == "written"
    assert len(_answers(s)["outbound/acme"]) == 1 and not path.exists()


def test_a_run_cut_off_between_the_drop_and_its_record(run: nightly.NightlyRun) -> None:
    """The 999 reached the drop but the run died before recording so: the next reading finds it there."""
    from rcm.remits.files import post_file
    from rcm.transport.answers import InterchangeIds, drop_answer, route_answer

    s = run.settings
    path = _drop(s.inbound_dir, "remit.835", remittance("T-REC", sender=ACME[0], receiver=ACME[1]))
    with run.transaction() as session:
        prepared = post_file(session, path, answer_to=route_answer(s, path, ids=InterchangeIds(*ACME)))
    assert prepared.answer is not None
    drop_answer(prepared.answer)
    dropped = _answers(s)

    result = nightly.process_inbound(run)
    assert _by_file(result)["remit.835"]["acknowledgment"]["state"] == "answered before"
    assert _answers(s) == dropped
    with run.session() as session:
        assert session.scalars(select(X12FileRecord.status).where(X12FileRecord.kind == "999")).one() == "dropped"


def test_a_999_already_sent_by_the_transport_is_not_written_again(run: nightly.NightlyRun) -> None:
    from rcm.remits.files import post_file
    from rcm.store.tables import FileTransfer
    from rcm.transport.answers import InterchangeIds, drop_answer, route_answer

    s = run.settings
    path = _drop(s.inbound_dir, "remit.835", remittance("T-SENT", sender=ACME[0], receiver=ACME[1]))
    with run.transaction() as session:
        prepared = post_file(session, path, answer_to=route_answer(s, path, ids=InterchangeIds(*ACME)))
    assert prepared.answer is not None
    final = drop_answer(prepared.answer)  # ...and the transport uploaded it and moved it to archive/sent
    with run.transaction() as session:
        record = session.scalars(select(X12FileRecord).where(X12FileRecord.kind == "999")).one()
        session.add(FileTransfer(clearinghouse="acme", direction="send", name=final.name, size=final.stat().st_size,
                                 content_hash=record.content_hash, remote_path=f"/inbound/{final.name}",
                                 local_path=str(final), status="sent"))
    final.unlink()

    result = nightly.process_inbound(run)
    assert _by_file(result)["remit.835"]["acknowledgment"]["state"] == "answered before"
    assert _answers(s) == {}


def test_a_file_no_clearinghouse_can_answer_is_left_with_the_reason(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RCM_RULES_DIR", str(rules_with(tmp_path / "rules", default=False, other=True)))
    reset_settings()
    run = nightly.open_run(load_settings())
    try:
        path = _drop(run.settings.inbound_dir, "remit.835", remittance("T-NONE", sender="SOMEPAYER",
                                                                       receiver="SOMEONEELSE"))
        result = nightly.process_inbound(run)
        assert result["files"] == [] and "cannot tell which clearinghouse sent it" in result["errors"][0]["error"]
        assert path.is_file() and _answers(run.settings) == {}
        with run.session() as session:  # nothing posted: it is read whole once the configuration says where
            assert session.scalars(select(X12FileRecord)).all() == []
    finally:
        run.engine.dispose()
        reset_settings()


# ------------------------------------------------------------------------------------------------ the demo's side


def test_the_simulated_clearinghouse_and_payers_ignore_our_999s(run: nightly.NightlyRun, tmp_path: Path) -> None:
    from rcm.payer_sim.clearinghouse import respond_to_outbound
    from rcm.payer_sim.eligibility import answer_outbound_270s

    s = run.settings
    _drop(s.inbound_dir, "remit.835", remittance("T-SIM", sender=DEFAULT[0], receiver=DEFAULT[1]))
    _drop(s.inbound_dir, "elig.271", eligibility_response("GOLD", sender=DEFAULT[0], receiver=DEFAULT[1]))
    nightly.process_inbound(run)
    assert len(_answers(s)["outbound/default"]) == 2

    ledger = tmp_path / "sim.json"
    assert respond_to_outbound(s.outbound_dir, tmp_path / "answers", ledger=ledger) == []
    assert not ledger.exists() or json.loads(ledger.read_text())["answered"] == {}
    assert answer_outbound_270s(s.outbound_dir, tmp_path / "answers", ledger=tmp_path / "sim-271.json") == []

    sample = SHARED / "x12-samples" / "LinuxForHealth+x12" / "demo-file" / "demo.837"
    if not sample.is_file():
        pytest.skip("../shared/x12-samples is not beside the repo: the 837 half is not checked")
    _drop(s.outbound_dir / "default", "837P_sample.x12", sample.read_bytes())
    assert respond_to_outbound(s.outbound_dir, tmp_path / "answers", ledger=ledger)
    assert [entry["file"] for entry in json.loads(ledger.read_text())["answered"].values()] == ["837P_sample.x12"]
