"""Rule files: every kind can be written without code; mistakes are refused with the file and rule named."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from rcm.coding import RuleBook, ScrubContext, scrub_claim
from rcm.coding.rulefiles import CodeList, load_rule_files
from rcm.domain import Encounter
from rcm.errors import ConfigError

from .conftest import RULES_DIR, encounter_data, line, rules

CUSTOM = """
version: "test"
rules:
  - id: TEST-ONLY-OFFICE-CODES
    kind: code_not_in_list
    codes: ["99202-99215", "36415"]
    payers: [BCBS1]
    description: This plan only takes office visits and venipuncture in this test.
    severity: warning
    message: "Line {line}: {code} is not on the plan's list."
    fix_hint: "Check the plan's fee schedule."
  - id: TEST-MALE-ONLY
    kind: sex
    codes: ["55700-55899"]
    sex: M
    description: Prostate procedures are for male patients.
    severity: error
    message: "Line {line}: {code} is for {sex} patients."
    fix_hint: "Check the patient's sex and the code."
  - id: TEST-DX-NOT-COVERED
    kind: code_in_list
    target: diagnosis
    codes: ["Z41.1"]
    description: Cosmetic surgery is not covered.
    severity: error
    effective_from: 2026-01-01
    message: "{code} (cosmetic) is not covered."
    fix_hint: "Bill the patient."
  - id: TEST-REFERRING
    kind: required_field
    field: referring_provider
    codes: ["70000-79999"]
    description: Imaging needs a referring provider.
    severity: error
    message: "{code} needs a referring provider."
    fix_hint: "Add the ordering physician."
"""


@pytest.fixture
def custom_book(book: RuleBook, tmp_path: Path) -> RuleBook:
    path = tmp_path / "custom.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    extra, _, _ = load_rule_files([path])
    return dataclasses.replace(book, rules=[*book.rules, *extra])


def _rules(book: RuleBook, **changes: object) -> set[str]:
    encounter = Encounter.model_validate(encounter_data(**changes))
    return rules(scrub_claim(encounter, ScrubContext(book, as_of=date(2026, 3, 10))))


def test_code_not_in_list(custom_book: RuleBook) -> None:
    assert _rules(custom_book, lines=[line("1", "99213"), line("2", "36415")]) == set()
    assert _rules(custom_book, lines=[line("1", "99213"), line("2", "81002")]) == {"TEST-ONLY-OFFICE-CODES"}
    aetna = [{"priority": "primary", "payer_id": "AET01", "member_id": "W1"}]
    assert _rules(custom_book, coverage=aetna, lines=[line("1", "81002")]) == set()


def test_sex_rule_on_procedures(custom_book: RuleBook) -> None:
    male = {**encounter_data()["patient"], "sex": "M"}
    found = _rules(custom_book, lines=[line("1", "55700")])  # female patient
    assert "TEST-MALE-ONLY" in found
    assert "TEST-MALE-ONLY" not in _rules(custom_book, patient=male, lines=[line("1", "55700")])


def test_diagnosis_list_and_effective_dates(custom_book: RuleBook) -> None:
    assert "TEST-DX-NOT-COVERED" in _rules(custom_book, diagnoses=["Z41.1"])
    assert "TEST-DX-NOT-COVERED" not in _rules(custom_book, diagnoses=["Z41.1"], date_of_service="2025-12-31")


def test_required_field_only_with_listed_codes(custom_book: RuleBook) -> None:
    xray = [line("1", "73610", "RT")]
    assert "TEST-REFERRING" in _rules(custom_book, lines=xray)
    referring = {"npi": "1234567893", "first_name": "R", "last_name": "Ref"}
    assert "TEST-REFERRING" not in _rules(custom_book, lines=xray, referring_provider=referring)
    assert "TEST-REFERRING" not in _rules(custom_book)


def test_every_shipped_rule_is_complete() -> None:
    shipped, settings, version = load_rule_files(sorted((RULES_DIR / "scrub").rglob("*.yaml")))
    assert version and settings["em_codes"]
    for rule in shipped:
        assert rule.description and rule.message and rule.fix_hint and rule.category
    kinds = {r.kind for r in shipped}
    assert kinds >= {
        "builtin",
        "required_field",
        "code_in_list",
        "modifier_required",
        "code_pair",
        "max_units",
        "age_range",
        "prior_auth",
        "filing_limit",
        "frequency",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rules: [{id: X-1, kind: prior_auth, codes: [J1234], description: abc, severity: error,"
            " message: abc, fix_hint: abc, category: nonsense}]",
            "rule 1 (X-1)",
        ),
        (
            "rules: [{id: X-1, kind: max_units, codes: [J1234], description: abc, severity: error,"
            " message: abc, fix_hint: abc}]",
            "needs max",
        ),
        (
            "rules: [{id: X-1, kind: prior_auth, codes: [99215-99202], description: abc, severity: error,"
            " message: abc, fix_hint: abc}]",
            "low to high",
        ),
        (
            "rules: [{id: X-1, kind: prior_auth, codes: [J1234], description: abc, severity: fatal,"
            " message: abc, fix_hint: abc}]",
            "severity",
        ),
        (
            "rules: [{id: X-1, kind: prior_auth, codes: [J1234], description: abc, severity: error,"
            " message: abc, fix_hint: abc, colour: red}]",
            "colour",
        ),
        ("rules: [\n  - id: X-1\n    kind: [unclosed\n", "line"),
    ],
)
def test_bad_rule_files_are_refused_with_where(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml") as info:
        load_rule_files([path])
    assert expected in str(info.value)


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    rule = (
        "rules: [{id: X-1, kind: prior_auth, codes: [J1234], description: abc, severity: error,"
        " message: abc, fix_hint: abc}]"
    )
    (tmp_path / "a.yaml").write_text(rule, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(rule, encoding="utf-8")
    with pytest.raises(ConfigError, match="already defined"):
        load_rule_files([tmp_path / "a.yaml", tmp_path / "b.yaml"])


def test_unknown_required_field_is_refused(book: RuleBook, tmp_path: Path) -> None:
    path = tmp_path / "req.yaml"
    path.write_text(
        "rules: [{id: X-1, kind: required_field, field: patient.shoe_size, description: abc, severity: error,"
        " message: abc, fix_hint: abc}]",
        encoding="utf-8",
    )
    extra, _, _ = load_rule_files([path])
    custom = dataclasses.replace(book, rules=[*book.rules, *extra])
    with pytest.raises(ConfigError, match="shoe_size"):
        scrub_claim(Encounter.model_validate(encounter_data()), ScrubContext(custom, as_of=date(2026, 3, 10)))


def test_code_lists() -> None:
    codes = CodeList(["99202-99215", "J*", "G0438", "Z3A.*"])
    assert "99213" in codes and "99216" not in codes and "9921" not in codes
    assert "J3301" in codes and "G0438" in codes and "G0439" not in codes and "Z3A10" in codes
    with pytest.raises(ValueError):
        CodeList(["99-999"])
