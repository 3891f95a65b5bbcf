"""Bulk writes for posting: values converted by the columns' own types, then handed to the driver in bulk.

Posting writes tens of thousands of rows per file. Each value goes through its column's bind processor (so
Decimal, timestamps, enums and JSON are stored exactly as the ORM would store them); rows then go to SQLite
with one executemany; PostgreSQL gets inserts through COPY, and updates through COPY into a temporary table
and one UPDATE joined to it.
`BulkWriter` sends a file's writes in order; on PostgreSQL from a worker thread on the same connection (the same
transaction), so the server stores one table while Python builds the rows of the next. The caller's thread also
converts the values and formats the COPY text, so the worker's turn (the server waits while it runs) only sends.
`sequence_ids` draws new ids for rows inserted in bulk straight from a table's sequence (PostgreSQL).
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import UTC, date, datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, TypeVar

from psycopg.copy import Copy, FileWriter
from sqlalchemy import Connection, Table, text
from sqlalchemy.orm import Session

from rcm.store.types import ExactDecimal

__all__ = ["BulkWriter", "bulk_insert", "bulk_update", "sequence_ids"]

Processor = Callable[[Any], Any] | None
T = TypeVar("T")


def _processors(conn: Connection, table: Table, columns: Sequence[str]) -> list[Processor]:
    dialect = conn.dialect
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


def _memoized(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The processor, run once per distinct value (statuses, flags, timestamps and code lists repeat a lot)."""
    done: dict[tuple[type, Any], Any] = {}

    def convert(value: Any) -> Any:
        key: tuple[type, Any] = (type(value), value)
        try:
            return done[key]
        except KeyError:
            found = done[key] = process(value)
            return found
        except TypeError:  # unhashable: a list of codes is remembered by its codes, anything else converted each time
            if type(value) is not list or not all(type(item) is str for item in value):
                return process(value)
        key = (list, tuple(value))
        try:
            return done[key]
        except KeyError:
            found = done[key] = process(value)
            return found

    return convert


_NONE = type(None)
_NUMBERS = {Decimal, float}


def _convert_column(process: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """One column's values in storage form (None stays None).

    A bind processor is a function of the value, so equal values of one type convert alike: those are converted
    once per distinct value (as `_memoized` does, keyed by type and value) and looked up without a Python call.
    """
    kinds = set(map(type, values))
    if process is float:  # amounts on SQLite: mostly different, not worth remembering
        if _NONE in kinds:
            return [None if value is None else float(value) for value in values]
        return list(map(float, values))
    kinds.discard(_NONE)
    if len(kinds) == 1 and kinds & _NUMBERS:
        # Equal numbers can differ (Decimal 1.0 and 1.00, float 0.0 and -0.0): each is converted on its own.
        return [None if value is None else process(value) for value in values]
    if len(kinds) <= 1:
        # One type (and hashable): each distinct value is converted once, then looked up in C.
        try:
            distinct = set(values)
        except TypeError:
            pass
        else:
            done = {value: None if value is None else process(value) for value in distinct}
            return list(map(done.__getitem__, values))
    convert = _memoized(process)
    return [None if value is None else convert(value) for value in values]


def _convert(processors: list[Processor], rows: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """Rows with each value in its column's storage form (column by column: one pass per converted column)."""
    if all(p is None for p in processors):
        return [row if isinstance(row, tuple) else tuple(row) for row in rows]
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
    for i, process in enumerate(processors):
        if process is not None:
            columns[i] = _convert_column(process, columns[i])
    return list(zip(*columns, strict=True))


# The sequence is looked up once (an InitPlan) and handed to nextval as a regclass: looked up in a subquery joined
# to the series, PostgreSQL re-evaluates it for every id (measured: 20,000 ids in ~45 ms instead of ~8 ms).
# Values taken from one sequence are distinct, so when there are as many as the span from the lowest to the
# highest (the usual case: nobody else took ids meanwhile) they are exactly that range and only the two ends
# travel back; otherwise the whole sorted list does.
_NEXT_IDS = text(
    "WITH ids AS MATERIALIZED ("
    "SELECT nextval((SELECT pg_get_serial_sequence(:table, 'id')::regclass)) AS id FROM generate_series(1, :count)), "
    "ends AS (SELECT min(id) AS low, max(id) AS high, count(*) AS n FROM ids) "
    "SELECT low, high, CASE WHEN high - low + 1 = n THEN NULL "
    "ELSE (SELECT array_agg(id ORDER BY id) FROM ids) END FROM ends"
)


def sequence_ids(conn: Connection, table: Table, count: int) -> list[int]:
    """PostgreSQL: ``count`` new ids from the sequence of ``table``'s id column, ascending (safe under concurrency:
    nextval never hands a value out twice)."""
    if count <= 0:
        return []
    low, high, scattered = conn.execute(_NEXT_IDS, {"table": table.name, "count": count}).one()
    if scattered is not None:
        return [int(v) for v in scattered]
    return list(range(int(low), int(high) + 1))


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _copy_into(conn: Connection, target: str, quoted_columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    driver = conn.connection.driver_connection
    if driver is None:  # pragma: no cover - a live session always has its driver connection
        raise RuntimeError("no database connection to COPY into")
    formatted = getattr(rows, "copy_text", None)
    with driver.cursor() as cursor, cursor.copy(f"COPY {target} ({', '.join(quoted_columns)}) FROM STDIN") as copy:
        if formatted is not None:
            copy.write(formatted)
        else:
            for row in rows:
                copy.write_row(row)


def _copy(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    _copy_into(conn, _quote(conn, table.name), [_quote(conn, c) for c in columns], rows)


def _update_from_copy(
    conn: Connection, table: Table, add: Sequence[str], assign: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL: the rows go by COPY into a temporary table, then one set-based UPDATE joins it to the table.

    COPY hands values over in the driver's C code; the same values as array parameters would be dumped one by
    one in Python, holding the GIL the caller's thread needs.
    """
    names = ["id", *add, *assign]
    target = _quote(conn, table.name)
    quoted = [_quote(conn, n) for n in names]
    staging = "pg_temp." + _quote(conn, f"rcm_bulk_update_{table.name}")
    types = [table.c[n].type.compile(dialect=conn.dialect) for n in names]
    columns = ", ".join(f"{q} {t}" for q, t in zip(quoted, types, strict=True))
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {staging} ({columns}) ON COMMIT DROP")
    _copy_into(conn, staging, quoted, rows)
    sets = [f"{c} = {target}.{c} + v.{c}" for c in quoted[1 : 1 + len(add)]]
    sets += [f"{c} = v.{c}" for c in quoted[1 + len(add) :]]
    conn.exec_driver_sql(f"UPDATE {target} SET {', '.join(sets)} FROM {staging} AS v WHERE {target}.id = v.id")
    conn.exec_driver_sql(f"DROP TABLE {staging}")


class _Converted(list[tuple[Any, ...]]):
    """Rows already in their columns' storage form (converted in the caller's thread, written in the worker's);
    on PostgreSQL with their COPY text, formatted in the caller's thread too (`_CopyText`)."""

    copy_text: bytes | None = None


class _CopyText:
    """The COPY text of rows, made by psycopg's own COPY formatting without sending anything.

    The worker's turn on the connection is the scarce one: formatting there holds the GIL while the server waits
    for data, so the caller's thread formats and the worker only sends. The cursor and its adapters are set up
    here, in the caller's thread before the worker starts (one row of every kind of value posting writes makes
    psycopg pick its dumpers now), so formatting later never touches the connection the worker is using.
    """

    def __init__(self, conn: Connection) -> None:
        driver = conn.connection.driver_connection
        if driver is None:  # pragma: no cover - a live session always has its driver connection
            raise RuntimeError("no database connection to format COPY data for")
        self._cursor = driver.cursor()
        self._copy = Copy(self._cursor, writer=FileWriter(io.BytesIO()))  # never written to: see format()
        self.format([("text", 1, 2**40, Decimal("-1.00"), True, date(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC))])
        self.format([(None,)])

    def format(self, rows: Sequence[Sequence[Any]]) -> bytes:
        # The formatter hands back a full buffer now and then (b"" otherwise), the rest at the end.
        formatter = self._copy.formatter
        chunks = [chunk for chunk in map(formatter.write_row, rows) if chunk]
        chunks.append(formatter.end())
        return b"".join(chunks)

    def close(self) -> None:
        self._cursor.close()


def _converted(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> _Converted:
    if isinstance(rows, _Converted):
        return rows
    return _Converted(_convert(_processors(conn, table, columns), rows))


def _insert(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    converted = _converted(conn, table, columns, rows)
    if conn.dialect.name == "postgresql":
        _copy(conn, table, columns, converted)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {_quote(conn, table.name)} ({', '.join(_quote(conn, c) for c in columns)}) "
        f"VALUES ({', '.join(mark for _ in columns)})"
    )
    conn.exec_driver_sql(sql, converted)


def _update(
    conn: Connection, table: Table, rows: Sequence[Sequence[Any]], add: Sequence[str], assign: Sequence[str]
) -> None:
    if not rows:
        return
    converted = _converted(conn, table, ["id", *add, *assign], rows)
    if conn.dialect.name == "postgresql":
        _update_from_copy(conn, table, add, assign, converted)
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sets = [f"{_quote(conn, c)} = {_quote(conn, c)} + {mark}" for c in add]
    sets += [f"{_quote(conn, c)} = {mark}" for c in assign]
    sql = f"UPDATE {_quote(conn, table.name)} SET {', '.join(sets)} WHERE id = {mark}"
    conn.exec_driver_sql(sql, [(*row[1:], row[0]) for row in converted])


def bulk_insert(session: Session, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT rows (tuples in ``columns`` order) in bulk."""
    _insert(session.connection(), table, columns, rows)


def bulk_update(
    session: Session,
    table: Table,
    rows: Sequence[Sequence[Any]],
    *,
    add: Sequence[str] = (),
    assign: Sequence[str] = (),
) -> None:
    """UPDATE by id in bulk: rows are (id, *values to add to the ``add`` columns, *values for ``assign``)."""
    _update(session.connection(), table, rows, add, assign)


class BulkWriter:
    """Inserts and updates handed over in order, written through the session's connection inside its transaction.

    On SQLite each write runs at once (and raises at once). On PostgreSQL one worker thread runs them in order on
    the same connection (psycopg waits for the server without holding the GIL), so the caller builds the next
    rows meanwhile; an error stops the writes after it and is raised by ``flush()``. The caller may use the
    connection itself only while the worker is idle: once the result of the last job it handed over is in
    (`run`), or after ``flush()`` or the end of the ``with`` block. Leaving the block with an error drops what was
    not sent yet, waits for the worker and lets the error through, so the caller's rollback never races a write.
    """

    def __init__(self, session: Session) -> None:
        self._conn = session.connection()  # the transaction begins (or continues) here, in the caller's thread
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]] | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._worker: threading.Thread | None = None
        self._copy_text: _CopyText | None = None
        if self._conn.dialect.name == "postgresql":
            self._copy_text = _CopyText(self._conn)
            self._worker = threading.Thread(target=self._work, name="rcm-bulk-writer", daemon=True)
            self._worker.start()

    def _work(self) -> None:
        while (item := self._jobs.get()) is not None:
            work, future = item
            if self._error is not None:
                future.set_exception(self._error)
                continue
            try:
                future.set_result(work())
            except BaseException as exc:  # raised again by flush() (and by the future's result())
                self._error = exc
                future.set_exception(exc)

    def run(self, work: Callable[[Connection], T]) -> Future[T]:
        """Run ``work`` on the connection after everything handed over before; its result (or error) to come."""
        conn = self._conn
        future: Future[T] = Future()
        if self._worker is None:
            future.set_result(work(conn))
        else:
            self._jobs.put((lambda: work(conn), future))
        return future

    def insert(self, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """INSERT rows (tuples in ``columns`` order) in bulk, after everything handed over before."""
        if rows:
            converted = self._converted(table, columns, rows)
            self.run(lambda conn: _insert(conn, table, columns, converted))

    def update(
        self, table: Table, rows: Sequence[Sequence[Any]], *, add: Sequence[str] = (), assign: Sequence[str] = ()
    ) -> None:
        """UPDATE by id in bulk (rows as `bulk_update` takes them), after everything handed over before."""
        if rows:
            converted = self._converted(table, ["id", *add, *assign], rows)
            self.run(lambda conn: _update(conn, table, converted, add, assign))

    def _converted(self, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> _Converted:
        """The rows converted (and on PostgreSQL formatted) here, in the caller's thread: the worker's turn on the
        connection is the scarce one, the caller's thread mostly waits for it at the end."""
        converted = _converted(self._conn, table, columns, rows)
        if self._copy_text is not None and self._worker is not None:
            converted.copy_text = self._copy_text.format(converted)
        return converted

    def _stop(self) -> None:
        if self._worker is not None:
            self._jobs.put(None)
            self._worker.join()
            self._worker = None
        if self._copy_text is not None:
            self._copy_text.close()
            self._copy_text = None

    def flush(self) -> None:
        """Wait until everything handed over is written (later writes run at once); raise the first that failed."""
        self._stop()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> BulkWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if kind is None:
            self.flush()
            return
        if self._error is None:
            self._error = error  # the writes not sent yet are dropped: the caller rolls back
        self._stop()
