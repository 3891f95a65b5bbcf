"""The synthetic payer side and practice: explicit denial mechanisms that adjudicate claims into 835-ready data.

Imports only rcm.domain, rcm.codes and rcm.x12 (never a stage), so a clearinghouse simulator can reuse it.
"""

from __future__ import annotations

from rcm.payer_sim.adjudication import Enrollment, PayerSide, submitted_from_claim
from rcm.payer_sim.generator import SynthConfig, generate_history, scrubber_warnings
from rcm.payer_sim.history import (
    REASON_GROUPS,
    Adjudication,
    CasAdjustment,
    DenialCause,
    LineAdjudication,
    SubmittedClaim,
    SynthHistory,
    reason_group_for_carc,
)
from rcm.payer_sim.practice import PayerRules, load_payer_rules

__all__ = [
    "REASON_GROUPS",
    "Adjudication",
    "CasAdjustment",
    "DenialCause",
    "Enrollment",
    "LineAdjudication",
    "PayerRules",
    "PayerSide",
    "SubmittedClaim",
    "SynthConfig",
    "SynthHistory",
    "generate_history",
    "load_payer_rules",
    "reason_group_for_carc",
    "scrubber_warnings",
    "submitted_from_claim",
]
