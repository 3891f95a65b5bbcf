"""Transactions belong to the caller: savepoints nest inside them on both backends (pysqlite needs help for that)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from rcm.store import Payer, session_factory


def _payer_ids(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        return sorted(session.scalars(select(Payer.payer_id)))


def test_a_savepoint_opened_first_is_still_undone_by_the_outer_rollback(engine: Engine) -> None:
    with session_factory(engine)() as session:
        with session.begin_nested():
            session.add(Payer(payer_id="A", name="a"))
        session.rollback()
    assert _payer_ids(engine) == []


def test_a_failed_savepoint_keeps_the_rest_of_the_transaction(engine: Engine) -> None:
    with session_factory(engine)() as session:
        with session.begin_nested():
            session.add(Payer(payer_id="A", name="a"))
        with pytest.raises(IntegrityError), session.begin_nested():
            session.add(Payer(payer_id="A", name="duplicate"))
            session.flush()
        session.add(Payer(payer_id="C", name="c"))
        session.commit()
    assert _payer_ids(engine) == ["A", "C"]


def test_uncommitted_work_is_invisible_to_other_sessions(engine: Engine) -> None:
    factory = session_factory(engine)
    with factory() as writer:
        writer.add(Payer(payer_id="A", name="a"))
        writer.flush()
        with factory() as reader:
            assert reader.scalar(select(func.count()).select_from(Payer)) == 0
        writer.commit()
    assert _payer_ids(engine) == ["A"]
