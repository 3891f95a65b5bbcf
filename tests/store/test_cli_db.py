"""`rcm db upgrade` and `rcm db current` say what they did, on the configured database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from rcm.cli.db import register
from rcm.config import reset_settings
from rcm.store import head_revision, make_engine
from rcm.store.testing import url_with_schema

# Only this module's commands: the test does not depend on the other stages' CLI modules importing cleanly.
app = typer.Typer()
register(app)


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """RCM_DATABASE_URL for the CLI: a new SQLite file, or a new schema on the PostgreSQL under test."""
    server = os.environ.get("RCM_DATABASE_URL", "")
    schema = None
    if server.startswith("postgres"):
        schema = f"rcm_cli_{uuid.uuid4().hex[:12]}"
        admin = make_engine(server)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = url_with_schema(server, schema)
    else:
        url = f"sqlite:///{tmp_path / 'data' / 'rcm.db'}"
    monkeypatch.setenv("RCM_DATABASE_URL", url)
    monkeypatch.setenv("RCM_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    yield url
    reset_settings()
    if schema is not None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_then_current(database_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    head = head_revision()

    before = runner.invoke(app, ["db", "current", "--check"])
    assert before.exit_code == 1
    assert "rcm db upgrade" in before.output

    first = runner.invoke(app, ["db", "upgrade"])
    assert first.exit_code == 0, first.output
    assert f"to revision {head}" in first.output

    second = runner.invoke(app, ["db", "upgrade"])
    assert second.exit_code == 0
    assert f"already at revision {head}, nothing to do" in second.output

    current = runner.invoke(app, ["db", "current", "--check"])
    assert current.exit_code == 0
    assert f"revision {head} (up to date)" in current.output
    if database_url.startswith("sqlite"):
        assert (tmp_path / "data" / "outbound").is_dir()


def test_current_does_not_create_a_missing_sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db_file = tmp_path / "nowhere" / "rcm.db"
    monkeypatch.setenv("RCM_DATABASE_URL", f"sqlite:///{db_file}")
    reset_settings()
    try:
        result = CliRunner().invoke(app, ["db", "current"])
    finally:
        reset_settings()
    assert result.exit_code == 0
    assert "does not exist yet" in result.output
    assert not db_file.exists()


def test_passwords_are_not_printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An unreachable server: the error names the database without its password.
    monkeypatch.setenv("RCM_DATABASE_URL", "postgresql://rcm:s3cret@127.0.0.1:1/none?connect_timeout=2")
    reset_settings()
    try:
        result = CliRunner().invoke(app, ["db", "current"])
    finally:
        reset_settings()
    assert result.exit_code != 0
    assert "s3cret" not in result.output
    assert "s3cret" not in str(result.exception or "")
