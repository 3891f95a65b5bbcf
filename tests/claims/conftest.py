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
