"""Intake fixtures: a migrated test database (SQLite file, or a fresh PostgreSQL schema), emptied around every test."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rcm.codes import npi_with_check_digit
from rcm.config import reset_settings
from rcm.store import session_factory
from rcm.store.testing import clean_tables, fresh_database

BILLING_NPI = npi_with_check_digit("112345670")
RENDERING_NPI = npi_with_check_digit("123456780")
# Synthetic PHI planted in test records: none of it may ever show up in output, messages or logs.
PATIENT_FIRST = "Zelphira"
PATIENT_LAST = "Quackenbosh"
PATIENT_DOB = "1961-07-23"
MEMBER_ID = "XQZ778899001"

_RECORD: dict[str, Any] = {
    "encounter_id": "E1001",
    "date_of_service": "2026-03-02",
    "place_of_service": "11",
    "patient": {
        "id": "P1",
        "first_name": PATIENT_FIRST,
        "last_name": PATIENT_LAST,
        "birth_date": PATIENT_DOB,
        "sex": "F",
        "address": {"line1": "12 Elm Row", "city": "Salem", "state": "MA", "zip": "01970"},
    },
    "coverage": [
        {
            "priority": "primary",
            "payer_id": "BCBS1",
            "payer_name": "Blue Cross Blue Shield",
            "member_id": MEMBER_ID,
            "group_number": "GRP1234",
            "relationship": "self",
            "subscriber": None,
        }
    ],
    "billing_provider": {"npi": BILLING_NPI, "name": "Riverbend Family Medicine", "tax_id": "041234567"},
    "rendering_provider": {"npi": RENDERING_NPI, "first_name": "Dana", "last_name": "Okafor"},
    "referring_provider": None,
    "prior_authorization": None,
    "diagnoses": ["J02.0", "R50.9"],
    "lines": [
        {"line_id": "1", "code": "99213", "modifiers": ["25"], "units": 1, "charge": "125.00",
         "diagnosis_pointers": [1, 2], "date_of_service": "2026-03-02"},
        {"line_id": "2", "code": "87880", "modifiers": ["QW"], "units": 1, "charge": "32.00",
         "diagnosis_pointers": [1]},
    ],
}  # fmt: skip


def record(encounter_id: str = "E1001", **changes: Any) -> dict[str, Any]:
    """A valid JSON-shaped encounter (synthetic people only), with top-level changes applied."""
    data = copy.deepcopy(_RECORD)
    data["encounter_id"] = encounter_id
    data.update(changes)
    return data


def write_jsonl(path: Path, items: list[dict[str, Any] | str]) -> Path:
    path.write_text("".join((i if isinstance(i, str) else json.dumps(i)) + "\n" for i in items), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def intake_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory.mktemp("intake-db")) as engine:
        yield engine


@pytest.fixture
def engine(intake_engine: Engine) -> Iterator[Engine]:
    clean_tables(intake_engine)
    yield intake_engine
    clean_tables(intake_engine)


@pytest.fixture
def new_session(engine: Engine) -> Callable[[], Session]:
    return session_factory(engine)


@pytest.fixture
def cli_database(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """Point the CLI's settings (RCM_DATABASE_URL) at the test database (its URL carries the test schema)."""
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("RCM_DATABASE_URL", url)
    reset_settings()
    yield engine
    reset_settings()
