"""End to end with a store: encounters -> 270s in the drop -> the synthetic payer's 271 -> snapshots, holds, 999."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.config import Settings
from rcm.eligibility.inquiries import request_eligibility
from rcm.eligibility.responses import ingest_271_file
from rcm.payer_sim.eligibility import PayerAnswer, respond_to_270
from rcm.store import ClaimStatus, CoverageSnapshot, EligibilityInquiry, find_claim
from rcm.x12.reader import read_file
from rcm.x12.sets.eligibility279 import inquiry_from_tree
from rcm.x12.validation import validate_file

from .conftest import AddEncounter

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def _traces(session: Session) -> dict[str, str]:
    return {i.encounter_id or "": i.trace_number for i in session.scalars(select(EligibilityInquiry))}


def _answer(path: Path, tmp: Path, answers: dict[str, PayerAnswer], seed: int = 7) -> Path:
    out = tmp / "in" / f"{path.stem}.271"
    out.parent.mkdir(exist_ok=True)
    out.write_bytes(respond_to_270(path.read_bytes(), seed=seed, answers=answers, now=NOW))
    return out


def test_request_then_answer_round_trip(session: Session, settings: Settings, add_encounter: AddEncounter,
                                        tmp_path: Path) -> None:
    add_encounter("E1")
    add_encounter("E2", codes=("98941",))
    add_encounter("E3")
    add_encounter("E4", coverage=[{"priority": "primary", "payer_id": "BCBS1", "member_id": "MSUB",
                                   "relationship": "child",
                                   "subscriber": {"first_name": "Parent", "last_name": "Patient",
                                                  "birth_date": "1970-01-01", "sex": "M"}}])
    report = request_eligibility(session, settings, now=NOW, max_age_days=30)
    session.commit()
    assert report.inquiries == 4 and len(report.files) == 1
    path = Path(report.files[0].path)
    assert path.is_file() and path.name.startswith("270_")
    assert [f for f in validate_file(path) if f.severity == "error"] == []
    tx = read_file(path).transactions[0]
    model = inquiry_from_tree(tx.tree)
    levels = sorted(m.level for m in model.members)
    assert levels == ["dependent", "subscriber", "subscriber", "subscriber", "subscriber"]
    by_trace = {t.number: m for m in model.members for t in m.traces}
    traces = _traces(session)
    assert by_trace[traces["E2"]].inquiries[0].service_types == ["33"]
    assert by_trace[traces["E1"]].inquiries[0].service_types == ["98"]
    assert by_trace[traces["E4"]].level == "dependent"

    # the same run again asks nothing: everything was asked within the window
    again = request_eligibility(session, settings, now=NOW + timedelta(hours=1), max_age_days=30)
    assert again.inquiries == 0 and again.skipped == 4

    answers = {traces["E1"]: PayerAnswer("1", copay=Decimal("30.00")), traces["E2"]: PayerAnswer("6"),
               traces["E3"]: PayerAnswer(reject_reason="42", follow_up="R"), traces["E4"]: PayerAnswer("1")}
    response = _answer(path, tmp_path, answers)
    result = ingest_271_file(session, response, settings=settings, now=NOW)
    session.commit()
    assert result.as_json() == {"file": str(response), "responses": 4, "active": 2, "inactive": 1,
                                "rejected": 1, "unmatched": 0}
    assert result.ack_file is not None and Path(result.ack_file).is_file()
    assert read_file(Path(result.ack_file)).transactions[0].set_id == "999"

    e1 = find_claim(session, "E1")
    e2 = find_claim(session, "E2")
    e3 = find_claim(session, "E3")
    assert e1 is not None and e2 is not None and e3 is not None
    assert e1.status is ClaimStatus.ingested
    assert e2.status is ClaimStatus.held and "inactive" in (e2.hold_reason or "")
    assert e3.status is ClaimStatus.held and "42" in (e3.hold_reason or "")
    snaps = {s.trace_number: s for s in session.scalars(select(CoverageSnapshot))}
    assert snaps[traces["E1"]].copay == Decimal("30.00")
    assert snaps[traces["E1"]].status == "active"
    assert snaps[traces["E3"]].retry is True

    # the same file twice changes nothing
    before = session.scalar(select(CoverageSnapshot.id).order_by(CoverageSnapshot.id.desc()))
    dup = ingest_271_file(session, response, settings=settings, now=NOW)
    assert dup.duplicate and dup.as_json() == result.as_json()
    assert session.scalar(select(CoverageSnapshot.id).order_by(CoverageSnapshot.id.desc())) == before

    # 42 = try later: the next run asks again for E3 only
    retry = request_eligibility(session, settings, now=NOW + timedelta(days=1), max_age_days=30)
    session.commit()
    assert retry.inquiries == 1
    assert _traces(session)["E3"] != traces["E3"]
