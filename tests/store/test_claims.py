"""Claims: rebuilt while unsent, flagged for correction once sent; every status change recorded with its cause."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.domain import ClaimFrequency, Encounter
from rcm.errors import StateError, StoreError
from rcm.store import (
    AuditLog,
    ClaimLineRecord,
    ClaimRecord,
    ClaimStatus,
    ClaimStatusChange,
    ScrubFinding,
    claim_as_domain,
    claim_timeline,
    claims_for_encounter,
    claims_with_status,
    ensure_claims,
    find_claim,
    record_file,
    save_encounter,
    set_claim_status,
)

from .factories import encounter_data

MakeEncounter = Callable[..., Encounter]


def _claim(session: Session, make_encounter: MakeEncounter, **changes: object) -> ClaimRecord:
    save_encounter(session, make_encounter(**changes), source_file="emr.jsonl", source_row=1)
    claim = find_claim(session, "E1001")
    assert claim is not None
    return claim


def test_a_claim_is_built_from_the_encounter(session: Session, make_encounter: MakeEncounter) -> None:
    claim = _claim(session, make_encounter)
    session.commit()
    assert (claim.payer_id, claim.coverage_priority, claim.claim_type, claim.frequency_code) == (
        "PAYER1",
        "primary",
        "professional",
        "1",
    )
    assert claim.total_charge == Decimal("155.10") == claim.balance
    assert claim.paid_amount == Decimal("0.00")
    assert claim.status is ClaimStatus.ingested
    lines = claim.lines
    assert [(ln.line_number, ln.line_id, ln.code, ln.modifiers, ln.pointers) for ln in lines] == [
        (1, "1", "99213", ["25"], [1, 2]),
        (2, "2", "87880", [], [1]),
    ]
    assert lines[1].date_from.isoformat() == "2026-10-03" and lines[1].pos == "11"
    assert lines[1].units == Decimal("1.000") and lines[1].charge == Decimal("30.10")
    assert [(d.position, d.code) for d in claim.diagnoses] == [(1, "J020"), (2, "R509")]
    history = claim_timeline(session, "E1001")
    assert [(h.from_status, h.to_status, h.source_kind) for h in history] == [(None, ClaimStatus.ingested, "intake")]
    assert "version 1" in history[0].cause


def test_an_unsent_claim_is_rebuilt_from_the_new_version(session: Session, make_encounter: MakeEncounter) -> None:
    claim = _claim(session, make_encounter)
    set_claim_status(session, claim, ClaimStatus.held, cause="diagnosis pointer 3 does not exist", source_kind="scrub")
    finding = ScrubFinding(
        claim_id=claim.id,
        encounter_version_id=claim.encounter_version_id,
        rule_id="dx_pointer",
        category="coding",
        severity="error",
        message="line 1 points to diagnosis 3, the claim has 2",
    )
    session.add(finding)
    session.commit()
    data = encounter_data()
    data["lines"] = [data["lines"][0]]
    data["coverage"] = [{**data["coverage"][0], "payer_id": "PAYER2", "payer_name": "Second Plan"}]
    result = save_encounter(session, Encounter.model_validate(data), source_file="emr2.jsonl", source_row=1)
    session.commit()
    session.expire_all()
    reloaded = find_claim(session, "E1001")
    assert reloaded is not None
    claim = reloaded
    assert claim.encounter_version_id == result.encounter_version_id
    assert (claim.payer_id, claim.total_charge, claim.balance) == ("PAYER2", Decimal("125.00"), Decimal("125.00"))
    assert [ln.line_id for ln in claim.lines] == ["1"]
    assert session.scalars(select(ClaimLineRecord)).all() == claim.lines  # the old lines are gone
    assert claim.status is ClaimStatus.ingested and claim.hold_reason is None
    steps = [(h.from_status, h.to_status) for h in claim_timeline(session, "E1001")]
    assert steps == [
        (None, ClaimStatus.ingested),
        (ClaimStatus.ingested, ClaimStatus.held),
        (ClaimStatus.held, ClaimStatus.ingested),
    ]
    assert session.scalars(select(AuditLog.action)).all() == ["claim_rebuilt"]
    assert session.get(ScrubFinding, finding.id).active is False  # type: ignore[union-attr]


def test_a_sent_claim_keeps_what_was_sent_and_needs_a_correction(
    session: Session, make_encounter: MakeEncounter
) -> None:
    claim = _claim(session, make_encounter)
    sent_version = claim.encounter_version_id
    file, _ = record_file(session, direction="out", kind="837P", name="a.x12", path="/out/a.x12", content=b"ISA*...")
    for status in (ClaimStatus.scrubbed, ClaimStatus.ready):
        set_claim_status(session, claim, status, cause="passed all edits", source_kind="scrub")
    set_claim_status(
        session, claim, ClaimStatus.submitted, cause="sent in a.x12", source_kind="build", source_file_id=file.id
    )
    session.commit()
    result = save_encounter(session, make_encounter(diagnoses=["J02.9"]), source_file="emr2.jsonl", source_row=1)
    session.commit()
    session.expire_all()
    reloaded = find_claim(session, "E1001")
    assert reloaded is not None
    claim = reloaded
    assert result.status == "new_version"
    assert claim.encounter_version_id == sent_version  # what was sent stays recorded
    assert [d.code for d in claim.diagnoses] == ["J020", "R509"]
    assert claim.status is ClaimStatus.corrected
    last = claim_timeline(session, "E1001")[-1]
    assert (last.from_status, last.to_status, last.cause) == (
        ClaimStatus.submitted,
        ClaimStatus.corrected,
        "encounter changed after submission",
    )
    submitted = claim_timeline(session, "E1001")[-2]
    assert submitted.source_file_id == file.id
    audit_entry = session.scalars(select(AuditLog)).one()
    assert audit_entry.detail == {"submitted_version_id": sent_version, "new_version_id": result.encounter_version_id}
    # Still one claim for the encounter: the replacement is built from the current version by the claims stage.
    assert [c.claim_number for c in claims_for_encounter(session, "E1001")] == ["E1001"]


def test_ensure_claims_is_idempotent_for_the_same_version(session: Session, make_encounter: MakeEncounter) -> None:
    claim = _claim(session, make_encounter)
    again = ensure_claims(session, claim.encounter_version_id)
    assert again == [claim]
    assert len(claim_timeline(session, "E1001")) == 1
    with pytest.raises(StoreError, match="999999"):
        ensure_claims(session, 999999)


def test_set_claim_status_records_time_cause_source_and_hold_reason(
    session: Session, make_encounter: MakeEncounter
) -> None:
    claim = _claim(session, make_encounter)
    when = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)
    change = set_claim_status(
        session, claim, "held", cause="NCCI edit 99213/87880", source_kind="scrub", actor="scrubber", at=when
    )
    assert change is not None and change.at == when and change.actor == "scrubber"
    assert claim.status is ClaimStatus.held and claim.hold_reason == "NCCI edit 99213/87880"
    assert claim.status_changed_at == when
    assert set_claim_status(session, claim, ClaimStatus.held, cause="again", source_kind="scrub") is None
    session.commit()
    assert session.query(ClaimStatusChange).count() == 2
    with pytest.raises(ValueError, match="source"):
        set_claim_status(session, claim, ClaimStatus.ready, cause="x", source_kind="magic")
    with pytest.raises(ValueError, match="cause"):
        set_claim_status(session, claim, ClaimStatus.ready, cause="  ", source_kind="staff")
    with pytest.raises(ValueError):
        set_claim_status(session, claim, "lost", cause="x", source_kind="staff")


def test_claims_with_status(session: Session, make_encounter: MakeEncounter) -> None:
    first = _claim(session, make_encounter)
    save_encounter(session, make_encounter(encounter_id="E1002"), source_file="emr.jsonl", source_row=2)
    set_claim_status(session, first, ClaimStatus.ready, cause="clean", source_kind="scrub")
    session.commit()
    assert [c.claim_number for c in claims_with_status(session, [ClaimStatus.ready])] == ["E1001"]
    assert [c.claim_number for c in claims_with_status(session, ["ingested", "ready"])] == ["E1001", "E1002"]
    assert [c.claim_number for c in claims_with_status(session, "ingested")] == ["E1002"]
    assert claims_with_status(session, []) == []
    assert find_claim(session, "nope") is None
    assert claim_timeline(session, "nope") == []


def test_claim_as_domain(session: Session, make_encounter: MakeEncounter) -> None:
    data = encounter_data()
    data["coverage"].append({**data["coverage"][0], "priority": "secondary", "payer_id": "PAYER9", "member_id": "S1"})
    save_encounter(session, Encounter.model_validate(data), source_file="emr.jsonl", source_row=1)
    claim = find_claim(session, "E1001")
    assert claim is not None
    domain = claim_as_domain(session, claim)
    assert domain.claim_id == "E1001"
    assert (domain.payer.payer_id, domain.payer.name) == ("PAYER1", "First Health Plan")
    assert domain.coverage.payer_id == "PAYER1"
    assert [c.payer_id for c in domain.other_coverage] == ["PAYER9"]
    assert domain.total_charge == Decimal("155.10")
    assert domain.frequency_code is ClaimFrequency.original
    # A replacement without the payer's claim number cannot be built, and says which claim.
    claim.frequency_code = "7"
    with pytest.raises(StateError, match="E1001"):
        claim_as_domain(session, claim)
    claim.payer_claim_number = "PCN123"
    assert claim_as_domain(session, claim).frequency_code is ClaimFrequency.replacement


@pytest.mark.parametrize("sent", [False, True])
def test_a_claim_whose_insurance_disappears_is_held_or_corrected(
    session: Session, make_encounter: MakeEncounter, sent: bool
) -> None:
    claim = _claim(session, make_encounter)
    if sent:
        set_claim_status(session, claim, ClaimStatus.submitted, cause="sent", source_kind="build")
    result = save_encounter(session, make_encounter(coverage=[]), source_file="emr2.jsonl", source_row=1)
    session.commit()
    assert result.status == "new_version"
    assert claim.encounter_version_id != result.encounter_version_id
    if sent:
        assert claim.status is ClaimStatus.corrected
    else:
        assert claim.status is ClaimStatus.held
        assert claim.hold_reason is not None and "no insurance" in claim.hold_reason
    assert session.scalars(select(AuditLog.action)).all() == ["coverage_withdrawn"]
