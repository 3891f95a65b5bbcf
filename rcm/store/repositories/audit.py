"""The audit log: who did what to which record, for the things a status history does not already tell."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rcm.store.tables import AuditLog, utcnow

__all__ = ["audit"]


def audit(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    detail: Any = None,
) -> AuditLog:
    """Add an audit entry (the caller commits). ``detail`` is JSON: ids and figures, never PHI."""
    entry = AuditLog(
        at=utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        detail=detail,
    )
    session.add(entry)
    return entry
