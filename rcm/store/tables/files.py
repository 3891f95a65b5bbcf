"""X12 files sent and received, their transaction sets, claim submissions and control-number counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rcm.store.tables.base import Base, utcnow

__all__ = ["ClaimSubmission", "ControlCounter", "X12FileRecord", "X12TransactionRecord"]


class X12FileRecord(Base):
    """An X12 file we wrote or received; the same bytes in the same direction are stored once."""

    __tablename__ = "x12_files"
    __table_args__ = (UniqueConstraint("direction", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(3))  # in / out
    kind: Mapped[str] = mapped_column(String(10))  # 837P, 837I, 270, 271, 999, TA1, 277CA, 835
    name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(String(1000))
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex
    size: Mapped[int]
    interchange_control_number: Mapped[str | None] = mapped_column(String(9), index=True)
    sender_id: Mapped[str | None] = mapped_column(String(15))
    receiver_id: Mapped[str | None] = mapped_column(String(15))
    clearinghouse: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="new")
    detail: Mapped[dict[str, Any] | None]

    transactions: Mapped[list[X12TransactionRecord]] = relationship(
        back_populates="file", order_by="X12TransactionRecord.id"
    )


class X12TransactionRecord(Base):
    """One ST/SE transaction set in a file, with the control numbers an acknowledgment refers to."""

    __tablename__ = "x12_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("x12_files.id"), index=True)
    set_id: Mapped[str] = mapped_column(String(3))  # ST01
    group_control_number: Mapped[str] = mapped_column(String(9))  # GS06
    transaction_control_number: Mapped[str] = mapped_column(String(9))  # ST02
    claim_count: Mapped[int] = mapped_column(default=0)
    ack_status: Mapped[str | None] = mapped_column(String(1))  # IK501 A/E/R once a 999 says so

    file: Mapped[X12FileRecord] = relationship(back_populates="transactions")


class ClaimSubmission(Base):
    """A claim went out in a file: the n-th submission of that claim."""

    __tablename__ = "claim_submissions"
    __table_args__ = (UniqueConstraint("claim_id", "submission_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("x12_files.id"), index=True)
    transaction_record_id: Mapped[int | None] = mapped_column(ForeignKey("x12_transactions.id"))
    submission_number: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    frequency_code: Mapped[str] = mapped_column(String(1), default="1")


class ControlCounter(Base):
    """Monotonic counters for control numbers (ISA13, GS06, ST02, BHT03, 270 trace numbers)."""

    __tablename__ = "control_counters"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int]
