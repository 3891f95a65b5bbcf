"""A claim's life as a biller reads it: where it is now, every status change with time, cause and source file,
and the claims sitting in a status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.errors import InputError
from rcm.store import repositories
from rcm.store.tables import ClaimRecord, ClaimStatus, ClaimSubmission, X12FileRecord

__all__ = ["claim_summary", "claim_timeline_view", "claims_in_status", "parse_status"]


def parse_status(value: str) -> ClaimStatus:
    try:
        return ClaimStatus(value.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in ClaimStatus)
        raise InputError(f"unknown claim status {value!r}; one of: {known}") from None


def claim_summary(claim: ClaimRecord) -> dict[str, Any]:
    return {
        "claim": claim.claim_number,
        "encounter": claim.encounter_id,
        "payer": claim.payer_id,
        "priority": claim.coverage_priority,
        "type": claim.claim_type,
        "frequency": claim.frequency_code,
        "status": claim.status.value,
        "status_changed_at": claim.status_changed_at.isoformat(),
        "charge": f"{claim.total_charge:.2f}",
        "paid": f"{claim.paid_amount:.2f}",
        "balance": f"{claim.balance:.2f}",
        "hold_reason": claim.hold_reason,
    }


def claim_timeline_view(session: Session, claim_number: str) -> dict[str, Any]:
    """The claim, its submissions and every status change (oldest first), with the file each came from."""
    claim = repositories.find_claim(session, claim_number)
    if claim is None:
        raise InputError(f"no claim {claim_number}")
    files: dict[int, X12FileRecord] = {}

    def file_name(file_id: int | None) -> str | None:
        if file_id is None:
            return None
        if file_id not in files:
            record = session.get(X12FileRecord, file_id)
            if record is None:
                return None
            files[file_id] = record
        return files[file_id].name

    submissions = session.scalars(
        select(ClaimSubmission).where(ClaimSubmission.claim_id == claim.id).order_by(ClaimSubmission.submission_number)
    ).all()
    return {
        **claim_summary(claim),
        "submissions": [
            {"number": s.submission_number, "at": s.submitted_at.isoformat(), "file": file_name(s.file_id),
             "frequency": s.frequency_code}
            for s in submissions
        ],
        "timeline": [
            {"at": c.at.isoformat(), "from": c.from_status.value if c.from_status else None, "to": c.to_status.value,
             "cause": c.cause, "source": c.source_kind, "file": file_name(c.source_file_id), "actor": c.actor}
            for c in repositories.claim_timeline(session, claim_number)
        ],
    }


def claims_in_status(session: Session, status: ClaimStatus) -> list[dict[str, Any]]:
    return [claim_summary(c) for c in repositories.claims_with_status(session, [status])]
