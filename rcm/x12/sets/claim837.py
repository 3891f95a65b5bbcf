"""The 837 claim model shared by the professional (X222), institutional (X223) and dental (X224) guides:
a ``ClaimBatch`` of ``SubmittedClaim``s, each with its billing provider, subscriber, patient, other payers
(2320/2330) and service lines (2400 with 2430 line adjudication); ``parse837`` builds it from the loop tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm.x12._speed import fast_constructor
from rcm.x12.sets.common import (
    ZERO,
    Amount,
    DateValue,
    Party,
    Quantity,
    Reference,
    amount_of,
    money,
    number,
)
from rcm.x12.sets.x835.segments import Adjustment, Procedure
from rcm.x12.tokenizer import Segment

__all__ = [
    "BillingProvider",
    "ClaimBatch",
    "CodeEntry",
    "DrugIdentification",
    "LineAdjudication",
    "OtherPayer",
    "Patient",
    "ServiceLine",
    "SubmittedClaim",
    "Subscriber",
    "code_entries_of",
]

# HI qualifiers that carry diagnoses (ICD-10 ABK principal/ABF other/ABJ admitting/APR reason/ABN external
# cause, and their ICD-9 BK/BF/BJ/PR/BN ancestors).
DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "ABJ", "APR", "ABN", "BK", "BF", "BJ", "PR", "BN"})
PRINCIPAL_DIAGNOSIS = frozenset({"ABK", "BK"})


@fast_constructor
@dataclass(slots=True)
class CodeEntry:
    """One HI composite: code list qualifier, code, optional date (format, value) and amount/quantity."""

    qualifier: str
    code: str
    date_format: str
    date_value: str
    amount: Decimal | None
    quantity: Decimal | None
    present_on_admission: str
    segment: int


def code_entries_of(s: Segment) -> list[CodeEntry]:
    out: list[CodeEntry] = []
    comp = s.delimiters.component
    number_ = s.number
    for value in s.elements:
        if not value:
            continue
        p = value.split(comp)
        n = len(p)
        if n == 2:
            out.append(CodeEntry(p[0], p[1], "", "", None, None, "", number_))
            continue
        if n < 9:
            p += [""] * (9 - n)
        out.append(CodeEntry(p[0], p[1], p[2], p[3], money(p[4]), number(p[5]), p[8], number_))
    return out


@fast_constructor
@dataclass(slots=True)
class DrugIdentification:
    """Loop 2410: LIN (product id qualifier N4 and NDC), CTP (quantity and unit), REF (prescription)."""

    id_qualifier: str
    ndc: str
    quantity: Decimal | None
    unit: str
    prescription_number: str
    segment: int


@fast_constructor
@dataclass(slots=True)
class LineAdjudication:
    """Loop 2430 (secondary claims): how a prior payer paid this line."""

    payer_id: str
    paid: Decimal
    procedure: Procedure | None
    revenue_code: str
    units: Decimal | None
    bundled_line_number: str
    adjustments: list[Adjustment] = field(default_factory=list)
    adjudication_date: date | None = None
    remaining_patient_liability: Decimal | None = None
    segment: int = 0


@fast_constructor
@dataclass(slots=True)
class ServiceLine:
    """Loop 2400: one billed line (SV1 professional, SV2 institutional, SV3 dental)."""

    number: str
    procedure: Procedure | None
    charge: Decimal
    unit_basis: str
    units: Decimal | None
    place_of_service: str
    diagnosis_pointers: list[int]
    revenue_code: str
    non_covered_charge: Decimal | None
    segment: int
    dates: list[DateValue] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    notes: list[str] = field(default_factory=list, repr=False)
    drug: DrugIdentification | None = None
    providers: dict[str, Party] = field(default_factory=dict, repr=False)
    adjudications: list[LineAdjudication] = field(default_factory=list)
    emergency: str = ""
    oral_cavity: list[str] = field(default_factory=list)
    teeth: list[list[str]] = field(default_factory=list)

    @property
    def line_item_control_number(self) -> str | None:
        """REF*6R: the line id the 835 echoes back."""
        for r in self.references:
            if r.qualifier == "6R":
                return r.value
        return None

    @property
    def service_date(self) -> date | None:
        for d in self.dates:
            if d.qualifier == "472":
                return d.value
        return None

    @property
    def service_end_date(self) -> date | None:
        for d in self.dates:
            if d.qualifier == "472":
                return d.end
        return None

    @property
    def rendering_provider(self) -> Party | None:
        return self.providers.get("82")


@fast_constructor
@dataclass(slots=True)
class OtherPayer:
    """Loop 2320 with 2330A/B: another coverage of the patient and what that payer did (COB)."""

    responsibility: str
    relationship: str
    group_number: str
    group_name: str
    insurance_type: str
    filing_indicator: str
    benefits_assignment: str
    release_of_information: str
    segment: int
    adjustments: list[Adjustment] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    subscriber: Party | None = field(default=None, repr=False)
    payer: Party | None = None
    adjudication_date: date | None = None
    parties: dict[str, Party] = field(default_factory=dict, repr=False)

    @property
    def paid(self) -> Decimal | None:
        """AMT*D: what this payer paid on the claim."""
        return amount_of(self.amounts, "D")


@fast_constructor
@dataclass(slots=True)
class BillingProvider:
    """Loop 2000A/2010AA-AC: the billing provider (NPI, tax id, address), taxonomy, pay-to address/plan."""

    hl_id: str
    party: Party | None
    taxonomy: str
    currency: str
    segment: int
    pay_to: Party | None = None
    pay_to_plan: Party | None = None


@fast_constructor
@dataclass(slots=True)
class Subscriber:
    """Loop 2000B/2010BA/2010BB: the insured person, the coverage (SBR) and the payer."""

    hl_id: str
    responsibility: str
    relationship: str
    group_number: str
    group_name: str
    insurance_type: str
    filing_indicator: str
    segment: int
    person: Party | None = field(default=None, repr=False)
    birth_date: date | None = field(default=None, repr=False)
    gender: str = field(default="", repr=False)
    payer: Party | None = None
    is_patient: bool = True


@fast_constructor
@dataclass(slots=True)
class Patient:
    """Loop 2000C/2010CA: the patient when not the subscriber."""

    hl_id: str
    relationship: str
    segment: int
    person: Party | None = field(default=None, repr=False)
    birth_date: date | None = field(default=None, repr=False)
    gender: str = field(default="", repr=False)


@fast_constructor
@dataclass(slots=True)
class SubmittedClaim:
    """Loop 2300: one claim as billed (CLM), its codes, dates, references, providers, other payers, lines."""

    patient_control_number: str
    charge: Decimal
    facility_code: str
    facility_qualifier: str
    frequency: str
    provider_signature: str
    assignment: str
    benefits_assigned: str
    release_of_information: str
    related_causes: list[str]
    special_program: str
    delay_reason: str
    segment: int
    billing_provider: BillingProvider | None = None
    subscriber: Subscriber | None = None
    patient: Patient | None = None
    codes: list[CodeEntry] = field(default_factory=list)
    dates: list[DateValue] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    notes: list[str] = field(default_factory=list, repr=False)
    providers: dict[str, Party] = field(default_factory=dict, repr=False)
    other_payers: list[OtherPayer] = field(default_factory=list)
    lines: list[ServiceLine] = field(default_factory=list)
    institutional: list[str] | None = None

    @property
    def place_of_service(self) -> str:
        """CLM05-1 for professional claims (the facility code for institutional ones)."""
        return self.facility_code

    @property
    def type_of_bill(self) -> str:
        """837I: facility type code + frequency (CLM05-1 + CLM05-3)."""
        return self.facility_code + self.frequency

    @property
    def diagnoses(self) -> list[CodeEntry]:
        """Diagnosis codes in order, the principal first."""
        return [c for c in self.codes if c.qualifier in DIAGNOSIS_QUALIFIERS]

    @property
    def principal_diagnosis(self) -> str | None:
        for c in self.codes:
            if c.qualifier in PRINCIPAL_DIAGNOSIS:
                return c.code
        return None

    @property
    def payer_claim_control_number(self) -> str | None:
        """REF*F8: the payer's number of the claim this one replaces or voids."""
        return self.reference("F8")

    @property
    def prior_authorization(self) -> str | None:
        return self.reference("G1")

    @property
    def line_total(self) -> Decimal:
        """Σ line charges (CLM02 must equal it)."""
        return sum((ln.charge for ln in self.lines), ZERO)

    def reference(self, qualifier: str) -> str | None:
        for r in self.references:
            if r.qualifier == qualifier:
                return r.value
        return None


@fast_constructor
@dataclass(slots=True)
class ClaimBatch:
    """One 837 transaction: BHT, submitter and receiver, and every claim with its context."""

    kind: str
    control_number: str
    version: str
    purpose: str
    reference: str
    created: date | None
    created_time: str
    transaction_type: str
    segment: int
    submitter: Party | None = None
    receiver: Party | None = None
    billing_providers: list[BillingProvider] = field(default_factory=list)
    claims: list[SubmittedClaim] = field(default_factory=list)

    @property
    def charges(self) -> Decimal:
        """Σ CLM02."""
        return sum((c.charge for c in self.claims), ZERO)
