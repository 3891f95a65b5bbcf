"""The database schema as typed SQLAlchemy 2.0 tables, one module per topic; everything is importable from here.

Money is ``Decimal`` in NUMERIC(12, 2); timestamps are aware UTC datetimes; JSON columns hold plain JSON values.
Every change here needs an Alembic migration (rcm/store/migrations).
"""

from __future__ import annotations

from rcm.store.tables.base import NAMING_CONVENTION, ZERO, Base, Money, Percent, Units, utcnow
from rcm.store.tables.claims import (
    SUBMITTED_STATUSES,
    ClaimDiagnosisRecord,
    ClaimLineRecord,
    ClaimRecord,
    ClaimStatus,
    ClaimStatusChange,
)
from rcm.store.tables.eligibility import CoverageSnapshot, EligibilityInquiry
from rcm.store.tables.encounters import CoverageRecord, EncounterVersion
from rcm.store.tables.files import ClaimSubmission, ControlCounter, X12FileRecord, X12TransactionRecord
from rcm.store.tables.operations import AuditLog, QuarantineRecord, RunRecord
from rcm.store.tables.parties import Patient, Payer, Provider
from rcm.store.tables.remits import (
    Adjustment,
    ClaimPayment,
    DenialRecord,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    SecondaryClaimQueue,
    ServicePayment,
)
from rcm.store.tables.risk import ModelVersion, RiskScore
from rcm.store.tables.scrub import FindingOverride, ScrubFinding, ScrubRun
from rcm.store.tables.transfers import FileTransfer
from rcm.store.tables.web import SignInFailure, WebSession

__all__ = [
    "NAMING_CONVENTION",
    "SUBMITTED_STATUSES",
    "ZERO",
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
    "FileTransfer",
    "FindingOverride",
    "ModelVersion",
    "Money",
    "Patient",
    "Payer",
    "Percent",
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
    "SignInFailure",
    "Units",
    "WebSession",
    "X12FileRecord",
    "X12TransactionRecord",
    "utcnow",
]
