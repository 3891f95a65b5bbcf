"""Scrubbing claims in the store: findings kept per claim and line, held and ready claims, overrides, re-scrub."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.coding import RuleBook
from rcm.coding.service import override_finding, scrub_pending
from rcm.domain import Encounter
from rcm.errors import StateError
from rcm.store import (
    AuditLog,
    ClaimStatus,
    CoverageSnapshot,
    FindingOverride,
    Patient,
    ScrubFinding,
    ScrubRun,
    claim_timeline,
    find_claim,
    save_encounter,
)

from .conftest import encounter_data, line

AS_OF = date(2026, 3, 10)


def status_of(session: Session, claim_number: str) -> ClaimStatus:
    claim = find_claim(session, claim_number)
    assert claim is not None
    return claim.status


def ingest(session: Session, **changes: Any) -> None:
    encounter = Encounter.model_validate(encounter_data(**changes))
    save_encounter(session, encounter, source_file="test.jsonl", source_row=1)
    session.flush()


def test_clean_and_held_claims(session: Session, book: RuleBook) -> None:
    ingest(session, encounter_id="E1")
    ingest(session, encounter_id="E2", patient={**encounter_data()["patient"], "id": "P2"}, diagnoses=["E11"])
    summary = scrub_pending(session, book, as_of=AS_OF)
    assert (summary.claims, summary.clean, summary.held) == (2, 1, 1)
    assert summary.clean_claim_rate == 0.5
    e1, e2 = find_claim(session, "E1"), find_claim(session, "E2")
    assert e1 is not None and e2 is not None
    assert e1.status is ClaimStatus.ready and e2.status is ClaimStatus.held
    assert e2.hold_reason is not None and "ICD10-NOT-BILLABLE" in e2.hold_reason
    stored = session.scalars(select(ScrubFinding).where(ScrubFinding.claim_id == e2.id)).all()
    assert [(f.rule_id, f.category, f.severity, f.field, f.active) for f in stored] == [
        ("ICD10-NOT-BILLABLE", "icd10_not_billable", "error", "diagnoses[1]", True)
    ]
    assert stored[0].encounter_version_id == e2.encounter_version_id and stored[0].fix_hint
    run = session.scalars(select(ScrubRun)).one()
    assert (run.claims, run.clean, run.held) == (2, 1, 1) and run.finished_at is not None
    assert summary.as_json() == {
        "claims": 2,
        "clean": 1,
        "held": 1,
        "findings": [
            {
                "claim": "E2",
                "line": None,
                "category": "icd10_not_billable",
                "rule": "ICD10-NOT-BILLABLE",
                "severity": "error",
                "message": stored[0].message,
            }
        ],
    }
    assert [c.cause for c in claim_timeline(session, "E2")][-1].startswith("scrubber: 1 error")
    # Nothing pending any more except the held claim, which is re-scrubbed (and stays held).
    again = scrub_pending(session, book, as_of=AS_OF)
    assert (again.claims, again.held) == (1, 1)
    assert len(session.scalars(select(ScrubFinding).where(ScrubFinding.active.is_(True))).all()) == 1
    # After a rule change, ready claims can be re-scrubbed too.
    everything = scrub_pending(session, book, as_of=AS_OF, include_ready=True)
    assert (everything.claims, everything.clean, everything.held) == (2, 1, 1)


def test_fix_then_rescrub_releases_the_claim(session: Session, book: RuleBook) -> None:
    ingest(session, encounter_id="E3", diagnoses=["E11"])
    scrub_pending(session, book, as_of=AS_OF)
    ingest(session, encounter_id="E3", diagnoses=["E11.9"])  # corrected in the EMR: a new version
    claim = find_claim(session, "E3")
    assert claim is not None and status_of(session, "E3") is ClaimStatus.ingested
    summary = scrub_pending(session, book, as_of=AS_OF)
    assert (summary.claims, summary.clean, summary.held) == (1, 1, 0)
    assert status_of(session, "E3") is ClaimStatus.ready and claim.hold_reason is None
    assert session.scalars(select(ScrubFinding).where(ScrubFinding.active.is_(True))).all() == []


def test_override_a_warning_releases_the_claim_on_that_version_only(session: Session, book: RuleBook) -> None:
    ingest(session, encounter_id="E4", place_of_service="10")  # telehealth POS, no 95: a warning
    scrub_pending(session, book, as_of=AS_OF)
    claim = find_claim(session, "E4")
    assert claim is not None and status_of(session, "E4") is ClaimStatus.held
    override_finding(
        session,
        "E4",
        "POS-TELEHEALTH-MODIFIER",
        "1",
        actor="jdoe",
        reason="audio-only visit per payer policy",
        rules=book.by_id,
    )
    entry = session.scalars(select(AuditLog).where(AuditLog.entity_id == "E4")).one()
    assert entry.actor == "jdoe" and entry.action == "scrub.override"
    assert entry.detail is not None and entry.detail["rule"] == "POS-TELEHEALTH-MODIFIER" and entry.detail["reason"]
    summary = scrub_pending(session, book, as_of=AS_OF)
    assert (summary.claims, summary.held, summary.clean) == (1, 0, 0)  # released, but not a clean claim
    assert status_of(session, "E4") is ClaimStatus.ready
    assert summary.results[0].findings[0].overridden
    # A new version of the encounter brings the finding back: the override belonged to the old version.
    ingest(session, encounter_id="E4", place_of_service="10", diagnoses=["J02.0", "R50.9"])
    assert scrub_pending(session, book, as_of=AS_OF).held == 1
    assert session.scalars(select(FindingOverride)).one().encounter_version_id != claim.encounter_version_id


def test_errors_cannot_be_overridden(session: Session, book: RuleBook) -> None:
    ingest(session, encounter_id="E5", diagnoses=["E11"])
    scrub_pending(session, book, as_of=AS_OF)
    with pytest.raises(StateError, match="fix the claim"):
        override_finding(session, "E5", "ICD10-NOT-BILLABLE", None, actor="jdoe", reason="x", rules=book.by_id)
    with pytest.raises(StateError, match="no open finding"):
        override_finding(session, "E5", "MOD-INVALID", "1", actor="jdoe", reason="x", rules=book.by_id)
    with pytest.raises(StateError, match="no such claim"):
        override_finding(session, "NOPE", "MOD-INVALID", "1", actor="jdoe", reason="x")
    with pytest.raises(StateError, match="reason"):
        override_finding(session, "E5", "ICD10-NOT-BILLABLE", None, actor="jdoe", reason=" ")


def test_duplicate_claim_against_history(session: Session, book: RuleBook) -> None:
    ingest(session, encounter_id="E6")
    ingest(session, encounter_id="E7")  # the same visit under another encounter id
    summary = scrub_pending(session, book, as_of=AS_OF)
    by_claim = {r.claim_number: {f.category for f in r.findings} for r in summary.results}
    assert by_claim == {"E6": set(), "E7": {"duplicate"}}  # only the later copy is the duplicate


def test_eligibility_snapshot(session: Session, book: RuleBook) -> None:
    ingest(session, encounter_id="E8")
    patient = session.scalars(select(Patient)).one()
    session.add(CoverageSnapshot(patient_id=patient.id, payer_id="BCBS1", as_of=date(2026, 3, 1), status="inactive"))
    session.flush()
    summary = scrub_pending(session, book, as_of=AS_OF)
    assert {f.category for f in summary.results[0].findings} == {"eligibility"}


def test_scrub_pending_uses_settings_when_no_book_is_given(
    session: Session, book: RuleBook, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import rcm.coding.service as service

    monkeypatch.setattr(service, "default_rulebook", lambda: book)
    ingest(session, encounter_id="E9", lines=[line("1", "99213", charge="0.00")])
    assert scrub_pending(session, as_of=AS_OF).held == 1


def test_unloaded_fiscal_year_is_noted_in_the_summary(session: Session, book: RuleBook) -> None:
    ingest(session, encounter_id="E10", date_of_service="2025-09-30")
    summary = scrub_pending(session, book, as_of=date(2025, 10, 15))
    assert (summary.claims, summary.clean) == (1, 1)
    assert any("FY2025 not loaded" in n and "1 claim" in n for n in summary.notices)
