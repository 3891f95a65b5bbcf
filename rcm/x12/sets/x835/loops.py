"""835 loop models: a claim paid (2100) with its service lines (2110), and provider adjustments (PLB)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm.x12._speed import fast_constructor
from rcm.x12.sets.common import Amount, DateValue, Party, Quantity, Reference, amount_of
from rcm.x12.sets.x835.segments import Adjustment, PlbAdjustment, Procedure, Remark

__all__ = ["ClaimPayment", "ProviderAdjustment", "ServicePayment"]

_ZERO = Decimal("0.00")


def _date(dates: list[DateValue], *qualifiers: str) -> date | None:
    for d in dates:
        if d.qualifier in qualifiers:
            return d.value
    return None


def _ref(refs: list[Reference], qualifier: str) -> str | None:
    for r in refs:
        if r.qualifier == qualifier:
            return r.value
    return None


@fast_constructor
@dataclass(slots=True)
class ServicePayment:
    """Loop 2110: one service line as adjudicated.  Balances when charge − Σ adjustments = paid."""

    procedure: Procedure
    charge: Decimal
    paid: Decimal
    revenue_code: str
    units: Decimal | None
    original_procedure: Procedure | None
    original_units: Decimal | None
    segment: int
    dates: list[DateValue] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)

    @property
    def line_item_control_number(self) -> str | None:
        """REF*6R: the line id the 837 sent."""
        return _ref(self.references, "6R")

    @property
    def allowed(self) -> Decimal | None:
        """AMT*B6 allowed amount."""
        return amount_of(self.amounts, "B6")

    @property
    def service_date(self) -> date | None:
        return _date(self.dates, "472", "150")

    @property
    def service_end_date(self) -> date | None:
        return _date(self.dates, "151", "472")

    @property
    def adjustment_total(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), _ZERO)

    @property
    def balanced(self) -> bool:
        return self.charge - self.adjustment_total == self.paid


@fast_constructor
@dataclass(slots=True)
class ClaimPayment:
    """Loop 2100: one claim as adjudicated (CLP01..CLP14), its adjustments, parties, dates and lines.

    Balances when charge − Σ claim CAS − Σ line CAS = paid.
    """

    patient_control_number: str
    status: str
    charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal | None
    filing_indicator: str
    payer_claim_control_number: str
    facility_type: str
    frequency: str
    drg_code: str
    drg_weight: Decimal | None
    discharge_fraction: Decimal | None
    segment: int
    header_number: str = ""
    adjustments: list[Adjustment] = field(default_factory=list)
    patient: Party | None = None
    insured: Party | None = None
    corrected_patient: Party | None = None
    rendering_provider: Party | None = None
    crossover_carrier: Party | None = None
    corrected_priority_payer: Party | None = None
    other_subscriber: Party | None = None
    inpatient: list[str] | None = None
    outpatient: list[str] | None = None
    references: list[Reference] = field(default_factory=list)
    dates: list[DateValue] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    services: list[ServicePayment] = field(default_factory=list)

    @property
    def statement_start(self) -> date | None:
        return _date(self.dates, "232")

    @property
    def statement_end(self) -> date | None:
        return _date(self.dates, "233")

    @property
    def received_date(self) -> date | None:
        return _date(self.dates, "050")

    @property
    def is_reversal(self) -> bool:
        return self.status == "22"

    @property
    def is_denied(self) -> bool:
        return self.status == "4"

    @property
    def adjustment_total(self) -> Decimal:
        """Σ claim-level CAS amounts."""
        return sum((a.amount for a in self.adjustments), _ZERO)

    @property
    def line_adjustment_total(self) -> Decimal:
        """Σ line-level CAS amounts."""
        return sum((a.amount for s in self.services for a in s.adjustments), _ZERO)

    @property
    def balanced(self) -> bool:
        return self.charge - self.adjustment_total - self.line_adjustment_total == self.paid


@fast_constructor
@dataclass(slots=True)
class ProviderAdjustment:
    """PLB: provider identifier, fiscal period date, and its (reason, reference, amount) adjustments."""

    provider_id: str
    fiscal_date: date | None
    adjustments: list[PlbAdjustment]
    segment: int
