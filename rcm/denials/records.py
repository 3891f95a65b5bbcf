"""Claims as they were when they left, and what the payer later said: the two halves of the training data.

ClaimAtSubmission holds only facts the office had when it sent the claim; ClaimOutcome holds the posted
remittance result and the day it became known (outcomes are only ever used after that day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm.domain import Encounter
from rcm.payer_sim.history import SynthHistory, reason_group_for_carc

__all__ = ["ClaimAtSubmission", "ClaimOutcome", "LineAtSubmission", "from_synth_history", "lines_at_submission"]


@dataclass(frozen=True, slots=True)
class LineAtSubmission:
    line_id: str
    code: str
    modifiers: tuple[str, ...]
    units: Decimal
    charge: Decimal
    diagnosis_pointers: tuple[int, ...]
    date_of_service: date


@dataclass(slots=True)
class ClaimAtSubmission:
    claim_id: str  # the patient control number
    submitted_on: date
    date_of_service: date
    payer_id: str
    plan_type: str | None
    place_of_service: str | None
    rendering_npi: str | None
    specialty: str | None  # the rendering provider's taxonomy
    patient_key: str  # an internal id, used only to relate a patient's own claims
    patient_age: int | None
    sex: str
    diagnoses: tuple[str, ...]
    lines: tuple[LineAtSubmission, ...]
    prior_authorization: bool
    eligibility_status: str  # active / inactive / rejected / unknown / none
    eligibility_checked_on: date | None
    warnings: tuple[str, ...]  # scrubber warnings present (and overridden) when it was sent
    timely_filing_days: int | None
    encounter_version_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def total_charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    claim_id: str
    known_on: date  # the day the remittance was posted: before it, nobody knew
    denied: bool
    reason_group: str | None
    carcs: tuple[str, ...]
    denied_line_ids: frozenset[str]


def lines_at_submission(enc: Encounter) -> tuple[LineAtSubmission, ...]:
    """The encounter's service lines as the payer saw them (a line without a date takes the encounter's)."""
    return tuple(
        LineAtSubmission(
            line_id=ln.line_id,
            code=ln.code,
            modifiers=tuple(ln.modifiers),
            units=ln.units,
            charge=ln.charge,
            diagnosis_pointers=tuple(ln.diagnosis_pointers),
            date_of_service=ln.date_of_service or enc.date_of_service,
        )
        for ln in enc.lines
    )


def from_synth_history(
    history: SynthHistory, timely_filing_days: dict[str, int] | None = None
) -> tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]]:
    """Turn an in-memory synthetic history into claims-at-submission and outcomes."""
    limits = timely_filing_days
    if limits is None:
        from rcm.payer_sim.practice import load_payer_rules

        limits = {pid: r.timely_filing_days for pid, r in load_payer_rules().items()}
    claims: list[ClaimAtSubmission] = []
    for sub in history.claims:
        enc = sub.encounter
        cov = enc.primary_coverage
        rendering = enc.rendering_provider
        claims.append(
            ClaimAtSubmission(
                claim_id=sub.claim_id,
                submitted_on=sub.submitted_on,
                date_of_service=enc.date_of_service,
                payer_id=sub.payer_id,
                plan_type=cov.plan_type if cov else None,
                place_of_service=enc.place_of_service,
                rendering_npi=rendering.npi if rendering else None,
                specialty=rendering.taxonomy if rendering else None,
                patient_key=enc.patient.id,
                patient_age=enc.patient.age_on(enc.date_of_service),
                sex=enc.patient.sex,
                diagnoses=tuple(enc.diagnoses),
                lines=lines_at_submission(enc),
                prior_authorization=bool(enc.prior_authorization),
                eligibility_status=sub.eligibility_status,
                eligibility_checked_on=sub.eligibility_checked_on,
                warnings=tuple(sub.warnings),
                timely_filing_days=limits.get(sub.payer_id),
            )
        )
    outcomes: dict[str, ClaimOutcome] = {}
    for claim_id, adj in history.adjudications.items():
        groups = [reason_group_for_carc(c.carc) for c in adj.causes]
        outcomes[claim_id] = ClaimOutcome(
            claim_id=claim_id,
            known_on=adj.adjudicated_on,
            denied=adj.denied,
            reason_group=adj.reason_group or (groups[0] if groups else None),
            carcs=tuple(adj.carcs),
            denied_line_ids=frozenset(ln.line_id for ln in adj.lines if ln.denied),
        )
    return claims, outcomes
