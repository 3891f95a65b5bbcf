"""Remittance postings (835): payments, claim and line payments, adjustments, remarks, PLB, denials, next payers."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rcm.store.tables.base import ZERO, Base, Units, utcnow
from rcm.store.types import JSONValue

__all__ = [
    "Adjustment",
    "ClaimPayment",
    "DenialRecord",
    "ProviderAdjustment",
    "RemarkCode",
    "Remittance",
    "SecondaryClaimQueue",
    "ServicePayment",
]


class Remittance(Base):
    """One 835 payment (BPR/TRN); the same trace from the same payer is posted once."""

    __tablename__ = "remittances"
    __table_args__ = (UniqueConstraint("trace_number", "payer_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("x12_files.id"), index=True)
    trace_number: Mapped[str] = mapped_column(String(50))  # TRN02
    payer_key: Mapped[str] = mapped_column(String(80))  # TRN03, else the payer id
    payment_amount: Mapped[Decimal]  # BPR02
    payment_method: Mapped[str | None] = mapped_column(String(3))  # BPR04: ACH, CHK, NON...
    payment_date: Mapped[date | None] = mapped_column(Date)
    posted_at: Mapped[datetime] = mapped_column(default=utcnow)
    balanced: Mapped[bool] = mapped_column(Boolean, default=True)

    claim_payments: Mapped[list[ClaimPayment]] = relationship(
        back_populates="remittance", order_by="ClaimPayment.id", cascade="all, delete-orphan"
    )
    provider_adjustments: Mapped[list[ProviderAdjustment]] = relationship(
        order_by="ProviderAdjustment.id", cascade="all, delete-orphan"
    )


class ClaimPayment(Base):
    """One CLP loop: what the payer did with one claim (claim_id null when no claim matched)."""

    __tablename__ = "claim_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"), index=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"), index=True)
    patient_control_number: Mapped[str] = mapped_column(String(40), index=True)  # CLP01
    status_code: Mapped[str] = mapped_column(String(3))  # CLP02
    charge: Mapped[Decimal]
    paid: Mapped[Decimal]
    patient_responsibility: Mapped[Decimal] = mapped_column(default=ZERO)
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))  # CLP07
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("claim_payments.id"))
    matched: Mapped[bool] = mapped_column(Boolean, default=True)
    unmatched_reason: Mapped[str | None] = mapped_column(Text)
    segment: Mapped[int | None]  # position of the CLP segment in the file

    remittance: Mapped[Remittance] = relationship(back_populates="claim_payments")
    services: Mapped[list[ServicePayment]] = relationship(
        back_populates="claim_payment", order_by="ServicePayment.id", cascade="all, delete-orphan"
    )
    adjustments: Mapped[list[Adjustment]] = relationship(order_by="Adjustment.id", cascade="all, delete-orphan")
    remarks: Mapped[list[RemarkCode]] = relationship(order_by="RemarkCode.id", cascade="all, delete-orphan")


class ServicePayment(Base):
    """One SVC loop: what was paid for one service line."""

    __tablename__ = "service_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"), index=True)
    claim_line_id: Mapped[int | None] = mapped_column(ForeignKey("claim_lines.id"), index=True)
    code: Mapped[str] = mapped_column(String(48))
    modifiers: Mapped[Any | None] = mapped_column(JSONValue)  # ["25"]
    charge: Mapped[Decimal]
    paid: Mapped[Decimal]
    allowed: Mapped[Decimal | None]
    units: Mapped[Decimal | None] = mapped_column(Units)
    service_date: Mapped[date | None] = mapped_column(Date)
    line_id: Mapped[str | None] = mapped_column(String(50))  # REF*6R
    matched: Mapped[bool] = mapped_column(Boolean, default=True)

    claim_payment: Mapped[ClaimPayment] = relationship(back_populates="services")


class Adjustment(Base):
    """One CAS reason/amount (claim level when service_payment_id is null)."""

    __tablename__ = "adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"), index=True)
    service_payment_id: Mapped[int | None] = mapped_column(ForeignKey("service_payments.id"), index=True)
    group_code: Mapped[str] = mapped_column(String(2))  # CO / PR / OA / PI
    reason_code: Mapped[str] = mapped_column(String(5))  # CARC
    amount: Mapped[Decimal]
    quantity: Mapped[Decimal | None] = mapped_column(Units)


class RemarkCode(Base):
    """A RARC (MOA / LQ*HE) on a claim or a line."""

    __tablename__ = "remark_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"), index=True)
    service_payment_id: Mapped[int | None] = mapped_column(ForeignKey("service_payments.id"))
    code: Mapped[str] = mapped_column(String(10))


class ProviderAdjustment(Base):
    """A PLB adjustment (positive amount = money taken back from the payment)."""

    __tablename__ = "provider_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id"), index=True)
    provider_id: Mapped[str] = mapped_column(String(50))  # PLB01
    fiscal_period_date: Mapped[date | None] = mapped_column(Date)
    reason_code: Mapped[str] = mapped_column(String(5))
    reference: Mapped[str | None] = mapped_column(String(50))
    amount: Mapped[Decimal]
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claims.id"))


class DenialRecord(Base):
    """A denial to be worked: which claim (and line), which CARC/RARC, how much."""

    __tablename__ = "denials"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    claim_payment_id: Mapped[int] = mapped_column(ForeignKey("claim_payments.id"), index=True)
    line_id: Mapped[str | None] = mapped_column(String(50))
    group_code: Mapped[str] = mapped_column(String(2))
    reason_code: Mapped[str] = mapped_column(String(5), index=True)
    remark_codes: Mapped[Any | None] = mapped_column(JSONValue)  # ["N130"]
    amount: Mapped[Decimal]
    denied_at: Mapped[datetime] = mapped_column(default=utcnow)


class SecondaryClaimQueue(Base):
    """A claim whose remaining balance should be billed to the next payer."""

    __tablename__ = "secondary_claim_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    built: Mapped[bool] = mapped_column(Boolean, default=False)
