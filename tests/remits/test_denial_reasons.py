"""Denial reasons of one claim payment: the CARCs that explain why a claim or line was refused."""

from __future__ import annotations

from decimal import Decimal

from rcm.remits.denials import denial_reasons
from rcm.remits.remittance import CasAmount, PaidClaim, PaidService

D = Decimal


def _line(line_id: str, charge: str, paid: str, *adjustments: CasAmount) -> PaidService:
    return PaidService("99213", D(charge), D(paid), line_id=line_id, adjustments=adjustments)


def test_a_denied_claim_with_only_patient_responsibility_gives_those_carcs() -> None:
    """PR-27 (coverage ended) on every line of a CLP02 4 claim is why it was refused, not 'no reason given'."""
    claim = PaidClaim(
        "PCN1", "4", D("157"), D("0"), D("157"),
        services=(_line("1", "125", "0", CasAmount("PR", "27", D("125"))),
                  _line("2", "32", "0", CasAmount("PR", "27", D("32")))),
    )
    reasons = denial_reasons(claim)
    assert [(r.group_code, r.reason_code, r.amount, r.line_id) for r in reasons] == [
        ("PR", "27", D("125"), "1"),
        ("PR", "27", D("32"), "2"),
    ]


def test_a_denied_claim_keeps_its_denial_adjustments_only() -> None:
    claim = PaidClaim(
        "PCN2", "4", D("100"), D("0"), D("20"),
        adjustments=(CasAmount("CO", "16", D("80")),),
        services=(_line("1", "100", "0", CasAmount("PR", "1", D("20"))),),
    )
    assert [(r.group_code, r.reason_code, r.line_id) for r in denial_reasons(claim)] == [("CO", "16", None)]


def test_a_denied_claim_without_any_adjustment_is_still_a_denial_to_work() -> None:
    claim = PaidClaim("PCN3", "4", D("60"), D("0"))
    (reason,) = denial_reasons(claim)
    assert (reason.group_code, reason.reason_code, reason.amount) == ("", "", D("60"))
    assert reason.label == "no reason code given"


def test_a_paid_claim_with_a_deductible_has_no_denial() -> None:
    claim = PaidClaim(
        "PCN4", "1", D("100"), D("70"), D("20"),
        services=(_line("1", "100", "70", CasAmount("PR", "1", D("20")), CasAmount("CO", "45", D("10"))),),
    )
    assert denial_reasons(claim) == []
