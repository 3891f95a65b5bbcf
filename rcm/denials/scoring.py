"""Score claims before they go out; hold those above the threshold for review, with the reason in words.

Scores are written as RiskScore rows (a probability, its threshold and the explanation); a held claim's
status change carries the explanation as its cause (source "model"), so the biller sees why.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy.orm import Session

from rcm.denials.explain import explain_claims
from rcm.denials.features import build_features
from rcm.denials.model import model_threads
from rcm.denials.persistence import LoadedModel
from rcm.denials.records import ClaimAtSubmission, ClaimOutcome
from rcm.errors import ConfigError

__all__ = ["ScoredClaim", "configured_threshold", "score_before_submission", "score_claims", "score_pending_claims"]

THRESHOLD_ENV = "RCM_DENIAL_THRESHOLD"


@dataclass(slots=True)
class ScoredClaim:
    claim_id: str
    score: float
    threshold: float
    held: bool
    explanation: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"claim": self.claim_id, "score": round(self.score, 4), "threshold": round(self.threshold, 4),
                "held": self.held, "reasons": [f["text"] for f in self.explanation["factors"]],
                "summary": self.explanation["summary"]}


def configured_threshold(model: LoadedModel, override: float | None = None) -> float:
    """The hold threshold: an explicit value, else RCM_DENIAL_THRESHOLD, else the model card's."""
    if override is not None:
        value = override
    elif os.environ.get(THRESHOLD_ENV):
        try:
            value = float(os.environ[THRESHOLD_ENV])
        except ValueError:
            raise ConfigError(f"{THRESHOLD_ENV} must be a number between 0 and 1") from None
    else:
        value = model.threshold
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"the denial threshold must be between 0 and 1, not {value}")
    return value


def score_claims(
    model: LoadedModel,
    claims: Sequence[ClaimAtSubmission],
    *,
    history: Sequence[ClaimAtSubmission] = (),
    outcomes: Mapping[str, ClaimOutcome] | None = None,
    threshold: float | None = None,
) -> list[ScoredClaim]:
    """Score claims as they would be sent now, against the history (and posted outcomes) already known."""
    if not claims:
        return []
    limit = configured_threshold(model, threshold)
    fs = build_features(claims, outcomes or {}, history=history)

    def predict(frame: pd.DataFrame) -> np.ndarray:
        with model_threads():
            out: np.ndarray = model.estimator.predict_proba(frame)[:, 1]
        return out

    explanations = explain_claims(predict, fs.frame, fs.facts)
    by_id = {
        cid: ScoredClaim(claim_id=cid, score=e["score"], threshold=limit, held=e["score"] >= limit, explanation=e)
        for cid, e in zip(fs.claim_ids, explanations, strict=True)
    }
    return [by_id[c.claim_id] for c in claims]


def score_pending_claims(
    session: Session,
    model: LoadedModel,
    *,
    threshold: float | None = None,
    now: datetime | None = None,
) -> list[ScoredClaim]:
    """Score every claim waiting to be sent (scrubbed or ready); hold the risky ones. The caller commits."""
    from rcm.denials.store_source import load_pending_from_store, load_training_from_store
    from rcm.store import ClaimStatus, RiskScore, set_claim_status

    at = now or datetime.now(UTC)
    pending = load_pending_from_store(session, now=at)
    if not pending:
        return []
    history, outcomes = load_training_from_store(session)
    scored = score_claims(model, [c for _, c in pending], history=history, outcomes=outcomes, threshold=threshold)
    by_number = {s.claim_id: s for s in scored}
    for record, at_submission in pending:
        result = by_number[record.claim_number]
        session.add(
            RiskScore(
                claim_id=record.id,
                encounter_version_id=at_submission.encounter_version_id or record.encounter_version_id,
                model_version=model.version,
                score=result.score,
                threshold=result.threshold,
                explanation=result.explanation,
                scored_at=at,
            )
        )
        if result.held:
            set_claim_status(
                session, record, ClaimStatus.held,
                cause=f"denial risk {result.score:.0%} (threshold {result.threshold:.0%}): "
                      f"{result.explanation['summary']}",
                source_kind="model", actor=f"denial-model {model.version}", at=at,
            )
    session.flush()
    return scored


def score_before_submission(
    session: Session, data_dir: Path, *, threshold: float | None = None, now: datetime | None = None
) -> list[ScoredClaim]:
    """The pipeline step before claims are built: score with the active model, or do nothing when none exists.

    Returns the scores (held claims have ``held``); the caller commits.
    """
    from rcm.denials.registry import active_model, models_dir_for

    model = active_model(models_dir_for(data_dir))
    if model is None:
        return []
    return score_pending_claims(session, model, threshold=threshold, now=now)
