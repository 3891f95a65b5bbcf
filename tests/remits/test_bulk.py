"""The bulk writer and id reservation under posting: ids never collide across sessions, writes keep their order,
and a failed write is raised to the caller (on PostgreSQL from the writer's thread)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, select

from rcm.remits.bulk import BulkWriter
from rcm.remits.writing import reserve_ids, table_of
from rcm.store import ClaimPayment, Payer, ServicePayment
from rcm.store.database import session_factory


def test_ids_reserved_by_sessions_at_the_same_time_never_collide(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("concurrent id reservation is checked on PostgreSQL (set RCM_DATABASE_URL)")
    taken: list[list[int]] = []
    lock = threading.Lock()
    start = threading.Barrier(3)

    def reserve() -> None:
        with engine.connect() as conn:
            start.wait()
            for _ in range(3):
                [ids] = reserve_ids(conn, [(ClaimPayment, 20_000)])
                with lock:
                    taken.append(ids)

    threads = [threading.Thread(target=reserve) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 9
    for ids in taken:
        assert len(ids) == 20_000 and ids == sorted(ids)
    every = [i for ids in taken for i in ids]
    assert len(set(every)) == len(every)


def test_reservation_on_either_backend_gives_new_ascending_ids(engine: Engine) -> None:
    with engine.begin() as conn:
        payments, services, nothing = reserve_ids(conn, [(ClaimPayment, 3), (ServicePayment, 5), (ClaimPayment, 0)])
    assert len(payments) == 3 and payments == sorted(payments) and len(set(payments)) == 3
    assert len(services) == 5 and services == sorted(services) and len(set(services)) == 5
    assert nothing == []


def test_writes_run_in_order_and_results_come_back(engine: Engine) -> None:
    payers = table_of(Payer)
    with session_factory(engine)() as session, session.begin(), BulkWriter(session) as writer:
        writer.insert(payers, ["payer_id", "name"], [("P1", "First"), ("P2", "Second")])
        count = writer.run(lambda conn: len(conn.execute(select(payers.c.payer_id)).all()))
        assert count.result() == 2
        ids = dict(session.connection().execute(select(payers.c.payer_id, payers.c.id)).all())
        writer.update(payers, [(ids["P1"], "First Plan")], assign=["name"])
    with engine.connect() as conn:
        assert dict(conn.execute(select(payers.c.payer_id, payers.c.name)).all()) == {
            "P1": "First Plan",
            "P2": "Second",
        }


def test_a_failed_write_is_raised_and_stops_the_writes_after_it(engine: Engine) -> None:
    payers = table_of(Payer)

    def post_twice_the_same_payer() -> None:
        with session_factory(engine)() as session, session.begin(), BulkWriter(session) as writer:
            writer.insert(payers, ["payer_id", "name"], [("P1", "First"), ("P1", "Again")])
            writer.insert(payers, ["payer_id", "name"], [("P3", "Third")])

    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        post_twice_the_same_payer()
    with engine.connect() as conn:
        assert conn.execute(select(payers.c.payer_id)).all() == []
