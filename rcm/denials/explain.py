"""Why a claim scored high, in a biller's words: the factors that raised its risk most.

Each factor is a group of features (authorization, eligibility, filing deadline...). Its effect is measured by
setting the group to a harmless value ("authorization present", "checked today", "sent the next day") and
seeing how far the score drops; the largest drops are worded with the facts the features were built from.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]

from rcm.denials.features import BAG_SENTINEL

__all__ = ["FACTORS", "explain_claims"]

_Setter = Callable[[pd.DataFrame], None]


def _set(**values: Any) -> _Setter:
    def apply(frame: pd.DataFrame) -> None:
        for col, value in values.items():
            frame[col] = value

    return apply


def _timely(frame: pd.DataFrame) -> None:
    frame["days_to_submission"] = 1.0
    frame["days_left_to_filing_limit"] = frame["filing_limit_days"] - 1.0


def _drop_25(frame: pd.DataFrame) -> None:
    for col in ("em_with_25", "em_25_without_procedure", "em_25_shares_procedure_dx"):
        frame[col] = 0.0
    frame["modifiers"] = frame["modifiers"].map(lambda s: " ".join(t for t in s.split() if not t.endswith("25")))


FACTORS: dict[str, _Setter] = {
    "authorization": _set(prior_auth_present=1.0, payer_code_noauth_denial_rate_90d=math.nan),
    "payer_history": _set(payer_code_denial_rate_90d=math.nan, payer_denial_rate_90d=math.nan),
    "diagnosis_fit": _set(code_dx_denial_rate_90d=math.nan, code_dx=BAG_SENTINEL),
    "eligibility": _set(eligibility_status="active", eligibility_check_age_days=0.0),
    "timely_filing": _timely,
    "duplicate": _set(duplicate_lines=0.0),
    "frequency": _set(prior_same_family_visits_365d=0.0, prior_same_code_visits_180d=0.0,
                      days_since_same_code=math.nan),
    "modifier_25": _drop_25,
    "scrubber_warnings": _set(warnings=BAG_SENTINEL, n_warnings=0.0),
}

_MIN_EFFECT = 0.01


def _pct(rate: float) -> str:
    return f"{rate * 100:.0f} %"


def _words(factor: str, facts: dict[str, Any]) -> str:
    payer = facts.get("payer_id", "the payer")
    if factor == "authorization":
        nr = facts.get("noauth_rate")
        cr = facts.get("code_rate") or {}
        if nr and nr["rate"] >= max(0.15, 1.5 * cr.get("rate", 0.0)):
            return (f"{payer} denied {_pct(nr['rate'])} of {nr['code']} without prior authorization in the last "
                    f"90 days ({nr['lines']} lines)")
        return "no prior authorization number is on the claim"
    if factor == "payer_history":
        cr = facts.get("code_rate")
        if cr and cr["rate"] >= 0.1:
            return f"{payer} denied {_pct(cr['rate'])} of {cr['code']} in the last 90 days ({cr['lines']} lines)"
        pr = facts.get("payer_rate")
        if pr and pr["rate"] >= 0.1:
            return f"{payer} denied {_pct(pr['rate'])} of our claims in the last 90 days"
        return f"{payer}'s recent denial record on these codes"
    if factor == "diagnosis_fit":
        cd = facts.get("code_dx_rate")
        if cd and cd["rate"] >= 0.1:
            return (f"{cd['code']} billed with a diagnosis from ICD-10-CM chapter {cd['dx']} was denied "
                    f"{_pct(cd['rate'])} of the time in the last 90 days ({cd['lines']} lines)")
        return "the diagnoses pointed to may not support the procedures (medical necessity)"
    if factor == "eligibility":
        status = facts.get("eligibility_status")
        age = facts.get("eligibility_check_age_days")
        if status == "inactive":
            return "the last eligibility check said the coverage was inactive"
        if status in ("none", "unknown") or age is None:
            return "eligibility was not checked for this visit"
        return f"eligibility was last checked {age} days before the visit"
    if factor == "timely_filing":
        return (f"sent {facts.get('days_to_submission')} days after the date of service; {payer} allows "
                f"{facts.get('filing_limit_days')} days")
    if factor == "duplicate":
        dup = facts.get("duplicate_of")
        return f"the same service was already sent on claim {dup}" if dup else "the same service was already sent"
    if factor == "frequency":
        fv = facts.get("family_visits", {}).get("visits", 0)
        return f"the patient already had {fv} visits with this kind of service in the last 12 months"
    if factor == "modifier_25":
        return "modifier 25 on the visit without a separate procedure or a separate diagnosis"
    if factor == "scrubber_warnings":
        warnings = facts.get("warnings") or []
        return "scrubber warnings overridden: " + ", ".join(warnings) if warnings else "scrubber warnings"
    return factor


def explain_claims(
    predict: Callable[[pd.DataFrame], np.ndarray],
    frame: pd.DataFrame,
    facts: Sequence[dict[str, Any]],
    *,
    top: int = 3,
) -> list[dict[str, Any]]:
    """Per claim: its score and up to ``top`` factors that raised it, each with its effect and plain words."""
    base = predict(frame)
    effects: dict[str, np.ndarray] = {}
    for name, neutralise in FACTORS.items():
        changed = frame.copy()
        neutralise(changed)
        effects[name] = base - predict(changed)
    out: list[dict[str, Any]] = []
    for i in range(len(frame)):
        ranked = sorted(((float(effects[n][i]), n) for n in FACTORS), reverse=True)
        factors = [
            {"factor": name, "effect": round(effect, 4), "text": _words(name, facts[i])}
            for effect, name in ranked[:top]
            if effect >= _MIN_EFFECT
        ]
        summary = "; ".join(str(f["text"]) for f in factors) or "no single factor stands out"
        out.append({"score": round(float(base[i]), 4), "factors": factors, "summary": summary})
    return out
