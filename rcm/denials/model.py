"""The denial-risk model: one scikit-learn Pipeline, trained on older months, calibrated, tested on later months.

Columns are declared once (rcm.denials.features) and turned into one ColumnTransformer; unknown payers,
codes or providers are ignored at scoring time. Class imbalance is handled with balanced class weights and
the scores are then calibrated (isotonic) on the most recent training months, so they read as probabilities.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
from pandas.util import hash_pandas_object  # type: ignore[import-untyped,unused-ignore]
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped,unused-ignore]

from rcm.denials.baselines import PayerCodeRateBaseline, RulesBaseline
from rcm.denials.features import BAG_COLUMNS, CATEGORICAL_COLUMNS, NUMERIC_COLUMNS, FeatureSet, build_features
from rcm.denials.metrics import REVIEW_BUDGET, evaluate_scores
from rcm.denials.records import ClaimAtSubmission, ClaimOutcome
from rcm.errors import InputError

__all__ = [
    "DEFAULT_RANDOM_STATE",
    "TrainedModel",
    "TrainingError",
    "build_pipeline",
    "data_hash",
    "model_threads",
    "split_by_time",
    "train_model",
]

DEFAULT_RANDOM_STATE = 20260
_TOKENS = r"[^ ]+"
# The most frequent tokens kept per bag: enough for the code mix, small enough to train in seconds.
_BAG_SIZES: dict[str, int] = {"code_dx": 150, "payer_codes": 100, "dx_chapters": 30}


def model_threads() -> Any:
    """Limit OpenMP to RCM_MODEL_THREADS (default 1) threads.

    Gradient boosting's OpenMP workers spin-wait; on a shared, busy machine that makes training 10-20 times
    slower than one thread, so one thread is the default.
    """
    return threadpool_limits(limits=int(os.environ.get("RCM_MODEL_THREADS", "1")), user_api="openmp")


class TrainingError(InputError):
    """The history cannot train a model (too short, no denials in a split...)."""


def build_pipeline(*, random_state: int = DEFAULT_RANDOM_STATE) -> Pipeline:
    """The unfitted pipeline: column transformer (declared once from the feature lists) + gradient boosting."""
    transformers: list[tuple[str, Any, Any]] = [
        ("categorical", OneHotEncoder(handle_unknown="ignore", min_frequency=5), list(CATEGORICAL_COLUMNS)),
        *(
            (col, CountVectorizer(token_pattern=_TOKENS, lowercase=False, binary=True, min_df=5,
                                  max_features=_BAG_SIZES.get(col)), col)
            for col in BAG_COLUMNS
        ),
        ("numeric", "passthrough", list(NUMERIC_COLUMNS)),
    ]
    features = ColumnTransformer(transformers, sparse_threshold=0.0)
    booster = HistGradientBoostingClassifier(
        learning_rate=0.08,
        max_iter=200,
        max_leaf_nodes=24,
        min_samples_leaf=15,
        l2_regularization=1.0,
        class_weight="balanced",
        early_stopping=False,
        random_state=random_state,
    )
    return Pipeline([("features", features), ("model", booster)])


def _calibrate(pipeline: Pipeline, frame: pd.DataFrame, labels: Sequence[int]) -> Any:
    """Isotonic calibration of an already fitted pipeline on later data (sigmoid when denials are few)."""
    method = "isotonic" if sum(labels) >= 60 else "sigmoid"
    try:
        from sklearn.frozen import FrozenEstimator

        calibrated = CalibratedClassifierCV(FrozenEstimator(pipeline), method=method)
    except ImportError:  # scikit-learn < 1.6
        calibrated = CalibratedClassifierCV(pipeline, method=method, cv="prefit")
    calibrated.fit(frame, list(labels))
    return calibrated


def data_hash(frame: pd.DataFrame, labels: Sequence[int]) -> str:
    """A fingerprint of the exact training data (features and labels)."""
    h = hashlib.sha256(hash_pandas_object(frame, index=False).to_numpy().tobytes())
    h.update(np.asarray(labels, dtype=np.int8).tobytes())
    return h.hexdigest()


def _month_key(d: date) -> str:
    return f"{d:%Y-%m}"


def split_by_time(submitted_on: Sequence[date], *, holdout_months: int | None = None) -> tuple[list[int], list[int]]:
    """Indexes of the training rows (older months) and the held-out rows (the latest months)."""
    months = sorted({_month_key(d) for d in submitted_on})
    if len(months) < 3:
        raise TrainingError("the history spans fewer than 3 submission months: too short to hold months out")
    n_hold = holdout_months or max(1, round(len(months) * 0.25))
    held = set(months[-n_hold:])
    train = [i for i, d in enumerate(submitted_on) if _month_key(d) not in held]
    test = [i for i, d in enumerate(submitted_on) if _month_key(d) in held]
    return train, test


@dataclass(slots=True)
class TrainedModel:
    """A calibrated model with everything its card needs."""

    estimator: Any
    threshold: float
    metrics: dict[str, Any]
    training_window: tuple[date, date]
    holdout_window: tuple[date, date]
    rows: dict[str, int]
    data_hash: str
    random_state: int
    holdout_frame: pd.DataFrame | None = None  # kept in memory to compare models on the same months
    holdout_labels: list[int] | None = None

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        with model_threads():
            scores: np.ndarray = self.estimator.predict_proba(frame)[:, 1]
        return scores


def train_model(
    claims: Sequence[ClaimAtSubmission],
    outcomes: Mapping[str, ClaimOutcome],
    *,
    random_state: int = DEFAULT_RANDOM_STATE,
    holdout_months: int | None = None,
    features: FeatureSet | None = None,
) -> TrainedModel:
    """Train on the older months, calibrate on the last training months, measure on the held-out months."""
    labelled = [c for c in claims if c.claim_id in outcomes]
    if not labelled:
        raise TrainingError("no submitted claim has a posted remittance yet: nothing to learn from")
    fs = features or build_features(labelled, outcomes)
    if fs.labels is None:
        raise TrainingError("some claims have no posted outcome")
    y = fs.labels
    train_idx, test_idx = split_by_time(fs.submitted_on, holdout_months=holdout_months)
    cut = int(len(train_idx) * 0.8)
    fit_idx, cal_idx = train_idx[:cut], train_idx[cut:]
    for name, idx in (("training", fit_idx), ("calibration", cal_idx), ("held-out", test_idx)):
        if sum(y[i] for i in idx) < 5:
            raise TrainingError(f"the {name} months hold fewer than 5 denied claims")
    with model_threads():
        return _train(fs, y, train_idx, test_idx, labelled, random_state)


def _train(
    fs: FeatureSet,
    y: list[int],
    train_idx: list[int],
    test_idx: list[int],
    labelled: list[ClaimAtSubmission],
    random_state: int,
) -> TrainedModel:
    cut = int(len(train_idx) * 0.8)
    fit_idx, cal_idx = train_idx[:cut], train_idx[cut:]
    frame = fs.frame
    pipeline = build_pipeline(random_state=random_state)
    pipeline.fit(frame.iloc[fit_idx], [y[i] for i in fit_idx])
    calibrated = _calibrate(pipeline, frame.iloc[cal_idx], [y[i] for i in cal_idx])

    test_y = [y[i] for i in test_idx]
    test_scores = calibrated.predict_proba(frame.iloc[test_idx])[:, 1]
    metrics: dict[str, Any] = evaluate_scores(test_y, test_scores.tolist())

    by_id = {c.claim_id: c for c in labelled}
    train_claims = [by_id[fs.claim_ids[i]] for i in train_idx]
    test_claims = [by_id[fs.claim_ids[i]] for i in test_idx]
    train_y = [y[i] for i in train_idx]
    rules = RulesBaseline().fit(train_claims, train_y)
    rules_metrics = evaluate_scores(test_y, rules.rank_scores(test_claims), probabilities=False)
    rules_metrics["brier"] = evaluate_scores(test_y, rules.probabilities(test_claims))["brier"]
    rate = PayerCodeRateBaseline().fit(train_claims, train_y)
    metrics["baselines"] = {
        "rules": rules_metrics,
        "payer_code_rate": evaluate_scores(test_y, rate.probabilities(test_claims)),
    }
    # The hold threshold: the score that sends REVIEW_BUDGET of the calibration months to review.
    cal_scores = calibrated.predict_proba(frame.iloc[cal_idx])[:, 1]
    threshold = float(np.quantile(cal_scores, 1 - REVIEW_BUDGET)) if len(cal_scores) else 0.5
    metrics["threshold_review_share_holdout"] = float(np.mean(test_scores >= threshold))
    metrics = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in metrics.items()}
    days = fs.submitted_on
    return TrainedModel(
        estimator=calibrated,
        threshold=threshold,
        metrics=metrics,
        training_window=(min(days[i] for i in train_idx), max(days[i] for i in train_idx)),
        holdout_window=(min(days[i] for i in test_idx), max(days[i] for i in test_idx)),
        rows={"fit": len(fit_idx), "calibration": len(cal_idx), "holdout": len(test_idx)},
        data_hash=data_hash(frame.iloc[train_idx], [y[i] for i in train_idx]),
        random_state=random_state,
        holdout_frame=frame.iloc[test_idx].reset_index(drop=True),
        holdout_labels=test_y,
    )
