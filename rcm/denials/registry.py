"""Which denial model is in use, and retraining that only replaces it when the new one is at least as good.

The active model is named in ``<models dir>/active.json``; every training run is recorded there and, when a
database session is given, as a ModelVersion row with the decision in words.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rcm.denials.metrics import evaluate_scores
from rcm.denials.model import DEFAULT_RANDOM_STATE, TrainedModel, model_threads, train_model
from rcm.denials.persistence import LoadedModel, ModelCompatibilityError, load_model, save_model
from rcm.denials.records import ClaimAtSubmission, ClaimOutcome

__all__ = ["RetrainDecision", "active_model", "models_dir_for", "retrain"]

ACTIVE_FILE = "active.json"
# The new model must not lose more than this much PR-AUC (the figure that matters at a review budget).
TOLERANCE = 0.005


def models_dir_for(data_dir: Path) -> Path:
    return data_dir / "models"


def active_model(models_dir: Path) -> LoadedModel | None:
    """The model in use (None when none was ever accepted); incompatible files raise ModelCompatibilityError."""
    pointer = models_dir / ACTIVE_FILE
    if not pointer.exists():
        return None
    data = json.loads(pointer.read_text(encoding="utf-8"))
    return load_model(models_dir / data["model_file"])


@dataclass(slots=True)
class RetrainDecision:
    accepted: bool
    decision: str
    new: LoadedModel
    trained: TrainedModel
    previous_version: str | None
    previous_metrics_on_holdout: dict[str, Any] | None

    @property
    def active_version(self) -> str:
        return self.new.version if self.accepted or self.previous_version is None else self.previous_version


def _clean(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in metrics.items()}


def retrain(
    claims: Sequence[ClaimAtSubmission],
    outcomes: Mapping[str, ClaimOutcome],
    models_dir: Path,
    *,
    session: Session | None = None,
    now: datetime | None = None,
    random_state: int = DEFAULT_RANDOM_STATE,
    holdout_months: int | None = None,
) -> RetrainDecision:
    """Train on the latest history; keep the previous model if the new one is worse on the same held-out months."""
    at = now or datetime.now(UTC)
    trained = train_model(claims, outcomes, random_state=random_state, holdout_months=holdout_months)
    new = save_model(trained, models_dir, now=at)
    previous: LoadedModel | None = None
    note = ""
    try:
        previous = active_model(models_dir)
    except ModelCompatibilityError as exc:
        note = f" (the previous model could not be loaded and is replaced: {exc})"
    old_metrics: dict[str, Any] | None = None
    window = f"{trained.holdout_window[0]}..{trained.holdout_window[1]}"
    new_pr = trained.metrics.get("pr_auc") or 0.0
    if previous is None:
        accepted = True
        decision = f"accepted {new.version}: no previous model{note}"
    else:
        assert trained.holdout_frame is not None and trained.holdout_labels is not None
        with model_threads():
            old_scores = previous.estimator.predict_proba(trained.holdout_frame)[:, 1]
        old_metrics = _clean(evaluate_scores(trained.holdout_labels, old_scores.tolist()))
        old_pr = old_metrics.get("pr_auc") or 0.0
        accepted = new_pr >= old_pr - TOLERANCE
        verdict = "accepted" if accepted else "kept previous"
        decision = (
            f"{verdict} {new.version if accepted else previous.version}: on the held-out months {window} the new "
            f"model has PR-AUC {new_pr:.3f} and ROC-AUC {trained.metrics.get('roc_auc') or 0:.3f}, the previous "
            f"{previous.version} PR-AUC {old_pr:.3f} and ROC-AUC {old_metrics.get('roc_auc') or 0:.3f}"
        )
    new.card["decision"] = decision
    new.card["accepted"] = accepted
    (new.path.with_suffix(".card.json")).write_text(json.dumps(new.card, indent=2, sort_keys=True, default=str)
                                                    + "\n", encoding="utf-8")
    if accepted:
        (models_dir / ACTIVE_FILE).write_text(
            json.dumps({"version": new.version, "model_file": new.path.name, "since": at.isoformat()}, indent=2)
            + "\n", encoding="utf-8")
    _append_log(models_dir, {"at": at.isoformat(), "version": new.version, "accepted": accepted,
                             "decision": decision})
    if session is not None:
        _record(session, new, accepted=accepted, decision=decision, trained_at=at)
    return RetrainDecision(accepted, decision, new, trained, previous.version if previous else None, old_metrics)


def _append_log(models_dir: Path, entry: dict[str, Any]) -> None:
    with (models_dir / "decisions.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, sort_keys=True) + "\n")


def _record(session: Session, model: LoadedModel, *, accepted: bool, decision: str, trained_at: datetime) -> None:
    from rcm.store import ModelVersion

    if accepted:
        session.execute(update(ModelVersion).where(ModelVersion.active.is_(True)).values(active=False))
    existing = session.scalar(select(ModelVersion).where(ModelVersion.version == model.version))
    row = existing or ModelVersion(version=model.version, path=str(model.path), card=model.card,
                                   trained_at=trained_at)
    row.active = accepted
    row.decision = decision
    row.card = model.card
    if existing is None:
        session.add(row)
    session.flush()
