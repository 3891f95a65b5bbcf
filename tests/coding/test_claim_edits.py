"""Claim-level built-in edits: duplicates against history, timely filing, eligibility, overrides; payer rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rcm.coding import (
    CoverageFact,
    InMemoryEligibility,
    InMemoryHistory,
    PastService,
    RuleBook,
    ScrubContext,
    scrub_claim,
)
from rcm.domain import Claim, Encounter, Payer

from .conftest import DOS, Scrub, categories, encounter_data, line, rules

UHC = [{"priority": "primary", "payer_id": "UHC01", "member_id": "UH123456789"}]
MEDICARE = [{"priority": "primary", "payer_id": "MCR01", "member_id": "1EG4TE5MK73"}]
MEDICAID = [{"priority": "primary", "payer_id": "MCD01", "member_id": "MA123456789"}]
AETNA = [{"priority": "primary", "payer_id": "AET01", "member_id": "W123456789"}]


def _scrub(
    book: RuleBook,
    *,
    as_of: date = date(2026, 3, 10),
    history: InMemoryHistory | None = None,
    eligibility: InMemoryEligibility | None = None,
    **changes: object,
) -> set[str]:
    encounter = Encounter.model_validate(encounter_data(**changes))
    ctx = ScrubContext(book, as_of=as_of, history=history, eligibility=eligibility)
    return rules(scrub_claim(encounter, ctx))


# --- duplicates --------------------------------------------------------------------------------------------


def _history(*services: tuple[str, str, str]) -> InMemoryHistory:
    history = InMemoryHistory()
    for claim_id, payer, code in services:
        history.add("P-TEST-1", PastService(claim_id, payer, DOS, code, encounter_id=claim_id))
    return history


def test_duplicate_claim(book: RuleBook) -> None:
    assert _scrub(book, history=_history(("E-OLD", "BCBS1", "99213"))) == {"DUP-CLAIM"}
    assert _scrub(book, history=_history(("E-OLD", "AET01", "99213"))) == {"DUP-LINE"}  # other payer: a line
    assert _scrub(book, history=_history(("E-OLD", "BCBS1", "99214"))) == set()
    assert _scrub(book, history=InMemoryHistory()) == set()


def test_same_encounter_is_not_a_duplicate(book: RuleBook) -> None:
    history = InMemoryHistory()
    history.add("P-TEST-1", PastService("E-TEST-1-S", "AET01", DOS, "99213", encounter_id="E-TEST-1"))
    assert _scrub(book, history=history) == set()


def test_duplicate_line_and_repeat_modifiers(book: RuleBook) -> None:
    history = _history(("E-OLD", "BCBS1", "80053"))
    two = [line("1", "99213"), line("2", "80053")]
    assert _scrub(book, history=history, lines=two) == {"DUP-LINE"}
    repeated = [line("1", "99213"), line("2", "80053", "91")]
    assert _scrub(book, history=history, lines=repeated) == set()
    other_day = InMemoryHistory([("P-TEST-1", PastService("E-OLD", "BCBS1", date(2026, 3, 1), "80053"))])
    assert _scrub(book, history=other_day, lines=two) == set()


def test_identical_lines_on_one_claim(scrub: Scrub) -> None:
    assert rules(scrub(lines=[line("1", "99213"), line("2", "99213")])) >= {"DUP-LINE-SAME-CLAIM"}
    assert "DUP-LINE-SAME-CLAIM" not in rules(scrub(lines=[line("1", "87880"), line("2", "87880", "91")]))


# --- timely filing -----------------------------------------------------------------------------------------


def test_timely_filing_boundary(book: RuleBook) -> None:
    # UnitedHealthcare: 90 days from 2026-03-02 ends on 2026-05-31.
    assert _scrub(book, coverage=UHC, as_of=date(2026, 5, 31)) == set()
    assert _scrub(book, coverage=UHC, as_of=date(2026, 6, 1)) == {"TIMELY-FILING"}
    assert _scrub(book, coverage=MEDICARE, as_of=date(2026, 6, 1)) == set()  # Medicare: 365 days
    assert _scrub(book, coverage=MEDICARE, as_of=date(2027, 3, 3)) == {"TIMELY-FILING"}


def test_filing_limit_rule_replaces_the_payer_default(book: RuleBook) -> None:
    # Medicaid's limit comes from its payer rule (MCD-FILING-LIMIT, 180 days), not from payers.yaml.
    assert _scrub(book, coverage=MEDICAID, as_of=date(2026, 8, 29)) == set()
    assert _scrub(book, coverage=MEDICAID, as_of=date(2026, 8, 30)) == {"MCD-FILING-LIMIT"}


def test_replacement_claims_skip_timely_filing(book: RuleBook) -> None:
    encounter = Encounter.model_validate(encounter_data(coverage=UHC))
    claim = Claim(
        claim_id="E-TEST-1",
        encounter=encounter,
        payer=Payer(payer_id="UHC01", name="UnitedHealthcare"),
        coverage=encounter.coverage[0],
        frequency_code="7",
        payer_claim_number="PCN1",
    )
    assert scrub_claim(claim, ScrubContext(book, as_of=date(2026, 12, 1))) == []


# --- eligibility -------------------------------------------------------------------------------------------


def test_eligibility_from_coverage_dates(book: RuleBook) -> None:
    ended = [{**UHC[0], "payer_id": "BCBS1", "end_date": "2026-03-01"}]
    assert _scrub(book, coverage=ended) == {"ELIG-DATES"}
    assert _scrub(book, coverage=[{**ended[0], "end_date": "2026-03-02"}]) == set()
    future = [{**ended[0], "end_date": None, "start_date": "2026-03-03"}]
    assert _scrub(book, coverage=future) == {"ELIG-DATES"}


def test_eligibility_from_271_answers(book: RuleBook) -> None:
    facts = InMemoryEligibility([("P-TEST-1", CoverageFact("BCBS1", date(2026, 3, 1), "inactive"))])
    assert _scrub(book, eligibility=facts) == {"ELIG-INACTIVE"}
    facts.add("P-TEST-1", CoverageFact("BCBS1", date(2026, 3, 2), "active"))  # a newer answer wins
    assert _scrub(book, eligibility=facts) == set()
    ended = InMemoryEligibility(
        [("P-TEST-1", CoverageFact("BCBS1", date(2026, 3, 1), "active", plan_end=date(2026, 2, 28)))]
    )
    assert _scrub(book, eligibility=ended) == {"ELIG-DATES"}
    other_payer = InMemoryEligibility([("P-TEST-1", CoverageFact("AET01", date(2026, 3, 1), "inactive"))])
    assert _scrub(book, eligibility=other_payer) == set()


def test_a_payer_that_asks_us_to_try_later_is_pending_not_inactive(book: RuleBook) -> None:
    later = InMemoryEligibility([("P-TEST-1", CoverageFact("BCBS1", date(2026, 3, 1), "rejected", retry=True))])
    assert _scrub(book, eligibility=later) == {"ELIG-PENDING"}
    refused = InMemoryEligibility([("P-TEST-1", CoverageFact("BCBS1", date(2026, 3, 1), "rejected"))])
    assert _scrub(book, eligibility=refused) == {"ELIG-INACTIVE"}


# --- payer rules of every kind -----------------------------------------------------------------------------


def test_prior_auth(scrub: Scrub) -> None:
    therapy = [line("1", "97110", "GP", units="2")]
    found = scrub(lines=therapy)
    assert categories(found) == {"prior_auth"} and found[0].field == "prior_authorization"
    assert scrub(lines=therapy, prior_authorization="PA12345") == []
    assert scrub(lines=therapy, coverage=MEDICARE) == []  # the rule is scoped to commercial payers


def test_code_in_list_and_modifier_required_for_medicare(scrub: Scrub) -> None:
    older = {**encounter_data()["patient"], "birth_date": "1950-01-01"}
    found = scrub(coverage=MEDICARE, patient=older, diagnoses=["Z00.00"], lines=[line("1", "99397")])
    assert rules(found) == {"MCR-PREVENTIVE-EM"} and found[0].category == "payer_rule"
    assert rules(scrub(coverage=MEDICARE, lines=[line("1", "97110", units="2")])) == {"THERAPY-DISCIPLINE-MODIFIER"}
    assert "THERAPY-DISCIPLINE-MODIFIER" in rules(
        scrub(lines=[line("1", "97110", units="2")], prior_authorization="PA1")
    )
    assert scrub(coverage=MEDICARE, lines=[line("1", "97110", "GP", units="2")]) == []


def test_code_pair_rule(scrub: Scrub) -> None:
    flu = [line("1", "90471"), line("2", "90686")]
    found = scrub(coverage=MEDICARE, diagnoses=["Z23"], lines=flu)
    assert rules(found) == {"MCR-FLU-ADMIN-G0008"} and found[0].line_id == "1"
    assert scrub(coverage=MEDICARE, diagnoses=["Z23"], lines=[line("1", "G0008"), line("2", "90686")]) == []
    assert scrub(diagnoses=["Z23"], lines=flu) == []  # BCBS takes 90471


def test_max_units_per_day(scrub: Scrub) -> None:
    five = [line("1", "97110", "GP", units="3"), line("2", "97110", "GP", "59", units="2")]
    found = scrub(coverage=AETNA, prior_authorization="PA1", lines=five)
    assert "AET-THERAPY-UNITS" in rules(found)
    four = [line("1", "97110", "GP", units="4")]
    assert scrub(coverage=AETNA, prior_authorization="PA1", lines=four) == []


def test_age_range_rule(scrub: Scrub) -> None:
    adult = {**encounter_data()["patient"], "birth_date": "2000-01-01"}
    child = {**encounter_data()["patient"], "birth_date": "2010-01-01"}
    assert rules(scrub(coverage=MEDICAID, patient=adult, diagnoses=["Z00.00"], lines=[line("1", "99395")])) == {
        "MCD-PREVENTIVE-AGE"
    }
    assert scrub(coverage=MEDICAID, patient=child, diagnoses=["Z00.129"], lines=[line("1", "99394")]) == []


def test_required_field_for_listed_codes(scrub: Scrub) -> None:
    drug = [line("1", "96372"), line("2", "J3420")]
    found = scrub(coverage=MEDICAID, lines=drug)
    assert rules(found) == {"MCD-NDC-REQUIRED"} and found[0].line_id == "2"
    with_ndc = [line("1", "96372"), line("2", "J3420", ndc="00409471201")]
    assert scrub(coverage=MEDICAID, lines=with_ndc) == []
    assert scrub(lines=drug) == []


def test_frequency_rule_reads_history(book: RuleBook) -> None:
    older = {**encounter_data()["patient"], "birth_date": "1950-01-01"}
    awv: dict[str, Any] = {
        "coverage": MEDICARE,
        "patient": older,
        "diagnoses": ["Z00.00"],
        "lines": [line("1", "G0439")],
    }
    recent = InMemoryHistory([("P-TEST-1", PastService("E-OLD", "MCR01", date(2025, 6, 1), "G0439"))])
    assert _scrub(book, history=recent, **awv) == {"MCR-AWV-FREQUENCY"}
    long_ago = InMemoryHistory([("P-TEST-1", PastService("E-OLD", "MCR01", date(2025, 3, 1), "G0439"))])
    assert _scrub(book, history=long_ago, **awv) == set()


def test_overridden_findings_are_marked(book: RuleBook) -> None:
    encounter = Encounter.model_validate(encounter_data(place_of_service="10"))
    ctx = ScrubContext(book, as_of=date(2026, 3, 10))
    (finding,) = scrub_claim(encounter, ctx, overrides={("POS-TELEHEALTH-MODIFIER", "1")})
    assert finding.overridden and finding.severity == "warning"
    # An error that is not overridable stays blocking even when an override is on file.
    bad = Encounter.model_validate(encounter_data(diagnoses=["E11"]))
    (error,) = scrub_claim(bad, ctx, overrides={("ICD10-NOT-BILLABLE", None)})
    assert not error.overridden


def test_units_as_decimal_in_messages(scrub: Scrub) -> None:
    found = scrub(lines=[line("1", "96372", units="5.0")])
    assert "5 units" in found[0].message and Decimal("5.0") == 5
