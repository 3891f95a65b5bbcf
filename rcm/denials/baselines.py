"""The two yardsticks the model must beat: scrubber warnings alone, and the payer x code historical denial rate.

Both are fitted on the training months only and scored on the same held-out months as the model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rcm.denials.records import ClaimAtSubmission

__all__ = ["RULE_WEIGHTS", "PayerCodeRateBaseline", "RulesBaseline"]

# How much an overridden scrubber finding (rules/scrub ids) says about a denial: edits that predict a payer's
# refusal weigh 3, a shared line 2, anything else 1 (a billing office's rule of thumb).
RULE_WEIGHTS: dict[str, float] = {
    "NCCI-PTP-0": 3.0,
    "NCCI-PTP-1": 3.0,
    "MOD-25-REQUIRED": 3.0,
    "TIMELY-FILING": 3.0,
    "ELIG-INACTIVE": 3.0,
    "ELIG-DATES": 3.0,
    "ELIG-NO-COVERAGE": 3.0,
    "DUP-CLAIM": 3.0,
    "DUP-LINE": 2.0,
}


def _rule_score(claim: ClaimAtSubmission) -> float:
    return sum(RULE_WEIGHTS.get(w, 1.0) for w in claim.warnings)


@dataclass(slots=True)
class RulesBaseline:
    """Rank by the weighted count of overridden scrubber warnings; probability = training rate at that score."""

    rates: dict[float, float] = field(default_factory=dict)
    overall: float = 0.0

    def fit(self, claims: Sequence[ClaimAtSubmission], labels: Sequence[int]) -> RulesBaseline:
        counts: dict[float, list[int]] = defaultdict(lambda: [0, 0])
        for c, y in zip(claims, labels, strict=True):
            bucket = counts[_rule_score(c)]
            bucket[0] += 1
            bucket[1] += y
        self.overall = sum(labels) / max(1, len(labels))
        self.rates = {k: v[1] / v[0] for k, v in counts.items() if v[0] >= 20}
        return self

    def rank_scores(self, claims: Sequence[ClaimAtSubmission]) -> list[float]:
        return [_rule_score(c) for c in claims]

    def probabilities(self, claims: Sequence[ClaimAtSubmission]) -> list[float]:
        return [self.rates.get(_rule_score(c), self.overall) for c in claims]


@dataclass(slots=True)
class PayerCodeRateBaseline:
    """Score = the highest training denial rate among the claim's (payer, code) pairs."""

    rates: dict[tuple[str, str], float] = field(default_factory=dict)
    overall: float = 0.0

    def fit(self, claims: Sequence[ClaimAtSubmission], labels: Sequence[int]) -> PayerCodeRateBaseline:
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for c, y in zip(claims, labels, strict=True):
            for code in {ln.code for ln in c.lines}:
                bucket = counts[(c.payer_id, code)]
                bucket[0] += 1
                bucket[1] += y
        self.overall = sum(labels) / max(1, len(labels))
        self.rates = {k: v[1] / v[0] for k, v in counts.items() if v[0] >= 5}
        return self

    def probabilities(self, claims: Sequence[ClaimAtSubmission]) -> list[float]:
        return [
            max((self.rates.get((c.payer_id, ln.code), self.overall) for ln in c.lines), default=self.overall)
            for c in claims
        ]
