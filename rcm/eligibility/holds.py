"""Eligibility into the pipeline: a claim whose coverage came back inactive or rejected is held with what to do
(in words); a later active answer releases the holds eligibility placed, so the claim is scrubbed again."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from rcm.eligibility.interpretation import ACTIVE, INACTIVE, REJECTED, MemberAnswer
from rcm.store.repositories.claims import claims_for_encounter, set_claim_status
from rcm.store.tables.claims import SUBMITTED_STATUSES, ClaimRecord, ClaimStatus

__all__ = ["HOLD_PREFIX", "HoldChanges", "apply_answer_to_claims", "hold_cause"]

# Every hold eligibility places starts with this; only those are released by a later active answer.
HOLD_PREFIX = "eligibility: "


@dataclass(slots=True)
class HoldChanges:
    """Claim numbers held and released by one answer."""

    held: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)


def hold_cause(answer: MemberAnswer, payer_id: str) -> str | None:
    """The hold reason for an inactive or rejected answer (None for the others); codes and words, no PHI."""
    if answer.status == INACTIVE:
        ended = answer.eligibility_end or answer.plan_end
        when = f" (coverage ended {ended.isoformat()})" if ended else ""
        return (f"{HOLD_PREFIX}payer {payer_id} reports the coverage inactive{when}: ask the patient for current "
                "insurance, update registration and verify again, or bill the patient")
    if answer.status == REJECTED:
        first = answer.rejections[0] if answer.rejections else None
        if first is None:
            return f"{HOLD_PREFIX}payer {payer_id} rejected the inquiry: verify eligibility again"
        return f"{HOLD_PREFIX}payer {payer_id} rejected the inquiry (AAA {first.reason}, {first.reason_words}): " \
               f"{first.what_to_do}"
    return None


def _open(claim: ClaimRecord) -> bool:
    return claim.status not in SUBMITTED_STATUSES and claim.status is not ClaimStatus.closed


def apply_answer_to_claims(
    session: Session, *, encounter_id: str, payer_id: str, answer: MemberAnswer, file_id: int | None
) -> HoldChanges:
    """Hold the encounter's unsent claims to ``payer_id`` on an inactive/rejected answer; release eligibility
    holds on an active one (back to ``ingested``: the scrubber looks at them again)."""
    changes = HoldChanges()
    claims = [c for c in claims_for_encounter(session, encounter_id) if c.payer_id == payer_id and _open(c)]
    cause = hold_cause(answer, payer_id)
    if cause is not None:
        for claim in claims:
            if claim.status is ClaimStatus.held and (claim.hold_reason or "") == cause:
                continue
            if claim.status is ClaimStatus.held and not (claim.hold_reason or "").startswith(HOLD_PREFIX):
                continue  # someone else's hold: keep its reason; the snapshot still tells the scrubber
            set_claim_status(session, claim, ClaimStatus.held, cause=cause, source_kind="eligibility",
                             source_file_id=file_id)
            changes.held.append(claim.claim_number)
    elif answer.status == ACTIVE:
        for claim in claims:
            if claim.status is ClaimStatus.held and (claim.hold_reason or "").startswith(HOLD_PREFIX):
                set_claim_status(session, claim, ClaimStatus.ingested, source_kind="eligibility",
                                 source_file_id=file_id, cause=f"payer {payer_id} reports the coverage active")
                changes.released.append(claim.claim_number)
    return changes

