"""Answers into the pipeline: unmatched answers stored, payer corrections kept, holds placed and released,
patient-responsibility estimates, unreadable files refused, the synthetic payer's 271s valid."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.config import Settings
from rcm.eligibility.estimates import patient_responsibility_estimate
from rcm.eligibility.inquiries import request_eligibility
from rcm.eligibility.responses import ingest_271_file
from rcm.eligibility.service_types import service_types_for
from rcm.errors import UnreadableFileError
from rcm.payer_sim.eligibility import PayerAnswer, answer_for, respond_to_270
from rcm.store import ClaimStatus, CoverageSnapshot, EligibilityInquiry, find_claim
from rcm.x12.validation import validate_file

from .conftest import SAMPLES, AddEncounter

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _ask(session: Session, settings: Settings, when: datetime = NOW) -> Path:
    report = request_eligibility(session, settings, now=when, max_age_days=30)
    session.commit()
    assert len(report.files) == 1
    return Path(report.files[0].path)


def _trace(session: Session, encounter_id: str) -> str:
    inquiry = session.scalars(select(EligibilityInquiry).where(EligibilityInquiry.encounter_id == encounter_id)
                              .order_by(EligibilityInquiry.id.desc())).first()
    assert inquiry is not None
    return inquiry.trace_number


def _respond(request: Path, tmp: Path, answers: dict[str, PayerAnswer], name: str) -> Path:
    out = tmp / name
    out.write_bytes(respond_to_270(request.read_bytes(), seed=1, answers=answers, now=NOW))
    return out


def test_unmatched_sample_answer_is_stored(session: Session, settings: Settings) -> None:
    sample = SAMPLES / "LinuxForHealth+x12" / "demo-file" / "demo.271"
    if not sample.is_file():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    report = ingest_271_file(session, sample, settings=settings, now=NOW)
    session.commit()
    assert report.as_json()["unmatched"] == 1 and report.active == 1
    (snap,) = session.scalars(select(CoverageSnapshot))
    assert snap.inquiry_id is None and snap.patient_id is None and snap.status == "active"
    assert snap.payer_id == "841610001" and snap.trace_number == "93175-012547"
    # the sample's ISA names none of our clearinghouses: answered through `default`
    assert report.ack_file is not None and Path(report.ack_file).parent == settings.outbound_dir / "default"


def test_corrections_and_release_of_holds(session: Session, settings: Settings, add_encounter: AddEncounter,
                                          tmp_path: Path) -> None:
    add_encounter("E1")
    request = _ask(session, settings)
    first = _respond(request, tmp_path, {_trace(session, "E1"): PayerAnswer("6")}, "first.271")
    ingest_271_file(session, first, settings=settings, now=NOW)
    session.commit()
    claim = find_claim(session, "E1")
    assert claim is not None and claim.status is ClaimStatus.held
    assert claim.hold_reason is not None and "M" + "E1" not in claim.hold_reason  # no member id in words
    estimate = patient_responsibility_estimate(session, "E1")
    assert estimate is not None and estimate.estimate == claim.total_charge

    # forty days later the coverage is verified again, with a corrected member id: the hold is released
    later = NOW + timedelta(days=40)
    request2 = _ask(session, settings, later)
    second = _respond(request2, tmp_path, {_trace(session, "E1"): PayerAnswer("1", member_id="NEWID1",
                                                                             copay=Decimal("35.00"))}, "second.271")
    report = ingest_271_file(session, second, settings=settings, now=later)
    session.commit()
    assert report.outcomes[0].released == ("E1",)
    session.expire_all()
    released = find_claim(session, "E1")
    assert released is not None and released.status is ClaimStatus.ingested and released.hold_reason is None
    snap = session.scalars(select(CoverageSnapshot).order_by(CoverageSnapshot.id.desc())).first()
    assert snap is not None and snap.corrections == {"member_id": {"sent": "ME1", "payer": "NEWID1"}}
    estimate = patient_responsibility_estimate(session, "E1")
    assert estimate is not None and estimate.estimate == Decimal("35.00") and estimate.basis.startswith("copay")


def test_estimate_from_deductible_and_coinsurance(session: Session, settings: Settings, add_encounter: AddEncounter,
                                                  tmp_path: Path) -> None:
    add_encounter("E9", codes=("99213", "87880"))  # 200.00 charged
    request = _ask(session, settings)
    # no copay reported: the charge goes to the open deductible first, coinsurance on the rest
    answer = PayerAnswer("1", copay=Decimal("0"), deductible_remaining=Decimal("50.00"), coinsurance=Decimal("0.2"))
    response = _respond(request, tmp_path, {_trace(session, "E9"): answer}, "e9.271")
    ingest_271_file(session, response, settings=settings, now=NOW)
    session.commit()
    estimate = patient_responsibility_estimate(session, "E9")
    assert estimate is not None and estimate.basis.startswith("copay") and estimate.estimate == Decimal("0.00")
    snap = session.scalars(select(CoverageSnapshot)).one()
    snap.copay = None
    snap.benefits = [b for b in snap.benefits or [] if b["code"] != "B"]
    session.commit()
    estimate = patient_responsibility_estimate(session, "E9")
    assert estimate is not None and estimate.estimate == Decimal("80.00")  # 50 + 20 % of 150
    assert patient_responsibility_estimate(session, "NOPE") is None


def test_no_answer_yet_gives_no_estimate(session: Session, add_encounter: AddEncounter) -> None:
    add_encounter("E5")
    estimate = patient_responsibility_estimate(session, "E5")
    assert estimate is not None and estimate.estimate is None and estimate.coverage_status == "unknown"


def test_unreadable_files_are_refused(session: Session, settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError):
        ingest_271_file(session, tmp_path / "missing.271", settings=settings)
    not_x12 = tmp_path / "notes.txt"
    not_x12.write_text("hello")
    with pytest.raises(UnreadableFileError):
        ingest_271_file(session, not_x12, settings=settings)


def test_a_270_is_not_a_271(session: Session, settings: Settings, add_encounter: AddEncounter) -> None:
    add_encounter("E6")
    request = _ask(session, settings)
    with pytest.raises(UnreadableFileError, match="no 271"):
        ingest_271_file(session, request, settings=settings)


def test_synthetic_payer_answers_are_valid_and_mixed(session: Session, settings: Settings,
                                                     add_encounter: AddEncounter, tmp_path: Path) -> None:
    for n in range(12):
        add_encounter(f"S{n}")
    add_encounter("SD", coverage=[{"priority": "primary", "payer_id": "AET01", "member_id": "MSUB",
                                   "relationship": "spouse",
                                   "subscriber": {"first_name": "Other", "last_name": "Patient"}}])
    request = _ask(session, settings)
    response = tmp_path / "seeded.271"
    response.write_bytes(respond_to_270(request.read_bytes(), seed=3, now=NOW))
    assert [f for f in validate_file(response) if f.severity == "error"] == []
    report = ingest_271_file(session, response, settings=settings, now=NOW)
    assert report.responses == 13 and report.unmatched == 0
    assert report.active + report.inactive + report.rejected == 13
    statuses = {answer_for(str(i), 3).status_code if answer_for(str(i), 3).reject_reason is None else "AAA"
                for i in range(200)}
    assert statuses == {"1", "6", "AAA"}


def test_service_types_per_encounter() -> None:
    from rcm.domain import Encounter

    from .conftest import encounter_data

    def types(*codes: str, pos: str = "11") -> list[str]:
        return service_types_for(Encounter.model_validate(encounter_data("T", codes=codes, place_of_service=pos)))

    assert types("99213") == ["98"]
    assert types("99284") == ["86"]
    assert types("98941") == ["33"]
    assert types("80053", "71046") == ["5", "4"]
    assert types("92014") == ["AL"]
    assert types("A0428") == ["30"]
    assert types("A0428", pos="23") == ["86"]


def test_demo_payer_answers_each_outbound_270_once(session: Session, settings: Settings,
                                                   add_encounter: AddEncounter) -> None:
    from rcm.payer_sim.eligibility import answer_outbound_270s

    add_encounter("D1")
    add_encounter("D2")
    _ask(session, settings)
    written = answer_outbound_270s(settings.outbound_dir, settings.inbound_dir, seed=5, now=NOW)
    assert len(written) == 1 and written[0].parent == settings.inbound_dir
    assert answer_outbound_270s(settings.outbound_dir, settings.inbound_dir, seed=5, now=NOW) == []
    report = ingest_271_file(session, written[0], settings=settings, now=NOW)
    assert report.responses == 2 and report.unmatched == 0


def test_rejection_then_corrected_registration_asks_again(session: Session, settings: Settings,
                                                          add_encounter: AddEncounter, tmp_path: Path) -> None:
    start = datetime.now(UTC)
    add_encounter("R1")
    request = _ask(session, settings, start)
    first_trace = _trace(session, "R1")
    response = _respond(request, tmp_path, {first_trace: PayerAnswer(reject_reason="72", follow_up="C")}, "r1.271")
    report = ingest_271_file(session, response, settings=settings)
    session.commit()
    assert report.rejected == 1 and report.outcomes[0].held == ("R1",)
    # nothing changed: the rejection stands within the window
    assert request_eligibility(session, settings, now=start, max_age_days=30).inquiries == 0
    # the front desk corrects the member id: the new encounter version is verified again
    add_encounter("R1", coverage=[{"priority": "primary", "payer_id": "BCBS1", "member_id": "FIXED1"}])
    again = request_eligibility(session, settings, now=datetime.now(UTC), max_age_days=30)
    session.commit()
    assert again.inquiries == 1 and _trace(session, "R1") != first_trace


def test_figures_the_columns_cannot_hold_are_kept_only_in_words(session: Session, settings: Settings,
                                                                tmp_path: Path) -> None:
    from .test_interpretation import _file

    path = tmp_path / "odd.271"
    path.write_bytes(_file("EB*1*IND*30~EB*B*IND*98***27*12.345~EB*C*IND*30***29*99999999999~EB*A*IND*30***27**0.12345~"))
    report = ingest_271_file(session, path, settings=settings, now=NOW)
    session.commit()
    assert report.active == 1 and report.unmatched == 1
    snap = session.scalars(select(CoverageSnapshot)).one()
    assert snap.copay is None and snap.deductible_remaining is None and snap.coinsurance_percent is None
    benefits = snap.benefits or []
    assert [b["amount"] for b in benefits if b["code"] == "B"] == ["12.345"]


def test_emr_text_never_breaks_the_270(session: Session, settings: Settings, add_encounter: AddEncounter) -> None:
    add_encounter("N1", patient={"id": "P-N1", "first_name": "José*", "last_name": "Ñuñez~O'Neil", "sex": "M"})
    request = _ask(session, settings)
    assert [f for f in validate_file(request) if f.severity == "error"] == []
    assert b"NUNEZ O'NEIL*JOSE" in request.read_bytes()


def test_unmatched_answer_finds_the_patient_by_payer_and_member_id(session: Session, settings: Settings,
                                                                   add_encounter: AddEncounter,
                                                                   tmp_path: Path) -> None:
    from .test_interpretation import _file

    add_encounter("U1", coverage=[{"priority": "primary", "payer_id": "BCBS1", "member_id": "M1"}])
    path = tmp_path / "foreign.271"
    path.write_bytes(_file("EB*6*IND*30~"))
    report = ingest_271_file(session, path, settings=settings, now=NOW)
    session.commit()
    assert report.as_json()["unmatched"] == 1 and report.inactive == 1
    snap = session.scalars(select(CoverageSnapshot)).one()
    assert snap.patient_id is not None and snap.payer_id == "BCBS1" and snap.inquiry_id is None
    claim = find_claim(session, "U1")
    assert claim is not None and claim.status is ClaimStatus.ingested  # no inquiry: no hold, the scrubber decides


def test_999_reports_what_our_validation_found(session: Session, settings: Settings) -> None:
    sample = SAMPLES / "LinuxForHealth+x12" / "src" / "tests" / "resources" / "271_005010X279A1" / \
        "subscriber-health-benefit-check-error.271"
    if not sample.is_file():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    report = ingest_271_file(session, sample, settings=settings, now=NOW)
    assert report.responses == 0 and report.envelope_rejections == ["50"] and report.errors >= 1
    assert report.ack_file is not None
    ack = Path(report.ack_file).read_text()
    assert "AK2*271*4321*005010X279A1" in ack and "IK5*R" in ack  # SE02 does not match ST02


def test_estimate_uses_the_copay_for_the_claims_kind_of_care(session: Session, settings: Settings,
                                                             add_encounter: AddEncounter, tmp_path: Path) -> None:
    add_encounter("K1", codes=("98941",))  # chiropractic: the 270 asks about service type 33
    request = _ask(session, settings)
    response = _respond(request, tmp_path, {_trace(session, "K1"): PayerAnswer("1", copay=Decimal("15.00"))},
                        "k1.271")
    ingest_271_file(session, response, settings=settings, now=NOW)
    session.commit()
    estimate = patient_responsibility_estimate(session, "K1")
    assert estimate is not None and estimate.estimate == Decimal("15.00")
    assert estimate.basis == "copay for the service type"


def test_inquiries_without_member_id_or_birth_date_stay_valid(session: Session, settings: Settings,
                                                              add_encounter: AddEncounter) -> None:
    add_encounter("W1", coverage=[{"priority": "primary", "payer_id": "BCBS1"}],
                  patient={"id": "P-W1", "first_name": "No", "last_name": "Card"})
    add_encounter("W2", coverage=[{"priority": "primary", "payer_id": "BCBS1", "relationship": "child",
                                   "subscriber": {"last_name": "Card"}}],
                  patient={"id": "P-W2", "last_name": "Card"})
    add_encounter("W3", billing_provider=None)
    report = request_eligibility(session, settings, now=NOW)
    assert report.inquiries == 2 and report.not_sendable == [("W3", "no billing or rendering provider to ask as")]
    assert [f for f in validate_file(Path(report.files[0].path)) if f.severity == "error"] == []


def test_payer_flagged_member_id_change_is_kept_and_finds_the_patient(session: Session, settings: Settings,
                                                                      add_encounter: AddEncounter,
                                                                      tmp_path: Path) -> None:
    from .test_interpretation import HEAD

    add_encounter("Q1", coverage=[{"priority": "primary", "payer_id": "BCBS1", "member_id": "OLD1"}])
    body = HEAD + "HL*3*2*22*0~NM1*IL*1*PATIENT*TEST****MI*NEW1~REF*Q4*OLD1~EB*1*IND*30~"
    count = body[body.index("ST*"):].count("~") + 1
    path = tmp_path / "q4.271"
    path.write_bytes((body + f"SE*{count}*0001~GE*1*1~IEA*1*000000001~").encode())
    report = ingest_271_file(session, path, settings=settings, now=NOW)
    session.commit()
    assert report.unmatched == 1 and report.active == 1
    snap = session.scalars(select(CoverageSnapshot)).one()
    assert snap.patient_id is not None
    assert snap.corrections == {"member_id": {"sent": "OLD1", "payer": "NEW1"}}
