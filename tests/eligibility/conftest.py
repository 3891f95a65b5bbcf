"""Eligibility fixtures: one migrated database per session (fresh PostgreSQL schema when RCM_DATABASE_URL names
one, else a SQLite file), emptied before every test; settings pointing at a temporary data folder; encounters
of synthetic patients (no real person)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rcm.codes import npi_with_check_digit
from rcm.config import DEFAULT_RULES_DIR, Settings, load_settings
from rcm.domain import Encounter
from rcm.store import save_encounter
from rcm.store.testing import clean_tables, db_session, fresh_database

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLES = REPO_ROOT.parent / "shared" / "x12-samples"
BILLING_NPI = npi_with_check_digit("123456789")


@pytest.fixture(scope="session")
def eligibility_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory.mktemp("eligibility")) as engine:
        yield engine


@pytest.fixture
def engine(eligibility_engine: Engine) -> Iterator[Engine]:
    clean_tables(eligibility_engine)
    yield eligibility_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with db_session(engine) as s:
        yield s


@pytest.fixture
def settings(tmp_path: Path, engine: Engine) -> Settings:
    env = {"RCM_DATA_DIR": str(tmp_path / "data"), "RCM_DATABASE_URL": engine.url.render_as_string(False),
           "RCM_RULES_DIR": str(DEFAULT_RULES_DIR)}
    s = load_settings(env)
    s.ensure_dirs()
    return s


def encounter_data(encounter_id: str, *, codes: tuple[str, ...] = ("99213",), **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "encounter_id": encounter_id,
        "date_of_service": "2026-11-02",
        "place_of_service": "11",
        "patient": {"id": f"P-{encounter_id}", "first_name": "Test", "last_name": "Patient",
                    "birth_date": "1980-04-05", "sex": "F"},
        "coverage": [{"priority": "primary", "payer_id": "BCBS1", "payer_name": "Blue Cross Blue Shield",
                      "member_id": f"M{encounter_id}"}],
        "billing_provider": {"npi": BILLING_NPI, "name": "Test Clinic", "tax_id": "123456789"},
        "diagnoses": ["J02.0"],
        "lines": [{"line_id": str(n), "code": code, "units": 1, "charge": "100.00", "diagnosis_pointers": [1]}
                  for n, code in enumerate(codes, start=1)],
    }
    data.update(changes)
    return data


AddEncounter = Callable[..., Encounter]


@pytest.fixture
def add_encounter(session: Session) -> AddEncounter:
    def add(encounter_id: str, **kwargs: Any) -> Encounter:
        encounter = Encounter.model_validate(encounter_data(encounter_id, **kwargs))
        save_encounter(session, encounter, source_file="test.jsonl", source_row=None)
        session.commit()
        return encounter

    return add
