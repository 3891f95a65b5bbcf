"""Scrubber reports for people: the run summary, and the worklist of open findings grouped by claim (HTML, CSV).

The same functions feed the CLI, Prefect artifacts and the web UI. Nothing here names a patient: claims are
shown by claim number (patient control number), payer, date of service and charge.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import jinja2
from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.coding.service import ScrubSummary
from rcm.store import ClaimRecord, EncounterVersion
from rcm.store import ScrubFinding as ScrubFindingRecord

__all__ = [
    "WorklistClaim",
    "WorklistItem",
    "load_worklist",
    "render_worklist_html",
    "summary_lines",
    "write_worklist_csv",
]

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
CSV_COLUMNS = (
    "claim",
    "encounter",
    "payer",
    "status",
    "date_of_service",
    "total_charge",
    "line",
    "severity",
    "category",
    "rule",
    "field",
    "message",
    "fix_hint",
)


@dataclass(frozen=True)
class WorklistItem:
    line_id: str | None
    severity: str
    category: str
    rule_id: str
    field: str | None
    message: str
    fix_hint: str


@dataclass
class WorklistClaim:
    claim_number: str
    encounter_id: str
    payer_id: str
    status: str
    date_of_service: date | None
    total_charge: Decimal
    hold_reason: str | None
    items: list[WorklistItem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for i in self.items if i.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.items if i.severity == "warning")


def load_worklist(session: Session) -> list[WorklistClaim]:
    """Every open (active) finding in the store, grouped by claim: claims with errors first, then by number."""
    rows = session.execute(
        select(ScrubFindingRecord, ClaimRecord, EncounterVersion.date_of_service)
        .join(ClaimRecord, ClaimRecord.id == ScrubFindingRecord.claim_id)
        .join(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
        .where(ScrubFindingRecord.active.is_(True))
        .where(ScrubFindingRecord.encounter_version_id == ClaimRecord.encounter_version_id)
        .order_by(ClaimRecord.claim_number, ScrubFindingRecord.id)
    )
    claims: dict[int, WorklistClaim] = {}
    for finding, claim, day in rows:
        entry = claims.get(claim.id)
        if entry is None:
            entry = claims[claim.id] = WorklistClaim(
                claim_number=claim.claim_number,
                encounter_id=claim.encounter_id,
                payer_id=claim.payer_id,
                status=claim.status.value,
                date_of_service=day,
                total_charge=claim.total_charge,
                hold_reason=claim.hold_reason,
            )
        entry.items.append(
            WorklistItem(
                line_id=finding.line_id,
                severity=finding.severity,
                category=finding.category,
                rule_id=finding.rule_id,
                field=finding.field,
                message=finding.message,
                fix_hint=finding.fix_hint or "",
            )
        )
    return _sorted(list(claims.values()))


def _sorted(claims: list[WorklistClaim]) -> list[WorklistClaim]:
    for claim in claims:
        claim.items.sort(key=lambda i: (_SEVERITY_ORDER.get(i.severity, 3), i.line_id or "", i.rule_id))
    return sorted(claims, key=lambda c: (c.errors == 0, c.claim_number))


def summary_lines(summary: ScrubSummary, *, top: int = 10) -> list[str]:
    """The run summary a biller reads: claims, clean, held, clean claim rate, the rules that fired most."""
    rate = summary.clean_claim_rate
    lines = [
        f"scrubbed {summary.claims} claim(s): {summary.clean} clean, {summary.held} held, {summary.ready} ready",
        f"clean claim rate: {rate:.1%}" if rate is not None else "clean claim rate: n/a (nothing to scrub)",
    ]
    ranked = summary.top_rules(top)
    if ranked:
        lines.append("top rules:")
        lines.extend(f"  {count:6d}  {rule}" for rule, count in ranked)
    lines.extend(f"note: {n}" for n in summary.notices)
    return lines


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("rcm.coding", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_worklist_html(claims: list[WorklistClaim], summary: ScrubSummary | None = None) -> str:
    """The worklist as one self-contained HTML page (claims with errors first, each finding with its fix)."""
    template = _environment().get_template("worklist.html.j2")
    return template.render(
        claims=claims,
        summary=summary,
        summary_lines=summary_lines(summary) if summary else [],
        top_rules=summary.top_rules() if summary else [],
        open_findings=sum(len(c.items) for c in claims),
    )


def write_worklist_csv(claims: list[WorklistClaim], path: Path) -> int:
    """One row per finding (claim columns repeated), in worklist order; returns the number of rows."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for claim in claims:
            for item in claim.items:
                writer.writerow(
                    (
                        claim.claim_number,
                        claim.encounter_id,
                        claim.payer_id,
                        claim.status,
                        claim.date_of_service.isoformat() if claim.date_of_service else "",
                        f"{claim.total_charge:.2f}",
                        item.line_id or "",
                        item.severity,
                        item.category,
                        item.rule_id,
                        item.field or "",
                        item.message,
                        item.fix_hint,
                    )
                )
                rows += 1
    return rows
