"""837I CL1 carries the encounter's UB-04 codes (admission type FL14, point of origin FL15, patient status FL17):
written as given, read back by the X12 model parser, and accepted by pyx12."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.elements import Segment
from rcm.claims.institutional import institutional_claim_segments
from rcm.codes import npi_with_check_digit
from rcm.domain import (
    Address,
    Claim,
    ClaimType,
    Coverage,
    Encounter,
    Patient,
    Provider,
    ServiceLine,
)
from rcm.x12.pyx12_oracle import pyx12_findings
from rcm.x12.reader import read_transactions

from .institutional_837i import interchange_837i

ADDRESS = Address(line1="1 Harbor Way", city="Salem", state="MA", zip="01970-1234")


def _claim(claim_id: str, **encounter: Any) -> Claim:
    coverage = Coverage(payer_id="MCR01", payer_name="Medicare Part A", plan_type="MA", member_id="1EG4TE5MK72")
    enc = Encounter(
        encounter_id=claim_id, date_of_service=date(2026, 3, 1), claim_type=ClaimType.institutional,
        place_of_service="21",
        patient=Patient(id=f"P-{claim_id}", first_name="Ann", last_name="Example", birth_date=date(1950, 2, 3),
                        sex="F", address=ADDRESS),
        coverage=[coverage],
        billing_provider=Provider(npi=npi_with_check_digit("112345670"), name="Harbor Hospital", tax_id="041234567",
                                  address=ADDRESS),
        attending_provider=Provider(npi=npi_with_check_digit("123456780"), first_name="Ada", last_name="Attending"),
        diagnoses=["I214", "E119"],
        lines=[ServiceLine(line_id=f"{claim_id}-1", code="99223", charge=Decimal("2400.00"), revenue_code="0120"),
               ServiceLine(line_id=f"{claim_id}-2", code="80053", charge=Decimal("85.00"), revenue_code="0300")],
        **encounter,
    )  # fmt: skip
    return Claim(claim_id=claim_id, encounter=enc, payer=coverage.payer, coverage=coverage)


INPATIENT = {"type_of_bill": "0111", "admission_date": date(2026, 3, 1), "discharge_date": date(2026, 3, 4)}
# A heart attack admitted through the emergency department from another hospital, transferred to a SNF.
REAL = {"admission_type": "1", "point_of_origin": "4", "patient_status": "03"}


def _cl1(claim: Claim) -> Segment:
    (cl1,) = [s for s in institutional_claim_segments(claim) if s[0] == "CL1"]
    return cl1


@pytest.mark.parametrize(
    ("encounter", "expected"),
    [
        ({**INPATIENT, **REAL}, ["CL1", "1", "4", "03"]),
        ({**INPATIENT, "admission_type": "4", "point_of_origin": "6", "patient_status": "01"}, ["CL1", "4", "6", "01"]),
        ({**INPATIENT, "admission_type": "5", "point_of_origin": "1", "patient_status": "20"}, ["CL1", "5", "1", "20"]),
        ({**INPATIENT, "discharge_date": None, "admission_type": "3", "point_of_origin": "2", "patient_status": "30"},
         ["CL1", "3", "2", "30"]),
        # Outpatient: FL14/FL15 when known, the status always.
        ({"type_of_bill": "131", "patient_status": "20"}, ["CL1", "", "", "20"]),
        ({"type_of_bill": "131", "admission_type": "1", "point_of_origin": "1", "patient_status": "09"},
         ["CL1", "1", "1", "09"]),
    ],
)  # fmt: skip
def test_cl1_carries_the_encounters_codes(encounter: dict[str, Any], expected: Segment) -> None:
    assert _cl1(_claim("C1", **encounter)) == expected


def test_without_codes_the_claim_still_builds_but_says_information_not_available() -> None:
    """Only reached when the scrubber's errors were bypassed: 9 is NUBC's 'information not available', never an
    invented admission; CL103 has no such code, so the status falls back to what the dates say."""
    assert _cl1(_claim("C2", **INPATIENT)) == ["CL1", "9", "9", "01"]
    assert _cl1(_claim("C3", **{**INPATIENT, "discharge_date": None})) == ["CL1", "9", "9", "30"]
    assert _cl1(_claim("C4", type_of_bill="131")) == ["CL1", "", "", "01"]


def _interchange(clearinghouse: Clearinghouse, claims: list[Claim]) -> bytes:
    return interchange_837i(clearinghouse, claims, reference="INST1", control_number=41)


def test_real_codes_round_trip_through_the_837i_and_pass_pyx12(clearinghouse: Clearinghouse) -> None:
    claims = [
        _claim("INP1", **INPATIENT, **REAL),
        _claim("INP2", **INPATIENT, admission_type="4", point_of_origin="5", patient_status="06"),
        _claim("INP3", **{**INPATIENT, "discharge_date": None}, admission_type="2", point_of_origin="D",
               patient_status="30"),
        _claim("OUT1", type_of_bill="131", patient_status="20"),
        _claim("OUT2", type_of_bill="0131", admission_type="1", point_of_origin="G", patient_status="01"),
    ]  # fmt: skip
    data = _interchange(clearinghouse, claims)
    read = {c.patient_control_number: c.institutional for tx in read_transactions(data) for c in tx.model.claims}
    assert read == {
        "INP1": ["1", "4", "03"],
        "INP2": ["4", "5", "06"],
        "INP3": ["2", "D", "30"],
        "OUT1": ["", "", "20"],
        "OUT2": ["1", "G", "01"],
    }
    report = pyx12_findings(data)
    assert report.mapped and report.failed is None
    assert [f"{f.segment}:{f.code}:{f.message}" for f in report.findings] == []
