"""Remittance-posting fixtures: one migrated database per session (fresh PostgreSQL schema or SQLite file),
emptied before every test, and a factory for submitted claims to post to (synthetic: no real person)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rcm.codes import npi_with_check_digit
from rcm.domain import Encounter
from rcm.store import ClaimRecord, ClaimStatus, find_claim, record_file, save_encounter, set_claim_status
from rcm.store.testing import clean_tables, db_session, fresh_database

BILLING_NPI = npi_with_check_digit("123456789")


@pytest.fixture(scope="session")
def remits_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory.mktemp("remits")) as engine:
        yield engine


@pytest.fixture
def engine(remits_engine: Engine) -> Iterator[Engine]:
    clean_tables(remits_engine)
    yield remits_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with db_session(engine) as s:
        yield s


def encounter_data(encounter_id: str, lines: list[tuple[str, str, str, list[str]]], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "encounter_id": encounter_id,
        "date_of_service": "2026-10-03",
        "place_of_service": "11",
        "patient": {"id": f"P-{encounter_id}", "first_name": "Test", "last_name": "Patient", "sex": "F"},
        "coverage": [{"priority": "primary", "payer_id": "PAYER1", "payer_name": "First Health Plan"}],
        "billing_provider": {"npi": BILLING_NPI, "name": "Clinic", "tax_id": "123456789"},
        "diagnoses": ["J02.0"],
        "lines": [
            {"line_id": line_id, "code": code, "modifiers": mods, "units": 1, "charge": charge,
             "diagnosis_pointers": [1]}
            for code, charge, line_id, mods in lines
        ],
    }
    data.update(changes)
    return data


ClaimFactory = Callable[..., ClaimRecord]


@pytest.fixture
def make_claim(session: Session) -> ClaimFactory:
    """A submitted primary claim; ``secondary=True`` adds a secondary coverage to the encounter."""

    def make(
        encounter_id: str,
        lines: list[tuple[str, str, str, list[str]]] | None = None,
        *,
        secondary: bool = False,
    ) -> ClaimRecord:
        lines = lines or [("99213", "100.00", "1", []), ("87880", "50.00", "2", [])]
        changes: dict[str, Any] = {}
        if secondary:
            changes["coverage"] = [
                {"priority": "primary", "payer_id": "PAYER1", "payer_name": "First Health Plan"},
                {"priority": "secondary", "payer_id": "PAYER2", "payer_name": "Second Plan"},
            ]
        encounter = Encounter.model_validate(encounter_data(encounter_id, lines, **changes))
        save_encounter(session, encounter, source_file="test.jsonl", source_row=None)
        claim = find_claim(session, encounter_id)
        assert claim is not None
        set_claim_status(session, claim, ClaimStatus.submitted, cause="sent", source_kind="build")
        session.commit()
        return claim

    return make


@pytest.fixture
def file_id(session: Session) -> Callable[[bytes], int]:
    def make(content: bytes) -> int:
        record, _ = record_file(session, direction="in", kind="835", name="t.835", path="t.835", content=content)
        return record.id

    return make
