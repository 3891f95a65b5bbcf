"""Queueing the next payer's claim: when the 835 says the claim was forwarded (CLP02 19/20/21), or the patient has
coverage after this payer and a balance remains. The claims stage builds the claim from the posted payments.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from rcm.remits.lookup import matching_any
from rcm.store.tables import ClaimStatus, CoverageRecord, SecondaryClaimQueue

__all__ = ["NEXT_PRIORITY", "claims_already_queued", "encounters_with_coverage", "queue_reason"]

NEXT_PRIORITY = {"primary": "secondary", "secondary": "tertiary"}


def encounters_with_coverage(session: Session | Connection, wanted: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which (encounter version, priority) pairs have a coverage on file."""
    pairs = set(wanted)
    found: set[tuple[int, str]] = set()
    for condition in matching_any(session, CoverageRecord.encounter_version_id, {v for v, _ in pairs}):
        query = select(CoverageRecord.encounter_version_id, CoverageRecord.priority).where(condition)
        found.update((row[0], row[1]) for row in session.execute(query) if (row[0], row[1]) in pairs)
    return found


def claims_already_queued(session: Session | Connection, claim_ids: Iterable[int]) -> set[int]:
    """Claims with a queued next-payer claim not built yet (so a second posting does not queue it twice)."""
    queued: set[int] = set()
    for condition in matching_any(session, SecondaryClaimQueue.claim_id, claim_ids):
        query = select(SecondaryClaimQueue.claim_id).where(condition, SecondaryClaimQueue.built.is_(False))
        queued.update(session.scalars(query))
    return queued


def queue_reason(
    *, status_code: str, status: ClaimStatus, balance: Decimal, next_priority: str | None, has_next_coverage: bool
) -> str | None:
    """Why this claim goes to the next payer, or None when it does not."""
    if status_code in {"19", "20", "21"}:
        return f"the payer processed the claim and forwarded it to another payer (CLP02 {status_code})"
    if next_priority and has_next_coverage and balance > 0 and status in {ClaimStatus.paid, ClaimStatus.partial}:
        return f"{next_priority} coverage on file and {balance} remains after this payer"
    return None
