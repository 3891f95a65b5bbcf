"""The unmatched queue: claim payments no claim of ours was found for, and matched claims with unmatched lines."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rcm.store.tables import ClaimPayment

__all__ = ["unmatched_payments"]


def unmatched_payments(session: Session, *, limit: int | None = None) -> list[ClaimPayment]:
    """Oldest first: payments for an unknown patient control number, or whose lines did not all match.

    ``unmatched_reason`` says which; nothing a payer sent is dropped, it waits here for a biller.
    """
    query = (
        select(ClaimPayment)
        .where(or_(ClaimPayment.matched.is_(False), ClaimPayment.unmatched_reason.is_not(None)))
        .order_by(ClaimPayment.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
