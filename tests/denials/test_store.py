"""The store path: training data from stored claims/submissions/remits, scoring with holds, ModelVersion rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.denials.appeals import draft_appeal, facts_from_store
from rcm.denials.features import build_features
from rcm.denials.records import ClaimAtSubmission, ClaimOutcome, from_synth_history
from rcm.denials.registry import models_dir_for, retrain
from rcm.denials.scoring import score_before_submission
from rcm.denials.store_source import load_training_from_store
from rcm.payer_sim import SynthConfig, SynthHistory, generate_history, load_payer_rules
from rcm.store import (
    ClaimPayment,
    ClaimStatus,
    ClaimSubmission,
    CoverageSnapshot,
    DenialRecord,
    EncounterVersion,
    FindingOverride,
    ModelVersion,
    Payer,
    Remittance,
    RiskScore,
    ScrubFinding,
    find_claim,
    record_file,
    save_encounter,
    set_claim_status,
)
from rcm.store.testing import db_session, fresh_database

pytestmark = pytest.mark.slow


def _at(d: date) -> datetime:
    return datetime.combine(d, time(12, 0), tzinfo=UTC)


def load_into_store(session: Session, history: SynthHistory, cutoff: date) -> None:
    """What the pipeline would have stored: claims sent before ``cutoff`` with their remits; later ones ready."""
    rules = load_payer_rules()
    adjudications = history.adjudications
    files: dict[str, int] = {}
    remits: dict[tuple[str, date], Remittance] = {}
    for n, claim in enumerate(history.claims):
        save_encounter(session, claim.encounter, source_file="synth.jsonl", source_row=n)
        record = find_claim(session, claim.claim_id)
        assert record is not None
        version = session.get(EncounterVersion, record.encounter_version_id)
        assert version is not None
        if claim.eligibility_checked_on is not None:
            session.add(CoverageSnapshot(patient_id=version.patient_id, payer_id=claim.payer_id,
                                         as_of=claim.eligibility_checked_on, status=claim.eligibility_status,
                                         received_at=_at(claim.eligibility_checked_on)))
        for rule in claim.warnings:
            session.add(ScrubFinding(claim_id=record.id, encounter_version_id=version.id, rule_id=rule,
                                     category="edit", severity="warning", message=f"{rule} on the claim",
                                     created_at=_at(claim.submitted_on) - timedelta(hours=2)))
            session.add(FindingOverride(claim_id=record.id, encounter_version_id=version.id, rule_id=rule,
                                        actor="biller", reason="sent anyway",
                                        at=_at(claim.submitted_on) - timedelta(hours=1)))
        if claim.submitted_on >= cutoff:
            set_claim_status(session, record, ClaimStatus.ready, cause="scrubbed clean", source_kind="scrub")
            continue
        month = f"{claim.submitted_on:%Y-%m}"
        if month not in files:
            rec, _ = record_file(session, direction="out", kind="837P", name=f"837_{month}.x12", path="/x",
                                 content=month.encode())
            files[month] = rec.id
        session.add(ClaimSubmission(claim_id=record.id, file_id=files[month], submission_number=1,
                                    submitted_at=_at(claim.submitted_on)))
        set_claim_status(session, record, ClaimStatus.submitted, cause="sent", source_kind="build")
        adj = adjudications[claim.claim_id]
        if adj.adjudicated_on >= cutoff:
            continue
        key = (adj.payer_id, adj.adjudicated_on)
        if key not in remits:
            rec, _ = record_file(session, direction="in", kind="835", name=f"835_{key}.x12", path="/y",
                                 content=repr(key).encode())
            remits[key] = Remittance(file_id=rec.id, trace_number=f"{adj.payer_id}{adj.adjudicated_on:%Y%m%d}",
                                     payer_key=adj.payer_id, payment_amount=0, posted_at=_at(adj.adjudicated_on))
            session.add(remits[key])
            session.flush()
        payment = ClaimPayment(remittance_id=remits[key].id, claim_id=record.id,
                               patient_control_number=claim.claim_id, status_code=adj.status_code,
                               charge=adj.charge, paid=adj.paid, patient_responsibility=adj.patient_responsibility,
                               payer_claim_number=adj.payer_claim_number)
        session.add(payment)
        session.flush()
        for line in adj.lines:
            if line.denied:
                cas = line.adjustments[0]
                session.add(DenialRecord(claim_id=record.id, claim_payment_id=payment.id, line_id=line.line_id,
                                         group_code=cas.group, reason_code=cas.reason, remark_codes=line.remarks,
                                         amount=cas.amount, denied_at=_at(adj.adjudicated_on)))
    for payer in session.scalars(select(Payer)):
        if payer.payer_id in rules:
            payer.timely_filing_days = rules[payer.payer_id].timely_filing_days
    session.flush()


CUTOFF = date(2025, 3, 25)


@pytest.fixture(scope="module")
def history() -> SynthHistory:
    return generate_history(SynthConfig(months=3, seed=5, encounters_per_month=150))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory, history: SynthHistory) -> Iterator[Session]:
    """One database for the module, loaded once (tests below only add scores and holds at the end)."""
    with fresh_database(tmp_path_factory.mktemp("db")) as engine, db_session(engine) as s:
        load_into_store(s, history, CUTOFF)
        yield s


def test_store_gives_the_same_training_data_as_the_history(session: Session, history: SynthHistory) -> None:
    cutoff = CUTOFF
    claims, outcomes = load_training_from_store(session)
    synth_claims, synth_outcomes = from_synth_history(history)
    sent = [c for c in synth_claims if c.submitted_on < cutoff]
    assert sorted(c.claim_id for c in claims) == sorted(c.claim_id for c in sent)
    posted = {k: v for k, v in synth_outcomes.items() if v.known_on < cutoff}
    assert set(outcomes) == set(posted)
    assert all(outcomes[k].denied == v.denied and outcomes[k].reason_group == v.reason_group
               for k, v in posted.items())
    from_store = build_features(claims, outcomes).frame
    from_memory = build_features(sent, posted).frame
    from_store["warnings"] = from_store["warnings"].map(lambda s: sorted(s.split()))
    from_memory["warnings"] = from_memory["warnings"].map(lambda s: sorted(s.split()))
    # The store knows the latest eligibility answer for the patient before sending (maybe from another visit's
    # check); the synthetic history keeps each visit's own check. Everything else is identical.
    differing = [c for c in from_store.columns if not from_store[c].equals(from_memory[c])]
    assert set(differing) <= {"eligibility_status", "eligibility_check_age_days"}
    same_check = (from_store["eligibility_status"] == from_memory["eligibility_status"]).mean()
    assert same_check > 0.8


def test_appeal_from_the_store(session: Session) -> None:
    denial = session.scalars(select(DenialRecord).where(DenialRecord.reason_code == "197")).first()
    assert denial is not None
    record = session.get(ClaimPayment, denial.claim_payment_id)
    assert record is not None
    letter = draft_appeal(facts_from_store(session, record.patient_control_number), today=date(2025, 3, 2))
    assert "authorization" in letter and "CO-197" in letter and record.patient_control_number in letter


def test_scoring_pending_claims_holds_the_risky_ones(
    session: Session, history: SynthHistory, tmp_path: Path,
    small_data: tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]],
) -> None:
    cutoff = CUTOFF
    # The store's training data equals the history's (test above); a larger history trains a steadier model.
    claims, outcomes = small_data
    decision = retrain(claims, outcomes, models_dir_for(tmp_path), session=session)
    row = session.scalar(select(ModelVersion))
    assert row is not None and row.active and row.decision == decision.decision
    assert score_before_submission(session, tmp_path / "no-models-here") == []
    scored = score_before_submission(session, tmp_path, now=_at(cutoff))
    pending = [c for c in history.claims if c.submitted_on >= cutoff]
    assert len(scored) == len(pending) > 0
    assert session.scalar(select(RiskScore).limit(1)) is not None
    held = [s for s in scored if s.held]
    assert held and len(held) < len(scored)
    for s in held:
        record = find_claim(session, s.claim_id)
        assert record is not None and record.status is ClaimStatus.held
        assert record.hold_reason and record.hold_reason.startswith("denial risk")
    assert all(find_claim(session, s.claim_id).status is ClaimStatus.ready  # type: ignore[union-attr]
               for s in scored if not s.held)

