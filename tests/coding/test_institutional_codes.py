"""The institutional claim code edits (rules/scrub/institutional.yaml): a claim without the UB-04 FL14/FL15/FL17
codes it needs is held with a finding a biller can act on, and contradictory codes are reported."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from rcm.coding import RuleBook, ScrubContext, ScrubFinding, scrub_claim
from rcm.coding.edits_institutional import SETTINGS_KEY, institutional_policy
from rcm.coding.findings import blocking
from rcm.coding.service import override_finding, scrub_pending
from rcm.domain import Encounter
from rcm.errors import ConfigError, StateError
from rcm.intake.nubc_codes import nubc_codes_in
from rcm.store import ClaimStatus, find_claim, save_encounter

from .conftest import RULES_DIR, encounter_data, line, rules

INPATIENT: dict[str, Any] = {
    "claim_type": "institutional",
    "type_of_bill": "0111",
    "place_of_service": "21",
    "admission_date": "2026-03-01",
    "discharge_date": "2026-03-04",
    "admission_time": "07:05",
    "discharge_time": "14:30",
    "date_of_service": "2026-03-01",
    "attending_provider": encounter_data()["rendering_provider"],
    "lines": [line("1", "99223", revenue_code="0120", charge="2400.00", date_of_service="2026-03-01")],
}
COMPLETE = {"admission_type": "1", "point_of_origin": "1", "patient_status": "01"}
OUTPATIENT: dict[str, Any] = {
    "claim_type": "institutional",
    "type_of_bill": "131",
    "attending_provider": encounter_data()["rendering_provider"],
    "lines": [line("1", "99283", revenue_code="0450", charge="310.00")],
}


def inst(findings: list[ScrubFinding]) -> set[str]:
    return {r for r in rules(findings) if r.startswith("INST-")}


@pytest.fixture
def check(context: ScrubContext) -> Any:
    def run(base: dict[str, Any], **changes: Any) -> list[ScrubFinding]:
        return scrub_claim(Encounter.model_validate(encounter_data(**{**base, **changes})), context)

    return run


def test_a_complete_inpatient_claim_has_no_institutional_finding(check: Any) -> None:
    assert inst(check(INPATIENT, **COMPLETE)) == set()
    assert inst(check(OUTPATIENT, **COMPLETE)) == set()


def test_an_inpatient_claim_without_codes_is_held(check: Any) -> None:
    found = check(INPATIENT)
    assert inst(found) == {"INST-ADMISSION-TYPE-MISSING", "INST-POINT-OF-ORIGIN-MISSING", "INST-PATIENT-STATUS-MISSING"}
    mine = [f for f in found if f.rule_id.startswith("INST-")]
    assert {f.severity for f in mine} == {"error"} and blocking(mine) == mine
    assert {f.field for f in mine} == {"admission_type", "point_of_origin", "patient_status"}
    assert all(f.category == "required_field" and "UB-04 FL1" in f.message and f.fix_hint for f in mine)
    status = next(f for f in mine if f.rule_id == "INST-PATIENT-STATUS-MISSING")
    assert "2026-03-04" in status.fix_hint  # the through date the status is as of
    assert inst(check(INPATIENT, admission_type="3", patient_status="01")) == {"INST-POINT-OF-ORIGIN-MISSING"}


def test_an_admission_date_makes_a_claim_inpatient(check: Any) -> None:
    found = inst(check(OUTPATIENT, admission_date="2026-03-02", patient_status="01"))
    assert found == {"INST-ADMISSION-TYPE-MISSING", "INST-POINT-OF-ORIGIN-MISSING", "INST-DISCHARGE-DATE-MISSING",
                     "INST-ADMISSION-HOUR-MISSING"}


def test_an_outpatient_claim_needs_its_status_and_is_told_about_the_rest(check: Any) -> None:
    found = check(OUTPATIENT)
    assert inst(found) == {"INST-PATIENT-STATUS-MISSING", "INST-OUTPATIENT-ADMISSION-CODES"}
    info = next(f for f in found if f.rule_id == "INST-OUTPATIENT-ADMISSION-CODES")
    assert info.severity == "info" and "admission type or point of origin" in info.message
    # With a status the outpatient claim is clean: the info finding does not hold it.
    with_status = check(OUTPATIENT, patient_status="01", admission_type="1")
    assert inst(with_status) == {"INST-OUTPATIENT-ADMISSION-CODES"} and blocking(with_status) == []
    assert "point of origin" in next(f.message for f in with_status if f.rule_id.startswith("INST-"))


def test_professional_claims_are_not_checked(check: Any) -> None:
    assert inst(check({})) == set()
    assert inst(check({}, patient_status="30", discharge_date="2026-03-04")) == set()


@pytest.mark.parametrize(
    ("base", "changes", "expected", "severity"),
    [
        # 30 still a patient says the stay has not ended.
        (INPATIENT, {**COMPLETE, "patient_status": "30"}, "INST-STILL-PATIENT-DISCHARGED", "error"),
        (OUTPATIENT, {**COMPLETE, "patient_status": "30", "discharge_date": "2026-03-02"},
         "INST-STILL-PATIENT-DISCHARGED", "error"),
        # a discharge status on an inpatient claim without a discharge date
        (INPATIENT, {**COMPLETE, "discharge_date": None, "patient_status": "02"}, "INST-DISCHARGE-DATE-MISSING",
         "warning"),
        # 40-42 are for hospice claims only
        (INPATIENT, {**COMPLETE, "patient_status": "41"}, "INST-STATUS-HOSPICE-ONLY", "error"),
        (OUTPATIENT, {**COMPLETE, "patient_status": "40"}, "INST-STATUS-HOSPICE-ONLY", "error"),
        # 09 admitted as an inpatient to this hospital belongs on the outpatient claim
        (INPATIENT, {**COMPLETE, "patient_status": "09"}, "INST-STATUS-ADMITTED-ON-INPATIENT", "error"),
        # the recorded date of death against the status
        (INPATIENT, {**COMPLETE, "patient_status": "20",
                     "patient": {**encounter_data()["patient"], "deceased_date": "2026-03-03"}},
         "INST-EXPIRED-DEATH-DATE", "warning"),
        (INPATIENT, {**COMPLETE, "patient": {**encounter_data()["patient"], "deceased_date": "2026-03-04"}},
         "INST-DIED-NOT-EXPIRED", "warning"),
        (OUTPATIENT, {**COMPLETE, "patient": {**encounter_data()["patient"], "deceased_date": "2026-03-02"}},
         "INST-DIED-NOT-EXPIRED", "warning"),
    ],
)  # fmt: skip
def test_contradictory_codes_are_reported(check: Any, base: dict[str, Any], changes: dict[str, Any], expected: str,
                                          severity: str) -> None:  # fmt: skip
    found = check(base, **changes)
    assert inst(found) == {expected}
    (finding,) = [f for f in found if f.rule_id == expected]
    assert finding.severity == severity
    death = (changes.get("patient") or {}).get("deceased_date")
    if death is not None and death != "2026-03-04":  # the through date may be named; the date of death (PHI) not
        assert death not in finding.message + finding.fix_hint


@pytest.mark.parametrize(
    ("base", "changes"),
    [
        (OUTPATIENT, {**COMPLETE, "patient_status": "20"}),  # expired in the emergency department: valid outpatient
        (OUTPATIENT, {**COMPLETE, "patient_status": "09"}),  # seen, then admitted to this hospital
        (OUTPATIENT, {**COMPLETE, "patient_status": "30"}),  # a recurring outpatient series, still a patient
        (INPATIENT, {**COMPLETE, "patient_status": "30", "discharge_date": None}),  # an interim bill
        (INPATIENT, {**COMPLETE, "patient_status": "20",
                     "patient": {**encounter_data()["patient"], "deceased_date": "2026-03-04"}}),
        (INPATIENT, {**COMPLETE, "type_of_bill": "0811", "patient_status": "40",
                     "patient": {**encounter_data()["patient"], "deceased_date": "2026-03-04"}}),  # hospice
        (INPATIENT, {**COMPLETE, "patient": {**encounter_data()["patient"], "deceased_date": "2026-04-01"}}),
        (INPATIENT, {**COMPLETE, "admission_type": "4", "point_of_origin": "5", "patient_status": "01"}),
    ],
)  # fmt: skip
def test_consistent_codes_pass(check: Any, base: dict[str, Any], changes: dict[str, Any]) -> None:
    assert inst(check(base, **changes)) == set()


def test_the_settings_name_nubc_codes_that_mean_what_the_checks_assume(book: RuleBook) -> None:
    policy = institutional_policy(book.settings)
    assert policy is not None
    names = nubc_codes_in(RULES_DIR).patient_status
    assert all(names[c] == "Still patient" for c in policy.still_patient_statuses)
    assert all(names[c].startswith("Expired") for c in policy.expired_statuses)
    assert {c for c, name in names.items() if name.startswith("Expired")} == policy.expired_statuses
    assert {c for c, name in names.items() if "hospice claims only" in name} == policy.hospice_only_statuses
    assert all(names[c] == "Admitted as an inpatient to this hospital" for c in policy.outpatient_only_statuses)
    assert policy.hospice_facility_types == {"81", "82"}
    assert institutional_policy(book.settings) is policy  # parsed once per rule book


def test_broken_settings_are_a_config_error() -> None:
    assert institutional_policy({}) is None
    good = {"still_patient_statuses": ["30"], "expired_statuses": ["20"], "hospice_only_statuses": ["40"],
            "hospice_facility_types": ["81"], "outpatient_only_statuses": ["09"]}  # fmt: skip
    assert institutional_policy({SETTINGS_KEY: good}) is not None
    with pytest.raises(ConfigError, match="expired_statuses"):
        institutional_policy({SETTINGS_KEY: {**good, "expired_statuses": [20]}})
    with pytest.raises(ConfigError, match="institutional_codes"):
        institutional_policy({SETTINGS_KEY: {**good, "newborn": ["4"]}})


# --- in the store: the finding holds the claim before any 837 is built ----------------------------------------
def test_the_scrub_run_holds_the_claim_and_no_override_releases_it(session: Session, book: RuleBook) -> None:
    for eid, codes in (("I1", {}), ("I2", COMPLETE)):
        patient = {**encounter_data()["patient"], "id": f"P-{eid}"}
        encounter = Encounter.model_validate(encounter_data(encounter_id=eid, patient=patient, **INPATIENT, **codes))
        save_encounter(session, encounter, source_file="test.jsonl", source_row=1)
    session.flush()
    summary = scrub_pending(session, book, as_of=date(2026, 3, 10))
    assert (summary.claims, summary.clean, summary.held) == (2, 1, 1)
    held, ready = find_claim(session, "I1"), find_claim(session, "I2")
    assert held is not None and ready is not None
    assert (held.status, ready.status) == (ClaimStatus.held, ClaimStatus.ready)
    assert held.hold_reason is not None and "INST-PATIENT-STATUS-MISSING" in held.hold_reason
    with pytest.raises(StateError):
        override_finding(session, "I1", "INST-PATIENT-STATUS-MISSING", None, actor="jdoe", reason="send it",
                         rules=book.by_id)  # fmt: skip


def test_an_inpatient_claim_without_its_hours_is_told_not_held(check: Any) -> None:
    """837I DTP*435 wants the admission hour on inpatient claims, DTP*096 the discharge hour on final ones.  Many
    exports carry no time of day (a CSV gives one only as a timestamp in its date columns), and payers differ on
    rejecting a D8 admission: the biller is told (info), the claim is not held and goes out with the date alone."""
    found = check(INPATIENT, **COMPLETE, admission_time=None, discharge_time=None)
    mine = [f for f in found if f.rule_id.startswith("INST-")]
    assert {f.rule_id for f in mine} == {"INST-ADMISSION-HOUR-MISSING", "INST-DISCHARGE-HOUR-MISSING"}
    assert {f.field for f in mine} == {"admission_time", "discharge_time"} and blocking(mine) == []
    assert {f.severity for f in mine} == {"info"}
    still_in = {**COMPLETE, "patient_status": "30"}
    assert inst(check(INPATIENT, **still_in, discharge_time=None, discharge_date=None)) == set()
    assert inst(check(OUTPATIENT, **COMPLETE)) == set()  # outpatient: neither hour is asked for
