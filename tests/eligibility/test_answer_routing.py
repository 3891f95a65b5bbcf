"""Where the 999 for a 271 goes: the outbound folder of the clearinghouse named (`rcm eligibility ingest
--clearinghouse`), else of the one whose inbound folder held the file or whose ids its ISA carries, else of
`default`; a file read again is not answered again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from rcm.config import Settings, get_settings, load_settings, reset_settings
from rcm.eligibility.responses import ingest_271_file
from rcm.errors import ConfigError
from rcm.store import X12FileRecord
from rcm.transport.answers import route_answer
from tests.remits.answer_files import ACME, DEFAULT, eligibility_response, rules_with, run_cli


@pytest.fixture
def two_clearinghouses(tmp_path: Path, engine: Engine) -> Settings:
    env = {"RCM_DATA_DIR": str(tmp_path / "data"), "RCM_DATABASE_URL": engine.url.render_as_string(False),
           "RCM_RULES_DIR": str(rules_with(tmp_path / "rules"))}
    settings = load_settings(env)
    settings.ensure_dirs()
    return settings


def _write(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return folder / name


def _folder_of(report_ack: str | None, settings: Settings) -> str:
    assert report_ack is not None
    return str(Path(report_ack).parent.relative_to(settings.data_dir))


def test_a_271_is_answered_through_the_clearinghouse_it_came_from(session: Session,
                                                                  two_clearinghouses: Settings) -> None:
    s = two_clearinghouses
    generic_acme = _write(s.inbound_dir, "a.271", eligibility_response("A", sender=ACME[0], receiver=ACME[1]))
    generic_payer = _write(s.inbound_dir, "p.271", eligibility_response("P", sender="SOMEPAYER", receiver="X"))
    own_default = _write(s.inbound_dir / "default", "d.271",
                         eligibility_response("D", sender=ACME[0], receiver=ACME[1]))
    own_acme = _write(s.inbound_dir / "acme", "o.271",
                      eligibility_response("O", sender=DEFAULT[0], receiver=DEFAULT[1]))
    folders = {}
    for path in (generic_acme, generic_payer, own_default, own_acme):
        report = ingest_271_file(session, path, settings=s)
        session.commit()
        folders[path.name] = _folder_of(report.ack_file, s)
    assert folders == {"a.271": "outbound/acme", "p.271": "outbound/default", "d.271": "outbound/default",
                       "o.271": "outbound/acme"}
    records = session.scalars(select(X12FileRecord).where(X12FileRecord.kind == "999")).all()
    assert sorted((r.clearinghouse, r.status) for r in records) == [("acme", "dropped")] * 2 + [
        ("default", "dropped")] * 2


def test_the_caller_decides_when_it_says_so(session: Session, two_clearinghouses: Settings) -> None:
    s = two_clearinghouses
    path = _write(s.inbound_dir, "a.271", eligibility_response("A", sender=ACME[0], receiver=ACME[1]))
    route = route_answer(s, path, ids=None, clearinghouse="default")
    report = ingest_271_file(session, path, settings=s, answer_to=route)
    session.commit()
    assert _folder_of(report.ack_file, s) == "outbound/default"
    with pytest.raises(ConfigError, match="no clearinghouse named 'nosuch'"):
        route_answer(s, path, ids=None, clearinghouse="nosuch")


def test_a_271_read_again_is_not_answered_again(session: Session, two_clearinghouses: Settings) -> None:
    s = two_clearinghouses
    path = _write(s.inbound_dir, "a.271", eligibility_response("A", sender=ACME[0], receiver=ACME[1]))
    first = ingest_271_file(session, path, settings=s)
    session.commit()
    assert first.ack_file is not None
    again = ingest_271_file(session, path, settings=s)
    session.commit()
    assert again.duplicate and again.ack_file is None
    assert again.as_json() == first.as_json()
    assert [p.name for p in s.outbound_dir.rglob("999_*")] == [Path(first.ack_file).name]


def test_a_271_whose_999_never_left_is_answered_when_read_again(session: Session,
                                                                 two_clearinghouses: Settings) -> None:
    s = two_clearinghouses
    path = _write(s.inbound_dir, "a.271", eligibility_response("A", sender=ACME[0], receiver=ACME[1]))
    first = ingest_271_file(session, path, settings=s)
    session.commit()
    assert first.ack_file is not None
    # say the drop was lost with its folder (a restore from backup): on record as never dropped
    Path(first.ack_file).unlink()
    answer = session.scalars(select(X12FileRecord).where(X12FileRecord.kind == "999")).one()
    answer.status = "never_dropped"
    session.commit()
    again = ingest_271_file(session, path, settings=s)
    session.commit()
    assert again.duplicate and again.ack_file is not None
    assert _folder_of(again.ack_file, s) == "outbound/acme"
    assert again.responses == first.responses  # nothing read twice


@pytest.fixture
def cli_data(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("RCM_RULES_DIR", str(rules_with(tmp_path / "rules")))
    reset_settings()
    yield get_settings().data_dir
    reset_settings()


def test_the_cli_answers_through_the_clearinghouse_named(cli_data: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "r.271", eligibility_response("C", sender=DEFAULT[0], receiver=DEFAULT[1]))
    code, out, err = run_cli("eligibility", "ingest", str(path), "--clearinghouse", "acme")
    assert code == 0, err
    assert f"999 written: {cli_data / 'outbound' / 'acme'}/999_" in out
    assert [p.parent.name for p in (cli_data / "outbound").rglob("999_*")] == ["acme"]

    other = _write(tmp_path, "s.271", eligibility_response("S", sender=ACME[0], receiver=ACME[1]))
    code, out, err = run_cli("eligibility", "ingest", str(other))  # no name: the ISA says acme
    assert code == 0, err
    assert sorted(p.parent.name for p in (cli_data / "outbound").rglob("999_*")) == ["acme", "acme"]

    code, out, err = run_cli("eligibility", "ingest", str(path), "--clearinghouse", "nosuch")
    assert code == 1 and "no clearinghouse named 'nosuch'" in err and "Traceback" not in out + err
