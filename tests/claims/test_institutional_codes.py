"""837I CL1 carries the encounter's UB-04 codes (admission type FL14, point of origin FL15, patient status FL17):
written as given, read back by the X12 model parser, and accepted by pyx12."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.elements import Segment
from rcm.claims.institutional import institutional_claim_segments
from rcm.domain import (
    Claim,
)
from rcm.x12.pyx12_oracle import pyx12_findings
from rcm.x12.reader import read_transactions

from .institutional_837i import institutional_claim, interchange_837i


def _claim(claim_id: str, **encounter: Any) -> Claim:
    return institutional_claim(claim_id, diagnoses=["I214", "E119"], extra_lines=1, **encounter)


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
