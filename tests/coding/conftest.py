"""Scrubber fixtures: the shipped rule book (compiled once per session), a factory for clean encounters, and a
database per test module for the store tests."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rcm.codes import npi_with_check_digit
from rcm.coding import RuleBook, ScrubContext, ScrubFinding, load_rulebook, scrub_claim
from rcm.domain import Encounter
from rcm.store.testing import clean_tables, db_session, fresh_database

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = REPO_ROOT / "rules"
DOS = date(2026, 3, 2)

BILLING_NPI = npi_with_check_digit("112345670")
RENDERING_NPI = npi_with_check_digit("123456780")


def encounter_data(**changes: Any) -> dict[str, Any]:
    """A clean professional encounter (BCBS, office visit for strep throat); ``changes`` replace top-level keys."""
    data: dict[str, Any] = {
        "encounter_id": "E-TEST-1",
        "date_of_service": DOS.isoformat(),
        "place_of_service": "11",
        "patient": {
            "id": "P-TEST-1",
            "first_name": "Testa",
            "last_name": "Sample",
            "birth_date": "1985-06-15",
            "sex": "F",
            "address": {"line1": "1 Test St", "city": "Lowell", "state": "MA", "zip": "01852"},
        },
        "coverage": [
            {"priority": "primary", "payer_id": "BCBS1", "payer_name": "Blue Cross", "member_id": "XBC123456789"}
        ],
        "billing_provider": {
            "npi": BILLING_NPI,
            "name": "Riverbend Family Medicine",
            "tax_id": "041234567",
            "address": {"line1": "100 Riverbend Pkwy", "city": "Lowell", "state": "MA", "zip": "01852"},
        },
        "rendering_provider": {"npi": RENDERING_NPI, "first_name": "Dana", "last_name": "Okafor"},
        "diagnoses": ["J02.0"],
        "lines": [{"line_id": "1", "code": "99213", "charge": "125.00", "diagnosis_pointers": [1]}],
    }
    data.update(copy.deepcopy(changes))
    return data


def line(
    line_id: str, code: str, *modifiers: str, units: str = "1", charge: str = "50.00", **extra: Any
) -> dict[str, Any]:
    return {
        "line_id": line_id,
        "code": code,
        "modifiers": list(modifiers),
        "units": units,
        "charge": charge,
        "diagnosis_pointers": [1],
        **extra,
    }


@pytest.fixture(scope="session")
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> RuleBook:
    """The shipped rules and tables; the compiled cache lives in pytest's cache folder (when pytest keeps one),
    so the NCCI table is compiled once, not on every run."""
    cache = getattr(request.config, "cache", None)
    folder = cache.mkdir("rcm-coding-tables") if cache is not None else tmp_path_factory.mktemp("coding-data")
    return load_rulebook(RULES_DIR, folder)


@pytest.fixture
def context(book: RuleBook) -> ScrubContext:
    return ScrubContext(book, as_of=date(2026, 3, 10))


Scrub = Callable[..., list[ScrubFinding]]


@pytest.fixture
def scrub(context: ScrubContext) -> Scrub:
    """scrub(**encounter changes) -> findings of that encounter under the shipped rules."""

    def run(**changes: Any) -> list[ScrubFinding]:
        return scrub_claim(Encounter.model_validate(encounter_data(**changes)), context)

    return run


def categories(findings: list[ScrubFinding]) -> set[str]:
    return {f.category for f in findings}


def rules(findings: list[ScrubFinding]) -> set[str]:
    return {f.rule_id for f in findings}


@pytest.fixture(scope="module")
def store_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated database for the module's store tests (a fresh SQLite file or PostgreSQL schema)."""
    with fresh_database(tmp_path_factory.mktemp("scrub-store")) as engine:
        yield engine


@pytest.fixture
def session(store_engine: Engine) -> Iterator[Session]:
    """A session on an emptied database."""
    clean_tables(store_engine)
    with db_session(store_engine) as s:
        yield s
