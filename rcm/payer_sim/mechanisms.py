"""The payer's denial mechanisms, one function each: given a claim and what the payer knows, who says no and why.

Each returns DenialCause items with the CARC, RARC and group code a real 835 would carry. The catalogue is
documented in docs/denials.md; the probabilities live in rcm.payer_sim.practice.PayerRules.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from rcm.payer_sim.history import DenialCause, SubmittedClaim
from rcm.payer_sim.practice import (
    CODES,
    COVERAGE_POLICIES,
    EM_CODES,
    NCCI_MODIFIERS,
    NCCI_PAIRS,
    PayerRules,
)

__all__ = [
    "MECHANISMS",
    "MemberFile",
    "bundling",
    "duplicate",
    "eligibility_lapse",
    "frequency_limit",
    "medical_necessity",
    "missing_prior_auth",
    "modifier_25",
    "random_noise",
    "timely_filing",
]


@dataclass(slots=True)
class MemberFile:
    """What a payer remembers about one member: enrolment and the services it has already processed."""

    start: date
    end: date | None
    services: list[tuple[date, str, str]] = field(default_factory=list)  # (date of service, code, claim id)
    seen: set[tuple[date, str, tuple[str, ...]]] = field(default_factory=set)  # duplicate keys
    deductible_used: dict[int, Decimal] = field(default_factory=dict)


_PROCEDURE_KINDS = frozenset({"procedure"})


def _line_dx(claim: SubmittedClaim, pointers: list[int]) -> list[str]:
    dx = claim.encounter.diagnoses
    return [dx[p - 1] for p in pointers if 1 <= p <= len(dx)]


def duplicate(claim: SubmittedClaim, member: MemberFile, rules: PayerRules, rng: random.Random) -> list[DenialCause]:
    """Exact duplicate: the same service (date, code, modifiers) was already processed for this member."""
    out: list[DenialCause] = []
    for line in claim.encounter.lines:
        key = (line.date_of_service or claim.encounter.date_of_service, line.code, tuple(line.modifiers))
        if key in member.seen:
            out.append(DenialCause("duplicate", line.line_id, "OA", "18", "N111"))
    return out


def eligibility_lapse(
    claim: SubmittedClaim, member: MemberFile, rules: PayerRules, rng: random.Random
) -> list[DenialCause]:
    """The date of service falls outside the member's enrolment: the whole claim, patient responsibility."""
    dos = claim.encounter.date_of_service
    if dos < member.start or (member.end is not None and dos > member.end):
        return [DenialCause("eligibility_lapse", None, "PR", "27", "N30")]
    return []


def timely_filing(
    claim: SubmittedClaim, received_on: date, rules: PayerRules
) -> list[DenialCause]:
    """Received after the payer's filing limit (counted from the date of service to receipt)."""
    if (received_on - claim.encounter.date_of_service).days > rules.timely_filing_days:
        return [DenialCause("timely_filing", None, "CO", "29", None)]
    return []


def missing_prior_auth(
    claim: SubmittedClaim, member: MemberFile, rules: PayerRules, rng: random.Random
) -> list[DenialCause]:
    """A code on this payer's prior-authorization list billed without an authorization number (REF*G1)."""
    if claim.encounter.prior_authorization:
        return []
    return [
        DenialCause("missing_prior_auth", line.line_id, "CO", "197", "M62")
        for line in claim.encounter.lines
        if line.code in rules.prior_auth_codes and rng.random() < rules.prior_auth_strictness
    ]


def medical_necessity(
    claim: SubmittedClaim, member: MemberFile, rules: PayerRules, rng: random.Random
) -> list[DenialCause]:
    """None of the diagnoses the line points to supports the procedure under the payer's coverage policy."""
    out: list[DenialCause] = []
    for line in claim.encounter.lines:
        policy = COVERAGE_POLICIES.get(line.code)
        if policy is None:
            continue
        dx = _line_dx(claim, line.diagnosis_pointers)
        if any(d.startswith(policy.allowed_prefixes) for d in dx):
            continue
        if rng.random() < rules.necessity_strictness:
            out.append(DenialCause("medical_necessity", line.line_id, "CO", rules.necessity_carc, rules.necessity_rarc))
    return out


def bundling(claim: SubmittedClaim, member: MemberFile, rules: PayerRules, rng: random.Random) -> list[DenialCause]:
    """NCCI procedure-to-procedure edits: the column-2 line is bundled into column 1 unless a modifier allows it."""
    lines = claim.encounter.lines
    codes = {ln.code for ln in lines}
    out: list[DenialCause] = []
    for pair in NCCI_PAIRS:
        if pair.column1 not in codes or pair.column2 not in codes:
            continue
        for line in lines:
            if line.code != pair.column2:
                continue
            allowed = pair.modifier_allowed and any(m in NCCI_MODIFIERS for m in line.modifiers)
            if not allowed:
                out.append(DenialCause("ncci_bundling", line.line_id, "CO", "97", "M15"))
    return out


def modifier_25(claim: SubmittedClaim, member: MemberFile, rules: PayerRules, rng: random.Random) -> list[DenialCause]:
    """Modifier 25 misuse: on an E/M with no procedure that day, or (per payer scrutiny) with no separate diagnosis."""
    lines = claim.encounter.lines
    procedures = [ln for ln in lines if CODES.get(ln.code) is not None and CODES[ln.code].kind in _PROCEDURE_KINDS]
    out: list[DenialCause] = []
    for line in lines:
        if line.code not in EM_CODES or "25" not in line.modifiers:
            continue
        if not procedures:
            if rng.random() < 0.9:
                out.append(DenialCause("modifier_25_no_procedure", line.line_id, "CO", "4", None))
            continue
        procedure_dx = {p for proc in procedures for p in proc.diagnosis_pointers}
        if set(line.diagnosis_pointers) <= procedure_dx and rng.random() < rules.modifier25_scrutiny:
            out.append(DenialCause("modifier_25_not_separate", line.line_id, "CO", "97", "N20"))
    return out


def frequency_limit(
    claim: SubmittedClaim, member: MemberFile, rules: PayerRules, rng: random.Random
) -> list[DenialCause]:
    """More visits with a limited code within the period than the payer allows (earlier paid visits count)."""
    out: list[DenialCause] = []
    dos = claim.encounter.date_of_service
    for limit in rules.frequency_limits:
        lines = [ln for ln in claim.encounter.lines if ln.code in limit.codes]
        if not lines:
            continue
        since = dos - timedelta(days=limit.days)
        visits = {d for d, c, _ in member.services if c in limit.codes and since < d < dos}
        if len(visits) >= limit.count:
            out.extend(DenialCause("frequency_limit", ln.line_id, "CO", limit.carc, limit.rarc) for ln in lines)
    return out


_NOISE_RARCS = ("M51", "N290", "M79", "N286")


def random_noise(claim: SubmittedClaim, member: MemberFile, rules: PayerRules, rng: random.Random) -> list[DenialCause]:
    """What no model can foresee: a processor's error or a missing-information edit on a random line."""
    roll = rng.random()
    lines = claim.encounter.lines
    if roll < 0.010:
        line = lines[rng.randrange(len(lines))]
        return [DenialCause("noise_information", line.line_id, "CO", "16", rng.choice(_NOISE_RARCS))]
    if roll < 0.013:
        line = lines[rng.randrange(len(lines))]
        return [DenialCause("noise_non_covered", line.line_id, "CO", "96", "N130")]
    return []


# Line-level mechanisms, in the order the payer applies them (one denial per line: the first one wins).
MECHANISMS = (missing_prior_auth, medical_necessity, bundling, modifier_25, frequency_limit, random_noise)
