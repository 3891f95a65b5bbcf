"""One 271 member loop read as an answer: active, inactive or rejected (with the AAA in words and retry
advice), plan and eligibility dates, the benefits in words, and the copay / coinsurance / deductible /
out-of-pocket figures a front desk quotes.  Pure: no database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rcm.eligibility.codes import (
    ACTIVE_CODES,
    COVERAGE_LEVELS,
    INACTIVE_CODES,
    TIME_PERIODS,
    RejectAdvice,
    benefit_words,
    reject_advice,
)
from rcm.x12.sets.eligibility279 import Benefit, Member, Rejection
from rcm.x12.tokenizer import Segment

__all__ = [
    "ACTIVE",
    "INACTIVE",
    "REJECTED",
    "UNKNOWN",
    "BenefitLine",
    "MemberAnswer",
    "answers_from_segments",
    "interpret_member",
]

ACTIVE = "active"
INACTIVE = "inactive"
REJECTED = "rejected"
UNKNOWN = "unknown"

# Service types a figure for the plan or an office visit is quoted under (the first found wins, in this order).
_PLAN_TYPES = ("98", "30", "1")
# Time periods that mean "what is left" rather than the yearly amount.
_REMAINING = frozenset({"29", "33"})


@dataclass(frozen=True, slots=True)
class BenefitLine:
    """One EB in words, as stored with the snapshot (amounts as strings in JSON, Decimal here)."""

    code: str
    meaning: str
    coverage_level: str
    service_types: tuple[str, ...]
    insurance_type: str
    plan: str
    time_period: str
    amount: Decimal | None
    percent: Decimal | None
    quantity: Decimal | None
    authorization_required: str
    in_network: str  # Y in network, N out of network, W both, "" not said
    dates: dict[str, str]
    messages: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "meaning": self.meaning,
            "coverage_level": self.coverage_level,
            "coverage_level_words": COVERAGE_LEVELS.get(self.coverage_level, ""),
            "service_types": list(self.service_types),
            "insurance_type": self.insurance_type,
            "plan": self.plan,
            "time_period": self.time_period,
            "time_period_words": TIME_PERIODS.get(self.time_period, ""),
            "amount": None if self.amount is None else str(self.amount),
            "percent": None if self.percent is None else str(self.percent),
            "quantity": None if self.quantity is None else str(self.quantity),
            "authorization_required": self.authorization_required,
            "in_network": self.in_network,
            "dates": dict(self.dates),
            "messages": list(self.messages),
        }


@dataclass(slots=True)
class MemberAnswer:
    """What a 271 said about one subscriber or dependent."""

    level: str  # subscriber / dependent
    segment: int
    traces: list[str]
    status: str  # active / inactive / rejected / unknown
    rejections: list[RejectAdvice]
    benefits: list[BenefitLine]
    plan_begin: date | None = None
    plan_end: date | None = None
    eligibility_begin: date | None = None
    eligibility_end: date | None = None
    copay: Decimal | None = None
    coinsurance_percent: Decimal | None = None
    deductible: Decimal | None = None
    deductible_remaining: Decimal | None = None
    oop_remaining: Decimal | None = None
    member_id: str | None = field(default=None, repr=False)
    first_name: str = field(default="", repr=False)
    last_name: str = field(default="", repr=False)
    birth_date: date | None = field(default=None, repr=False)
    prior_member_id: str | None = field(default=None, repr=False)  # REF*Q4: the id the payer replaced

    @property
    def is_response(self) -> bool:
        """A loop that answers: it carries EB or AAA segments (its own or in its benefit loops)."""
        return bool(self.benefits or self.rejections)

    @property
    def retry(self) -> bool:
        return any(r.retry for r in self.rejections)

    @property
    def reject_codes(self) -> list[str]:
        return [r.reason for r in self.rejections]


def _dates(b: Benefit) -> dict[str, str]:
    out: dict[str, str] = {}
    for d in b.dates:
        if d.value is None:
            continue
        out[d.qualifier] = d.value.isoformat() if d.end in (None, d.value) else f"{d.value}/{d.end}"
    return out


def _line(b: Benefit) -> BenefitLine:
    return BenefitLine(
        code=b.code, meaning=benefit_words(b.code), coverage_level=b.coverage_level,
        service_types=tuple(t for t in b.service_types if t), insurance_type=b.insurance_type,
        plan=b.plan_description, time_period=b.time_period, amount=b.amount, percent=b.percent,
        quantity=b.quantity, authorization_required=b.authorization_required, in_network=b.in_network,
        dates=_dates(b), messages=tuple(b.messages),
    )


def _status(member_rejections: Sequence[Rejection], benefits: Sequence[Benefit],
            benefit_rejections: Sequence[Rejection]) -> str:
    # A member-level AAA means the payer could not identify or answer for the member at all.
    if member_rejections:
        return REJECTED
    codes = {b.code for b in benefits}
    if codes & ACTIVE_CODES:
        return ACTIVE
    if codes & INACTIVE_CODES:
        return INACTIVE
    if benefit_rejections:
        return REJECTED
    return UNKNOWN


def _network_rank(value: str) -> int:
    return {"Y": 0, "W": 1, "": 2}.get(value, 3)


def _level_rank(value: str) -> int:
    return {"IND": 0, "": 1, "EMP": 1}.get(value, 2)


def _pick(
    benefits: Iterable[Benefit], code: str, *, remaining: bool | None = None, want: str = "amount"
) -> Decimal | None:
    """The figure a front desk quotes: in network before out, individual before family, office visit or plan
    coverage before other service types."""
    best: tuple[tuple[int, int, int], Decimal] | None = None
    for b in benefits:
        if b.code != code:
            continue
        if remaining is not None and (b.time_period in _REMAINING) != remaining:
            continue
        value = b.amount if want == "amount" else b.percent
        if value is None:
            continue
        types = [t for t in b.service_types if t]
        type_rank = next((i for i, t in enumerate(_PLAN_TYPES) if t in types), len(_PLAN_TYPES)) if types else 1
        rank = (_network_rank(b.in_network), _level_rank(b.coverage_level), type_rank)
        if best is None or rank < best[0]:
            best = (rank, value)
    return None if best is None else best[1]


def _member_date(member: Member, benefits: Sequence[Benefit], qualifier: str, *, end: bool) -> date | None:
    found = [d for d in member.dates if d.qualifier == qualifier]
    for b in benefits:
        if b.code in ACTIVE_CODES or b.code in INACTIVE_CODES:
            found.extend(d for d in b.dates if d.qualifier == qualifier)
    for d in found:
        value = d.end if end else d.value
        if value is not None:
            return value
    return None


def _range(member: Member, benefits: Sequence[Benefit], single_begin: str, single_end: str,
           ranged: str) -> tuple[date | None, date | None]:
    """Begin and end from the begin/end qualifiers (346/347, 356/357) or the range one (291/292 as RD8)."""
    begin = _member_date(member, benefits, single_begin, end=False)
    finish = _member_date(member, benefits, single_end, end=False)
    if begin is None or finish is None:
        for d in [*member.dates, *(x for b in benefits for x in b.dates)]:
            if d.qualifier == ranged and d.value is not None:
                begin = begin or d.value
                if d.end is not None and d.end != d.value:
                    finish = finish or d.end
                break
    return begin, finish


def interpret_member(member: Member) -> MemberAnswer:
    """Read one subscriber or dependent loop of a 271."""
    benefit_rejections = [r for b in member.benefits for r in b.rejections]
    status = _status(member.rejections, member.benefits, benefit_rejections)
    advice = [reject_advice(r.reason, r.follow_up) for r in (*member.rejections, *benefit_rejections)]
    benefits = member.benefits
    plan_begin, plan_end = _range(member, benefits, "346", "347", "291")
    elig_begin, elig_end = _range(member, benefits, "356", "357", "307")
    person = member.person
    answer = MemberAnswer(
        level=member.level, segment=member.segment, traces=[t.number for t in member.traces if t.number],
        status=status, rejections=advice, benefits=[_line(b) for b in benefits],
        plan_begin=plan_begin, plan_end=plan_end, eligibility_begin=elig_begin, eligibility_end=elig_end,
        copay=_pick(benefits, "B"),
        coinsurance_percent=_pick(benefits, "A", want="percent"),
        deductible=_pick(benefits, "C", remaining=False),
        deductible_remaining=_pick(benefits, "C", remaining=True),
        oop_remaining=_pick(benefits, "G", remaining=True),
        member_id=member.member_id,
        first_name=person.first_name if person else "",
        last_name=person.last_name if person else "",
        birth_date=member.birth_date,
        prior_member_id=next((r.value for r in member.references if r.qualifier == "Q4" and r.value), None),
    )
    return answer


def answers_from_segments(segments: Sequence[Segment]) -> list[tuple[str, MemberAnswer]]:
    """A plain reading of a 271's subscriber and dependent levels straight from the segments (HL to HL), for
    loops the structure engine could not place (an AAA before the NM1, a missing NM1...): (HL01, answer).

    Only status, traces and rejections: the figures come from the full reading."""
    found: list[tuple[str, MemberAnswer]] = []
    current: tuple[str, MemberAnswer] | None = None
    member_aaa: list[Rejection] = []
    benefit_aaa: list[Rejection] = []
    codes: list[str] = []

    def close() -> None:
        if current is None:
            return
        answer = current[1]
        answer.rejections = [reject_advice(r.reason, r.follow_up) for r in (*member_aaa, *benefit_aaa)]
        status_codes = set(codes)
        if member_aaa:
            answer.status = REJECTED
        elif status_codes & ACTIVE_CODES:
            answer.status = ACTIVE
        elif status_codes & INACTIVE_CODES:
            answer.status = INACTIVE
        elif benefit_aaa:
            answer.status = REJECTED
        answer.benefits = [BenefitLine(c, benefit_words(c), "", (), "", "", "", None, None, None, "", "", {}, ())
                           for c in codes]
        found.append(current)

    for s in segments:
        sid = s.id
        if sid == "HL":
            close()
            current = None
            member_aaa, benefit_aaa, codes = [], [], []
            level = s.get(3)
            if level in ("22", "23"):
                kind = "subscriber" if level == "22" else "dependent"
                current = (s.get(1), MemberAnswer(kind, s.number, [], UNKNOWN, [], []))
        elif current is None:
            continue
        elif sid == "TRN" and s.get(2):
            current[1].traces.append(s.get(2))
        elif sid == "EB":
            codes.append(s.get(1))
        elif sid == "AAA":
            (benefit_aaa if codes else member_aaa).append(Rejection.of(s))
        elif sid in ("SE", "GE", "IEA"):
            close()
            current = None
    close()
    return found
