"""The store path: training data from stored claims/submissions/remits, scoring with holds, ModelVersion rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
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
from rcm.payer_sim import SynthConfig, SynthHistory, generate_history
from rcm.store import (
    ClaimPayment,
    ClaimStatus,
    DenialRecord,
    ModelVersion,
    RiskScore,
    find_claim,
)
from rcm.store.testing import db_session, fresh_database

from .synthetic_store import at_noon, load_into_store

pytestmark = pytest.mark.slow


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
    scored = score_before_submission(session, tmp_path, now=at_noon(cutoff))
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

