"""The scrubber's worklist for billing staff: claims held with open findings, filtered and sorted the way staff
work them (by payer, rule, severity, provider, age; oldest or largest first), one page at a time.

Age is days from the date of service to the day the office works on (timely filing runs from the date of
service). Patient names are read for the people working the claims; nothing here logs or raises them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, get_args

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from rcm.coding.findings import SEVERITIES
from rcm.errors import InputError
from rcm.store import ZERO, ClaimRecord, ClaimStatus, EncounterVersion, Money, Patient, Payer, Provider
from rcm.store import ScrubFinding as ScrubFindingRecord

__all__ = [
    "SORTS",
    "HeldClaim",
    "OpenFinding",
    "WorklistChoices",
    "WorklistFilters",
    "WorklistPage",
    "held_claims",
    "worklist_choices",
]

Sort = Literal["age", "amount"]
SORTS: tuple[str, ...] = get_args(Sort)
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class WorklistFilters:
    """What to show: every filter is optional; ages are whole days since the date of service (inclusive)."""

    payer: str | None = None
    rule: str | None = None
    severity: str | None = None
    provider: str | None = None  # rendering NPI, else the billing NPI
    min_age: int | None = None
    max_age: int | None = None
    sort: Sort = "age"
    page: int = 1
    page_size: int = 100

    def __post_init__(self) -> None:
        if self.severity is not None and self.severity not in SEVERITIES:
            raise InputError(f"severity {self.severity!r}: one of {', '.join(SEVERITIES)}")
        if self.sort not in SORTS:
            raise InputError(f"sort {self.sort!r}: one of {', '.join(SORTS)}")
        for name in ("min_age", "max_age"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise InputError(f"{name} must be 0 or more days")
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise InputError("the minimum age is larger than the maximum age")
        if self.page < 1:
            raise InputError("page numbers start at 1")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InputError(f"a page holds 1 to {MAX_PAGE_SIZE} claims")


@dataclass(frozen=True, slots=True)
class OpenFinding:
    rule_id: str
    severity: str
    category: str
    message: str
    fix_hint: str
    field: str | None
    line_id: str | None


@dataclass(slots=True)
class HeldClaim:
    """A held claim as the worklist shows it; ``claim_id`` is the internal id pages link by."""

    claim_id: int
    claim_number: str
    payer_id: str
    payer_name: str
    provider_npi: str | None
    provider_name: str | None
    patient_name: str
    date_of_service: date
    age_days: int
    total_charge: Decimal
    held_since: datetime
    hold_reason: str | None
    findings: list[OpenFinding] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")


@dataclass(slots=True)
class WorklistPage:
    claims: list[HeldClaim]
    total: int  # claims matching the filters, on every page
    total_charge: Decimal
    filters: WorklistFilters

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.page_size))


@dataclass(frozen=True, slots=True)
class WorklistChoices:
    """The values the filters can take right now (only those that occur on held claims)."""

    payers: list[tuple[str, str]]
    rules: list[str]
    providers: list[tuple[str, str]]


def person_name(first: str | None, last: str | None, organisation: str | None = None) -> str:
    if organisation and not (first or last):
        return organisation
    return ", ".join(p for p in (last, first) if p) or (organisation or "")


def _open_finding_of(claim: Any) -> Any:
    return and_(
        ScrubFindingRecord.claim_id == claim.id,
        ScrubFindingRecord.encounter_version_id == claim.encounter_version_id,
        ScrubFindingRecord.active.is_(True),
    )


def held_claims(session: Session, filters: WorklistFilters, *, today: date) -> WorklistPage:
    """One page of held claims matching ``filters``, each with its open findings (errors first)."""
    provider = aliased(Provider)
    provider_id = func.coalesce(EncounterVersion.rendering_provider_id, EncounterVersion.billing_provider_id)
    conditions: list[Any] = [ClaimRecord.status == ClaimStatus.held]
    if filters.payer:
        conditions.append(ClaimRecord.payer_id == filters.payer)
    if filters.provider:
        conditions.append(provider.npi == filters.provider)
    if filters.min_age is not None:
        conditions.append(EncounterVersion.date_of_service <= today - timedelta(days=filters.min_age))
    if filters.max_age is not None:
        conditions.append(EncounterVersion.date_of_service >= today - timedelta(days=filters.max_age))
    if filters.rule or filters.severity:
        wanted = [_open_finding_of(ClaimRecord)]
        if filters.rule:
            wanted.append(ScrubFindingRecord.rule_id == filters.rule)
        if filters.severity:
            wanted.append(ScrubFindingRecord.severity == filters.severity)
        conditions.append(exists().where(*wanted))
    base = (
        select(ClaimRecord.id)
        .join(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
        .outerjoin(provider, provider.id == provider_id)
        .where(*conditions)
    )
    counted = session.execute(
        select(func.count(), func.sum(ClaimRecord.total_charge, type_=Money)).where(
            ClaimRecord.id.in_(base.scalar_subquery())
        )
    ).one()
    total, total_charge = int(counted[0]), counted[1] if counted[1] is not None else ZERO
    order = (
        (EncounterVersion.date_of_service.asc(), ClaimRecord.claim_number)
        if filters.sort == "age"
        else (ClaimRecord.total_charge.desc(), EncounterVersion.date_of_service.asc(), ClaimRecord.claim_number)
    )
    rows = session.execute(
        select(ClaimRecord, EncounterVersion.date_of_service, Payer.name, provider, Patient)
        .join(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
        .join(Patient, Patient.id == EncounterVersion.patient_id)
        .outerjoin(Payer, Payer.payer_id == ClaimRecord.payer_id)
        .outerjoin(provider, provider.id == provider_id)
        .where(*conditions)
        .order_by(*order)
        .limit(filters.page_size)
        .offset((filters.page - 1) * filters.page_size)
    ).all()
    claims: dict[int, HeldClaim] = {}
    for claim, day, payer_name, prov, patient in rows:
        claims[claim.id] = HeldClaim(
            claim_id=claim.id,
            claim_number=claim.claim_number,
            payer_id=claim.payer_id,
            payer_name=payer_name or claim.payer_id,
            provider_npi=prov.npi if prov else None,
            provider_name=person_name(prov.first_name, prov.last_name, prov.name) if prov else None,
            patient_name=person_name(patient.first_name, patient.last_name),
            date_of_service=day,
            age_days=(today - day).days,
            total_charge=claim.total_charge,
            held_since=claim.status_changed_at,
            hold_reason=claim.hold_reason,
        )
    if claims:
        findings = session.scalars(
            select(ScrubFindingRecord)
            .join(ClaimRecord, ClaimRecord.id == ScrubFindingRecord.claim_id)
            .where(ScrubFindingRecord.claim_id.in_(list(claims)))
            .where(_open_finding_of(ClaimRecord))
            .order_by(ScrubFindingRecord.id)
        )
        for f in findings:
            claims[f.claim_id].findings.append(
                OpenFinding(f.rule_id, f.severity, f.category, f.message, f.fix_hint or "", f.field, f.line_id)
            )
        for held in claims.values():
            held.findings.sort(key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.line_id or "", f.rule_id))
    return WorklistPage(list(claims.values()), total, total_charge, filters)


def worklist_choices(session: Session) -> WorklistChoices:
    """Payers, rules and providers that occur on held claims, for the filter menus."""
    held = ClaimRecord.status == ClaimStatus.held
    payers = session.execute(
        select(ClaimRecord.payer_id, func.max(Payer.name))
        .outerjoin(Payer, Payer.payer_id == ClaimRecord.payer_id)
        .where(held)
        .group_by(ClaimRecord.payer_id)
        .order_by(ClaimRecord.payer_id)
    ).all()
    rules = session.scalars(
        select(ScrubFindingRecord.rule_id)
        .join(ClaimRecord, ClaimRecord.id == ScrubFindingRecord.claim_id)
        .where(held, _open_finding_of(ClaimRecord))
        .group_by(ScrubFindingRecord.rule_id)
        .order_by(ScrubFindingRecord.rule_id)
    ).all()
    provider_id = func.coalesce(EncounterVersion.rendering_provider_id, EncounterVersion.billing_provider_id)
    providers = session.execute(
        select(Provider)
        .where(
            Provider.id.in_(
                select(provider_id)
                .select_from(ClaimRecord)
                .join(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
                .where(held)
            )
        )
        .order_by(Provider.npi)
    ).scalars()
    return WorklistChoices(
        payers=[(pid, name or pid) for pid, name in payers],
        rules=list(rules),
        providers=[(p.npi, person_name(p.first_name, p.last_name, p.name) or p.npi) for p in providers],
    )
