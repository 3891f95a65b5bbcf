"""Sign-ins kept on the server: signing out ends a session for good (a copied cookie included), an administrator
can end a user's sessions, and the lockout after failed sign-ins holds across app instances and restarts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from rcm.coding import RuleBook
from rcm.store import SignInFailure, WebSession
from rcm.store.database import session_factory
from rcm.store.testing import fresh_database, url_with_schema
from rcm.web.app import COOKIE_NAME
from rcm.web.signins import FAILURE_WINDOW, MAX_FAILURES, SESSION_RETENTION, SignIns

from .conftest import _client, csrf_of, sign_in
from .seed import PASSWORD, Office

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(tmp_path) as e:
        yield e


def test_a_session_is_live_until_it_is_ended(engine: Engine) -> None:
    sign_ins = SignIns(session_factory(engine))
    key = sign_ins.start("jdoe", now=T0)
    other = sign_ins.start("jdoe", now=T0 + timedelta(minutes=1))
    assert len(key) >= 40 and key != other
    assert sign_ins.is_live(key, "jdoe") and not sign_ins.is_live(key, "asmith")  # a key is one user's only
    assert not sign_ins.is_live(None, "jdoe") and not sign_ins.is_live("made-up", "jdoe")
    with session_factory(engine)() as db:  # the key itself is never stored
        assert db.scalars(select(WebSession.id)).all() and key not in db.scalars(select(WebSession.id)).all()
    assert sign_ins.end(key) and not sign_ins.end(key)  # ending twice changes nothing
    assert not sign_ins.is_live(key, "jdoe") and sign_ins.is_live(other, "jdoe")
    assert [(s.user, s.started_at) for s in sign_ins.live()] == [("jdoe", T0 + timedelta(minutes=1))]
    assert sign_ins.end_all("jdoe", reason="ended by admin") == 1 and sign_ins.end_all("jdoe") == 0
    assert not sign_ins.is_live(other, "jdoe") and sign_ins.live() == []
    with session_factory(engine)() as db:
        reasons = sorted(db.scalars(select(WebSession.end_reason)).all(), key=str)
    assert reasons == ["ended by admin", "signed out"]


def test_old_sessions_are_deleted_after_their_retention(engine: Engine) -> None:
    sign_ins = SignIns(session_factory(engine))
    sign_ins.start("jdoe", now=T0)
    sign_ins.start("jdoe", now=T0 + SESSION_RETENTION + timedelta(seconds=1))
    with session_factory(engine)() as db:
        assert db.scalar(select(func.count()).select_from(WebSession)) == 1


def test_failed_sign_ins_block_a_name_within_the_window_only(engine: Engine) -> None:
    sign_ins = SignIns(session_factory(engine))
    for minute in range(MAX_FAILURES - 1):
        sign_ins.failed("asmith", now=T0 + timedelta(minutes=minute))
    assert not sign_ins.blocked("asmith", now=T0 + timedelta(minutes=5))
    sign_ins.failed("asmith", now=T0 + timedelta(minutes=5))
    assert sign_ins.blocked("asmith", now=T0 + timedelta(minutes=5))
    assert not sign_ins.blocked("jdoe", now=T0 + timedelta(minutes=5))  # per name
    # the first failure leaves the window: four remain
    assert not sign_ins.blocked("asmith", now=T0 + FAILURE_WINDOW + timedelta(seconds=1))
    sign_ins.succeeded("asmith")
    assert not sign_ins.blocked("asmith", now=T0 + timedelta(minutes=5))
    long_name = "x" * 300  # what is typed is throttled by its first characters, whatever its length
    for _ in range(MAX_FAILURES):
        sign_ins.failed(long_name, now=T0)
    assert sign_ins.blocked(long_name, now=T0)
    sign_ins.failed("jdoe", now=T0 + FAILURE_WINDOW * 3)  # failures past the window are deleted
    with session_factory(engine)() as db:
        assert db.scalars(select(SignInFailure.user_name)).all() == ["jdoe"]


def test_signing_out_makes_a_copied_cookie_worthless(fresh_office: Office, tmp_path: Path, book: RuleBook) -> None:
    with _client(fresh_office, tmp_path, book, fresh_office.engine) as client:
        sign_in(client)
        page = client.get("/worklist")
        assert page.status_code == 200
        copied = client.cookies[COOKIE_NAME]
        client.post("/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert client.get("/worklist", follow_redirects=False).status_code == 303
        client.cookies.set(COOKIE_NAME, copied)  # the cookie as it was before signing out
        refused = client.get("/worklist", follow_redirects=False)
        assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
        client.cookies.clear()
        sign_in(client)  # signing in again starts a new session
        assert client.get("/worklist", follow_redirects=False).status_code == 200


def test_an_administrator_ends_a_users_sessions(
    fresh_office: Office, tmp_path: Path, book: RuleBook, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rcm.cli import app
    from rcm.config import reset_settings

    with _client(fresh_office, tmp_path, book, fresh_office.engine) as first, \
            _client(fresh_office, tmp_path, book, fresh_office.engine) as second:
        sign_in(first)
        sign_in(second, "asmith")
        url = fresh_office.engine.url
        schema = fresh_office.engine.dialect.default_schema_name if url.get_backend_name() == "postgresql" else None
        monkeypatch.setenv("RCM_DATABASE_URL", url_with_schema(url.render_as_string(hide_password=False), schema)
                           if schema else url.render_as_string(hide_password=False))
        monkeypatch.setenv("RCM_DATA_DIR", str(tmp_path))
        reset_settings()
        try:
            runner = CliRunner()
            listed = runner.invoke(app, ["web", "sessions"])
            assert listed.exit_code == 0, listed.output
            assert sorted(line.split("\t")[0] for line in listed.output.splitlines()) == ["asmith", "jdoe"]
            ended = runner.invoke(app, ["web", "sign-out", "jdoe"])
            assert ended.exit_code == 0 and "1 session of jdoe ended" in ended.output, ended.output
        finally:
            reset_settings()
        assert first.get("/worklist", follow_redirects=False).status_code == 303
        assert second.get("/worklist", follow_redirects=False).status_code == 200


def test_the_lockout_holds_across_app_instances(fresh_office: Office, tmp_path: Path, book: RuleBook) -> None:
    with _client(fresh_office, tmp_path, book, fresh_office.engine) as first:
        page = first.get("/login").text
        for _ in range(MAX_FAILURES):
            wrong = first.post("/login", data={"username": "asmith", "password": "not it", "csrf_token": csrf_of(page)})
            assert wrong.status_code == 401
    # another worker process, or the app after a restart: same database, same lockout
    with _client(fresh_office, tmp_path, book, fresh_office.engine) as second:
        page = second.get("/login").text
        blocked = second.post("/login", data={"username": "asmith", "password": PASSWORD, "csrf_token": csrf_of(page)})
        assert blocked.status_code == 429 and "Too many failed attempts" in blocked.text
        sign_in(second, "jdoe")  # other users are not held up
        assert second.get("/worklist", follow_redirects=False).status_code == 200
