"""Same-day edits: modifier 25 on an E/M, NCCI procedure-to-procedure edits, MUE unit limits."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from rcm.coding import RuleBook, ScrubContext, scrub_claim
from rcm.coding.ncci import PtpTable, read_ptp_file
from rcm.domain import Encounter

from .conftest import Scrub, categories, encounter_data, line, rules

E_M = line("1", "99213", charge="125.00")


def test_modifier_25_required_with_a_same_day_procedure(scrub: Scrub) -> None:
    found = scrub(lines=[E_M, line("2", "20610", "RT")], prior_authorization="PA1")
    assert rules(found) == {"MOD-25-REQUIRED"}
    assert found[0].line_id == "1" and found[0].category == "modifier_required"
    assert scrub(lines=[line("1", "99213", "25"), line("2", "20610", "RT")], prior_authorization="PA1") == []


def test_no_modifier_25_needed_with_labs_or_venipuncture(scrub: Scrub) -> None:
    assert scrub(lines=[E_M, line("2", "36415"), line("3", "80053")]) == []
    assert scrub(lines=[E_M, line("2", "93000")]) == []


def test_modifier_25_only_counts_the_same_day(scrub: Scrub) -> None:
    later = line("2", "20610", "RT", date_of_service="2026-03-03")
    assert "MOD-25-REQUIRED" not in rules(scrub(lines=[E_M, later], prior_authorization="PA1"))


def test_ncci_indicator_0_is_never_bypassed(scrub: Scrub) -> None:
    found = scrub(lines=[line("1", "80053"), line("2", "80048")])
    assert rules(found) == {"NCCI-PTP-0"} and found[0].line_id == "2"
    assert rules(scrub(lines=[line("1", "80053"), line("2", "80048", "59")])) == {"NCCI-PTP-0"}


def test_ncci_indicator_1_with_and_without_modifier(scrub: Scrub) -> None:
    found = scrub(lines=[line("1", "80053"), line("2", "82040")])
    assert rules(found) == {"NCCI-PTP-1"} and found[0].category == "ncci_ptp" and found[0].line_id == "2"
    assert scrub(lines=[line("1", "80053"), line("2", "82040", "59")]) == []
    assert scrub(lines=[line("1", "80053"), line("2", "82040", "XU")]) == []
    assert rules(scrub(lines=[line("1", "80053"), line("2", "82040", "QW")])) == {"NCCI-PTP-1"}  # not NCCI-associated


def test_ncci_needs_the_same_date_of_service(scrub: Scrub) -> None:
    assert scrub(lines=[line("1", "80053"), line("2", "82040", date_of_service="2026-03-03")]) == []


def test_em_bundled_into_a_procedure_asks_for_modifier_25(scrub: Scrub) -> None:
    # 11102 / 99213 is an indicator-1 NCCI edit on the visit: the NCCI edit and the modifier 25 rule both apply,
    # and the visit line gets modifier 25 once even though 11102 is also a minor procedure.
    found = scrub(lines=[E_M, line("2", "11102")], diagnoses=["J02.0"])
    assert sorted((f.rule_id, f.line_id) for f in found) == [("MOD-25-REQUIRED", "1"), ("NCCI-PTP-1", "1")]
    assert scrub(lines=[line("1", "99213", "25"), line("2", "11102")]) == []


@pytest.fixture
def cms_book(book: RuleBook, tmp_path: Path) -> RuleBook:
    """The rule book with a small practitioner PTP table in the CMS layout (deletion date = first day after)."""
    path = tmp_path / "ccipra-v999r0-f1.txt"
    path.write_text(
        "CPT codes, descriptions and other data only are copyright 2025 American Medical Association.\n"
        "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date \n"
        "*=no data\tModifier \n0=not allowed \n1=allowed \n9=not applicable\tPTP Edit Rationale\n"
        "80053\t82040\t\t20190701\t20260101\t1\tLaboratory panel\n"
        "80053\t82040\t\t20260401\t*\t0\tLaboratory panel\n"
        "36415\t36416\t\t20190701\t*\t9\tMisuse of column two code with column one code\n",
        encoding="utf-8",
    )
    rows, convention = read_ptp_file(path)
    assert convention == "first_day_after"
    return dataclasses.replace(book, ptp={"practitioner": PtpTable(rows)})


def _scrub_on(book: RuleBook, day: str, *lines: dict[str, object]) -> set[str]:
    encounter = Encounter.model_validate(encounter_data(date_of_service=day, lines=list(lines)))
    return rules(scrub_claim(encounter, ScrubContext(book, as_of=date.fromisoformat(day))))


def test_ncci_deletion_date_boundary(cms_book: RuleBook) -> None:
    pair = (line("1", "80053"), line("2", "82040"))
    assert _scrub_on(cms_book, "2025-12-31", *pair) == {"NCCI-PTP-1"}  # last day in force
    assert _scrub_on(cms_book, "2026-01-01", *pair) == set()  # the deletion date itself: no longer applies
    assert _scrub_on(cms_book, "2026-03-31", *pair) == set()
    assert _scrub_on(cms_book, "2026-04-01", *pair) == {"NCCI-PTP-0"}  # re-added with indicator 0
    assert _scrub_on(cms_book, "2019-06-30", *pair) == set()  # before the effective date


def test_ncci_indicator_9_is_not_an_edit(cms_book: RuleBook) -> None:
    assert _scrub_on(cms_book, "2026-03-02", line("1", "36415"), line("2", "36416")) == set()


def test_codesets_ncci_last_day_is_inclusive(book: RuleBook) -> None:
    # The shipped I/OCE-derived table writes the last day in force: 11102/99213 ran to 2019-12-31, back 2020-10-01.
    table = book.ptp_for("practitioner")
    assert table is not None
    windows = table.window("11102", "99213")
    assert windows[0][1] == date(2019, 12, 31) and windows[1][0] == date(2020, 10, 1)
    from rcm.coding.ncci import day_number

    assert table.indicator("11102", "99213", day_number(date(2019, 12, 31))) == 1
    assert table.indicator("11102", "99213", day_number(date(2020, 1, 1))) is None
    assert table.indicator("11102", "99213", day_number(date(2020, 10, 1))) == 1


# --- MUE (the shipped sample table: 20610 MAI 1 max 2, 80053 MAI 2 max 1, 96372 MAI 3 max 4) ---------------


def test_mue_line_edit_mai_1(scrub: Scrub) -> None:
    found = scrub(lines=[line("1", "20610", "RT", units="3")], prior_authorization="PA1")
    assert rules(found) == {"MUE-LINE"} and found[0].category == "mue"
    assert scrub(lines=[line("1", "20610", "RT", units="2")], prior_authorization="PA1") == []
    # MAI 1 counts per line: two lines of 2 units each pass.
    two = [line("1", "20610", "RT", units="2"), line("2", "20610", "LT", units="2")]
    assert "mue" not in categories(scrub(lines=two, prior_authorization="PA1"))


def test_mue_date_of_service_edits_mai_2_and_3(scrub: Scrub) -> None:
    # MAI 2 and 3 add up the units of every line of the code on the day.
    found = scrub(lines=[line("1", "80053", charge="38.00"), line("2", "80053", "91", charge="38.00")])
    assert rules(found) == {"MUE-DAY-POLICY"}
    assert rules(scrub(lines=[line("1", "96372", units="5")])) == {"MUE-DAY-CLINICAL"}
    assert rules(scrub(lines=[line("1", "96372", units="3"), line("2", "96372", "59", units="2")])) >= {
        "MUE-DAY-CLINICAL"
    }
    assert scrub(lines=[line("1", "96372", units="4")]) == []
    # Different days are counted apart.
    apart = [line("1", "96372", units="4"), line("2", "96372", units="4", date_of_service="2026-03-03")]
    assert "mue" not in categories(scrub(lines=apart))


def test_mue_clinical_is_overridable_policy_is_not(scrub: Scrub, context: ScrubContext) -> None:
    book = context.book
    assert book.by_id["MUE-DAY-CLINICAL"].is_overridable
    assert not book.by_id["MUE-DAY-POLICY"].is_overridable
