"""Which encounters to verify: every current encounter's coverage whose claim has not left yet, unless the payer
answered within the window or we already asked within it (a "try again later" answer asks again, and so does a
rejection followed by corrected registration: a newer encounter version)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.domain import Coverage, Encounter
from rcm.store.tables.claims import SUBMITTED_STATUSES, ClaimRecord, ClaimStatus
from rcm.store.tables.eligibility import CoverageSnapshot, EligibilityInquiry
from rcm.store.tables.encounters import EncounterVersion

__all__ = ["ToVerify", "encounters_to_verify"]

_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ToVerify:
    """One coverage of one encounter to ask about."""

    encounter: Encounter
    coverage: Coverage
    patient_id: int  # store id of the patient
    registered_at: datetime  # when this encounter version arrived (a correction after a rejection asks again)


def _latest_snapshots(session: Session, patient_ids: list[int]) -> dict[tuple[int, str], CoverageSnapshot]:
    latest: dict[tuple[int, str], CoverageSnapshot] = {}
    for start in range(0, len(patient_ids), _CHUNK):
        rows = session.scalars(
            select(CoverageSnapshot).where(CoverageSnapshot.patient_id.in_(patient_ids[start:start + _CHUNK]))
        )
        for snap in rows:
            assert snap.patient_id is not None
            key = (snap.patient_id, snap.payer_id)
            have = latest.get(key)
            if have is None or (snap.as_of, snap.received_at, snap.id) > (have.as_of, have.received_at, have.id):
                latest[key] = snap
    return latest


def _recent_inquiries(session: Session, encounter_ids: list[str], since: datetime
                      ) -> dict[tuple[str, str], EligibilityInquiry]:
    found: dict[tuple[str, str], EligibilityInquiry] = {}
    for start in range(0, len(encounter_ids), _CHUNK):
        rows = session.scalars(
            select(EligibilityInquiry)
            .where(EligibilityInquiry.encounter_id.in_(encounter_ids[start:start + _CHUNK]))
            .where(EligibilityInquiry.sent_at >= since)
            .order_by(EligibilityInquiry.sent_at, EligibilityInquiry.id)
        )
        for inquiry in rows:
            assert inquiry.encounter_id is not None
            found[(inquiry.encounter_id, inquiry.payer_id)] = inquiry  # the latest wins
    return found


def _answered_retry_later(session: Session, inquiry_ids: list[int]) -> set[int]:
    """Inquiries whose (latest) answer said to try again later."""
    retry: set[int] = set()
    for start in range(0, len(inquiry_ids), _CHUNK):
        rows = session.execute(
            select(CoverageSnapshot.inquiry_id, CoverageSnapshot.retry, CoverageSnapshot.id)
            .where(CoverageSnapshot.inquiry_id.in_(inquiry_ids[start:start + _CHUNK]))
            .order_by(CoverageSnapshot.id)
        )
        latest: dict[int, bool] = {}
        for inquiry_id, again, _ in rows:
            latest[inquiry_id] = bool(again)
        retry.update(i for i, again in latest.items() if again)
    return retry


def _claims_sent(session: Session, encounter_ids: list[str]) -> set[tuple[str, str]]:
    """(encounter, payer) pairs whose claim has already left (or is closed): no point verifying them now."""
    sent: set[tuple[str, str]] = set()
    gone = [*SUBMITTED_STATUSES, ClaimStatus.closed]
    for start in range(0, len(encounter_ids), _CHUNK):
        rows = session.execute(
            select(ClaimRecord.encounter_id, ClaimRecord.payer_id)
            .where(ClaimRecord.encounter_id.in_(encounter_ids[start:start + _CHUNK]))
            .where(ClaimRecord.status.in_(gone))
        )
        sent.update((e, p) for e, p in rows)
    return sent


def encounters_to_verify(
    session: Session, *, now: datetime, max_age_days: int
) -> tuple[list[ToVerify], int]:
    """(coverages to ask about, number skipped because verified, asked or already billed within the window)."""
    since = now - timedelta(days=max_age_days)
    oldest_answer: date = since.date()
    versions = list(session.scalars(
        select(EncounterVersion).where(EncounterVersion.is_current).order_by(EncounterVersion.id)
    ))
    candidates: list[ToVerify] = []
    for version in versions:
        encounter = Encounter.model_validate(version.payload)
        for coverage in encounter.coverage:
            candidates.append(ToVerify(encounter, coverage, version.patient_id, version.ingested_at))
    if not candidates:
        return [], 0
    encounter_ids = sorted({c.encounter.encounter_id for c in candidates})
    snapshots = _latest_snapshots(session, sorted({c.patient_id for c in candidates}))
    inquiries = _recent_inquiries(session, encounter_ids, since)
    retry_later = _answered_retry_later(session, [i.id for i in inquiries.values()])
    sent = _claims_sent(session, encounter_ids)
    chosen: list[ToVerify] = []
    skipped = 0
    asked_now: set[tuple[str, str]] = set()
    for c in candidates:
        key = (c.encounter.encounter_id, c.coverage.payer_id)
        if key in asked_now:
            continue  # the same payer listed twice on one encounter
        snap = snapshots.get((c.patient_id, c.coverage.payer_id))
        corrected = snap is not None and snap.status == "rejected" and c.registered_at > snap.received_at
        fresh_answer = snap is not None and snap.as_of >= oldest_answer and not snap.retry and not corrected
        inquiry = inquiries.get(key)
        asked = inquiry is not None and inquiry.id not in retry_later and not corrected
        if fresh_answer or asked or key in sent:
            skipped += 1
            continue
        asked_now.add(key)
        chosen.append(c)
    return chosen, skipped
