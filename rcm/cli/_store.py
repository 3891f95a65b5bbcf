"""How every command opens the database: a brand-new one gets its tables; an older schema is refused with the
command that fixes it (`rcm db upgrade`), so a production database is never migrated behind anyone's back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from rcm.config import get_settings
from rcm.errors import StoreError
from rcm.store.database import (
    current_revision,
    make_engine,
    redacted_url,
    require_current_schema,
    session_factory,
    upgrade,
)

__all__ = ["store_engine", "store_session"]


@contextmanager
def store_engine() -> Iterator[Engine]:
    """An engine on the configured database at the current schema (creating the tables if there are none)."""
    settings = get_settings()
    settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    try:
        try:
            if current_revision(engine) is None:
                upgrade(engine)  # a brand-new database: create the tables
        except SQLAlchemyError as exc:
            raise StoreError(f"database {redacted_url(engine.url)} cannot be reached ({type(exc).__name__})") from exc
        require_current_schema(engine)
        yield engine
    finally:
        engine.dispose()


@contextmanager
def store_session() -> Iterator[Session]:
    """A session on the configured database; the command decides when to commit."""
    with store_engine() as engine, session_factory(engine)() as session:
        yield session
