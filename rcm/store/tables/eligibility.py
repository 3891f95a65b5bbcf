"""Eligibility: the 270 inquiries we sent and the coverage the 271 answers described."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from rcm.store.tables.base import Base, Percent, utcnow
from rcm.store.types import JSONValue

__all__ = ["CoverageSnapshot", "EligibilityInquiry"]


class EligibilityInquiry(Base):
    """A 270 question we sent; the 271 answer finds it by trace number."""

    __tablename__ = "eligibility_inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    trace_number: Mapped[str] = mapped_column(String(50), unique=True)
    encounter_id: Mapped[str | None] = mapped_column(String(38), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    payer_id: Mapped[str] = mapped_column(String(80))
    service_types: Mapped[Any | None] = mapped_column(JSONValue)  # EQ01 codes, e.g. ["30"]
    file_id: Mapped[int | None] = mapped_column(ForeignKey("x12_files.id"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoverageSnapshot(Base):
    """What a 271 said about a member's coverage on a day (inquiry_id null = could not be matched)."""

    __tablename__ = "coverage_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    payer_id: Mapped[str] = mapped_column(String(80))
    as_of: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))  # active / inactive / rejected / unknown
    plan_begin: Mapped[date | None] = mapped_column(Date)
    plan_end: Mapped[date | None] = mapped_column(Date)
    eligibility_begin: Mapped[date | None] = mapped_column(Date)
    eligibility_end: Mapped[date | None] = mapped_column(Date)
    copay: Mapped[Decimal | None]
    coinsurance_percent: Mapped[Decimal | None] = mapped_column(Percent)
    deductible: Mapped[Decimal | None]
    deductible_remaining: Mapped[Decimal | None]
    oop_remaining: Mapped[Decimal | None]
    benefits: Mapped[Any | None] = mapped_column(JSONValue)
    aaa_codes: Mapped[Any | None] = mapped_column(JSONValue)
    retry: Mapped[bool] = mapped_column(Boolean, default=False)
    corrections: Mapped[Any | None] = mapped_column(JSONValue)
    trace_number: Mapped[str | None] = mapped_column(String(50), index=True)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("eligibility_inquiries.id"), index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("x12_files.id"))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
