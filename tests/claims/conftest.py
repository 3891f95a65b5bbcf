"""Shared fixtures for the claims tests: the repo's rules folder, a clearinghouse profile, the shared samples."""

from __future__ import annotations

from pathlib import Path

import pytest

from rcm.claims.clearinghouses import Clearinghouse, load_clearinghouses

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def rules_dir() -> Path:
    return REPO_ROOT / "rules"


@pytest.fixture(scope="session")
def clearinghouse(rules_dir: Path) -> Clearinghouse:
    return load_clearinghouses(rules_dir)["default"]


@pytest.fixture(scope="session")
def samples() -> Path:
    path = SHARED / "x12-samples"
    if not path.is_dir():
        pytest.skip(f"shared X12 samples missing at {path}")
    return path


# --- database and settings for the store-wired tests ---------------------------------------------------------

from collections.abc import Iterator  # noqa: E402

from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from rcm.config import Settings  # noqa: E402
from rcm.store.testing import clean_tables, db_session, fresh_database  # noqa: E402


@pytest.fixture(scope="session")
def claims_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory.mktemp("claims-db")) as engine:
        yield engine


@pytest.fixture
def session(claims_engine: Engine) -> Iterator[Session]:
    clean_tables(claims_engine)
    with db_session(claims_engine) as s:
        yield s
    clean_tables(claims_engine)


@pytest.fixture
def settings(tmp_path: Path, rules_dir: Path, claims_engine: Engine) -> Settings:
    data = tmp_path / "var"
    return Settings(
        data_dir=data,
        database_url=claims_engine.url.render_as_string(hide_password=False),
        outbound_dir=data / "outbound",
        inbound_dir=data / "inbound",
        archive_dir=data / "archive",
        rules_dir=rules_dir,
    )
