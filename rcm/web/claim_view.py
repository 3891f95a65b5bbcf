"""What the claim page shows: the claim and its lines, its open findings, and its history from the store.

The history merges what the store records about a claim: encounter versions (received from the EMR or corrected
by staff), scrub runs and their findings, overrides, status changes (acknowledgments included) and submissions
(from ``claim_timeline_view`` in rcm.claims.lifecycle), and payments posted from 835s. The audit trail is the
audit log's entries for the claim: who did what, when and why.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.claims.lifecycle import claim_timeline_view
from rcm.codes import icd10_dotted
from rcm.coding.corrections import CORRECTION_SOURCE
from rcm.coding.rulefiles import RuleDef
from rcm.coding.worklist import person_name
from rcm.domain import Encounter, Provider
from rcm.remits.reasons import adjustment_words
from rcm.store import (
    SUBMITTED_STATUSES,
    Adjustment,
    AuditLog,
    ClaimLineRecord,
    ClaimPayment,
    ClaimRecord,
    EncounterVersion,
    FindingOverride,
    Patient,
    Payer,
    Remittance,
    ScrubFinding,
)

__all__ = ["AuditEntry", "ClaimPage", "FindingView", "LineView", "TimelineEvent", "load_claim_page"]

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class FindingView:
    rule_id: str
    severity: str
    category: str
    message: str
    fix_hint: str
    field: str | None
    line_id: str | None
    overridable: bool


@dataclass(frozen=True, slots=True)
class LineView:
    """A service line as the fix form edits it (the encounter version's values) and what was paid on it."""

    line_id: str
    number: int
    code: str
    modifiers: str
    units: str
    charge: Decimal
    pointers: str
    place_of_service: str  # the line's own; empty = the claim's
    date_of_service: str
    paid: Decimal
    balance: Decimal


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    at: datetime
    kind: str
    title: str
    detail: str = ""
    actor: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor: str
    action: str
    reason: str
    changes: list[dict[str, str]]
    detail: dict[str, Any]


@dataclass(slots=True)
class ClaimPage:
    claim: ClaimRecord
    version: EncounterVersion
    encounter: Encounter
    patient_name: str
    patient_birth_date: str
    member_id: str
    payer_name: str
    billing_provider: str
    rendering_provider: str
    diagnoses: list[str]  # dotted, in position order
    place_of_service: str
    lines: list[LineView]
    findings: list[FindingView]
    timeline: list[TimelineEvent] = field(default_factory=list)
    audit: list[AuditEntry] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        """Staff may fix a primary claim that has not been sent (a sent one is corrected by a replacement)."""
        return self.claim.status not in SUBMITTED_STATUSES and self.claim.coverage_priority == "primary"

    @property
    def finding_fields(self) -> set[str]:
        return {f.field for f in self.findings if f.field}


def _provider(p: Provider | None) -> str:
    if p is None:
        return ""
    return f"{person_name(p.first_name, p.last_name, p.name)} (NPI {p.npi})"


def _source_words(version: EncounterVersion) -> str:
    if version.source_file.startswith(CORRECTION_SOURCE):
        return version.source_file
    row = f", record {version.source_row}" if version.source_row is not None else ""
    return f"received in {PurePath(version.source_file).name}{row}"


def _overridable(finding: ScrubFinding, rules: dict[str, RuleDef]) -> bool:
    rule = rules.get(finding.rule_id)
    return rule.is_overridable if rule is not None else finding.severity != "error"


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _versions(session: Session, claim: ClaimRecord) -> list[TimelineEvent]:
    versions = session.scalars(
        select(EncounterVersion).where(EncounterVersion.encounter_id == claim.encounter_id).order_by(
            EncounterVersion.version
        )
    )
    return [
        TimelineEvent(v.ingested_at, "version", f"encounter version {v.version}", _source_words(v))
        for v in versions
    ]


def _scrub_runs(session: Session, claim: ClaimRecord) -> list[TimelineEvent]:
    runs: dict[int | None, list[ScrubFinding]] = defaultdict(list)
    for f in session.scalars(select(ScrubFinding).where(ScrubFinding.claim_id == claim.id).order_by(ScrubFinding.id)):
        runs[f.run_id].append(f)
    events = []
    for run_id, findings in runs.items():
        listed = "; ".join(
            f"{f.rule_id} ({f.severity}{', line ' + f.line_id if f.line_id else ''})" for f in findings
        )
        title = f"scrub run {run_id}" if run_id is not None else "scrub findings"
        events.append(
            TimelineEvent(min(f.created_at for f in findings), "scrub", f"{title}: {len(findings)} finding(s)", listed)
        )
    return events


def _overrides(session: Session, claim: ClaimRecord) -> list[TimelineEvent]:
    rows = session.scalars(
        select(FindingOverride).where(FindingOverride.claim_id == claim.id).order_by(FindingOverride.id)
    )
    return [
        TimelineEvent(
            o.at, "override", f"override of {o.rule_id}" + (f" on line {o.line_id}" if o.line_id else ""),
            o.reason, o.actor,
        )
        for o in rows
    ]


def _payments(session: Session, claim: ClaimRecord) -> list[TimelineEvent]:
    rows = session.execute(
        select(ClaimPayment, Remittance)
        .join(Remittance, Remittance.id == ClaimPayment.remittance_id)
        .where(ClaimPayment.claim_id == claim.id)
        .order_by(Remittance.posted_at, ClaimPayment.id)
    ).all()
    if not rows:
        return []
    adjustments: dict[int, list[Adjustment]] = defaultdict(list)
    for adj in session.scalars(
        select(Adjustment).where(Adjustment.claim_payment_id.in_([p.id for p, _ in rows])).order_by(Adjustment.id)
    ):
        adjustments[adj.claim_payment_id].append(adj)
    events = []
    for payment, remittance in rows:
        cas = "; ".join(f"{adjustment_words(a.group_code, a.reason_code)} {_money(a.amount)}"
                        for a in adjustments[payment.id])
        events.append(
            TimelineEvent(
                remittance.posted_at,
                "payment",
                f"835 trace {remittance.trace_number}: claim status {payment.status_code}, charge "
                f"{_money(payment.charge)}, paid {_money(payment.paid)}, "
                f"patient {_money(payment.patient_responsibility)}",
                cas,
            )
        )
    return events


def _status_history(session: Session, claim: ClaimRecord) -> list[TimelineEvent]:
    view = claim_timeline_view(session, claim.claim_number)
    events = [
        TimelineEvent(
            datetime.fromisoformat(s["at"]),
            "submission",
            f"submission {s['number']} (frequency {s['frequency']})",
            f"in {s['file']}" if s["file"] else "",
        )
        for s in view["submissions"]
    ]
    for step in view["timeline"]:
        source = step["source"] + (f", {step['file']}" if step["file"] else "")
        events.append(
            TimelineEvent(
                datetime.fromisoformat(step["at"]),
                "status",
                f"{step['from'] or 'new'} → {step['to']}",
                f"{step['cause']} [{source}]",
                step["actor"],
            )
        )
    return events


def _audit(session: Session, claim: ClaimRecord) -> list[AuditEntry]:
    rows = session.scalars(
        select(AuditLog)
        .where(AuditLog.entity_type == "claim", AuditLog.entity_id == claim.claim_number)
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )
    entries = []
    for row in rows:
        detail = row.detail if isinstance(row.detail, dict) else {}
        changes = [c for c in detail.get("changes", []) if isinstance(c, dict)]
        entries.append(AuditEntry(row.at, row.actor, row.action, str(detail.get("reason", "")), changes, detail))
    return entries


def load_claim_page(session: Session, claim_id: int, rules: dict[str, RuleDef]) -> ClaimPage | None:
    """Everything the claim page shows for the claim with internal id ``claim_id`` (None when there is none)."""
    claim = session.get(ClaimRecord, claim_id)
    if claim is None:
        return None
    version = session.get(EncounterVersion, claim.encounter_version_id)
    if version is None:  # pragma: no cover - a foreign key
        return None
    encounter = Encounter.model_validate(version.payload)
    patient = session.get(Patient, version.patient_id)
    payer = session.scalars(select(Payer).where(Payer.payer_id == claim.payer_id)).first()
    coverage = next((c for c in encounter.coverage if c.payer_id == claim.payer_id), encounter.primary_coverage)
    stored_lines = {
        ln.line_id: ln
        for ln in session.scalars(select(ClaimLineRecord).where(ClaimLineRecord.claim_id == claim.id))
    }
    lines = []
    for number, line in enumerate(encounter.lines, start=1):
        stored = stored_lines.get(line.line_id)
        lines.append(
            LineView(
                line_id=line.line_id,
                number=number,
                code=line.code,
                modifiers=",".join(line.modifiers),
                units=f"{line.units.normalize():f}",
                charge=line.charge,
                pointers=",".join(str(p) for p in line.diagnosis_pointers),
                place_of_service=line.place_of_service or "",
                date_of_service=(line.date_of_service or encounter.date_of_service).isoformat(),
                paid=stored.paid if stored else Decimal("0.00"),
                balance=stored.balance if stored else line.charge,
            )
        )
    findings = [
        FindingView(f.rule_id, f.severity, f.category, f.message, f.fix_hint or "", f.field, f.line_id,
                    _overridable(f, rules))
        for f in session.scalars(
            select(ScrubFinding)
            .where(ScrubFinding.claim_id == claim.id, ScrubFinding.encounter_version_id == claim.encounter_version_id)
            .where(ScrubFinding.active.is_(True))
            .order_by(ScrubFinding.id)
        )
    ]
    findings.sort(key=lambda f: (_SEVERITY_ORDER.get(f.severity, 3), f.line_id or "", f.rule_id))
    timeline = [
        *_versions(session, claim),
        *_scrub_runs(session, claim),
        *_overrides(session, claim),
        *_status_history(session, claim),
        *_payments(session, claim),
    ]
    timeline.sort(key=lambda e: e.at)
    return ClaimPage(
        claim=claim,
        version=version,
        encounter=encounter,
        patient_name=person_name(patient.first_name, patient.last_name) if patient else "",
        patient_birth_date=patient.birth_date.isoformat() if patient and patient.birth_date else "",
        member_id=(coverage.member_id or "") if coverage else "",
        payer_name=payer.name if payer else claim.payer_id,
        billing_provider=_provider(encounter.billing_provider),
        rendering_provider=_provider(encounter.rendering_provider),
        diagnoses=[icd10_dotted(code) for code in encounter.diagnoses],
        place_of_service=encounter.place_of_service or "",
        lines=lines,
        findings=findings,
        timeline=timeline,
        audit=_audit(session, claim),
    )
