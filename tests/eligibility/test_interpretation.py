"""Every EB01 and AAA code the project interprets, in 271s the project writes (and small hand-written ones)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rcm.eligibility.codes import ACTIVE_CODES, INACTIVE_CODES, REJECT_REASONS, reject_advice
from rcm.eligibility.interpretation import ACTIVE, INACTIVE, REJECTED, UNKNOWN
from rcm.eligibility.responses import read_271_answers
from rcm.x12.reader import read_file
from rcm.x12.validation import validate_file

HEAD = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*RCMSUBMITTER   *261120*1500*^*00501*000000001*0*T*:~"
    "GS*HB*PAYER*RCMSUBMITTER*20261120*1500*1*X*005010X279A1~"
    "ST*271*0001*005010X279A1~BHT*0022*11*REF1*20261120*1500~"
    "HL*1**20*1~NM1*PR*2*SYNTHETIC PAYER*****PI*BCBS1~HL*2*1*21*1~NM1*1P*2*TEST CLINIC*****XX*1234567893~"
)


def _file(member: str) -> bytes:
    body = HEAD + "HL*3*2*22*0~TRN*2*000000001*1123456789~NM1*IL*1*PATIENT*TEST****MI*M1~" + member
    count = body[body.index("ST*"):].count("~") + 1
    return (body + f"SE*{count}*0001~GE*1*1~IEA*1*000000001~").encode()


def _answer(member: str):  # type: ignore[no-untyped-def]
    (_, _, members), = read_271_answers(read_file(_file(member)))
    return members[0][1]


@pytest.mark.parametrize("code", sorted(ACTIVE_CODES | INACTIVE_CODES))
def test_eb01_status_codes(code: str) -> None:
    answer = _answer(f"EB*{code}*IND*30**GOLD PLAN~")
    assert answer.is_response
    assert answer.status == (ACTIVE if code in ACTIVE_CODES else INACTIVE)
    assert answer.benefits[0].meaning.startswith("active" if code in ACTIVE_CODES else "inactive")


def test_our_hand_written_271_is_valid() -> None:
    content = _file("EB*1*IND*30**GOLD PLAN~")
    assert [f for f in validate_file(content) if f.severity == "error"] == []


@pytest.mark.parametrize("reason", sorted(REJECT_REASONS))
def test_member_level_aaa_is_a_rejection_in_words(reason: str) -> None:
    answer = _answer(f"AAA*N**{reason}*C~")
    assert answer.status == REJECTED
    (advice,) = answer.rejections
    assert advice.reason == reason and advice.reason_words == REJECT_REASONS[reason]
    assert advice.retry is (reason in {"42", "80"})
    assert advice.what_to_do


def test_42_means_try_later() -> None:
    advice = reject_advice("42", "R")
    assert advice.retry and "again" in advice.what_to_do
    assert not reject_advice("72", "C").retry
    assert reject_advice("33", "W").retry  # "wait 30 days and resubmit"


def test_figures_time_periods_and_network() -> None:
    answer = _answer(
        "DTP*346*D8*20260101~DTP*347*D8*20261231~EB*1*FAM*30**GOLD PLAN~"
        "EB*B*IND*98***27*45.00*****N~EB*B*IND*98***27*20.00*****Y~"
        "EB*A*IND*30***27**0.2****Y~"
        "EB*C*FAM*30***23*3000.00*****Y~EB*C*IND*30***23*1500.00*****Y~EB*C*IND*30***29*250.50*****Y~"
        "EB*G*IND*30***29*4000.00*****Y~EB*G*IND*30***23*6000.00*****Y~"
    )
    assert answer.status == ACTIVE
    assert answer.copay == Decimal("20.00")
    assert answer.coinsurance_percent == Decimal("0.2")
    assert answer.deductible == Decimal("1500.00")
    assert answer.deductible_remaining == Decimal("250.50")
    assert answer.oop_remaining == Decimal("4000.00")
    assert str(answer.plan_begin) == "2026-01-01" and str(answer.plan_end) == "2026-12-31"
    coverage = answer.benefits[0].as_json()
    assert coverage["coverage_level_words"] == "family"
    remaining = [b.as_json() for b in answer.benefits if b.time_period == "29"]
    assert {r["time_period_words"] for r in remaining} == {"remaining"}


def test_eligibility_dates_and_inactive_end() -> None:
    answer = _answer("EB*6*IND*30~DTP*356*D8*20250101~DTP*357*D8*20251031~")
    assert answer.status == INACTIVE
    assert str(answer.eligibility_begin) == "2025-01-01" and str(answer.eligibility_end) == "2025-10-31"


def test_benefit_level_aaa_without_status_is_rejected_with_status_active() -> None:
    assert _answer("EB*B*IND*98***27*20.00~AAA*N**41*C~").status == REJECTED
    assert _answer("EB*1*IND*30~EB*B*IND*98~AAA*N**41*C~").status == ACTIVE


def test_only_other_benefits_is_unknown_but_a_response() -> None:
    answer = _answer("EB*R**88*OT~")
    assert answer.is_response and answer.status == UNKNOWN


def test_member_without_eb_or_aaa_is_not_a_response() -> None:
    assert not _answer("DMG*D8*19800405*F~").is_response


def test_segments_the_loop_tree_cannot_place_still_count() -> None:
    body = HEAD + "HL*3*2*22*0~AAA*N**72*C~NM1*IL*1*PATIENT*TEST****MI*M1~HL*4*2*22*0~TRN*2*9*1123456789~EB*6~"
    count = body[body.index("ST*"):].count("~") + 1
    content = (body + f"SE*{count}*0001~GE*1*1~IEA*1*000000001~").encode()
    answers = [a for _, _, members in read_271_answers(read_file(content)) for _, a in members if a.is_response]
    assert sorted(a.status for a in answers) == [INACTIVE, REJECTED]
    rejected = next(a for a in answers if a.status == REJECTED)
    assert rejected.reject_codes == ["72"]
