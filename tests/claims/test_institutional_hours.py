"""837I 2300 admission and discharge hours (DTP*435, DTP*096; 005010X223A2).

The guide orders the 2300 dates DTP*096 (discharge hour, TM HHMM: final inpatient bills only), DTP*434
(statement dates), DTP*435 (admission date/hour, DT CCYYMMDDHHMM on inpatient claims) and DTP*050. A time of
day the encounter does not carry is never invented: the admission goes as a date (D8), no DTP*096, and the
scrubber tells the biller (INST-ADMISSION-HOUR-MISSING, INST-DISCHARGE-HOUR-MISSING, info).
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.elements import Segment
from rcm.claims.institutional import institutional_claim_segments
from rcm.domain import Claim
from rcm.x12.pyx12_oracle import pyx12_findings
from rcm.x12.reader import read_file

from .institutional_837i import institutional_claim, interchange_837i

STAY = {"admission_date": date(2026, 3, 1), "discharge_date": date(2026, 3, 4), "admission_type": "1",
        "point_of_origin": "1", "patient_status": "01"}  # fmt: skip
HOURS = {"admission_time": time(7, 5), "discharge_time": time(14, 30)}


def _claim(claim_id: str, **encounter: Any) -> Claim:
    return institutional_claim(claim_id, diagnoses=["I214"], **encounter)


def _claim_dates(claim: Claim) -> list[Segment]:
    """The 2300 DTP segments, in the order written (the service line DTP*472 come after LX)."""
    segs = institutional_claim_segments(claim)
    first_line = next(i for i, s in enumerate(segs) if s[0] == "LX")
    return [s for s in segs[:first_line] if s[0] == "DTP"]


@pytest.mark.parametrize(
    ("encounter", "expected"),
    [
        # admit through discharge: the discharge hour first, the admission with its hour
        ({"type_of_bill": "0111", **STAY, **HOURS},
         [["DTP", "096", "TM", "1430"], ["DTP", "434", "RD8", "20260301-20260304"],
          ["DTP", "435", "DT", "202603010705"]]),
        ({"type_of_bill": "0211", **STAY, "admission_time": time(0, 0), "discharge_time": time(23, 59)},
         [["DTP", "096", "TM", "2359"], ["DTP", "434", "RD8", "20260301-20260304"],
          ["DTP", "435", "DT", "202603010000"]]),
        # interim bill (still a patient, no discharge date): no discharge hour, whatever the encounter holds
        ({"type_of_bill": "0111", **STAY, **HOURS, "discharge_date": None, "patient_status": "30"},
         [["DTP", "434", "RD8", "20260301-20260301"], ["DTP", "435", "DT", "202603010705"]]),
    ],
)  # fmt: skip
def test_inpatient_claims_send_the_hours_the_guide_asks_for(encounter: dict[str, Any], expected: list[Segment]) -> None:
    assert _claim_dates(_claim("INP1", **encounter)) == expected


@pytest.mark.parametrize("type_of_bill", ["131", "0131"])
def test_outpatient_claims_carry_neither_hour(type_of_bill: str) -> None:
    """13x: no discharge hour (final inpatient bills only) and no admission date/hour (inpatient claims)."""
    dates = _claim_dates(_claim("OUT1", type_of_bill=type_of_bill, patient_status="01", **HOURS))
    assert dates == [["DTP", "434", "RD8", "20260301-20260301"]]


@pytest.mark.parametrize(
    "encounter",
    [
        {"type_of_bill": "0111", **STAY},  # admit through discharge
        {"type_of_bill": "111", **STAY, "patient_status": "03"},
        {"type_of_bill": "0211", **STAY},  # skilled nursing inpatient
        {"type_of_bill": "0111", **STAY, "discharge_date": None, "patient_status": "30"},  # still a patient
    ],
)
def test_without_hours_the_admission_goes_as_a_date_and_no_hour_is_invented(encounter: dict[str, Any]) -> None:
    """Only reached past the scrubber's errors: the admission as D8, no DTP*096."""
    dates = _claim_dates(_claim("INP1", **encounter))
    assert [s[1] for s in dates] == ["434", "435"]
    assert dates[1] == ["DTP", "435", "D8", "20260301"]
    assert not any(s[1] == "096" for s in dates)


def _interchange(clearinghouse: Clearinghouse, claims: list[Claim]) -> bytes:
    return interchange_837i(clearinghouse, claims, reference="HOURS1", control_number=42)


def test_claim_dates_pass_pyx12_and_read_back_through_the_837i_model(clearinghouse: Clearinghouse) -> None:
    claims = [
        _claim("INP1", type_of_bill="0111", **STAY, **HOURS),
        _claim("INP2", type_of_bill="0111", **{**STAY, "discharge_date": None, "patient_status": "30"}, **HOURS),
        _claim("INP3", type_of_bill="0111", **STAY),
        _claim("OUT1", type_of_bill="0131", patient_status="01", **HOURS),
    ]
    data = _interchange(clearinghouse, claims)
    report = pyx12_findings(data)
    assert report.mapped and report.failed is None
    assert [f"{f.segment}:{f.code}:{f.message}" for f in report.findings] == []
    read = read_file(data, models=True)
    assert read.findings == []
    model = read.transactions[0].model
    got = {c.patient_control_number: [(d.qualifier, d.value, d.end, d.raw) for d in c.dates] for c in model.claims}
    # The model keeps a DTP's text as sent (raw); a DT date-time gives its date, a TM hour only its text.
    assert got == {
        "INP1": [("096", None, None, "1430"), ("434", date(2026, 3, 1), date(2026, 3, 4), "20260301-20260304"),
                 ("435", date(2026, 3, 1), date(2026, 3, 1), "202603010705")],
        "INP2": [("434", date(2026, 3, 1), date(2026, 3, 1), "20260301-20260301"),
                 ("435", date(2026, 3, 1), date(2026, 3, 1), "202603010705")],
        "INP3": [("434", date(2026, 3, 1), date(2026, 3, 4), "20260301-20260304"),
                 ("435", date(2026, 3, 1), date(2026, 3, 1), "20260301")],
        "OUT1": [("434", date(2026, 3, 1), date(2026, 3, 1), "20260301-20260301")],
    }  # fmt: skip
