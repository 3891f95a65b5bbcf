"""Quarantine: records intake could not accept, kept once per file, record and reason so re-ingesting adds nothing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.store.tables import QuarantineRecord, utcnow

__all__ = ["open_quarantine", "quarantine"]

RECORD_REF_MAX = 200


def quarantine(
    session: Session,
    *,
    source_file: str,
    record_ref: str,
    reason: str,
    field: str | None,
    detail: str,
    raw: str | None = None,
) -> QuarantineRecord:
    """Keep a rejected record with its reason; the same file + record + reason is stored once (returned again).

    ``detail`` is shown to billers and must not contain PHI; ``raw`` is the record as received.
    """
    ref = record_ref[:RECORD_REF_MAX]
    existing = session.scalars(
        select(QuarantineRecord).where(
            QuarantineRecord.source_file == source_file,
            QuarantineRecord.record_ref == ref,
            QuarantineRecord.reason == reason,
        )
    ).first()
    if existing is not None:
        return existing
    record = QuarantineRecord(
        source_file=source_file,
        record_ref=ref,
        reason=reason,
        field=field,
        detail=detail,
        raw=raw,
        created_at=utcnow(),
    )
    session.add(record)
    session.flush()
    return record


def open_quarantine(session: Session, *, source_file: str | None = None) -> list[QuarantineRecord]:
    """Quarantined records not yet resolved (optionally of one file), oldest first."""
    query = select(QuarantineRecord).where(QuarantineRecord.resolved_at.is_(None))
    if source_file is not None:
        query = query.where(QuarantineRecord.source_file == source_file)
    return list(session.scalars(query.order_by(QuarantineRecord.id)))
