"""Features of a claim as at submission, including history the office had that day (never later outcomes).

One pass in submission order keeps two kinds of memory: the office's own earlier claims (for duplicates and
frequency) and remittance outcomes already posted before the submission day, in a 90-day window (for the
payer's recent denial rates). Nothing posted on or after the submission day is ever used.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd  # type: ignore[import-untyped,unused-ignore]

from rcm.denials.records import ClaimAtSubmission, ClaimOutcome

__all__ = [
    "BAG_COLUMNS",
    "BAG_SENTINEL",
    "CATEGORICAL_COLUMNS",
    "FEATURE_COLUMNS",
    "NUMERIC_COLUMNS",
    "RATE_WINDOW_DAYS",
    "FeatureSet",
    "build_features",
    "dx_chapter",
    "is_em",
    "is_procedure",
]

RATE_WINDOW_DAYS = 90
BAG_SENTINEL = "~"
_MIN_RATE_SUPPORT = 5  # below this many lines a rate is not shown (NaN)

CATEGORICAL_COLUMNS: tuple[str, ...] = (
    "payer_id", "plan_type", "place_of_service", "rendering_npi", "specialty", "age_band", "sex",
    "eligibility_status",
)
BAG_COLUMNS: tuple[str, ...] = ("codes", "modifiers", "dx_chapters", "code_dx", "payer_codes", "warnings")
NUMERIC_COLUMNS: tuple[str, ...] = (
    "n_lines", "n_diagnoses", "total_charge", "max_units", "patient_age",
    "days_to_submission", "filing_limit_days", "days_left_to_filing_limit",
    "eligibility_check_age_days", "prior_auth_present", "n_warnings",
    "em_with_25", "em_25_without_procedure", "em_25_shares_procedure_dx", "em_with_procedure_without_25",
    "payer_code_denial_rate_90d", "payer_code_noauth_denial_rate_90d", "payer_denial_rate_90d",
    "code_dx_denial_rate_90d", "prior_same_family_visits_365d", "prior_same_code_visits_180d",
    "days_since_same_code", "duplicate_lines", "patient_claims_90d",
)
FEATURE_COLUMNS: tuple[str, ...] = CATEGORICAL_COLUMNS + BAG_COLUMNS + NUMERIC_COLUMNS


def is_em(code: str) -> bool:
    """Office and preventive evaluation and management codes (99202-99499)."""
    return code.isdigit() and 99202 <= int(code) <= 99499


def is_procedure(code: str) -> bool:
    """A procedure an E/M can be separate from: surgery section and medicine-section injections (not labs/drugs)."""
    if not code.isdigit():
        return False
    n = int(code)
    return 10004 <= n <= 69990 or 96360 <= n <= 96379


def dx_chapter(code: str) -> str:
    """The ICD-10-CM chapter letter group (S and T are one chapter, as are V to Y)."""
    head = code[:1]
    if head in "ST":
        return "ST"
    if head in "VWXY":
        return "VY"
    if head == "D":
        return "D1" if code[1:3] < "50" else "D5"
    if head == "H":
        return "H1" if code[1:3] < "60" else "H6"
    return head


def _age_band(age: int | None) -> str:
    if age is None:
        return "unknown"
    for limit, band in ((18, "0-17"), (40, "18-39"), (65, "40-64"), (75, "65-74")):
        if age < limit:
            return band
    return "75+"


@dataclass(slots=True)
class FeatureSet:
    """The feature frame (one row per claim, in submission order), labels, and the facts explanations quote."""

    frame: pd.DataFrame
    claim_ids: list[str]
    submitted_on: list[date]
    labels: list[int] | None
    reason_groups: list[str | None] | None
    facts: list[dict[str, Any]]


class _Window:
    """Posted outcomes of the last RATE_WINDOW_DAYS days, as line counts per key."""

    def __init__(self) -> None:
        self.events: deque[tuple[date, list[tuple[tuple[str, ...], bool]]]] = deque()
        self.lines: dict[tuple[str, ...], int] = defaultdict(int)
        self.denied: dict[tuple[str, ...], int] = defaultdict(int)

    def add(self, day: date, items: list[tuple[tuple[str, ...], bool]]) -> None:
        self.events.append((day, items))
        for key, denied in items:
            self.lines[key] += 1
            self.denied[key] += denied

    def evict_before(self, day: date) -> None:
        while self.events and self.events[0][0] < day:
            _, items = self.events.popleft()
            for key, denied in items:
                self.lines[key] -= 1
                self.denied[key] -= denied

    def rate(self, key: tuple[str, ...]) -> tuple[float, int]:
        n = self.lines.get(key, 0)
        if n < _MIN_RATE_SUPPORT:
            return math.nan, n
        return self.denied[key] / n, n


def _outcome_items(claim: ClaimAtSubmission, outcome: ClaimOutcome) -> list[tuple[tuple[str, ...], bool]]:
    items: list[tuple[tuple[str, ...], bool]] = [(("payer", claim.payer_id), outcome.denied)]
    for ln in claim.lines:
        denied = ln.line_id in outcome.denied_line_ids
        items.append((("pc", claim.payer_id, ln.code), denied))
        if not claim.prior_authorization:
            items.append((("pcn", claim.payer_id, ln.code), denied))
        for d in {dx_chapter(claim.diagnoses[p - 1]) for p in ln.diagnosis_pointers
                  if 1 <= p <= len(claim.diagnoses)}:
            items.append((("cd", ln.code, d), denied))
    return items


def build_features(
    claims: Sequence[ClaimAtSubmission],
    outcomes: Mapping[str, ClaimOutcome] | None = None,
    *,
    history: Sequence[ClaimAtSubmission] = (),
) -> FeatureSet:
    """Feature rows for ``claims``; ``outcomes`` give labels and feed the rate features only once posted.

    ``history`` adds earlier claims (with their outcomes in ``outcomes``) that are not themselves rows: used
    when scoring new claims against everything already stored.
    """
    outcomes = outcomes or {}
    row_ids = {c.claim_id for c in claims}
    everything = sorted({c.claim_id: c for c in [*history, *claims]}.values(),
                        key=lambda c: (c.submitted_on, c.claim_id))
    by_id = {c.claim_id: c for c in everything}
    posted = sorted(
        ((o.known_on, o.claim_id) for o in outcomes.values() if o.claim_id in by_id), key=lambda t: t
    )
    window = _Window()
    next_posted = 0
    patient_claims: dict[str, list[ClaimAtSubmission]] = defaultdict(list)

    rows: list[dict[str, Any]] = []
    facts: list[dict[str, Any]] = []
    ids: list[str] = []
    days: list[date] = []
    for claim in everything:
        # Absorb outcomes posted strictly before the submission day; forget those older than the window.
        while next_posted < len(posted) and posted[next_posted][0] < claim.submitted_on:
            day, cid = posted[next_posted]
            window.add(day, _outcome_items(by_id[cid], outcomes[cid]))
            next_posted += 1
        window.evict_before(claim.submitted_on - timedelta(days=RATE_WINDOW_DAYS))
        earlier = patient_claims[claim.patient_key]
        if claim.claim_id in row_ids:
            row, fact = _row(claim, window, earlier)
            rows.append(row)
            facts.append(fact)
            ids.append(claim.claim_id)
            days.append(claim.submitted_on)
        earlier.append(claim)

    frame = pd.DataFrame(rows, columns=list(FEATURE_COLUMNS))
    for col in NUMERIC_COLUMNS:
        frame[col] = frame[col].astype(float)
    labels = [int(outcomes[i].denied) for i in ids] if all(i in outcomes for i in ids) and ids else None
    groups = [outcomes[i].reason_group for i in ids] if labels is not None else None
    return FeatureSet(frame=frame, claim_ids=ids, submitted_on=days, labels=labels, reason_groups=groups,
                      facts=facts)


def _row(
    claim: ClaimAtSubmission, window: _Window, earlier: list[ClaimAtSubmission]
) -> tuple[dict[str, Any], dict[str, Any]]:
    dos = claim.date_of_service
    codes = [ln.code for ln in claim.lines]
    dx = claim.diagnoses

    def pointed(pointers: tuple[int, ...]) -> list[str]:
        return [dx[p - 1] for p in pointers if 1 <= p <= len(dx)]

    code_dx: list[str] = []
    for ln in claim.lines:
        for d in pointed(ln.diagnosis_pointers) or ["none"]:
            code_dx.append(f"{ln.code}|{d[:3]}")
            code_dx.append(f"{ln.code}|ch{dx_chapter(d)}")
    em_lines = [ln for ln in claim.lines if is_em(ln.code)]
    procedures = [ln for ln in claim.lines if is_procedure(ln.code)]
    em25 = [ln for ln in em_lines if "25" in ln.modifiers]
    procedure_pointers = {p for ln in procedures for p in ln.diagnosis_pointers}

    # The payer's recent record on these codes (posted before today), for the worst line.
    best: dict[str, Any] = {}
    rate_max = math.nan
    noauth_max = math.nan
    for ln in claim.lines:
        rate, n = window.rate(("pc", claim.payer_id, ln.code))
        if not math.isnan(rate) and (math.isnan(rate_max) or rate > rate_max):
            rate_max = rate
            best["code_rate"] = {"code": ln.code, "rate": rate, "lines": n}
        if not claim.prior_authorization:
            nrate, nn = window.rate(("pcn", claim.payer_id, ln.code))
            if not math.isnan(nrate) and (math.isnan(noauth_max) or nrate > noauth_max):
                noauth_max = nrate
                best["noauth_rate"] = {"code": ln.code, "rate": nrate, "lines": nn}
    code_dx_max = math.nan
    for ln in claim.lines:
        for d in {dx_chapter(x) for x in pointed(ln.diagnosis_pointers)}:
            cd_rate, cd_n = window.rate(("cd", ln.code, d))
            if not math.isnan(cd_rate) and (math.isnan(code_dx_max) or cd_rate > code_dx_max):
                code_dx_max = cd_rate
                best["code_dx_rate"] = {"code": ln.code, "dx": d, "rate": cd_rate, "lines": cd_n}
    payer_rate, payer_n = window.rate(("payer", claim.payer_id))
    if not math.isnan(payer_rate):
        best["payer_rate"] = {"rate": payer_rate, "claims": payer_n}

    # The office's own earlier claims for this patient (known at submission).
    year_ago = dos - timedelta(days=365)
    same_family = 0
    same_code_180 = 0
    half_year_ago = dos - timedelta(days=180)
    since_same: float = math.nan
    duplicates = 0
    dup_of: str | None = None
    for ln in claim.lines:
        family = ln.code[:3]
        visits = {e.date_of_service for e in earlier for el in e.lines
                  if el.code[:3] == family and year_ago < e.date_of_service < dos}
        same_family = max(same_family, len(visits))
        same_code_180 = max(same_code_180, len({e.date_of_service for e in earlier for el in e.lines
                                                 if el.code == ln.code and half_year_ago < e.date_of_service < dos}))
        gaps = [(dos - e.date_of_service).days for e in earlier for el in e.lines
                if el.code == ln.code and e.date_of_service < dos]
        if gaps:
            since_same = min(since_same, min(gaps)) if not math.isnan(since_same) else min(gaps)
        for e in earlier:
            if any(el.code == ln.code and el.modifiers == ln.modifiers and el.date_of_service == ln.date_of_service
                   for el in e.lines):
                duplicates += 1
                dup_of = e.claim_id
                break
    if same_family:
        best["family_visits"] = {"visits": same_family}
    if dup_of:
        best["duplicate_of"] = dup_of
    recent = sum(1 for e in earlier if (claim.submitted_on - e.submitted_on).days <= 90)

    days_to_submission = (claim.submitted_on - dos).days
    limit = claim.timely_filing_days
    check_age = (dos - claim.eligibility_checked_on).days if claim.eligibility_checked_on else math.nan
    row: dict[str, Any] = {
        "payer_id": claim.payer_id,
        "plan_type": claim.plan_type or "unknown",
        "place_of_service": claim.place_of_service or "unknown",
        "rendering_npi": claim.rendering_npi or "unknown",
        "specialty": claim.specialty or "unknown",
        "age_band": _age_band(claim.patient_age),
        "sex": claim.sex,
        "eligibility_status": claim.eligibility_status,
        "codes": " ".join(codes),
        "modifiers": " ".join(
            [f"mod{m}" for ln in claim.lines for m in ln.modifiers]
            + [f"{ln.code}-{m}" for ln in claim.lines for m in ln.modifiers]
        ),
        "dx_chapters": " ".join(sorted({f"ch{dx_chapter(d)}" for d in dx} | {d[:3] for d in dx})),
        "code_dx": " ".join(code_dx),
        "payer_codes": " ".join(f"{claim.payer_id}|{c}" for c in codes),
        "warnings": " ".join(claim.warnings),
        "n_lines": len(claim.lines),
        "n_diagnoses": len(dx),
        "total_charge": float(claim.total_charge),  # a model input, not money handling
        "max_units": float(max((ln.units for ln in claim.lines), default=0)),
        "patient_age": math.nan if claim.patient_age is None else claim.patient_age,
        "days_to_submission": days_to_submission,
        "filing_limit_days": math.nan if limit is None else limit,
        "days_left_to_filing_limit": math.nan if limit is None else limit - days_to_submission,
        "eligibility_check_age_days": check_age,
        "prior_auth_present": int(claim.prior_authorization),
        "n_warnings": len(claim.warnings),
        "em_with_25": int(bool(em25)),
        "em_25_without_procedure": int(bool(em25) and not procedures),
        "em_25_shares_procedure_dx": int(
            bool(em25) and bool(procedures) and all(set(ln.diagnosis_pointers) <= procedure_pointers for ln in em25)
        ),
        "em_with_procedure_without_25": int(bool(procedures) and any("25" not in ln.modifiers for ln in em_lines)),
        "payer_code_denial_rate_90d": rate_max,
        "payer_code_noauth_denial_rate_90d": noauth_max,
        "payer_denial_rate_90d": payer_rate,
        "code_dx_denial_rate_90d": code_dx_max,
        "prior_same_family_visits_365d": same_family,
        "prior_same_code_visits_180d": same_code_180,
        "days_since_same_code": since_same,
        "duplicate_lines": duplicates,
        "patient_claims_90d": recent,
    }
    for col in BAG_COLUMNS:
        # A token every row has: a bag's vocabulary is never empty, even when no real token is frequent enough.
        row[col] = f"{BAG_SENTINEL} {row[col]}".rstrip()
    best["prior_auth"] = claim.prior_authorization
    best["days_to_submission"] = days_to_submission
    best["filing_limit_days"] = limit
    best["eligibility_status"] = claim.eligibility_status
    best["eligibility_check_age_days"] = None if math.isnan(check_age) else int(check_age)
    best["payer_id"] = claim.payer_id
    best["warnings"] = list(claim.warnings)
    return row, best
