"""The store: typed tables, engine and sessions, migrations, and the repository functions stages call."""

from __future__ import annotations

from rcm.store.database import (
    current_revision,
    head_revision,
    is_up_to_date,
    make_engine,
    require_current_schema,
    session_factory,
    upgrade,
)
from rcm.store.repositories import *  # noqa: F403
from rcm.store.repositories import __all__ as _repositories_all
from rcm.store.tables import *  # noqa: F403
from rcm.store.tables import __all__ as _tables_all

__all__ = [
    "current_revision",
    "head_revision",
    "is_up_to_date",
    "make_engine",
    "require_current_schema",
    "session_factory",
    "upgrade",
    *_repositories_all,
    *_tables_all,
]
