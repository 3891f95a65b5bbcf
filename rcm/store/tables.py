"""The database schema as typed SQLAlchemy 2.0 tables: encounters, claims, files, eligibility, findings, remits.

Money is ``Decimal`` in NUMERIC(12, 2); timestamps are aware UTC datetimes; JSON columns hold plain JSON
values (``model_dump(mode="json")`` output). Every change here needs an Alembic migration (rcm/store/migrations).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    orm,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from rcm.store.types import ExactDecimal, JSONValue, StrEnum, UTCDateTime

__all__ = [
    "Adjustment",
    "AuditLog",
    "Base",
    "ClaimDiagnosisRecord",
    "ClaimLineRecord",
    "ClaimPayment",
    "ClaimRecord",
    "ClaimStatus",
    "ClaimStatusChange",
    "ClaimSubmission",
    "ControlCounter",
    "CoverageRecord",
    "CoverageSnapshot",
    "DenialRecord",
    "EligibilityInquiry",
    "EncounterVersion",
    "FindingOverride",
    "ModelVersion",
    "Money",
    "Patient",
    "Payer",
    "Provider",
    "ProviderAdjustment",
    "QuarantineRecord",
    "RemarkCode",
    "Remittance",
    "RiskScore",
    "RunRecord",
    "ScrubFinding",
    "ScrubRun",
    "SecondaryClaimQueue",
    "ServicePayment",
    "Units",
    "X12FileRecord",
    "X12TransactionRecord",
    "utcnow",
]

Money = ExactDecimal(12, 2)
Units = ExactDecimal(9, 3)
Percent = ExactDecimal(7, 4)  # a fraction as the 271 sends it (EB08 0.2 = 20 %)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ZERO = Decimal("0.00")


def utcnow() -> datetime:
    """Now, timezone-aware UTC (the only kind of timestamp the store accepts)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        Decimal: Money,
        datetime: UTCDateTime(),
        dict[str, Any]: JSONValue,
        list[Any]: JSONValue,
    }


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


# --- parties -------------------------------------------------------------------------------------------------


class Payer(Base):
    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    plan_type: Mapped[str | None] = mapped_column(String(10))
    timely_filing_days: Mapped[int | None]


class Provider(Base):
    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    npi: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))  # organisations
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    taxonomy: Mapped[str | None] = mapped_column(String(10))
    tax_id: Mapped[str | None] = mapped_column(String(9))
    address: Mapped[dict[str, Any] | None]


class Patient(Base):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(80), unique=True)  # the EMR's patient id
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1), default="U")
    address: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- encounters and coverage ---------------------------------------------------------------------------------


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


# --- claims --------------------------------------------------------------------------------------------------


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


# --- files sent and received ---------------------------------------------------------------------------------


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


# --- eligibility ---------------------------------------------------------------------------------------------


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


# --- scrubber ------------------------------------------------------------------------------------------------


class ScrubRun(Base):
    __tablename__ = "scrub_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    rules_version: Mapped[str] = mapped_column(String(80))
    claims: Mapped[int] = mapped_column(default=0)
    clean: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)


class ScrubFinding(Base):
    """One edit that fired on a claim (active until the claim is re-scrubbed clean or overridden)."""

    __tablename__ = "scrub_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    encounter_version_id: Mapped[int] = mapped_column(ForeignKey("encounter_versions.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scrub_runs.id"), index=True)
    line_id: Mapped[str | None] = mapped_column(String(50))
    rule_id: Mapped[str] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))  # error / warning / info
    message: Mapped[str] = mapped_column(Text)
    fix_hint: Mapped[str | None] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FindingOverride(Base):
    """A biller accepted a finding on purpose, with a reason; it applies to that encounter version only."""

    __tablename__ = "finding_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    encounter_version_id: Mapped[int] = mapped_column(ForeignKey("encounter_versions.id"))
    rule_id: Mapped[str] = mapped_column(String(80))
    line_id: Mapped[str | None] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


# --- remittance ----------------------------------------------------------------------------------------------


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


# --- denial-risk model ---------------------------------------------------------------------------------------


class RiskScore(Base):
    __tablename__ = "risk_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    encounter_version_id: Mapped[int] = mapped_column(ForeignKey("encounter_versions.id"))
    model_version: Mapped[str] = mapped_column(String(80))
    score: Mapped[float] = mapped_column(Float)  # a probability, not money
    threshold: Mapped[float] = mapped_column(Float)
    explanation: Mapped[Any | None] = mapped_column(JSONValue)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelVersion(Base):
    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(80), unique=True)
    path: Mapped[str] = mapped_column(String(1000))
    card: Mapped[dict[str, Any]]
    trained_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    decision: Mapped[str | None] = mapped_column(Text)


# --- operations ----------------------------------------------------------------------------------------------


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
