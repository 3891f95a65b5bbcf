"""The claim data model in the billing office's words: who was seen, who pays, what was done, what it costs.

These pydantic models are the contract between stages: intake produces Encounters, the scrubber reads them,
the claim builders turn them into 837s. Shapes are enforced here (see rcm.codes); billing validity
(billable codes, known modifiers, pointers in range, positive charges) is the scrubber's job so that a
biller sees it as a finding instead of losing the record.
"""

from __future__ import annotations

import enum
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from rcm.codes import ICD10CM, Modifier, Money, NPIShape, PlaceOfService, ProcedureCode, icd10_dotted

__all__ = [
    "INPATIENT_FACILITY_TYPES",
    "Address",
    "Claim",
    "ClaimFrequency",
    "ClaimType",
    "Coverage",
    "CoveragePriority",
    "Diagnosis",
    "Encounter",
    "Patient",
    "Payer",
    "Provider",
    "Relationship",
    "ServiceLine",
    "Sex",
    "Subscriber",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=False, str_strip_whitespace=True)


class CoveragePriority(enum.StrEnum):
    primary = "primary"
    secondary = "secondary"
    tertiary = "tertiary"

    @property
    def sbr01(self) -> str:
        """The SBR01 payer responsibility code."""
        return {"primary": "P", "secondary": "S", "tertiary": "T"}[self.value]


class Relationship(enum.StrEnum):
    """Patient's relationship to the subscriber."""

    self_ = "self"
    spouse = "spouse"
    child = "child"
    other = "other"

    @property
    def x12_code(self) -> str:
        """Individual relationship code (SBR02 / PAT01): 18 self, 01 spouse, 19 child, G8 other."""
        return {"self": "18", "spouse": "01", "child": "19", "other": "G8"}[self.value]


Sex = Literal["F", "M", "U"]


class ClaimType(enum.StrEnum):
    professional = "professional"  # 837P
    institutional = "institutional"  # 837I


class ClaimFrequency(enum.StrEnum):
    original = "1"
    replacement = "7"
    void = "8"


class Address(_Model):
    line1: str
    line2: str | None = None
    city: str
    state: str = Field(min_length=2, max_length=2)
    zip: str = Field(pattern=r"^[0-9]{5}(-?[0-9]{4})?$")

    @field_validator("state")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class Patient(_Model):
    id: str = Field(min_length=1)
    first_name: str | None = None
    last_name: str | None = None
    middle_name: str | None = None
    birth_date: date | None = None
    sex: Sex = "U"
    address: Address | None = None
    deceased_date: date | None = None

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class Subscriber(_Model):
    """The insured person when the patient is a dependent."""

    first_name: str | None = None
    last_name: str | None = None
    birth_date: date | None = None
    sex: Sex = "U"
    address: Address | None = None


class Payer(_Model):
    payer_id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    plan_type: str | None = None  # e.g. MB medicare part B, MC medicaid, CI commercial (SBR09)


class Coverage(_Model):
    priority: CoveragePriority = CoveragePriority.primary
    payer_id: str = Field(min_length=1)
    payer_name: str | None = None
    plan_type: str | None = None
    member_id: str | None = None
    group_number: str | None = None
    relationship: Relationship = Relationship.self_
    subscriber: Subscriber | None = None
    start_date: date | None = None
    end_date: date | None = None

    @property
    def payer(self) -> Payer:
        return Payer(payer_id=self.payer_id, name=self.payer_name or self.payer_id, plan_type=self.plan_type)


class Provider(_Model):
    """A billing (organisation) or individual provider. ``name`` for organisations, first/last for people."""

    npi: NPIShape
    name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    taxonomy: str | None = Field(default=None, pattern=r"^[0-9A-Z]{9}X$")
    tax_id: str | None = None
    address: Address | None = None

    @property
    def is_organization(self) -> bool:
        return bool(self.name) and not (self.first_name or self.last_name)

    @field_validator("tax_id")
    @classmethod
    def _tax_id(cls, v: str | None) -> str | None:
        if v is None:
            return None
        digits = v.replace("-", "")
        if not (len(digits) == 9 and digits.isdigit()):
            raise ValueError("a tax id (EIN) is 9 digits")
        return digits


class Diagnosis(_Model):
    """An ICD-10-CM code in its position on the claim (1 = principal)."""

    code: ICD10CM
    position: int = Field(ge=1)

    @property
    def dotted(self) -> str:
        return icd10_dotted(self.code)


class ServiceLine(_Model):
    line_id: str = Field(min_length=1, max_length=50)
    code: ProcedureCode
    modifiers: list[Modifier] = Field(default_factory=list, max_length=4)
    units: Decimal = Decimal(1)
    charge: Money
    # Pointers are kept as given: one that points past the diagnoses is a scrubber finding (dx_pointer).
    diagnosis_pointers: list[int] = Field(default_factory=list)
    date_of_service: date | None = None
    date_of_service_end: date | None = None
    revenue_code: str | None = Field(default=None, pattern=r"^[0-9]{3,4}$")
    place_of_service: PlaceOfService | None = None
    ndc: str | None = None

    @field_validator("units", mode="before")
    @classmethod
    def _units(cls, v: object) -> object:
        if isinstance(v, float):
            v = repr(v)
        return v

    @field_validator("units")
    @classmethod
    def _units_positive(cls, v: Decimal) -> Decimal:
        if not v.is_finite() or v < 0:
            raise ValueError("units must be a non-negative number")
        return v

    @model_validator(mode="after")
    def _dates(self) -> ServiceLine:
        if self.date_of_service and self.date_of_service_end and self.date_of_service_end < self.date_of_service:
            raise ValueError("the service end date is before its start date")
        return self


# Type-of-bill facility types (first two digits) billed as inpatient stays: hospital inpatient (11, 12), swing bed
# (18), skilled nursing inpatient (21), religious nonmedical hospital (41), intermediate care (65, 66) and
# residential facility (86).
INPATIENT_FACILITY_TYPES = frozenset({"11", "12", "18", "21", "41", "65", "66", "86"})


class Encounter(_Model):
    """One visit as the EMR exported it: the unit intake accepts, versions, and turns into a claim."""

    encounter_id: str = Field(min_length=1, max_length=38)
    date_of_service: date
    place_of_service: PlaceOfService | None = None
    claim_type: ClaimType = ClaimType.professional
    patient: Patient
    coverage: list[Coverage] = Field(default_factory=list)
    billing_provider: Provider | None = None
    # Where the payer should send payment when it is not the billing provider's address (837 loop 2010AB).
    pay_to_address: Address | None = None
    rendering_provider: Provider | None = None
    referring_provider: Provider | None = None
    prior_authorization: str | None = None
    diagnoses: list[ICD10CM] = Field(default_factory=list, max_length=12)
    lines: Annotated[list[ServiceLine], Field(min_length=1)]
    frequency_code: ClaimFrequency = ClaimFrequency.original
    payer_claim_number: str | None = None  # REF*F8 for replacements and voids
    # Institutional (837I) extras
    type_of_bill: str | None = Field(default=None, pattern=r"^[0-9]{3,4}$")
    admission_date: date | None = None
    discharge_date: date | None = None
    # UB-04 FL13 admission hour and FL16 discharge hour, to the minute (837I DTP*435 DT, DTP*096 TM): the time
    # of day as the source recorded it, with no time zone (a UB-04 carries the facility's clock).
    admission_time: time | None = None
    discharge_time: time | None = None
    attending_provider: Provider | None = None
    # UB-04 form locators 14, 15 and 17 (837I CL101, CL102, CL103), NUBC codes. Only their shape is checked
    # here; intake refuses a code NUBC does not list (rules/codesets/nubc_institutional_codes.yaml) and the
    # scrubber reports a claim that needs one and lacks it.
    admission_type: str | None = Field(default=None, pattern=r"^[0-9]$")  # priority (type) of admission or visit
    point_of_origin: str | None = Field(default=None, pattern=r"^[0-9A-Z]$")  # for admission or visit
    patient_status: str | None = Field(default=None, pattern=r"^[0-9]{2}$")  # discharge status, as of the through date

    @field_validator("admission_type", "point_of_origin", "patient_status", mode="before")
    @classmethod
    def _nubc_code(cls, v: object, info: ValidationInfo) -> object:
        # Exports write these as numbers (1, 30) and spreadsheets drop the leading zero of 01; codes are text.
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if isinstance(v, str):
            v = v.strip().upper()
            if info.field_name == "patient_status" and len(v) == 1 and v.isdigit():
                v = "0" + v
        return v

    @field_validator("admission_time", "discharge_time")
    @classmethod
    def _wall_clock(cls, v: time | None) -> time | None:
        # An hour and minute of the facility's clock: seconds are not billed, a zone offset is not ours to apply.
        return v.replace(second=0, microsecond=0, tzinfo=None) if v is not None else None

    @field_validator("diagnoses", mode="before")
    @classmethod
    def _dx_list(cls, v: object) -> object:
        # Accept ["J02.0", ...] or [{"code": "J02.0"}, ...]
        if isinstance(v, list):
            return [d.get("code") if isinstance(d, dict) else d for d in v]
        return v

    @model_validator(mode="after")
    def _line_dates(self) -> Encounter:
        for line in self.lines:
            if line.date_of_service is None:
                line.date_of_service = self.date_of_service
        return self

    @property
    def diagnosis_list(self) -> list[Diagnosis]:
        return [Diagnosis(code=c, position=i) for i, c in enumerate(self.diagnoses, start=1)]

    @property
    def primary_coverage(self) -> Coverage | None:
        for c in self.coverage:
            if c.priority is CoveragePriority.primary:
                return c
        return self.coverage[0] if self.coverage else None

    @property
    def total_charge(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0.00"))

    @property
    def last_date_of_service(self) -> date:
        return max(
            [self.date_of_service]
            + [d for line in self.lines for d in (line.date_of_service, line.date_of_service_end) if d]
        )

    @property
    def facility_type(self) -> str | None:
        """The type of bill's facility type and care type (0111 or 111 -> 11; CLM05-1), or None without one."""
        tob = self.type_of_bill
        if not tob:
            return None
        return (tob[1:] if len(tob) == 4 else tob)[:2]

    @property
    def is_inpatient(self) -> bool:
        """An inpatient stay: an inpatient type of bill, or an admission date (837I DTP*435 and CL1 rules)."""
        return self.facility_type in INPATIENT_FACILITY_TYPES or self.admission_date is not None

    @property
    def statement_period(self) -> tuple[date, date]:
        """The statement covers period (UB-04 FL6, 837I DTP*434): the first service date to the discharge date
        or the last service date, whichever is later."""
        start = min([self.date_of_service] + [ln.date_of_service for ln in self.lines if ln.date_of_service])
        return start, max(self.discharge_date or self.date_of_service, self.last_date_of_service)


class Claim(_Model):
    """A bill to one payer for one encounter version: what the 837 builder and the scrubber work on."""

    claim_id: str = Field(min_length=1, max_length=38)  # patient control number (CLM01)
    encounter: Encounter
    payer: Payer
    coverage: Coverage
    other_coverage: list[Coverage] = Field(default_factory=list)
    frequency_code: ClaimFrequency = ClaimFrequency.original
    payer_claim_number: str | None = None

    @property
    def claim_type(self) -> ClaimType:
        return self.encounter.claim_type

    @property
    def lines(self) -> list[ServiceLine]:
        return self.encounter.lines

    @property
    def total_charge(self) -> Decimal:
        return self.encounter.total_charge

    @model_validator(mode="after")
    def _frequency(self) -> Claim:
        if self.frequency_code is not ClaimFrequency.original and not self.payer_claim_number:
            raise ValueError("a replacement or void needs the payer's claim number (REF*F8)")
        return self
