"""X12 files sent and received (stored once per direction and content) and the control numbers that name them."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rcm.errors import StoreError
from rcm.store.tables import ClaimSubmission, ControlCounter, X12FileRecord, utcnow

__all__ = ["DIRECTIONS", "next_control_number", "next_submission_number", "record_file", "sha256_hex"]

DIRECTIONS = frozenset({"in", "out"})


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def record_file(
    session: Session,
    *,
    direction: str,
    kind: str,
    name: str,
    path: str,
    content: bytes,
    interchange_control_number: str | None = None,
    sender_id: str | None = None,
    receiver_id: str | None = None,
    clearinghouse: str | None = None,
    status: str = "new",
    detail: Any = None,
) -> tuple[X12FileRecord, bool]:
    """Register a file; returns (record, created). The same bytes in the same direction return the first record."""
    if direction not in DIRECTIONS:
        raise ValueError(f"file direction must be 'in' or 'out', not {direction!r}")
    digest = sha256_hex(content)
    existing = session.scalars(
        select(X12FileRecord).where(X12FileRecord.direction == direction, X12FileRecord.content_hash == digest)
    ).first()
    if existing is not None:
        return existing, False
    record = X12FileRecord(
        direction=direction,
        kind=kind,
        name=name,
        path=path,
        content_hash=digest,
        size=len(content),
        interchange_control_number=interchange_control_number,
        sender_id=sender_id,
        receiver_id=receiver_id,
        clearinghouse=clearinghouse,
        created_at=utcnow(),
        status=status,
        detail=detail,
    )
    session.add(record)
    session.flush()
    return record, True


def next_control_number(session: Session, name: str, *, start: int = 1) -> int:
    """The next value of counter ``name`` (``start`` the first time); unique even across concurrent sessions.

    The increment is an ``UPDATE``: PostgreSQL locks the counter row until the caller's transaction ends (the
    same guarantee as SELECT ... FOR UPDATE) and returns the new value; SQLite allows one writer at a time.
    Roll back and the number is handed out again; commit and it is gone for good.
    """
    dialect = session.get_bind().dialect.name
    values = {"name": name, "value": start - 1}
    if dialect == "postgresql":
        session.execute(
            postgresql.insert(ControlCounter).values(values).on_conflict_do_nothing(index_elements=["name"])
        )
    elif dialect == "sqlite":
        session.execute(sqlite.insert(ControlCounter).values(values).on_conflict_do_nothing(index_elements=["name"]))
    else:  # pragma: no cover - make_engine refuses other backends
        raise StoreError(f"control numbers are not supported on {dialect}")
    increment = (
        update(ControlCounter)
        .where(ControlCounter.name == name)
        .values(value=ControlCounter.value + 1)
        .execution_options(synchronize_session=False)
    )
    if dialect == "postgresql":
        value = session.execute(increment.returning(ControlCounter.value)).scalar_one()
    else:
        # SQLite before 3.35 has no RETURNING; after the UPDATE this transaction holds the write lock, so the
        # value read back cannot have been changed by anybody else.
        session.execute(increment)
        value = session.execute(select(ControlCounter.value).where(ControlCounter.name == name)).scalar_one()
    return int(value)


def next_submission_number(session: Session, claim_id: int) -> int:
    """1 for a claim's first submission, then one more than the last recorded ClaimSubmission."""
    last = session.scalar(
        select(func.max(ClaimSubmission.submission_number)).where(ClaimSubmission.claim_id == claim_id)
    )
    return (last or 0) + 1
