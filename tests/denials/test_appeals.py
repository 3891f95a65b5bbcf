"""Appeal drafts: one template per CARC family, filled with the claim's facts, ready for staff to edit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rcm.denials.appeals import AppealFacts, DeniedLine, appeal_family, draft_appeal, facts_from_synth
from rcm.errors import StateError
from rcm.payer_sim import SynthHistory


def _facts(carc: str, group: str = "CO", rarc: str | None = None, modifiers: tuple[str, ...] = ()) -> AppealFacts:
    return AppealFacts(
        claim_id="E202503000123", payer_id="UHC01", payer_name="UnitedHealthcare", payer_claim_number="UHC0000001",
        date_of_service=date(2025, 3, 3), patient_name="JANE DOE", member_id="M123", provider_name="ALICE MORROW",
        provider_npi="1234500010", billing_name="RIVERSIDE MEDICAL GROUP", diagnoses=["M5450", "I10"],
        lines=[DeniedLine("2", "97110", modifiers, Decimal("57.00"), group, carc, rarc)], prior_authorization=None,
        submitted_on=date(2025, 3, 5), received_on=date(2025, 3, 7),
    )


@pytest.mark.parametrize(
    ("carc", "family", "phrase"),
    [
        ("197", "authorization", "precertification/authorization"),
        ("50", "medical_necessity", "not medically necessary"),
        ("11", "medical_necessity", "inconsistent with the diagnosis"),
        ("97", "bundling", "included in another service"),
        ("4", "modifier", "inconsistent with its modifier"),
        ("29", "timely_filing", "Our records show the claim was first sent on 2025-03-05"),
        ("27", "eligibility", "coverage was not in effect"),
        ("119", "frequency", "benefit maximum"),
        ("18", "duplicate", "duplicates"),
        ("16", "information", "corrected claim"),
        ("B7", "other", "We believe they are payable"),
    ],
)
def test_each_family_has_its_letter(carc: str, family: str, phrase: str) -> None:
    assert appeal_family([carc]) == family
    letter = draft_appeal(_facts(carc, rarc="N130"), today=date(2025, 4, 1))
    assert phrase in letter
    assert f"CO-{carc}" in letter and "E202503000123" in letter and "M54.50" in letter and "2025-04-01" in letter
    assert "DRAFT" in letter


def test_nothing_denied_nothing_to_appeal() -> None:
    facts = _facts("197")
    facts.lines = []
    with pytest.raises(StateError, match="E202503000123"):
        draft_appeal(facts)


def test_letters_from_a_synthetic_history(small_history: SynthHistory) -> None:
    denied = [a for a in small_history.adjudications.values() if a.denied]
    for adj in denied[:40]:
        letter = draft_appeal(facts_from_synth(small_history, adj.claim_id), today=date(2025, 6, 1))
        assert adj.claim_id in letter and adj.payer_claim_number in letter
        assert all(f"-{carc}" in letter for carc in adj.carcs)
    paid = next(a for a in small_history.adjudications.values() if not a.denied)
    with pytest.raises(StateError):
        draft_appeal(facts_from_synth(small_history, paid.claim_id))


def test_report_counts_and_renders_offline(small_history: SynthHistory) -> None:
    from rcm.denials.report import build_summary, facts_from_history, render_html, render_text

    facts = facts_from_history(small_history)
    summary = build_summary(facts)
    assert summary["claims"] == len(small_history.claims)
    assert summary["denied"] == sum(a.denied for a in small_history.adjudications.values())
    by_payer = summary["by_payer"]
    assert sum(n for months in by_payer.values() for n, _ in months.values()) == summary["claims"]
    top_carc, count, _ = summary["by_carc"][0]
    assert sum(summary["carc_by_month"][top_carc].values()) == count
    page = render_html(summary, generated_on=date(2025, 6, 1))
    assert page.count("<svg") == 4 and "<script" not in page and "2025-06-01" in page
    assert not any(c.encounter.patient.last_name and f">{c.encounter.patient.last_name}<" in page
                   for c in small_history.claims[:100])
    assert "denial rate by payer" in render_text(summary)
