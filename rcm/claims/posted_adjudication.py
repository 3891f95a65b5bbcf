"""The store-level COB hand-off: an earlier payer's posted 835 (ClaimPayment / ServicePayment / Adjustment rows)
read back as the PrimaryAdjudication a secondary or tertiary 837 is built from."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.claims.coordination import AdjudicatedAdjustment, AdjudicatedLine, PrimaryAdjudication
from rcm.claims.errors import ClaimBuildError
from rcm.store.tables import (
    Adjustment,
    ClaimLineRecord,
    ClaimPayment,
    ClaimRecord,
    Payer,
    Remittance,
    ServicePayment,
)

__all__ = ["earlier_claims", "posted_adjudication", "prior_adjudications"]

_ORDER = {"primary": 0, "secondary": 1, "tertiary": 2}
# CLP02 codes that mean the payer processed the claim (paid, partly paid, or applied to deductible).
_PROCESSED = frozenset({"1", "2", "3", "19", "20", "21"})


def earlier_claims(session: Session, claim: ClaimRecord) -> list[ClaimRecord]:
    """The claims for the same encounter billed to payers ahead of this one, primary first."""
    rank = _ORDER.get(claim.coverage_priority, 0)
    rows = session.scalars(select(ClaimRecord).where(ClaimRecord.encounter_id == claim.encounter_id)).all()
    earlier = [c for c in rows if c.id != claim.id and _ORDER.get(c.coverage_priority, 0) < rank]
    return sorted(earlier, key=lambda c: _ORDER.get(c.coverage_priority, 0))


def _adjustments(rows: list[Adjustment]) -> tuple[AdjudicatedAdjustment, ...]:
    return tuple(AdjudicatedAdjustment(a.group_code, a.reason_code, a.amount, a.quantity) for a in rows)


def posted_adjudication(session: Session, earlier: ClaimRecord, *, for_claim: str) -> PrimaryAdjudication:
    """The latest standing (not reversed) processed payment of ``earlier``, with claim- and line-level CAS."""
    payments = session.scalars(
        select(ClaimPayment).where(ClaimPayment.claim_id == earlier.id).order_by(ClaimPayment.id)
    ).all()
    reversed_ids = {p.reverses_id for p in payments if p.reverses_id is not None}
    standing = [p for p in payments if p.status_code in _PROCESSED and p.id not in reversed_ids]
    if not standing:
        raise ClaimBuildError(for_claim, "adjudication",
                              f"no posted adjudication from payer {earlier.payer_id} for claim {earlier.claim_number}")
    payment = standing[-1]
    remittance = session.get(Remittance, payment.remittance_id)
    paid_date = (remittance.payment_date if remittance and remittance.payment_date
                 else (remittance.posted_at.date() if remittance else None))
    if paid_date is None:  # pragma: no cover - a ClaimPayment always has its remittance
        raise ClaimBuildError(for_claim, "adjudication", "the earlier payment has no date")
    adjustments = session.scalars(
        select(Adjustment).where(Adjustment.claim_payment_id == payment.id).order_by(Adjustment.id)
    ).all()
    services = session.scalars(
        select(ServicePayment).where(ServicePayment.claim_payment_id == payment.id).order_by(ServicePayment.id)
    ).all()
    line_ids: dict[int, str] = {
        row.id: row.line_id
        for row in session.scalars(select(ClaimLineRecord).where(ClaimLineRecord.claim_id == earlier.id))
    }
    lines: list[AdjudicatedLine] = []
    for service in services:
        line_id = line_ids.get(service.claim_line_id) if service.claim_line_id is not None else service.line_id
        if not line_id:
            raise ClaimBuildError(for_claim, "adjudication.lines",
                                  f"a service paid by {earlier.payer_id} is not matched to one of our lines")
        lines.append(AdjudicatedLine(
            line_id=line_id,
            paid=service.paid,
            adjustments=_adjustments([a for a in adjustments if a.service_payment_id == service.id]),
            allowed=service.allowed,
            paid_units=service.units,
            paid_date=paid_date,
        ))
    payer = session.scalars(select(Payer).where(Payer.payer_id == earlier.payer_id)).first()
    return PrimaryAdjudication(
        payer_id=earlier.payer_id,
        payer_name=payer.name if payer else earlier.payer_id,
        paid_date=paid_date,
        paid=payment.paid,
        patient_responsibility=payment.patient_responsibility or Decimal("0.00"),
        payer_claim_number=payment.payer_claim_number,
        claim_adjustments=_adjustments([a for a in adjustments if a.service_payment_id is None]),
        lines=tuple(lines),
    )


def prior_adjudications(session: Session, claim: ClaimRecord) -> tuple[PrimaryAdjudication, ...]:
    """Every earlier payer's adjudication for a secondary/tertiary claim (empty for a primary claim)."""
    return tuple(posted_adjudication(session, e, for_claim=claim.claim_number) for e in earlier_claims(session, claim))
