"""The faster posting paths write exactly what the plain ones would: a file posted into SQLite (executemany), into
PostgreSQL through COPY, and into PostgreSQL through executemany gives the same rows; ids drawn straight from the
sequences are new and ascending; values converted once per distinct value equal the column types' own conversion;
a file is cut into parts with a small first one."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from psycopg.copy import Copy, FileWriter
from sqlalchemy import Connection, Engine, Table, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

import rcm.remits.bench as bench
import rcm.remits.bulk as bulk
import rcm.remits.posting as posting
from rcm.remits.posting import post_remittances
from rcm.remits.reading import read_remittances
from rcm.store import (
    Adjustment,
    ClaimLineRecord,
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    ClaimStatusChange,
    DenialRecord,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    SecondaryClaimQueue,
    ServicePayment,
)
from rcm.store.database import session_factory
from rcm.store.repositories.files import record_file
from rcm.store.testing import fresh_database

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
POSTED = (
    ClaimRecord,
    ClaimLineRecord,
    Remittance,
    ClaimPayment,
    ServicePayment,
    Adjustment,
    RemarkCode,
    DenialRecord,
    ClaimStatusChange,
    ProviderAdjustment,
    SecondaryClaimQueue,
)


def _postgres_url() -> str:
    url = os.environ.get("RCM_DATABASE_URL")
    if not url or make_url(url).get_backend_name() != "postgresql":
        pytest.skip("the PostgreSQL paths are checked on PostgreSQL (set RCM_DATABASE_URL)")
    return url


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """Fresh PostgreSQL schemas on demand (skips when the server is not configured or not reachable)."""
    url = _postgres_url()
    opened: list[Any] = []

    def fresh() -> Engine:
        context = fresh_database(tmp_path, url=url)
        try:
            engine = context.__enter__()
        except OperationalError as exc:
            pytest.skip(f"PostgreSQL is not reachable ({type(exc).__name__})")
        opened.append(context)
        return engine

    yield fresh
    for context in reversed(opened):
        context.__exit__(None, None, None)


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _executemany_copy(conn: Connection, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """What `bulk._copy` does, the plain way: one INSERT executed for many rows."""
    names = ", ".join(conn.dialect.identifier_preparer.quote(c) for c in columns)
    marks = ", ".join("%s" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


def _post_file(engine: Engine, tmp_path: Path, claims: int) -> list[Any]:
    """Seed ``claims`` claims, post the bench's 835 paying them (in parts), post it again; every posted row."""
    path = tmp_path / f"speed-{engine.dialect.name}-{id(engine)}.835"
    path.write_bytes(bench.synthetic_835(claims))
    remittances = read_remittances(path.read_bytes(), name=path.name).remittances
    results = []
    for _ in range(2):  # the second time is a duplicate: nothing more is written
        with session_factory(engine)() as session, session.begin():
            record, _ = record_file(
                session, direction="in", kind="835", name=path.name, path=str(path), content=path.read_bytes()
            )
            [result] = post_remittances(session, remittances, file_id=record.id, now=NOW)
            results.append((result.as_json(), result.denied, result.reversed, result.queued_for_next_payer))
    first, again = results
    figures, denied = first[0], first[1]
    assert (figures["matched"], figures["duplicate"], figures["balanced"]) == (claims, False, True)
    assert denied == claims // 20
    assert again[0] == first[0] | {"duplicate": True} and again[1:] == (0, 0, 0)  # every figure still reported
    found: list[Any] = [results]
    with engine.connect() as conn:
        for model in POSTED:
            table = _table(model)
            found.append((table.name, [tuple(row) for row in conn.execute(select(table).order_by(table.c.id))]))
    return found


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(posting, "_FIRST_PART", 7)
    monkeypatch.setattr(posting, "_PART", 25)
    monkeypatch.setattr(bench, "utcnow", lambda: NOW)  # the seeded rows' timestamps, the same in every database


def test_copy_and_executemany_and_sqlite_post_the_same_rows(
    tmp_path: Path, postgres: Callable[[], Engine], small_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = 80
    copied = postgres()
    bench._seed(copied, claims)
    through_copy = _post_file(copied, tmp_path, claims)

    plain = postgres()
    bench._seed(plain, claims)
    with monkeypatch.context() as patch:
        patch.setattr(bulk, "_copy", _executemany_copy)
        through_executemany = _post_file(plain, tmp_path, claims)

    with fresh_database(tmp_path, url=f"sqlite:///{tmp_path / 'speed.db'}") as lite:
        bench._seed(lite, claims)
        into_sqlite = _post_file(lite, tmp_path, claims)

    assert through_copy == through_executemany
    assert through_copy == into_sqlite
    tables = dict(through_copy[1:])
    assert len(tables["claim_payments"]) == claims and len(tables["service_payments"]) == 2 * claims
    assert len(tables["claim_status_changes"]) == claims and len(tables["denials"]) == 3 * (claims // 20)


def test_sequence_ids_not_in_one_run_come_back_one_by_one(postgres: Callable[[], Engine]) -> None:
    # A sequence stepping by 2 hands out ids with gaps, as when other sessions take ids meanwhile.
    engine = postgres()
    table = _table(ServicePayment)
    with engine.begin() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('service_payments', 'id'), 100)"))
        conn.execute(text("ALTER SEQUENCE service_payments_id_seq INCREMENT BY 2"))
        assert bulk.sequence_ids(conn, table, 4) == [102, 104, 106, 108]


def _reference(process: Callable[[Any], Any] | None, values: list[Any]) -> list[Any]:
    return list(values) if process is None else [None if v is None else process(v) for v in values]


@pytest.mark.parametrize("dialect", [postgresql.psycopg.dialect(), sqlite.dialect()], ids=["postgresql", "sqlite"])
def test_converted_values_equal_the_column_types_own_conversion(dialect: Any) -> None:
    conn: Any = SimpleNamespace(dialect=dialect)
    later = datetime(2026, 11, 3, 1, 2, 3, tzinfo=UTC)
    cases: list[tuple[Any, list[str], list[tuple[Any, ...]]]] = [
        (
            ClaimStatusChange,
            ["claim_id", "from_status", "to_status", "at", "cause"],
            [(1, ClaimStatus.submitted, ClaimStatus.paid, NOW, "paid"), (2, None, "denied", later, "x")] * 3,
        ),
        (
            ServicePayment,
            ["id", "modifiers", "charge", "units", "matched"],
            [
                (1, ["25"], Decimal("100.00"), Decimal("1.000"), True),
                (2, ["25"], Decimal("100.00"), None, False),
                (3, None, Decimal("-5.10"), Decimal("2.500"), 1),
                (4, [1], Decimal("0.00"), None, 0),
                (5, [True], Decimal("7.25"), None, None),
                (6, ["25", "59"], Decimal("7.25"), Decimal("1.000"), True),
            ],
        ),
        (
            DenialRecord,
            ["claim_id", "remark_codes", "amount", "denied_at"],
            [(1, ["N290"], Decimal("150.00"), NOW), (2, [], Decimal("50.00"), NOW), (3, None, Decimal("1"), later)],
        ),
        (ClaimPayment, ["id", "paid"], [(1, Decimal("1.00")), (2, Decimal("2.50"))]),
    ]
    for model, columns, rows in cases:
        processors = bulk._processors(conn, _table(model), columns)
        by_column = zip(processors, zip(*rows, strict=True), strict=True)
        expected = list(zip(*(_reference(p, list(c)) for p, c in by_column), strict=True))
        converted = bulk._convert(processors, rows)
        assert converted == expected
        # Equal is not enough where True == 1 and json texts differ: the very values and their types match.
        assert [[type(v) for v in row] for row in converted] == [[type(v) for v in row] for row in expected]
    modifiers = bulk._convert(bulk._processors(conn, _table(ServicePayment), ["modifiers"]), [(["25"],), ([1],)])
    assert [json.loads(m) for (m,) in modifiers] == [["25"], [1]]


def test_copy_text_formatted_ahead_is_what_copy_would_send(postgres: Callable[[], Engine]) -> None:
    engine = postgres()
    rows: list[tuple[Any, ...]] = [
        (1, "plain", Decimal("100.00"), True, NOW.date(), NOW, None),
        (2, "tab\there, new\nline, back\\slash, cr\r", Decimal("-0.05"), False, None, None, '["25", "59"]'),
        (3, "ümlaut – ☃", Decimal("0"), None, NOW.date(), datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), "{}"),
    ] * 5_000  # more than one 32 KB buffer
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        formatter = bulk._CopyText(conn)
        ahead = [formatter.format(rows), formatter.format(rows[:2]), formatter.format([])]
        formatter.close()
        expected = []
        for part in (rows, rows[:2], []):
            out = io.BytesIO()
            with driver.cursor() as cursor, Copy(cursor, writer=FileWriter(out)) as copy:
                for row in part:
                    copy.write_row(row)
            expected.append(out.getvalue())
    assert ahead == expected
    assert ahead[1].decode().splitlines()[1].startswith("2\ttab\\there")


def test_equal_numbers_written_differently_are_converted_each_on_its_own() -> None:
    amounts = [Decimal("1.0"), Decimal("1.00"), None, Decimal("1.0")]
    assert bulk._convert_column(str, amounts) == ["1.0", "1.00", None, "1.0"]
    assert bulk._convert_column(repr, [0.0, -0.0]) == ["0.0", "-0.0"]
    assert bulk._convert_column(str.upper, ["co", "pr", "co", None]) == ["CO", "PR", "CO", None]


def test_a_file_is_cut_into_a_small_first_part_then_full_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(posting, "_FIRST_PART", 3)
    monkeypatch.setattr(posting, "_PART", 10)
    assert posting._parts(list(range(25))) == [[0, 1, 2], list(range(3, 13)), list(range(13, 23)), [23, 24]]
    assert posting._parts([1, 2]) == [[1, 2]]
    assert posting._parts([]) == [[]]
    monkeypatch.setattr(posting, "_PART", 1)
    assert posting._parts([1, 2, 3]) == [[1], [2], [3]]
