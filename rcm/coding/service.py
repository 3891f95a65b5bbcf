"""Scrubbing claims in the store: run the engine over pending claims, keep the findings, hold or release claims.

``scrub_pending`` scrubs claims that are ``ingested`` (new or changed encounters) and re-scrubs ``held`` ones
(after a fix or an override), stores a ScrubRun and its ScrubFindings, and moves each claim to ``held`` or
``ready``. ``override_finding`` records that staff accepted a finding on the claim's current encounter version.
The caller owns the transaction (commits).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rcm.coding.engine import ScrubContext
from rcm.coding.findings import ScrubFinding, blocking
from rcm.coding.history import CoverageFact, InMemoryEligibility, PastService
from rcm.coding.rulebook import RuleBook, default_rulebook
from rcm.coding.rulefiles import RuleDef
from rcm.domain import Claim, Encounter
from rcm.errors import StateError
from rcm.store import (
    ClaimLineRecord,
    ClaimRecord,
    ClaimStatus,
    CoverageSnapshot,
    EncounterVersion,
    FindingOverride,
    Patient,
    ScrubRun,
    audit,
    claim_as_domain,
    claims_with_status,
    find_claim,
    set_claim_status,
)
from rcm.store import ScrubFinding as ScrubFindingRecord

__all__ = ["ClaimResult", "ScrubSummary", "StoreHistory", "override_finding", "scrub_pending"]

PENDING_STATUSES = (ClaimStatus.ingested, ClaimStatus.held)
_CHUNK = 500


@dataclass
class ClaimResult:
    claim_number: str
    encounter_id: str
    status: str
    findings: list[ScrubFinding]


@dataclass
class ScrubSummary:
    """What one scrub run did: counts for the office figures and every finding, claim by claim."""

    run_id: int | None
    rules_version: str
    claims: int = 0
    clean: int = 0
    held: int = 0
    results: list[ClaimResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def ready(self) -> int:
        return self.claims - self.held

    @property
    def clean_claim_rate(self) -> float | None:
        """Claims with no error or warning at all / claims scrubbed (a ratio, not money)."""
        return self.clean / self.claims if self.claims else None

    def top_rules(self, n: int = 10) -> list[tuple[str, int]]:
        counts = Counter(f.rule_id for r in self.results for f in r.findings)
        return counts.most_common(n)

    def as_json(self) -> dict[str, object]:
        """The `rcm scrub --json` shape."""
        return {
            "claims": self.claims,
            "clean": self.clean,
            "held": self.held,
            "findings": [{**f.as_json(), "claim": r.encounter_id} for r in self.results for f in r.findings],
        }


class StoreHistory:
    """Past services of the patients in a batch, read from the store in bulk.

    A claim is compared with claims created before it (a smaller claim id), so of two copies of the same visit
    only the later one is reported as the duplicate.
    """

    def __init__(self) -> None:
        self._by_patient: dict[str, list[tuple[int, PastService]]] = defaultdict(list)
        self.before_claim: int | None = None

    @classmethod
    def load(cls, session: Session, patient_ids: Iterable[str]) -> StoreHistory:
        history = cls()
        ids = sorted(set(patient_ids))
        for start in range(0, len(ids), _CHUNK):
            rows = session.execute(
                select(
                    Patient.external_id,
                    ClaimRecord.id,
                    ClaimRecord.claim_number,
                    ClaimRecord.encounter_id,
                    ClaimRecord.payer_id,
                    ClaimLineRecord.code,
                    ClaimLineRecord.modifier1,
                    ClaimLineRecord.modifier2,
                    ClaimLineRecord.units,
                    ClaimLineRecord.date_from,
                )
                .join(ClaimLineRecord, ClaimLineRecord.claim_id == ClaimRecord.id)
                .join(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
                .join(Patient, Patient.id == EncounterVersion.patient_id)
                .where(Patient.external_id.in_(ids[start : start + _CHUNK]))
                .where(ClaimRecord.frequency_code != "8")
            )
            for patient, claim_pk, number, encounter_id, payer, code, m1, m2, units, day in rows:
                service = PastService(
                    claim_id=number,
                    payer_id=payer,
                    day=day,
                    code=code,
                    modifiers=tuple(m for m in (m1, m2) if m),
                    units=Decimal(units),
                    encounter_id=encounter_id,
                )
                history._by_patient[patient].append((claim_pk, service))
        return history

    def services(self, patient_id: str, start: date, end: date) -> Sequence[PastService]:
        cutoff = self.before_claim
        return [
            s
            for pk, s in self._by_patient.get(patient_id, ())
            if start <= s.day <= end and (cutoff is None or pk < cutoff)
        ]


def _eligibility(session: Session, patient_ids: Iterable[str]) -> InMemoryEligibility:
    facts = InMemoryEligibility()
    ids = sorted(set(patient_ids))
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(Patient.external_id, CoverageSnapshot)
            .join(Patient, Patient.id == CoverageSnapshot.patient_id)
            .where(Patient.external_id.in_(ids[start : start + _CHUNK]))
            .where(CoverageSnapshot.status != "unknown")
        )
        for patient, snap in rows:
            facts.add(
                patient,
                CoverageFact(
                    payer_id=snap.payer_id,
                    checked_on=snap.as_of,
                    status=snap.status,
                    plan_begin=snap.eligibility_begin or snap.plan_begin,
                    plan_end=snap.eligibility_end or snap.plan_end,
                    retry=bool(snap.retry),
                ),
            )
    return facts


def _overrides(session: Session, claims: list[ClaimRecord]) -> dict[int, set[tuple[str, str | None]]]:
    found: dict[int, set[tuple[str, str | None]]] = defaultdict(set)
    version_of = {c.id: c.encounter_version_id for c in claims}
    ids = list(version_of)
    for start in range(0, len(ids), _CHUNK):
        for row in session.scalars(
            select(FindingOverride).where(FindingOverride.claim_id.in_(ids[start : start + _CHUNK]))
        ):
            if version_of.get(row.claim_id) == row.encounter_version_id:  # overrides belong to one version
                found[row.claim_id].add((row.rule_id, row.line_id))
    return found


def _hold_cause(findings: list[ScrubFinding]) -> str:
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}"] if errors else []
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''} to review")
    rules = ", ".join(sorted({f.rule_id for f in findings})[:5])
    return f"scrubber: {' and '.join(parts)} ({rules})"


def scrub_pending(
    session: Session,
    book: RuleBook | None = None,
    *,
    as_of: date | None = None,
    claim_numbers: Sequence[str] | None = None,
    include_ready: bool = False,
) -> ScrubSummary:
    """Scrub ingested claims and re-scrub held ones; store the run and its findings; hold or release claims.

    ``include_ready`` also re-scrubs claims already released (``ready``), e.g. after the rules changed;
    ``claim_numbers`` limits the run to those claims. Ages are never put into messages (ages over 89 are PHI).
    """
    book = book or default_rulebook()
    started = datetime.now(UTC)
    statuses = (*PENDING_STATUSES, ClaimStatus.ready) if include_ready else PENDING_STATUSES
    claims = claims_with_status(session, statuses)
    if claim_numbers is not None:
        wanted = set(claim_numbers)
        claims = [c for c in claims if c.claim_number in wanted]
    run = ScrubRun(started_at=started, rules_version=book.version[:80], claims=0, clean=0, held=0)
    session.add(run)
    session.flush()
    summary = ScrubSummary(run_id=run.id, rules_version=book.version, notices=list(book.notices))

    # Load the encounter versions in bulk: claim_as_domain then finds them in the session without a query each.
    version_ids = sorted({c.encounter_version_id for c in claims})
    for start in range(0, len(version_ids), _CHUNK):
        session.scalars(
            select(EncounterVersion).where(EncounterVersion.id.in_(version_ids[start : start + _CHUNK]))
        ).all()
    domain: list[tuple[ClaimRecord, Claim | Encounter]] = []
    for claim in claims:
        try:
            domain.append((claim, claim_as_domain(session, claim)))
        except StateError:
            # The billed coverage is gone from the encounter: scrub the encounter itself (it says what is missing).
            version = session.get(EncounterVersion, claim.encounter_version_id)
            if version is not None:
                domain.append((claim, Encounter.model_validate(version.payload)))
    patients = [(d.encounter if isinstance(d, Claim) else d).patient.id for _, d in domain]
    history = StoreHistory.load(session, patients)
    context = ScrubContext(
        book, as_of=as_of or started.date(), history=history, eligibility=_eligibility(session, patients)
    )
    scrubber = context.scrubber()
    overrides = _overrides(session, [c for c, _ in domain])
    if domain:
        session.execute(
            update(ScrubFindingRecord)
            .where(ScrubFindingRecord.claim_id.in_([c.id for c, _ in domain]))
            .where(ScrubFindingRecord.active.is_(True))
            .values(active=False)
        )
    loaded_years = set(book.codes.icd)
    missing_years: Counter[int] = Counter()
    for claim, subject in domain:
        history.before_claim = claim.id
        findings = scrubber.scrub(subject, overrides=overrides.get(claim.id, set()))
        encounter = subject.encounter if isinstance(subject, Claim) else subject
        day = encounter.date_of_service
        fy = day.year + 1 if day.month >= 10 else day.year
        if fy not in loaded_years:
            missing_years[fy] += 1
        for f in findings:
            session.add(
                ScrubFindingRecord(
                    claim_id=claim.id,
                    encounter_version_id=claim.encounter_version_id,
                    run_id=run.id,
                    line_id=f.line_id,
                    rule_id=f.rule_id,
                    category=f.category,
                    severity=f.severity,
                    message=f.message,
                    fix_hint=f.fix_hint,
                    field=f.field,
                    created_at=started,
                    active=not f.overridden,
                )
            )
        holding = blocking(findings)
        if holding:
            cause = _hold_cause(holding)
            if claim.status is ClaimStatus.held:
                claim.hold_reason = cause
            else:
                set_claim_status(session, claim, ClaimStatus.held, cause=cause, source_kind="scrub")
            summary.held += 1
        else:
            cause = "scrubbed clean" if not findings else "scrubbed: findings reviewed or informational only"
            set_claim_status(session, claim, ClaimStatus.ready, cause=cause, source_kind="scrub")
        summary.claims += 1
        if not any(f.severity != "info" for f in findings):
            summary.clean += 1
        summary.results.append(ClaimResult(claim.claim_number, claim.encounter_id, claim.status.value, findings))
    for fy, count in sorted(missing_years.items()):
        summary.notices.append(
            f"ICD-10-CM code set for FY{fy} not loaded: {count} claim(s) checked against the nearest loaded year"
        )
    run.claims, run.clean, run.held = summary.claims, summary.clean, summary.held
    run.finished_at = datetime.now(UTC)
    session.flush()
    return summary


def override_finding(
    session: Session,
    claim_number: str,
    rule_id: str,
    line_id: str | None,
    *,
    actor: str,
    reason: str,
    rules: dict[str, RuleDef] | None = None,
) -> FindingOverride:
    """Accept a finding on the claim's current encounter version (who, when, why go to the audit log).

    Warnings (and rules marked ``overridable``) can be overridden; errors must be fixed. The claim is released
    by the next scrub run. ``rules`` (rule id -> definition) decides overridability; without it the stored
    severity does (warnings and info only).
    """
    if not actor.strip():
        raise StateError("an override needs the name of the person making it")
    if not reason.strip():
        raise StateError(f"claim {claim_number}: an override needs a reason")
    claim = find_claim(session, claim_number)
    if claim is None:
        raise StateError(f"claim {claim_number}: no such claim")
    finding = session.scalars(
        select(ScrubFindingRecord)
        .where(ScrubFindingRecord.claim_id == claim.id)
        .where(ScrubFindingRecord.encounter_version_id == claim.encounter_version_id)
        .where(ScrubFindingRecord.rule_id == rule_id)
        .where(ScrubFindingRecord.line_id.is_(None) if line_id is None else ScrubFindingRecord.line_id == line_id)
        .where(ScrubFindingRecord.active.is_(True))
    ).first()
    where = f"claim {claim_number}, rule {rule_id}" + (f", line {line_id}" if line_id else "")
    if finding is None:
        raise StateError(f"{where}: no open finding to override on the claim's current version")
    rule = (rules or {}).get(rule_id)
    allowed = rule.is_overridable if rule is not None else finding.severity != "error"
    if not allowed:
        raise StateError(f"{where}: this is an error that blocks submission; fix the claim instead of overriding")
    override = FindingOverride(
        claim_id=claim.id,
        encounter_version_id=claim.encounter_version_id,
        rule_id=rule_id,
        line_id=line_id,
        actor=actor,
        reason=reason,
        at=datetime.now(UTC),
    )
    session.add(override)
    finding.active = False
    audit(
        session,
        actor=actor,
        action="scrub.override",
        entity_type="claim",
        entity_id=claim_number,
        detail={
            "rule": rule_id,
            "line": line_id,
            "category": finding.category,
            "severity": finding.severity,
            "encounter_version_id": claim.encounter_version_id,
            "reason": reason,
        },
    )
    session.flush()
    return override
