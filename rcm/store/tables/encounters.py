"""EMR encounters, versioned by content, and the coverage each version listed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint, orm
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rcm.store.tables.base import Base, utcnow
from rcm.store.tables.parties import Patient

__all__ = ["CoverageRecord", "EncounterVersion"]


class EncounterVersion(Base):
    """One version of an EMR encounter exactly as received; a changed re-export becomes the next version."""

    __tablename__ = "encounter_versions"
    __table_args__ = (UniqueConstraint("encounter_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    encounter_id: Mapped[str] = mapped_column(String(38), index=True)
    version: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    date_of_service: Mapped[date] = mapped_column(Date)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    billing_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    rendering_provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"))
    payload: Mapped[dict[str, Any]]
    source_file: Mapped[str] = mapped_column(String(1000))
    source_row: Mapped[int | None]
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)

    patient: Mapped[Patient] = relationship()
    coverages: Mapped[list[CoverageRecord]] = relationship(
        back_populates="encounter_version", order_by="CoverageRecord.id", cascade="all, delete-orphan"
    )


class CoverageRecord(Base):
    """A coverage as the encounter version listed it (priority order decides who is billed first)."""

    __tablename__ = "coverages"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    encounter_version_id: Mapped[int] = mapped_column(ForeignKey("encounter_versions.id"), index=True)
    priority: Mapped[str] = mapped_column(String(10))  # primary / secondary / tertiary
    payer_id: Mapped[str] = mapped_column(ForeignKey("payers.payer_id"))
    member_id: Mapped[str | None] = mapped_column(String(80))
    group_number: Mapped[str | None] = mapped_column(String(80))
    relationship: Mapped[str] = mapped_column(String(10), default="self")
    subscriber: Mapped[dict[str, Any] | None]
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    # `orm.relationship`: the column named `relationship` (SBR02/PAT01) shadows the function in this class body.
    encounter_version: Mapped[EncounterVersion] = orm.relationship(back_populates="coverages")
