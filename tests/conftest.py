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
