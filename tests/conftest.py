"""Suite-wide fixtures: where the repo and ../shared are, and a private data directory for every test session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the repo; tests that need it are skipped, with the reason, when it is missing."""
    if not SHARED.is_dir():
        pytest.skip(f"../shared is not beside the repo ({SHARED}); these tests read it in place")
    return SHARED


@pytest.fixture(autouse=True, scope="session")
def _private_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Nothing a test does lands in ./var: every session gets its own data directory."""
    data_dir = tmp_path_factory.mktemp("rcm-data")
    old = os.environ.get("RCM_DATA_DIR")
    os.environ["RCM_DATA_DIR"] = str(data_dir)
    from rcm.config import reset_settings

    reset_settings()
    yield data_dir
    reset_settings()
    if old is None:
        os.environ.pop("RCM_DATA_DIR", None)
    else:
        os.environ["RCM_DATA_DIR"] = old


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """For tests that go through the CLI or the nightly steps: a private data folder and an empty, migrated
    database (a new SQLite file, or a new schema on the PostgreSQL under test), exported as RCM_DATA_DIR and
    RCM_DATABASE_URL the way a user sets them. Dropped afterwards."""
    from rcm.config import reset_settings
    from rcm.store.testing import fresh_database

    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("RCM_DATA_DIR", str(data))
    monkeypatch.delenv("RCM_RULES_DIR", raising=False)
    server = os.environ.get("RCM_DATABASE_URL", "")
    with fresh_database(data, url=server if server.startswith("postgres") else None) as engine:
        url = engine.url.render_as_string(hide_password=False)
        monkeypatch.setenv("RCM_DATABASE_URL", url)
        reset_settings()
        yield url
    reset_settings()
