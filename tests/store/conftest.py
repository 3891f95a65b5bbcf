"""Store fixtures: one migrated database per test session (a fresh PostgreSQL schema or SQLite file), emptied before
every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rcm.domain import Encounter
from rcm.store.testing import clean_tables, db_session, fresh_database

from .factories import encounter_data


@pytest.fixture(scope="session")
def store_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    with fresh_database(tmp_path_factory.mktemp("store")) as engine:
        yield engine


@pytest.fixture
def engine(store_engine: Engine) -> Iterator[Engine]:
    clean_tables(store_engine)
    yield store_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with db_session(engine) as s:
        yield s


@pytest.fixture
def make_encounter() -> Callable[..., Encounter]:
    def make(**changes: Any) -> Encounter:
        return Encounter.model_validate(encounter_data(**changes))

    return make
