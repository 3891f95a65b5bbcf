"""Looking rows up by many keys at once: one array (``= ANY``) on PostgreSQL, IN lists of 500 on SQLite.

A file names tens of thousands of claims; one statement with one array parameter is far cheaper on PostgreSQL
than dozens of statements with hundreds of parameters each. SQLite has no arrays and limits parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

__all__ = ["matching_any"]

_CHUNK = 500


def matching_any(session: Session | Connection, column: Any, values: Iterable[Any]) -> list[ColumnElement[bool]]:
    """Conditions that together select the rows whose ``column`` is one of ``values`` (run one query each)."""
    wanted = sorted(set(values))
    if not wanted:
        return []
    dialect = session.dialect if isinstance(session, Connection) else session.get_bind().dialect
    if dialect.name == "postgresql":
        return [column == any_(bindparam(None, wanted, type_=postgresql.ARRAY(column.type)))]
    return [column.in_(wanted[start : start + _CHUNK]) for start in range(0, len(wanted), _CHUNK)]
