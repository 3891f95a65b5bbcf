"""Hand-built 835 payments for posting tests (the shapes rcm.remits.reading produces)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from rcm.remits.remittance import CasAmount, PaidClaim, PaidService, PlbAmount, ReceivedRemittance

D = Decimal


def cas(group: str, reason: str, amount: str) -> CasAmount:
    return CasAmount(group, reason, D(amount))


def line(
    code: str, charge: str, paid: str, *adjustments: CasAmount, line_id: str | None = None,
    remarks: Sequence[str] = (), modifiers: Sequence[str] = (), when: date | None = date(2026, 10, 3),
) -> PaidService:
    return PaidService(
        code=code, charge=D(charge), paid=D(paid), modifiers=tuple(modifiers), line_id=line_id,
        adjustments=tuple(adjustments), remark_codes=tuple(remarks), service_date=when,
    )


def claim(
    number: str, status: str, charge: str, paid: str, patient: str = "0", *services: PaidService,
    adjustments: Sequence[CasAmount] = (), payer_claim: str | None = "PCN-1", remarks: Sequence[str] = (),
) -> PaidClaim:
    return PaidClaim(
        patient_control_number=number, status_code=status, charge=D(charge), paid=D(paid),
        patient_responsibility=D(patient), payer_claim_number=payer_claim, adjustments=tuple(adjustments),
        services=tuple(services), remark_codes=tuple(remarks),
    )


def payment(
    trace: str, *claims: PaidClaim, plb: Sequence[PlbAmount] = (), amount: str | None = None,
    payer: str = "1999999999",
) -> ReceivedRemittance:
    paid = sum((c.paid for c in claims), D("0")) - sum((p.amount for p in plb), D("0"))
    return ReceivedRemittance(
        control_number="0001", trace_number=trace, payer_key=payer,
        payment_amount=D(amount) if amount is not None else paid, payment_method="ACH",
        claims=tuple(claims), provider_adjustments=tuple(plb), payment_segment=4,
    )


def plb(reason: str, amount: str, reference: str | None = None) -> PlbAmount:
    return PlbAmount(provider_id="1234567893", reason_code=reason, amount=D(amount), reference=reference,
                     fiscal_period_date=date(2026, 12, 31), segment=30)
