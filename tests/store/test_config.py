"""Settings: defaults under the working directory, environment overrides, clearinghouse file."""

from __future__ import annotations

from pathlib import Path

import pytest

from rcm.config import DEFAULT_RULES_DIR, get_settings, load_settings, reset_settings
from rcm.errors import ConfigError


def test_defaults_live_under_var_in_the_working_directory(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    assert settings.data_dir == tmp_path / "var"
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'rcm.db'}"
    assert settings.outbound_dir == tmp_path / "var" / "outbound"
    assert settings.inbound_dir == tmp_path / "var" / "inbound"
    assert settings.archive_dir == tmp_path / "var" / "archive"
    assert settings.rules_dir == DEFAULT_RULES_DIR
    assert settings.is_sqlite


def test_environment_overrides(tmp_path: Path) -> None:
    env = {
        "RCM_DATA_DIR": "data",
        "RCM_DATABASE_URL": "postgresql://postgres@db/rcm",
        "RCM_RULES_DIR": str(tmp_path / "myrules"),
    }
    settings = load_settings(env, cwd=tmp_path)
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == "postgresql://postgres@db/rcm"
    assert not settings.is_sqlite
    assert settings.rules_dir == tmp_path / "myrules"
    assert settings.clearinghouses == {}


def test_ensure_dirs_creates_the_drop_folders(tmp_path: Path) -> None:
    settings = load_settings({"RCM_DATA_DIR": str(tmp_path / "d")})
    settings.ensure_dirs()
    assert all(p.is_dir() for p in (settings.outbound_dir, settings.inbound_dir, settings.archive_dir))


@pytest.mark.parametrize(
    "text",
    [
        "clearinghouses:\n  acme:\n    sender_id: SUBMITTER1\n",
        "acme:\n  sender_id: SUBMITTER1\n",
        "clearinghouses:\n  - name: acme\n    sender_id: SUBMITTER1\n",
    ],
)
def test_clearinghouses_are_read_in_any_of_the_usual_shapes(tmp_path: Path, text: str) -> None:
    (tmp_path / "clearinghouses.yaml").write_text(text)
    settings = load_settings({"RCM_RULES_DIR": str(tmp_path)})
    assert settings.clearinghouses == {"acme": {"name": "acme", "sender_id": "SUBMITTER1"}}


@pytest.mark.parametrize("text", ["acme: [unclosed\n", "- just a string\n", "42\n", "acme: 3\n"])
def test_a_broken_clearinghouse_file_is_a_config_error_naming_the_file(tmp_path: Path, text: str) -> None:
    (tmp_path / "clearinghouses.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"clearinghouses\.yaml"):
        load_settings({"RCM_RULES_DIR": str(tmp_path)})


def test_get_settings_is_cached_until_reset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RCM_DATA_DIR", str(tmp_path / "one"))
    reset_settings()
    try:
        first = get_settings()
        monkeypatch.setenv("RCM_DATA_DIR", str(tmp_path / "two"))
        assert get_settings() is first
        reset_settings()
        assert get_settings().data_dir == tmp_path / "two"
    finally:
        monkeypatch.undo()
        reset_settings()
