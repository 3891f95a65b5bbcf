"""Throw-away databases for tests: a fresh SQLite file, or a fresh schema when RCM_DATABASE_URL names PostgreSQL.

Plain helpers (no pytest import) so any test suite can wrap them in fixtures.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from rcm.store.database import make_engine, session_factory, upgrade, with_search_path
from rcm.store.tables import Base

__all__ = [
    "bench_postgres_url",
    "clean_tables",
    "database_url_for_tests",
    "db_session",
    "fresh_database",
    "url_with_schema",
]

DATABASE_URL_ENV = "RCM_DATABASE_URL"


def database_url_for_tests(tmp_dir: Path) -> str:
    """RCM_DATABASE_URL when it names PostgreSQL, else a new SQLite file in ``tmp_dir``."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url and make_url(url).get_backend_name() == "postgresql":
        return url
    return f"sqlite:///{Path(tmp_dir) / f'rcm-{uuid.uuid4().hex[:8]}.db'}"


def url_with_schema(url: str, schema: str) -> str:
    """A PostgreSQL URL whose connections use ``schema`` (psycopg ``options``): hand it to code reading the env."""
    return with_search_path(url, schema).render_as_string(hide_password=False)


@contextmanager
def fresh_database(tmp_dir: Path, *, url: str | None = None, migrate: bool = True) -> Iterator[Engine]:
    """An engine on an empty database (migrated to head unless ``migrate=False``), dropped afterwards.

    PostgreSQL: a new schema ``rcm_test_<random>`` on the given server, dropped with everything in it at the end,
    so parallel and repeated runs never see each other's rows. SQLite: a new file under ``tmp_dir``.
    """
    target = url or database_url_for_tests(tmp_dir)
    if make_url(target).get_backend_name() == "sqlite":
        engine = make_engine(target)
        try:
            if migrate:
                upgrade(engine)
            yield engine
        finally:
            engine.dispose()
        return
    schema = f"rcm_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(target)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(target, schema=schema)
        try:
            if migrate:
                upgrade(engine)
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def clean_tables(engine: Engine) -> None:
    """Delete every row of the store's tables (not the Alembic revision), children first."""
    # DELETE rather than TRUNCATE: on the few rows a test leaves it is much faster on PostgreSQL.
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@contextmanager
def db_session(engine: Engine) -> Iterator[Session]:
    """A session for a test; rolled back if the test left a transaction open."""
    session = session_factory(engine)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def bench_postgres_url() -> str | None:
    """The PostgreSQL a benchmark also runs against: RCM_BENCH_POSTGRES_URL, else RCM_DATABASE_URL when it names
    PostgreSQL; None when neither does."""
    for name in ("RCM_BENCH_POSTGRES_URL", "RCM_DATABASE_URL"):
        url = os.environ.get(name)
        if url and make_url(url).get_backend_name() == "postgresql":
            return url
    return None
