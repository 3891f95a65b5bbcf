"""The per-claim loader the set-based one in rcm.denials.store_source replaced (about five queries per claim),
kept verbatim as the reference: the new loader must return exactly what this one returns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.denials.records import ClaimAtSubmission, ClaimOutcome, lines_at_submission
from rcm.domain import Encounter
from rcm.payer_sim.history import REASON_GROUPS, reason_group_for_carc
from rcm.store import (
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    ClaimSubmission,
    CoverageSnapshot,
    DenialRecord,
    EncounterVersion,
    FindingOverride,
    Payer,
    Remittance,
    ScrubFinding,
)

__all__ = ["claim_at_submission", "load_pending_from_store", "load_training_from_store"]

_NOT_DENIED_CODES = {"22"}  # a reversal is not an adjudication of its own


def _day(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date()


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def claim_at_submission(session: Session, claim: ClaimRecord, sent_at: datetime) -> ClaimAtSubmission:
    """What the office knew about ``claim`` at ``sent_at`` (a real submission, or now for a pending claim)."""
    version = session.get(EncounterVersion, claim.encounter_version_id)
    if version is None:  # a foreign key makes this impossible; say where if it happens anyway
        raise LookupError(f"claim {claim.claim_number}: encounter version {claim.encounter_version_id} is missing")
    enc = Encounter.model_validate(version.payload)
    payer = session.scalar(select(Payer).where(Payer.payer_id == claim.payer_id))
    coverage = next((c for c in enc.coverage if c.payer_id == claim.payer_id), enc.primary_coverage)
    snapshot = session.scalars(
        select(CoverageSnapshot)
        .where(CoverageSnapshot.patient_id == version.patient_id, CoverageSnapshot.payer_id == claim.payer_id,
               CoverageSnapshot.received_at <= sent_at)
        .order_by(CoverageSnapshot.received_at.desc(), CoverageSnapshot.id.desc())
        .limit(1)
    ).first()
    warned = session.scalars(
        select(ScrubFinding.rule_id).where(ScrubFinding.claim_id == claim.id, ScrubFinding.severity == "warning",
                                           ScrubFinding.created_at <= sent_at)
    ).all()
    overridden = session.scalars(
        select(FindingOverride.rule_id).where(FindingOverride.claim_id == claim.id, FindingOverride.at <= sent_at)
    ).all()
    rendering = enc.rendering_provider
    return ClaimAtSubmission(
        claim_id=claim.claim_number,
        submitted_on=_day(sent_at),
        date_of_service=enc.date_of_service,
        payer_id=claim.payer_id,
        plan_type=(payer.plan_type if payer else None) or (coverage.plan_type if coverage else None),
        place_of_service=enc.place_of_service,
        rendering_npi=rendering.npi if rendering else None,
        specialty=rendering.taxonomy if rendering else None,
        patient_key=str(version.patient_id),
        patient_age=enc.patient.age_on(enc.date_of_service),
        sex=enc.patient.sex,
        diagnoses=tuple(enc.diagnoses),
        lines=lines_at_submission(enc),
        prior_authorization=bool(enc.prior_authorization),
        eligibility_status=snapshot.status if snapshot else "none",
        eligibility_checked_on=snapshot.as_of if snapshot else None,
        warnings=tuple(sorted(set(warned) | set(overridden))),
        timely_filing_days=payer.timely_filing_days if payer else None,
        encounter_version_id=version.id,
    )


def _outcomes(session: Session, claims: dict[int, str]) -> dict[str, ClaimOutcome]:
    rows = session.execute(
        select(ClaimPayment, Remittance.posted_at)
        .join(Remittance, ClaimPayment.remittance_id == Remittance.id)
        .where(ClaimPayment.claim_id.in_(list(claims)), ClaimPayment.status_code.notin_(_NOT_DENIED_CODES))
        .order_by(Remittance.posted_at, ClaimPayment.id)
    ).all()
    first: dict[int, tuple[ClaimPayment, datetime]] = {}
    for payment, posted_at in rows:
        if payment.claim_id is not None and payment.claim_id not in first:
            first[payment.claim_id] = (payment, posted_at)
    denials: dict[int, list[DenialRecord]] = defaultdict(list)
    payment_ids = [p.id for p, _ in first.values()]
    if payment_ids:
        for d in session.scalars(select(DenialRecord).where(DenialRecord.claim_payment_id.in_(payment_ids))):
            denials[d.claim_payment_id].append(d)
    out: dict[str, ClaimOutcome] = {}
    for claim_id, (payment, posted_at) in first.items():
        found = denials.get(payment.id, [])
        denied = payment.status_code == "4" or bool(found)
        groups = {reason_group_for_carc(d.reason_code) for d in found}
        group = next((g for g in REASON_GROUPS if g in groups), "other" if denied else None)
        whole = any(d.line_id is None for d in found) or (payment.status_code == "4" and not found)
        number = claims[claim_id]
        out[number] = ClaimOutcome(
            claim_id=number,
            known_on=_day(posted_at),
            denied=denied,
            reason_group=group,
            carcs=tuple(sorted({d.reason_code for d in found})),
            denied_line_ids=frozenset({"*"} if whole else {d.line_id for d in found if d.line_id}),
        )
    return out


def load_training_from_store(session: Session) -> tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]]:
    """Every submitted claim as at its first submission, and the outcomes posted for them so far."""
    first_sent: dict[int, datetime] = {}
    for sub in session.scalars(select(ClaimSubmission).order_by(ClaimSubmission.submitted_at, ClaimSubmission.id)):
        first_sent.setdefault(sub.claim_id, _aware(sub.submitted_at))
    claims: list[ClaimAtSubmission] = []
    numbers: dict[int, str] = {}
    for record in session.scalars(select(ClaimRecord).where(ClaimRecord.id.in_(list(first_sent)))):
        at_submission = claim_at_submission(session, record, first_sent[record.id])
        claims.append(at_submission)
        numbers[record.id] = record.claim_number
    outcomes = _outcomes(session, numbers)
    for number, outcome in list(outcomes.items()):
        if "*" in outcome.denied_line_ids:  # a whole-claim denial: every line of that claim
            lines = next(c.lines for c in claims if c.claim_id == number)
            outcomes[number] = ClaimOutcome(
                outcome.claim_id, outcome.known_on, outcome.denied, outcome.reason_group, outcome.carcs,
                frozenset(ln.line_id for ln in lines),
            )
    claims.sort(key=lambda c: (c.submitted_on, c.claim_id))
    return claims, outcomes


def load_pending_from_store(
    session: Session,
    *,
    statuses: Iterable[ClaimStatus] = (ClaimStatus.scrubbed, ClaimStatus.ready),
    now: datetime | None = None,
) -> list[tuple[ClaimRecord, ClaimAtSubmission]]:
    """Claims about to be sent, each as it would be if sent ``now``."""
    at = now or datetime.now(UTC)
    records = session.scalars(
        select(ClaimRecord).where(ClaimRecord.status.in_(list(statuses))).order_by(ClaimRecord.id)
    ).all()
    return [(r, claim_at_submission(session, r, at)) for r in records]
