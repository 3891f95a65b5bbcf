"""Bulk writes for posting: values converted by the columns' own types, then handed to the driver in bulk.

Posting writes tens of thousands of rows per file. Each value goes through its column's bind processor (so
Decimal, timestamps, enums and JSON are stored exactly as the ORM would store them); rows then go to SQLite
with one executemany; PostgreSQL gets inserts through COPY and each update as one statement over arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.orm import Session

from rcm.store.types import ExactDecimal

__all__ = ["bulk_insert", "bulk_update"]

Processor = Callable[[Any], Any] | None


def _marker(session: Session) -> str:
    return "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"


def _processors(session: Session, table: Table, columns: Sequence[str]) -> list[Processor]:
    dialect = session.get_bind().dialect
    found: list[Processor] = []
    for name in columns:
        column_type = table.c[name].type
        if isinstance(column_type, ExactDecimal):
            # Posting hands over amounts already rounded to the column's scale (the check ExactDecimal makes
            # per value); what is left is its storage form: a float on SQLite, the Decimal itself elsewhere.
            found.append(float if dialect.name == "sqlite" else None)
        else:
            found.append(column_type.bind_processor(dialect))
    return found


def _convert(processors: list[Processor], rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows with each value in its column's storage form (column by column: one pass per converted column)."""
    if all(p is None for p in processors):
        return [tuple(row) for row in rows]
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for i, process in enumerate(processors):
        if process is not None:
            columns[i] = [None if value is None else process(value) for value in columns[i]]
    return list(zip(*columns, strict=True))


def _quote(session: Session, name: str) -> str:
    return session.get_bind().dialect.identifier_preparer.quote(name)


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _copy(session: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    driver = session.connection().connection.driver_connection
    if driver is None:  # pragma: no cover - a live session always has its driver connection
        raise RuntimeError("no database connection to COPY into")
    names = ", ".join(_quote(session, c) for c in columns)
    with driver.cursor() as cursor, cursor.copy(f"COPY {_quote(session, table.name)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _update_from_arrays(
    session: Session, table: Table, add: Sequence[str], assign: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: one set-based UPDATE joining the table to the rows passed as arrays (one per column)."""
    dialect = session.get_bind().dialect
    names = ["id", *add, *assign]
    target = _quote(session, table.name)
    quoted = [_quote(session, n) for n in names]
    arrays = ", ".join(f"CAST(%s AS {table.c[n].type.compile(dialect=dialect)}[])" for n in names)
    sets = [f"{c} = {target}.{c} + v.{c}" for c in quoted[1 : 1 + len(add)]]
    sets += [f"{c} = v.{c}" for c in quoted[1 + len(add) :]]
    sql = (
        f"UPDATE {target} SET {', '.join(sets)} FROM unnest({arrays}) AS v({', '.join(quoted)}) "
        f"WHERE {target}.id = v.id"
    )
    columns = tuple(list(column) for column in zip(*rows, strict=True))
    session.connection().exec_driver_sql(sql, columns)


def bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT rows (tuples in ``columns`` order) in bulk."""
    if not rows:
        return
    if _is_postgres(session):
        _copy(session, table, columns, _convert(_processors(session, table, columns), rows))
        return
    mark = _marker(session)
    sql = (
        f"INSERT INTO {_quote(session, table.name)} ({', '.join(_quote(session, c) for c in columns)}) "
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    session.connection().exec_driver_sql(sql, _convert(_processors(session, table, columns), rows))


def bulk_update(
    session: Session,
    table: Table,
    rows: Sequence[Sequence[Any]],
    *,
    add: Sequence[str] = (),
    assign: Sequence[str] = (),
) -> None:
    """UPDATE by id in bulk: rows are (id, *values to add to the ``add`` columns, *values for ``assign``)."""
    if not rows:
        return
    converted = _convert(_processors(session, table, ["id", *add, *assign]), rows)
    if _is_postgres(session):
        _update_from_arrays(session, table, add, assign, converted)
        return
    mark = _marker(session)
    sets = [f"{_quote(session, c)} = {_quote(session, c)} + {mark}" for c in add]
    sets += [f"{_quote(session, c)} = {mark}" for c in assign]
    sql = f"UPDATE {_quote(session, table.name)} SET {', '.join(sets)} WHERE id = {mark}"
    session.connection().exec_driver_sql(sql, [(*row[1:], row[0]) for row in converted])
