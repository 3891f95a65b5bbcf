"""`rcm web add-user | users | remove-user` and the checks `rcm web` makes before serving."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rcm.cli import app
from rcm.web.users import UserStore


@pytest.fixture
def users_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    from rcm.config import reset_settings

    monkeypatch.setenv("RCM_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("RCM_WEB_USERS_FILE", raising=False)
    reset_settings()
    yield tmp_path / "web-users.json"
    reset_settings()


def test_adding_listing_and_removing_users(users_file: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["web", "add-user", "jdoe", "--password-stdin"], input="a fine passphrase\n")
    assert added.exit_code == 0, added.output
    assert f"user jdoe added in {users_file}" in added.output and "a fine passphrase" not in added.output
    assert UserStore(users_file).authenticate("jdoe", "a fine passphrase") is not None
    prompted = runner.invoke(app, ["web", "add-user", "asmith"], input="another passphrase\nanother passphrase\n")
    assert prompted.exit_code == 0, prompted.output
    assert runner.invoke(app, ["web", "users"]).output.split() == ["asmith", "jdoe"]
    again = runner.invoke(app, ["web", "add-user", "jdoe", "--password-stdin"], input="a fine passphrase\n")
    assert again.exit_code != 0 and "already exists" in str(again.exception)
    short = runner.invoke(app, ["web", "add-user", "bob", "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 12" in str(short.exception)
    assert runner.invoke(app, ["web", "remove-user", "jdoe"]).exit_code == 0
    assert runner.invoke(app, ["web", "users"]).output.split() == ["asmith"]


def test_serving_refuses_a_bad_day(users_file: Path) -> None:
    result = CliRunner().invoke(app, ["web", "--as-of", "July 1st"])
    assert result.exit_code != 0 and "is not a date" in str(result.exception)
