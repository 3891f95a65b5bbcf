"""Training data as at submission: nothing known only after a claim was sent may change its features."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd  # type: ignore[import-untyped,unused-ignore]

from rcm.denials.features import FEATURE_COLUMNS, build_features
from rcm.denials.records import ClaimAtSubmission, ClaimOutcome


def _flip(o: ClaimOutcome, claim: ClaimAtSubmission) -> ClaimOutcome:
    denied = not o.denied
    return dataclasses.replace(
        o, denied=denied, reason_group="authorization" if denied else None, carcs=("197",) if denied else (),
        denied_line_ids=frozenset(ln.line_id for ln in claim.lines) if denied else frozenset(),
    )


def test_outcomes_posted_on_or_after_submission_never_change_features(
    small_data: tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]],
) -> None:
    claims, outcomes = small_data
    by_id = {c.claim_id: c for c in claims}
    base = build_features(claims, outcomes)
    # Pick a claim in the middle; flip every outcome not yet posted the day it was sent.
    target = claims[len(claims) // 2]
    changed = {
        k: (_flip(o, by_id[k]) if o.known_on >= target.submitted_on else o) for k, o in outcomes.items()
    }
    after = build_features(claims, changed)
    assert sum(o.known_on >= target.submitted_on for o in outcomes.values()) > 100
    # Every claim sent up to that day has exactly the same features.
    for i, cid in enumerate(base.claim_ids):
        if by_id[cid].submitted_on <= target.submitted_on:
            pd.testing.assert_series_equal(base.frame.iloc[i], after.frame.iloc[i], check_names=False)
    # ...and its own label is not a feature: flipping it alone changes nothing in its row.
    own = {**outcomes, target.claim_id: _flip(outcomes[target.claim_id], target)}
    i = base.claim_ids.index(target.claim_id)
    pd.testing.assert_series_equal(base.frame.iloc[i], build_features(claims, own).frame.iloc[i],
                                   check_names=False)


def test_outcomes_posted_before_submission_do_feed_the_rates(
    small_data: tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]],
) -> None:
    """The counter-test: the history features are live, so the leak test above can fail."""
    claims, outcomes = small_data
    by_id = {c.claim_id: c for c in claims}
    base = build_features(claims, outcomes)
    last = claims[-1]
    flipped = {k: (_flip(o, by_id[k]) if o.known_on < last.submitted_on else o) for k, o in outcomes.items()}
    after = build_features(claims, flipped)
    i = base.claim_ids.index(last.claim_id)
    before_rate = base.frame.iloc[i]["payer_denial_rate_90d"]
    after_rate = after.frame.iloc[i]["payer_denial_rate_90d"]
    assert not math.isnan(before_rate) and abs(before_rate + after_rate - 1) < 1e-9


def test_features_are_what_the_office_knew(
    small_data: tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]],
) -> None:
    claims, outcomes = small_data
    fs = build_features(claims, outcomes)
    assert list(fs.frame.columns) == list(FEATURE_COLUMNS)
    forbidden = ("paid", "carc", "adjust", "remark", "denied_lines", "known_on", "allowed", "status_code")
    assert not [c for c in FEATURE_COLUMNS if any(word in c for word in forbidden)]
    assert fs.labels is not None and 0 < sum(fs.labels) < len(fs.labels)
    # rows are in submission order
    assert fs.submitted_on == sorted(fs.submitted_on)
    # resent claims are seen as duplicates of an earlier claim of the same patient
    dup_rows = fs.frame["duplicate_lines"] > 0
    assert dup_rows.any()
    assert all(fact.get("duplicate_of") for fact, dup in zip(fs.facts, dup_rows, strict=True) if dup)
