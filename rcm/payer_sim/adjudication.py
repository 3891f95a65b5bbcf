"""The payer side: receives claims, applies its denial mechanisms, prices what it pays, balances to the cent.

Kept apart from the practice generator so that a clearinghouse simulator can put real 837s in front of it.
Allowed = base rate x payer factor x units (never above the charge); CO-45 takes the rest; copay (PR-3),
deductible (PR-1) and coinsurance (PR-2) come out of the allowed amount; denied lines carry their CARC for the
whole charge. Every line satisfies charge - adjustments = paid exactly.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from rcm.domain import Claim
from rcm.payer_sim.history import Adjudication, CasAdjustment, DenialCause, LineAdjudication, SubmittedClaim
from rcm.payer_sim.mechanisms import MECHANISMS, MemberFile, duplicate, eligibility_lapse, timely_filing
from rcm.payer_sim.practice import CODES, EM_CODES, PREVENTIVE_CODES, PayerRules

__all__ = ["Enrollment", "PayerSide", "submitted_from_claim"]

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")

Enrollment = dict[tuple[str, str], tuple[date, date | None]]
"""(payer id, member id) -> (coverage start, coverage end or None): the payer's truth, unknown to the practice."""


def submitted_from_claim(claim: Claim, *, submitted_on: date) -> SubmittedClaim:
    """A claim seen from the payer's side: the encounter and payer; the office's own knowledge left empty."""
    encounter = claim.encounter
    if claim.coverage is not encounter.primary_coverage:
        encounter = encounter.model_copy(update={"coverage": [claim.coverage]})
    return SubmittedClaim(claim.claim_id, encounter, claim.payer.payer_id, submitted_on, "none", None, [])


def _cents(d: Decimal) -> Decimal:
    return d.quantize(_CENT, rounding=ROUND_HALF_UP)


class PayerSide:
    """All simulated payers at once. Claims must be adjudicated in the order the payers receive them."""

    def __init__(self, payers: dict[str, PayerRules], enrollment: Enrollment, *, seed: int) -> None:
        self.payers = payers
        self.enrollment = enrollment
        self._rng = random.Random(seed * 7919 + 17)
        self._members: dict[tuple[str, str], MemberFile] = {}
        self._claim_seq = 0

    def _member(self, payer_id: str, member_id: str) -> MemberFile:
        key = (payer_id, member_id)
        if key not in self._members:
            # A member the enrolment table does not list is taken as covered (a clearinghouse simulator may
            # send members it never enrolled); the synthetic practice lists every member it creates.
            start, end = self.enrollment.get(key, (date.min, None))
            self._members[key] = MemberFile(start=start, end=end)
        return self._members[key]

    def adjudicate_claim(self, claim: Claim, *, submitted_on: date) -> Adjudication:
        """Adjudicate a domain Claim (as parsed from an 837) sent on ``submitted_on``."""
        return self.adjudicate(submitted_from_claim(claim, submitted_on=submitted_on))

    def received_on(self, claim: SubmittedClaim) -> date:
        """When the payer receives a claim (a deterministic lag after submission)."""
        lo, hi = self.payers[claim.payer_id].received_lag_days
        lag = lo + (sum(map(ord, claim.claim_id)) % (hi - lo + 1))
        return claim.submitted_on + timedelta(days=lag)

    def adjudicate(self, claim: SubmittedClaim) -> Adjudication:
        """Decide one claim: claim-level edits first (duplicate, eligibility, filing limit), then line edits."""
        rules = self.payers[claim.payer_id]
        coverage = claim.encounter.primary_coverage
        member_id = (coverage.member_id if coverage else None) or claim.encounter.patient.id
        member = self._member(claim.payer_id, member_id)
        received = self.received_on(claim)
        rng = self._rng

        causes: list[DenialCause] = []
        dupes = duplicate(claim, member, rules, rng)
        whole = eligibility_lapse(claim, member, rules, rng) or timely_filing(claim, received, rules)
        if dupes and len(dupes) == len(claim.encounter.lines):
            whole = whole or [DenialCause("duplicate", None, "OA", "18", "N111")]
        if whole:
            causes = whole
        else:
            causes = list(dupes)
            for mechanism in MECHANISMS:
                taken = {c.line_id for c in causes}
                causes.extend(c for c in mechanism(claim, member, rules, rng) if c.line_id not in taken)

        self._claim_seq += 1
        adjudicated = received + timedelta(days=7 + rng.randrange(18))
        lines = self._price(claim, rules, member, causes)
        status = "4" if all(ln.denied for ln in lines) else "1"
        for line in claim.encounter.lines:
            dos = line.date_of_service or claim.encounter.date_of_service
            member.seen.add((dos, line.code, tuple(line.modifiers)))
        for line, adj in zip(claim.encounter.lines, lines, strict=True):
            if not adj.denied:
                served = line.date_of_service or claim.encounter.date_of_service
                member.services.append((served, adj.code, claim.claim_id))
        return Adjudication(
            claim_id=claim.claim_id,
            payer_id=claim.payer_id,
            payer_claim_number=f"{claim.payer_id}{self._claim_seq:010d}",
            received_on=received,
            adjudicated_on=adjudicated,
            status_code=status,
            lines=lines,
            causes=causes,
        )

    def _price(
        self, claim: SubmittedClaim, rules: PayerRules, member: MemberFile, causes: list[DenialCause]
    ) -> list[LineAdjudication]:
        whole = next((c for c in causes if c.line_id is None), None)
        by_line = {c.line_id: c for c in causes if c.line_id is not None}
        year = claim.encounter.date_of_service.year
        out: list[LineAdjudication] = []
        for line in claim.encounter.lines:
            charge = line.charge
            cause = whole or by_line.get(line.line_id)
            if cause is not None:
                out.append(
                    LineAdjudication(
                        line_id=line.line_id,
                        code=line.code,
                        modifiers=list(line.modifiers),
                        units=line.units,
                        charge=charge,
                        allowed=_ZERO,
                        paid=_ZERO,
                        adjustments=[CasAdjustment(cause.group, cause.carc, charge)] if charge else [],
                        remarks=[cause.rarc] if cause.rarc else [],
                        denied=True,
                    )
                )
                continue
            info = CODES.get(line.code)
            rate = info.base_rate if info else charge * Decimal("0.5")
            allowed = min(charge, _cents(rate * rules.fee_factor * line.units))
            adjustments: list[CasAdjustment] = []
            if charge > allowed:
                adjustments.append(CasAdjustment("CO", "45", charge - allowed))
            remaining = allowed
            preventive = line.code in PREVENTIVE_CODES
            if line.code in EM_CODES and rules.em_copay > 0 and remaining > 0:
                copay = min(rules.em_copay, remaining)
                adjustments.append(CasAdjustment("PR", "3", copay))
                remaining -= copay
            if not preventive and remaining > 0 and rules.annual_deductible > 0:
                used = member.deductible_used.get(year, _ZERO)
                deductible = min(rules.annual_deductible - used, remaining)
                if deductible > 0:
                    adjustments.append(CasAdjustment("PR", "1", deductible))
                    member.deductible_used[year] = used + deductible
                    remaining -= deductible
            if not preventive and remaining > 0 and rules.coinsurance > 0:
                coinsurance = _cents(remaining * rules.coinsurance)
                if coinsurance > 0:
                    adjustments.append(CasAdjustment("PR", "2", coinsurance))
                    remaining -= coinsurance
            out.append(
                LineAdjudication(
                    line_id=line.line_id,
                    code=line.code,
                    modifiers=list(line.modifiers),
                    units=line.units,
                    charge=charge,
                    allowed=allowed,
                    paid=remaining,
                    adjustments=adjustments,
                )
            )
        return out
