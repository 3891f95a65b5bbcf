"""Operations: quarantined records, the audit log and pipeline runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcm.store.tables.base import Base, utcnow
from rcm.store.types import JSONValue

__all__ = ["AuditLog", "QuarantineRecord", "RunRecord"]


class QuarantineRecord(Base):
    """A record intake could not accept: where it was, why (a stable key), and a biller-readable detail."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source_file", "record_ref", "reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file: Mapped[str] = mapped_column(String(1000))
    record_ref: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(60), index=True)
    field: Mapped[str | None] = mapped_column(String(100))
    detail: Mapped[str] = mapped_column(Text)
    raw: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]


class AuditLog(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index(None, "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(80))
    detail: Mapped[Any | None] = mapped_column(JSONValue)


class RunRecord(Base):
    """One pipeline or command run and its summary figures."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    summary: Mapped[Any | None] = mapped_column(JSONValue)
