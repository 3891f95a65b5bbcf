"""The figures a denial model is judged by: ROC-AUC, PR-AUC, Brier score and recall at a review budget.

Recall at a budget answers the billing office's question: if staff can review 10 % of claims before they go
out, which share of the claims that will be denied do they see? Ties at the cut are shared out fairly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

__all__ = ["REVIEW_BUDGET", "evaluate_scores", "recall_at_budget"]

REVIEW_BUDGET = 0.10


def recall_at_budget(labels: Sequence[int], scores: Sequence[float], budget: float = REVIEW_BUDGET) -> float:
    """Share of the denied claims found in the top ``budget`` share of claims by score (tie-aware)."""
    y = np.asarray(labels, dtype=float)
    s = np.asarray(scores, dtype=float)
    positives = y.sum()
    if len(y) == 0 or positives == 0:
        return math.nan
    k = budget * len(y)
    order = np.argsort(-s, kind="stable")
    s_sorted, y_sorted = s[order], y[order]
    cut = s_sorted[min(len(y) - 1, max(0, math.ceil(k) - 1))]
    above = s_sorted > cut
    taken = above.sum()
    found = y_sorted[above].sum()
    tied = s_sorted == cut
    # The claims tied with the cut fill the remaining budget in proportion.
    room = max(0.0, k - taken)
    if tied.sum():
        found += y_sorted[tied].sum() * min(1.0, room / tied.sum())
    return float(found / positives)


def evaluate_scores(labels: Sequence[int], scores: Sequence[float], *, probabilities: bool = True) -> dict[str, float]:
    """All four figures for one scorer; Brier only means something for probabilities (NaN otherwise)."""
    y = np.asarray(labels, dtype=int)
    s = np.asarray(scores, dtype=float)
    both = len(set(y.tolist())) == 2
    return {
        "roc_auc": float(roc_auc_score(y, s)) if both else math.nan,
        "pr_auc": float(average_precision_score(y, s)) if both else math.nan,
        "brier": float(brier_score_loss(y, np.clip(s, 0, 1))) if probabilities else math.nan,
        "recall_at_10pct": recall_at_budget(y.tolist(), s.tolist(), REVIEW_BUDGET),
        "claims": float(len(y)),
        "denied": float(y.sum()),
    }
