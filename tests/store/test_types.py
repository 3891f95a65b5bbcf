"""Column types: money stays exact Decimal, timestamps stay aware UTC, JSON None is SQL NULL, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from rcm.store import AuditLog, ClaimStatus, CoverageSnapshot, RunRecord
from rcm.store.database import normalize_url, redacted_url
from rcm.store.testing import db_session

CENTS = st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"), places=2, allow_nan=False)


def _snapshot(**values: object) -> CoverageSnapshot:
    return CoverageSnapshot(payer_id="PAYER1", as_of=date(2026, 10, 1), status="active", **values)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amount=CENTS)
def test_money_round_trips_exactly(engine: Engine, amount: Decimal) -> None:
    with db_session(engine) as session:
        row = _snapshot(copay=amount, deductible=Decimal("0.01"))
        session.add(row)
        session.commit()
        session.expunge_all()
        back = session.get(CoverageSnapshot, row.id)
        assert back is not None
        assert back.copay == amount
        assert str(back.copay) == f"{amount:.2f}"
        assert isinstance(back.copay, Decimal)
        assert back.deductible == Decimal("0.01")


@pytest.mark.parametrize(
    ("value", "error"),
    [(0.1, TypeError), (Decimal("1.005"), ValueError), (Decimal("NaN"), ValueError), ("1.00", TypeError)],
)
def test_money_refuses_floats_and_hidden_rounding(session: Session, value: object, error: type[Exception]) -> None:
    session.add(_snapshot(copay=value))
    with pytest.raises(StatementError) as caught:
        session.flush()
    assert isinstance(caught.value.orig, error)


def test_percent_keeps_four_places(session: Session) -> None:
    row = _snapshot(coinsurance_percent=Decimal("0.2000"))
    session.add(row)
    session.commit()
    session.expunge_all()
    back = session.get(CoverageSnapshot, row.id)
    assert back is not None and back.coinsurance_percent == Decimal("0.2")


def test_timestamps_are_stored_in_utc_and_come_back_aware(session: Session) -> None:
    boston = timezone(timedelta(hours=-5))
    row = RunRecord(kind="test", started_at=datetime(2026, 1, 1, 7, 30, tzinfo=boston), status="done")
    session.add(row)
    session.commit()
    session.expunge_all()
    back = session.get(RunRecord, row.id)
    assert back is not None
    assert back.started_at == datetime(2026, 1, 1, 12, 30, tzinfo=UTC)
    assert back.started_at.tzinfo is not None and back.started_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(session: Session) -> None:
    session.add(RunRecord(kind="test", started_at=datetime(2026, 1, 1, 7, 30), status="done"))
    with pytest.raises(StatementError, match="timezone-aware"):
        session.flush()


def test_json_keeps_structure_and_none_is_sql_null(session: Session) -> None:
    session.add(AuditLog(actor="t", action="a", entity_type="claim", entity_id="1", detail=None))
    detail = {"amount": Decimal("12.30"), "on": date(2026, 1, 2), "codes": ["CO-45", "PR-1"], "n": 3}
    session.add(AuditLog(actor="t", action="b", entity_type="claim", entity_id="2", detail=detail))
    session.commit()
    nulls = session.scalar(text("SELECT COUNT(*) FROM audit_log WHERE detail IS NULL"))
    assert nulls == 1
    session.expunge_all()
    back = session.scalars(select(AuditLog).where(AuditLog.action == "b")).one()
    # Decimal and date go in as exact strings (JSON has no decimal type).
    assert back.detail == {"amount": "12.30", "on": "2026-01-02", "codes": ["CO-45", "PR-1"], "n": 3}


def test_claim_status_is_an_enum_stored_as_its_value(session: Session) -> None:
    assert ClaimStatus("held") is ClaimStatus.held
    assert str(ClaimStatus.ready) == "ready"
    with pytest.raises(ValueError):
        ClaimStatus("lost")


def test_urls_are_normalised_to_psycopg_and_passwords_hidden() -> None:
    assert normalize_url("postgresql://u:secret@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert "secret" not in redacted_url("postgresql://u:secret@h/db")
