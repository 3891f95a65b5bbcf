"""The 835 health care claim payment/advice (005010X221A1): its loop description and the ``Remittance`` model."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm.x12._speed import fast_constructor
from rcm.x12.engine import LoopSpec, seg
from rcm.x12.sets.common import Party, Reference
from rcm.x12.sets.x835.loops import ClaimPayment, ProviderAdjustment
from rcm.x12.sets.x835.segments import Payment, Trace

__all__ = ["SPEC", "Remittance"]

_SERVICE = LoopSpec(
    "2110", "service payment information",
    (
        seg("SVC", "service payment information", "R"),
        seg("DTM", "service date", "S", 2, q=(1, ["150", "151", "472"])),
        seg("CAS", "service adjustment", "S", 99),
        seg("REF", "service identification", "S", 8, q=(1, ["1S", "APC", "BB", "E9", "G1", "G3", "LU", "RB", "6R", "1B",
                                                            "0K", "0B", "1A", "1C", "1D", "1G", "1H", "1J", "D3",
                                                            "G2", "HPI", "SY", "TJ"])),
        seg("AMT", "service supplemental amount", "S", 9),
        seg("QTY", "service supplemental quantity", "S", 6),
        seg("LQ", "health care remark codes", "S", 99),
    ),
    usage="S", max_repeat=999,
)

_CLAIM = LoopSpec(
    "2100", "claim payment information",
    (
        seg("CLP", "claim payment information", "R"),
        seg("CAS", "claim adjustment", "S", 99),
        seg("NM1", "patient name", "R", q=(1, ["QC"])),
        seg("NM1", "insured name", "S", q=(1, ["IL"])),
        seg("NM1", "corrected patient/insured name", "S", q=(1, ["74"])),
        seg("NM1", "service provider name", "S", q=(1, ["82"])),
        seg("NM1", "crossover carrier name", "S", q=(1, ["TT"])),
        seg("NM1", "corrected priority payer name", "S", q=(1, ["PR"])),
        seg("NM1", "other subscriber name", "S", q=(1, ["GB"])),
        seg("MIA", "inpatient adjudication information", "S"),
        seg("MOA", "outpatient adjudication information", "S"),
        seg("REF", "other claim related identification", "S", 15),
        seg("DTM", "claim dates", "S", 4, q=(1, ["232", "233", "036", "037", "050"])),
        seg("PER", "claim contact information", "S", 2),
        seg("AMT", "claim supplemental information", "S", 13),
        seg("QTY", "claim supplemental information quantity", "S", 14),
    ),
    usage="R", max_repeat=None, children=(_SERVICE,),
)

_HEADER_NUMBER = LoopSpec(
    "2000", "header number",
    (
        seg("LX", "header number", "R"),
        seg("TS3", "provider summary information", "S"),
        seg("TS2", "provider supplemental summary information", "S"),
    ),
    usage="S", max_repeat=None, children=(_CLAIM,),
)

_PAYER = LoopSpec(
    "1000A", "payer identification",
    (
        seg("N1", "payer identification", "R", q=(1, ["PR"])),
        seg("N3", "payer address", "R"),
        seg("N4", "payer city, state, zip code", "R"),
        seg("REF", "additional payer identification", "S", 4),
        seg("PER", "payer contact information", "S", 3),
    ),
    usage="R",
)

_PAYEE = LoopSpec(
    "1000B", "payee identification",
    (
        seg("N1", "payee identification", "R", q=(1, ["PE"])),
        seg("N3", "payee address", "S"),
        seg("N4", "payee city, state, zip code", "S"),
        seg("REF", "payee additional identification", "S", None),
        seg("RDM", "remittance delivery method", "S"),
    ),
    usage="R",
)

SPEC = LoopSpec(
    "ST", "835 health care claim payment/advice",
    (
        seg("ST", "transaction set header", "R"),
        seg("BPR", "financial information", "R"),
        seg("NTE", "note", "S", None),
        seg("TRN", "reassociation trace number", "R"),
        seg("CUR", "foreign currency information", "S"),
        seg("REF", "receiver / version identification", "S", 2, q=(1, ["EV", "F2"])),
        seg("DTM", "production date", "S", q=(1, ["405"])),
    ),
    usage="R",
    children=(_PAYER, _PAYEE, _HEADER_NUMBER),
    trailer=(
        seg("PLB", "provider adjustment", "S", None),
        seg("SE", "transaction set trailer", "R"),
    ),
)


@fast_constructor
@dataclass(slots=True)
class Remittance:
    """One 835: the payment (BPR), its trace (TRN), payer and payee, claims paid, provider adjustments."""

    control_number: str
    version: str
    payment: Payment | None
    trace: Trace | None
    payer: Party | None
    payee: Party | None
    production_date: date | None
    currency: str
    references: list[Reference] = field(default_factory=list)
    claims: list[ClaimPayment] = field(default_factory=list)
    provider_adjustments: list[ProviderAdjustment] = field(default_factory=list)
    segment: int = 0

    @property
    def paid_amount(self) -> Decimal:
        """BPR02, the amount actually paid (zero when the BPR is missing)."""
        return self.payment.amount if self.payment else Decimal("0.00")

    @property
    def trace_number(self) -> str:
        return self.trace.number if self.trace else ""

    @property
    def claims_paid(self) -> Decimal:
        """Σ CLP04."""
        return sum((c.paid for c in self.claims), Decimal("0.00"))

    @property
    def provider_adjustment_total(self) -> Decimal:
        """Σ PLB amounts (positive reduces the payment)."""
        return sum((a.amount for p in self.provider_adjustments for a in p.adjustments), Decimal("0.00"))
