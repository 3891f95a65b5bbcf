"""Claims, their lines and diagnoses, and the history of their statuses."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rcm.store.tables.base import ZERO, Base, Units, utcnow
from rcm.store.tables.encounters import EncounterVersion
from rcm.store.tables.parties import Payer
from rcm.store.types import StrEnum

__all__ = [
    "SUBMITTED_STATUSES",
    "ClaimDiagnosisRecord",
    "ClaimLineRecord",
    "ClaimRecord",
    "ClaimStatus",
    "ClaimStatusChange",
]


class ClaimStatus(enum.StrEnum):
    """Where a claim is in its life (each change is a ClaimStatusChange with time, cause and source)."""

    ingested = "ingested"
    scrubbed = "scrubbed"
    held = "held"
    ready = "ready"
    submitted = "submitted"
    acknowledged = "acknowledged"
    rejected = "rejected"
    paid = "paid"
    partial = "partial"
    denied = "denied"
    reversed = "reversed"
    corrected = "corrected"
    appealed = "appealed"
    closed = "closed"


# Statuses in which the claim has left the building: a changed encounter then needs a corrected claim.
SUBMITTED_STATUSES = frozenset(
    {
        ClaimStatus.submitted,
        ClaimStatus.acknowledged,
        ClaimStatus.rejected,
        ClaimStatus.paid,
        ClaimStatus.partial,
        ClaimStatus.denied,
        ClaimStatus.reversed,
        ClaimStatus.corrected,
        ClaimStatus.appealed,
        ClaimStatus.closed,
    }
)

_claim_status = StrEnum(ClaimStatus, 20)


class ClaimRecord(Base):
    """A bill to one payer for one encounter; claim_number is the patient control number sent in CLM01."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_number: Mapped[str] = mapped_column(String(40), unique=True)
    encounter_id: Mapped[str] = mapped_column(String(38), index=True)
    encounter_version_id: Mapped[int] = mapped_column(ForeignKey("encounter_versions.id"), index=True)
    primary_claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))  # set on secondary/tertiary
    payer_id: Mapped[str] = mapped_column(ForeignKey("payers.payer_id"), index=True)
    coverage_priority: Mapped[str] = mapped_column(String(10), default="primary")
    claim_type: Mapped[str] = mapped_column(String(15), default="professional")
    frequency_code: Mapped[str] = mapped_column(String(1), default="1")
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))
    total_charge: Mapped[Decimal]
    status: Mapped[ClaimStatus] = mapped_column(_claim_status, default=ClaimStatus.ingested, index=True)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    hold_reason: Mapped[str | None] = mapped_column(Text)
    balance: Mapped[Decimal]
    paid_amount: Mapped[Decimal] = mapped_column(default=ZERO)
    patient_responsibility: Mapped[Decimal] = mapped_column(default=ZERO)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    encounter_version: Mapped[EncounterVersion] = relationship()
    payer: Mapped[Payer] = relationship()
    lines: Mapped[list[ClaimLineRecord]] = relationship(
        back_populates="claim", order_by="ClaimLineRecord.line_number", cascade="all, delete-orphan"
    )
    diagnoses: Mapped[list[ClaimDiagnosisRecord]] = relationship(
        back_populates="claim", order_by="ClaimDiagnosisRecord.position", cascade="all, delete-orphan"
    )
    status_changes: Mapped[list[ClaimStatusChange]] = relationship(
        back_populates="claim", order_by="ClaimStatusChange.id", cascade="all, delete-orphan"
    )


class ClaimLineRecord(Base):
    # On PostgreSQL the table keeps half of each page free (fillfactor 50, migration 0002) so that posting a
    # payment updates lines in place; SQLAlchemy has no table option for it, so only the migration sets it.
    __tablename__ = "claim_lines"
    __table_args__ = (UniqueConstraint("claim_id", "line_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    line_number: Mapped[int]  # LX01, 1-based
    line_id: Mapped[str] = mapped_column(String(50))  # REF*6R, echoed back in the 835
    code: Mapped[str] = mapped_column(String(5))
    modifier1: Mapped[str | None] = mapped_column(String(2))
    modifier2: Mapped[str | None] = mapped_column(String(2))
    modifier3: Mapped[str | None] = mapped_column(String(2))
    modifier4: Mapped[str | None] = mapped_column(String(2))
    units: Mapped[Decimal] = mapped_column(Units)
    charge: Mapped[Decimal]
    diagnosis_pointers: Mapped[str] = mapped_column(String(20), default="")  # "1,2"
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    revenue_code: Mapped[str | None] = mapped_column(String(4))
    pos: Mapped[str | None] = mapped_column(String(2))
    ndc: Mapped[str | None] = mapped_column(String(20))
    paid: Mapped[Decimal] = mapped_column(default=ZERO)
    adjusted: Mapped[Decimal] = mapped_column(default=ZERO)
    balance: Mapped[Decimal]

    claim: Mapped[ClaimRecord] = relationship(back_populates="lines")

    @property
    def modifiers(self) -> list[str]:
        return [m for m in (self.modifier1, self.modifier2, self.modifier3, self.modifier4) if m]

    @property
    def pointers(self) -> list[int]:
        return [int(p) for p in self.diagnosis_pointers.split(",") if p.strip()]


class ClaimDiagnosisRecord(Base):
    __tablename__ = "claim_diagnoses"
    __table_args__ = (UniqueConstraint("claim_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    position: Mapped[int]  # 1 = principal
    code: Mapped[str] = mapped_column(String(8))  # ICD-10-CM without the dot

    claim: Mapped[ClaimRecord] = relationship(back_populates="diagnoses")


class ClaimStatusChange(Base):
    """One step of a claim's history: from, to, when, why (in a biller's words) and what caused it."""

    __tablename__ = "claim_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    from_status: Mapped[ClaimStatus | None] = mapped_column(_claim_status)
    to_status: Mapped[ClaimStatus] = mapped_column(_claim_status)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    cause: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(20))  # intake/scrub/build/ack/remit/staff/model/eligibility
    source_file_id: Mapped[int | None] = mapped_column(ForeignKey("x12_files.id"))
    actor: Mapped[str | None] = mapped_column(String(80))

    claim: Mapped[ClaimRecord] = relationship(back_populates="status_changes")
