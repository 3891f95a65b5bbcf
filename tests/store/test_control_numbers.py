"""Control numbers: a counter per name, starting where asked, never handed out twice, even to concurrent sessions."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rcm.store import next_control_number, session_factory


def test_counters_start_where_asked_and_count_up_independently(session: Session) -> None:
    assert next_control_number(session, "isa13:default", start=100) == 100
    assert next_control_number(session, "isa13:default", start=100) == 101
    assert next_control_number(session, "st02") == 1
    session.commit()
    assert next_control_number(session, "isa13:default", start=5) == 102  # start only applies to a new counter
    assert next_control_number(session, "st02") == 2


def test_a_rolled_back_number_is_handed_out_again(session: Session) -> None:
    assert next_control_number(session, "gs06") == 1
    session.commit()
    assert next_control_number(session, "gs06") == 2
    session.rollback()
    assert next_control_number(session, "gs06") == 2


def test_two_concurrent_sessions_never_get_the_same_number(engine: Engine) -> None:
    factory = session_factory(engine)
    per_worker = 40
    ready = threading.Barrier(2)

    def take_numbers() -> list[int]:
        taken: list[int] = []
        ready.wait()
        for _ in range(per_worker):
            with factory() as session, session.begin():
                taken.append(next_control_number(session, "isa13:shared", start=1))
        return taken

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result() for f in [pool.submit(take_numbers), pool.submit(take_numbers)]]
    everything = results[0] + results[1]
    assert len(set(everything)) == len(everything) == 2 * per_worker
    assert sorted(everything) == list(range(1, 2 * per_worker + 1))
    assert all(a < b for a, b in zip(results[0], results[0][1:], strict=False))


def test_a_second_session_waits_for_the_first_to_commit(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory() as first:
        number = next_control_number(first, "bht03")  # holds the counter (row lock / write lock) until commit
        with ThreadPoolExecutor(max_workers=1) as pool:

            def second_take() -> int:
                with factory() as second, second.begin():
                    return next_control_number(second, "bht03")

            pending = pool.submit(second_take)
            first.commit()
            assert pending.result() == number + 1
