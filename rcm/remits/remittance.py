"""An 835 payment as posting sees it: the payment, its claims and lines with their adjustments, and PLB.

These are read-only views built from the X12 core's typed 835 model (rcm.x12.sets.x835) by rcm.remits.reading;
every item keeps the segment number it came from so an imbalance or a bad match can be located in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm.x12.findings import Finding

__all__ = [
    "PATIENT_RESPONSIBILITY",
    "ZERO",
    "CasAmount",
    "PaidClaim",
    "PaidService",
    "PlbAmount",
    "ReceivedRemittance",
]

ZERO = Decimal("0.00")
PATIENT_RESPONSIBILITY = "PR"

# CLP02 claim status codes (X221A1).
REVERSAL = "22"
DENIED = "4"
NOT_OUR_CLAIM = "23"
FORWARDED = frozenset({"19", "20", "21"})


@dataclass(slots=True)
class CasAmount:
    """One CAS reason/amount/quantity triple with its group (CO, PR, OA, PI; CR in 4010 files)."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None
    segment: int | None = None

    @property
    def label(self) -> str:
        """``CO-45`` as a biller says it."""
        return f"{self.group}-{self.reason}"

    @property
    def is_patient_responsibility(self) -> bool:
        return self.group == PATIENT_RESPONSIBILITY


@dataclass(slots=True)
class PaidService:
    """One 2110 service payment loop."""

    code: str
    charge: Decimal
    paid: Decimal
    qualifier: str = "HC"
    modifiers: tuple[str, ...] = ()
    allowed: Decimal | None = None
    units: Decimal | None = None
    revenue_code: str | None = None
    # SVC06: the procedure as billed, when the payer adjudicated a different one.
    billed_code: str | None = None
    billed_modifiers: tuple[str, ...] = ()
    service_date: date | None = None
    service_date_end: date | None = None
    line_id: str | None = None  # REF*6R, the 837 line id echoed back
    adjustments: tuple[CasAmount, ...] = ()
    remark_codes: tuple[str, ...] = ()  # LQ*HE
    segment: int | None = None

    @property
    def adjusted(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), ZERO)

    @property
    def as_billed(self) -> tuple[str, tuple[str, ...]]:
        """The procedure and modifiers we sent (SVC06 when present, else SVC01)."""
        if self.billed_code:
            return self.billed_code, self.billed_modifiers
        return self.code, self.modifiers


@dataclass(slots=True)
class PaidClaim:
    """One 2100 claim payment loop (CLP) with its lines."""

    patient_control_number: str
    status_code: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal = ZERO
    payer_claim_number: str | None = None
    filing_indicator: str | None = None
    service_date: date | None = None  # DTM*232 (statement from) or DTM*050
    adjustments: tuple[CasAmount, ...] = ()
    remark_codes: tuple[str, ...] = ()  # MOA / MIA remark codes
    services: tuple[PaidService, ...] = ()
    segment: int | None = None

    @property
    def is_reversal(self) -> bool:
        return self.status_code == REVERSAL

    @property
    def is_denied(self) -> bool:
        return self.status_code == DENIED

    @property
    def is_not_payers(self) -> bool:
        """CLP02 23: the payer says the claim is not its to pay (and forwarded it, when it knows to whom)."""
        return self.status_code == NOT_OUR_CLAIM

    @property
    def is_forwarded(self) -> bool:
        return self.status_code in FORWARDED

    @property
    def claim_adjusted(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), ZERO)

    @property
    def adjusted(self) -> Decimal:
        """Σ CAS amounts, claim level and line level."""
        return self.claim_adjusted + sum((s.adjusted for s in self.services), ZERO)

    def all_adjustments(self) -> list[CasAmount]:
        return [*self.adjustments, *(a for s in self.services for a in s.adjustments)]

    @property
    def written_off(self) -> Decimal:
        """Adjustments that are not the patient's to pay (CO, OA, PI...): they close part of the balance."""
        return sum((a.amount for a in self.all_adjustments() if not a.is_patient_responsibility), ZERO)


@dataclass(slots=True)
class PlbAmount:
    """One PLB adjustment (a reason/reference/amount pair of a PLB segment); positive reduces the payment."""

    provider_id: str
    reason_code: str
    amount: Decimal
    reference: str | None = None
    fiscal_period_date: date | None = None
    segment: int | None = None


@dataclass(slots=True)
class ReceivedRemittance:
    """One 835 transaction set: one payment (BPR/TRN) and what it pays."""

    control_number: str  # ST02
    trace_number: str  # TRN02
    payer_key: str  # TRN03, else the payer's id
    payment_amount: Decimal  # BPR02
    payment_method: str | None = None  # BPR04
    credit_debit: str = "C"  # BPR03
    handling_code: str | None = None  # BPR01: I payment + advice, H advice only, ...
    payment_date: date | None = None  # BPR16
    payer_name: str | None = None
    payee_id: str | None = None
    claims: tuple[PaidClaim, ...] = ()
    provider_adjustments: tuple[PlbAmount, ...] = ()
    segment: int | None = None  # ST
    payment_segment: int | None = None  # BPR
    # What the X12 core found while reading this transaction (structure, counts), kept for the report.
    findings: tuple[Finding, ...] = field(default=(), compare=False)

    @property
    def paid(self) -> Decimal:
        return sum((c.paid for c in self.claims), ZERO)

    @property
    def adjusted(self) -> Decimal:
        return sum((c.adjusted for c in self.claims), ZERO)

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((c.patient_responsibility for c in self.claims), ZERO)

    @property
    def plb(self) -> Decimal:
        return sum((p.amount for p in self.provider_adjustments), ZERO)

    @property
    def signed_payment(self) -> Decimal:
        """BPR02 as money to the provider: a debit (BPR03 = D) is money taken back."""
        return -self.payment_amount if self.credit_debit == "D" else self.payment_amount
