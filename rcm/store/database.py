"""Engines, sessions and schema migrations: SQLite by default, PostgreSQL (psycopg 3) when the URL says so.

Callers own their transactions: ``with session_factory(engine)() as session, session.begin(): ...``.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from rcm.errors import ConfigError, StoreError

__all__ = [
    "ALEMBIC_INI",
    "alembic_config",
    "current_revision",
    "head_revision",
    "is_up_to_date",
    "make_engine",
    "normalize_url",
    "redacted_url",
    "require_current_schema",
    "session_factory",
    "upgrade",
    "with_search_path",
]

ALEMBIC_INI = Path(__file__).resolve().parent / "alembic.ini"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def _json_default(value: object) -> object:
    # Lets callers put Decimal/date values into JSON columns without losing exactness (they become strings).
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _json_dumps(value: object) -> str:
    return json.dumps(value, default=_json_default, sort_keys=False)


def _first_line(exc: SQLAlchemyError) -> str:
    """The driver's own message, first line only (later lines can quote row values, which may be PHI)."""
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else exc.__class__.__name__
    return (text.strip().splitlines() or [exc.__class__.__name__])[0]


def normalize_url(url: str | URL) -> URL:
    """Parse a database URL; plain ``postgresql://`` (or ``postgres://``) means psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError("the database URL cannot be parsed (check RCM_DATABASE_URL)") from exc
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def redacted_url(url: str | URL) -> str:
    """The URL without its password, fit for messages and logs."""
    return normalize_url(url).render_as_string(hide_password=True)


def with_search_path(url: str | URL, schema: str) -> URL:
    """The PostgreSQL URL with ``schema`` as its search path (psycopg ``options``), kept in the URL itself so that
    ``engine.url`` handed to another process or to RCM_DATABASE_URL still points at the same schema."""
    if not schema.replace("_", "").isalnum():
        raise ConfigError(f"schema name {schema!r} must be letters, digits and underscores")
    parsed = normalize_url(url)
    kept = [opt for opt in str(parsed.query.get("options", "")).split() if not opt.startswith("-csearch_path=")]
    return parsed.update_query_dict({"options": " ".join([*kept, f"-csearch_path={schema}"])})


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
    finally:
        cursor.close()


def _begin_before_savepoint(conn: Connection, _name: str) -> None:
    # pysqlite starts a transaction only before INSERT/UPDATE/DELETE. A SAVEPOINT issued first would open the
    # transaction itself, and releasing it would commit: an outer rollback could no longer undo the work.
    dbapi_connection = conn.connection.dbapi_connection
    if dbapi_connection is not None and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


def make_engine(url: str | URL | None = None, *, schema: str | None = None, echo: bool = False) -> Engine:
    """An engine for ``url`` (default: the configured RCM_DATABASE_URL or the SQLite file in the data directory).

    ``schema`` (PostgreSQL only) puts it first on the search path: tests use it to work in a throw-away schema.
    """
    if url is None:
        from rcm.config import get_settings

        settings = get_settings()
        url = settings.database_url
        if settings.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    connect_args: dict[str, Any] = {}
    if backend == "sqlite":
        if schema is not None:
            raise ConfigError("a schema can only be chosen on PostgreSQL")
        connect_args["timeout"] = SQLITE_BUSY_TIMEOUT_MS / 1000
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    elif backend == "postgresql":
        if schema is not None:
            parsed = with_search_path(parsed, schema)
    else:
        raise ConfigError(f"unsupported database backend {backend!r}: use sqlite or postgresql")
    engine = create_engine(
        parsed,
        echo=echo,
        connect_args=connect_args,
        json_serializer=_json_dumps,
        pool_pre_ping=backend == "postgresql",
    )
    if backend == "sqlite":
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "savepoint", _begin_before_savepoint)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to ``engine``; objects stay readable after commit (expire_on_commit=False)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def alembic_config(engine: Engine | None = None) -> Config:
    """The packaged Alembic configuration (works from a wheel: script_location is next to this file)."""
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    if engine is not None:
        # env.py uses this URL only when no connection is handed over in config.attributes.
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


def upgrade(engine_or_url: Engine | str | URL | None = None, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` (head by default) on the given database."""
    engine = engine_or_url if isinstance(engine_or_url, Engine) else make_engine(engine_or_url)
    config = alembic_config(engine)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except CommandError as exc:
        # Typically a database stamped by a newer version of the product (a revision we do not ship).
        where = redacted_url(engine.url)
        raise StoreError(f"cannot migrate {where} to {revision}: {exc}") from exc
    except SQLAlchemyError as exc:
        where = redacted_url(engine.url)
        raise StoreError(f"migration to {revision} failed on {where}: {_first_line(exc)}") from exc
    finally:
        if not isinstance(engine_or_url, Engine):
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the schema revision of {redacted_url(engine.url)}: {_first_line(exc)}") from exc


def head_revision() -> str:
    """The newest migration shipped with this version of the product."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a migration
        raise StoreError("no migrations are packaged")
    return head


def is_up_to_date(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def require_current_schema(engine: Engine) -> None:
    """Raise StoreError with the fix when the database is not at the packaged head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        raise StoreError(
            f"database {redacted_url(engine.url)} is at revision {current or 'none (empty)'}, "
            f"this version needs {head}: run `rcm db upgrade`"
        )
