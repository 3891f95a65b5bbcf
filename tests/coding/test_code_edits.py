"""Built-in edits on diagnoses, procedure codes, modifiers, pointers, NPIs, places of service, charges, fields."""

from __future__ import annotations

import dataclasses
from datetime import date

from rcm.coding import ScrubContext, scrub_claim
from rcm.coding.codesets import IcdTable, fiscal_year
from rcm.domain import Encounter

from .conftest import Scrub, categories, encounter_data, line, rules


def test_clean_claim_has_no_findings(scrub: Scrub) -> None:
    assert scrub() == []


# --- ICD-10-CM ---------------------------------------------------------------------------------------------


def test_icd10_invalid_code(scrub: Scrub) -> None:
    found = scrub(diagnoses=["A00.5"])  # A00 has .0, .1 and .9 only
    assert categories(found) == {"icd10_invalid"}
    assert found[0].field == "diagnoses[1]" and "A00.5" in found[0].message and found[0].severity == "error"


def test_icd10_header_is_not_billable(scrub: Scrub) -> None:
    assert categories(scrub(diagnoses=["E11"])) == {"icd10_not_billable"}
    assert categories(scrub(diagnoses=["E11.9"])) == set()
    assert categories(scrub(diagnoses=["S01.00"])) == {"icd10_not_billable"}  # needs its 7th character


def test_fiscal_year_turns_on_october_first() -> None:
    assert fiscal_year(date(2025, 9, 30)) == 2025
    assert fiscal_year(date(2025, 10, 1)) == 2026
    assert fiscal_year(date(2026, 9, 30)) == 2026


def test_unloaded_fiscal_year_warns_instead_of_erroring(context: ScrubContext) -> None:
    # FY2025 (dates before 2025-10-01) is not shipped: a code missing from FY2026 is only a warning then.
    old = Encounter.model_validate(encounter_data(date_of_service="2025-09-30", diagnoses=["A00.5"]))
    found = scrub_claim(old, ScrubContext(context.book, as_of=date(2025, 10, 5)))
    assert [(f.category, f.severity) for f in found] == [("icd10_invalid", "warning")]
    assert "FY2025 is not loaded" in found[0].message
    # A code valid in the nearest loaded year passes without any finding.
    ok = Encounter.model_validate(encounter_data(date_of_service="2025-09-30"))
    assert scrub_claim(ok, ScrubContext(context.book, as_of=date(2025, 10, 5))) == []
    # On 2025-10-01 FY2026 is in force: the same bad code is an error.
    new = Encounter.model_validate(encounter_data(date_of_service="2025-10-01", diagnoses=["A00.5"]))
    found = scrub_claim(new, ScrubContext(context.book, as_of=date(2025, 10, 5)))
    assert [(f.category, f.severity) for f in found] == [("icd10_invalid", "error")]


def test_code_valid_only_in_one_fiscal_year(context: ScrubContext) -> None:
    # Load a (tiny) FY2025 table in which A00.5 existed: valid on 2025-09-30, invalid from 2025-10-01.
    fy2026 = context.book.codes.icd[2026]
    fy2025 = IcdTable(2025, {**fy2026.codes, "A005": (0, 124, 0)}, fy2026.headers, "test")
    codes = dataclasses.replace(context.book.codes, icd={2025: fy2025, 2026: fy2026})
    book = dataclasses.replace(context.book, codes=codes)
    ctx = ScrubContext(book, as_of=date(2025, 10, 5))
    before = Encounter.model_validate(encounter_data(date_of_service="2025-09-30", diagnoses=["A00.5"]))
    after = Encounter.model_validate(encounter_data(date_of_service="2025-10-01", diagnoses=["A00.5"]))
    assert scrub_claim(before, ctx) == []
    assert categories(scrub_claim(after, ctx)) == {"icd10_invalid"}


def test_dx_age_newborn_and_maternity(scrub: Scrub) -> None:
    assert categories(scrub(diagnoses=["Z38.00"])) == {"dx_age"}  # newborn code on a 40-year-old
    newborn = {**encounter_data()["patient"], "birth_date": "2026-03-01"}
    assert categories(scrub(diagnoses=["Z38.00"], patient=newborn)) == set()
    older = {**encounter_data()["patient"], "birth_date": "1950-01-01"}
    assert "dx_age" in categories(scrub(diagnoses=["O80"], patient=older))  # maternity range 9-64
    assert "dx_age" not in categories(scrub(diagnoses=["O80"]))


def test_dx_age_boundary_is_inclusive(scrub: Scrub) -> None:
    # Z00.00 (adult exam) is for ages 15-124: 15 on the date of service passes, 14 fails.
    fifteen = {**encounter_data()["patient"], "birth_date": "2011-03-02"}
    fourteen = {**encounter_data()["patient"], "birth_date": "2011-03-03"}
    assert "dx_age" not in categories(scrub(diagnoses=["Z00.00"], patient=fifteen))
    assert "dx_age" in categories(scrub(diagnoses=["Z00.00"], patient=fourteen))


def test_dx_sex(scrub: Scrub) -> None:
    male = {**encounter_data()["patient"], "sex": "M"}
    unknown = {**encounter_data()["patient"], "sex": "U"}
    assert categories(scrub(diagnoses=["N40.0"])) == {"dx_sex"}  # prostate code, female patient
    assert categories(scrub(diagnoses=["N40.0"], patient=male)) == set()
    assert categories(scrub(diagnoses=["N40.0"], patient=unknown)) == set()
    assert categories(scrub(diagnoses=["J02.0", "Z34.00"], patient=male)) == {"dx_sex"}


def test_dx_principal(scrub: Scrub) -> None:
    assert categories(scrub(diagnoses=["G63", "E11.9"])) == {"dx_principal"}  # manifestation first
    assert categories(scrub(diagnoses=["E11.9", "G63"])) == set()
    assert categories(scrub(diagnoses=["W19.XXXA", "S93.401A"])) == {"dx_principal"}  # external cause first
    assert categories(scrub(diagnoses=["S93.401A", "W19.XXXA"])) == set()
    assert categories(scrub(diagnoses=["Z68.41", "E66.01"])) == {"dx_principal"}  # secondary-only code first
    # Z23 first is fine on a professional claim (a flu shot visit) ...
    assert categories(scrub(diagnoses=["Z23"])) == set()


def test_unacceptable_principal_on_institutional_claims(scrub: Scrub) -> None:
    attending = encounter_data()["rendering_provider"]
    institutional = {
        "claim_type": "institutional",
        "type_of_bill": "131",
        "admission_type": "3",
        "point_of_origin": "1",
        "patient_status": "01",
        "attending_provider": attending,
        "lines": [line("1", "90686", revenue_code="0636", charge="32.00")],
    }
    assert categories(scrub(diagnoses=["Z23"], **institutional)) == {"dx_principal"}
    assert categories(scrub(diagnoses=["J02.0"], **institutional)) == set()


def test_missing_diagnosis(scrub: Scrub) -> None:
    found = scrub(diagnoses=[], lines=[line("1", "99213", diagnosis_pointers=[])])
    assert rules(found) == {"DX-MISSING"}


# --- procedure codes and modifiers -------------------------------------------------------------------------


def test_cpt_format(scrub: Scrub) -> None:
    assert categories(scrub(lines=[line("1", "W1234")])) == {"cpt_format"}
    assert categories(scrub(lines=[line("1", "1234X")])) == {"cpt_format"}
    assert categories(scrub(lines=[line("1", "0001A")])) == set()  # a CPT vaccine code (4 digits + A)


def test_hcpcs_validity(scrub: Scrub) -> None:
    found = scrub(lines=[line("1", "J1030", units="1")])  # replaced by J1010
    assert categories(found) == {"hcpcs_invalid"} and found[0].line_id == "1"
    assert categories(scrub(lines=[line("1", "J1010", units="40")])) == set()


def test_hcpcs_not_covered_by_medicare_is_a_medicare_warning(scrub: Scrub) -> None:
    medicare = [{"priority": "primary", "payer_id": "MCR01", "member_id": "1EG4TE5MK73"}]
    found = scrub(coverage=medicare, lines=[line("1", "A0021")])  # status indicator E1
    assert [(f.category, f.severity) for f in found] == [("hcpcs_invalid", "warning")]
    assert scrub(lines=[line("1", "A0021")]) == []  # not a Medicare claim


def test_modifier_validity(scrub: Scrub) -> None:
    assert categories(scrub(lines=[line("1", "73610", "ZZ")])) == {"modifier_invalid"}
    assert categories(scrub(lines=[line("1", "73610", "RT")])) == set()
    assert rules(scrub(lines=[line("1", "73610", "RT", "RT")])) == {"MOD-REPEATED"}
    assert rules(scrub(lines=[line("1", "73610", "59", "XS")])) == {"MOD-59-AND-X"}
    assert rules(scrub(lines=[line("1", "73610", "25")])) == {"MOD-25-NOT-EM"}


# --- lines: pointers, charges ------------------------------------------------------------------------------


def test_diagnosis_pointers(scrub: Scrub) -> None:
    assert rules(scrub(lines=[line("1", "99213", diagnosis_pointers=[3])])) == {"DX-POINTER-RANGE"}
    assert rules(scrub(lines=[line("1", "99213", diagnosis_pointers=[])])) == {"DX-POINTER-MISSING"}
    five = ["J02.0", "R50.9", "R05.9", "R51.9", "R53.83"]
    assert rules(scrub(diagnoses=five, lines=[line("1", "99213", diagnosis_pointers=[1, 2, 3, 4, 5])])) == {
        "DX-POINTER-TOO-MANY"
    }
    assert scrub(diagnoses=five, lines=[line("1", "99213", diagnosis_pointers=[4, 2, 3, 1])]) == []
    assert {f.category for f in scrub(lines=[line("1", "99213", diagnosis_pointers=[0])])} == {"dx_pointer"}


def test_charges_and_units(scrub: Scrub) -> None:
    assert rules(scrub(lines=[line("1", "99213", charge="0.00")])) == {"CHARGE-NOT-POSITIVE"}
    assert rules(scrub(lines=[line("1", "99213", charge="-5.00")])) == {"CHARGE-NOT-POSITIVE"}
    assert rules(scrub(lines=[line("1", "99213", units="0")])) == {"UNITS-ZERO"}
    assert scrub(lines=[line("1", "99213", charge="0.01")]) == []


# --- providers, place of service, required fields ----------------------------------------------------------


def test_npi_check_digit(scrub: Scrub) -> None:
    good = encounter_data()["billing_provider"]
    bad_npi = good["npi"][:9] + str((int(good["npi"][9]) + 1) % 10)
    found = scrub(billing_provider={**good, "npi": bad_npi})
    assert categories(found) == {"npi_invalid"} and found[0].field == "billing_provider.npi"
    referring = {"npi": "1234567890", "first_name": "R", "last_name": "Ref"}  # check digit should be 3
    assert categories(scrub(referring_provider=referring)) == {"npi_invalid"}
    assert scrub(referring_provider={**referring, "npi": "1234567893"}) == []


def test_place_of_service(scrub: Scrub) -> None:
    assert rules(scrub(place_of_service="88")) == {"POS-INVALID"}
    assert rules(scrub(lines=[line("1", "99213", place_of_service="99")])) == {"POS-INVALID"} or rules(
        scrub(lines=[line("1", "99213", place_of_service="88")])
    ) == {"POS-INVALID"}
    assert rules(scrub(place_of_service="10")) == {"POS-TELEHEALTH-MODIFIER"}
    assert scrub(place_of_service="10", lines=[line("1", "99213", "95")]) == []
    assert rules(scrub(lines=[line("1", "99283")])) == {"POS-CODE-MISMATCH"}  # ED visit in the office
    assert scrub(place_of_service="23", lines=[line("1", "99283")]) == []
    assert rules(scrub(place_of_service="21")) == {"POS-CODE-MISMATCH"}  # office visit code, inpatient POS


def test_required_fields(scrub: Scrub) -> None:
    coverage = [{"priority": "primary", "payer_id": "BCBS1", "member_id": None}]
    found = scrub(coverage=coverage)
    assert rules(found) == {"REQ-MEMBER-ID"} and found[0].category == "required_field"
    assert rules(scrub(place_of_service=None)) == {"REQ-PLACE-OF-SERVICE"}
    assert scrub(place_of_service=None, lines=[line("1", "99213", place_of_service="11")]) == []
    no_tax = {k: v for k, v in encounter_data()["billing_provider"].items() if k != "tax_id"}
    assert rules(scrub(billing_provider=no_tax)) == {"REQ-BILLING-TAX-ID"}
    assert rules(scrub(billing_provider=None)) == {"REQ-BILLING-PROVIDER"}
    patient = {k: v for k, v in encounter_data()["patient"].items() if k != "birth_date"}
    assert rules(scrub(patient=patient)) == {"REQ-PATIENT-BIRTH-DATE"}
    assert rules(scrub(coverage=[])) == {"ELIG-NO-COVERAGE"}
    assert rules(scrub(rendering_provider=None)) == {"REQ-RENDERING-PROVIDER"}  # the billing provider is a group
    solo = {
        "npi": encounter_data()["rendering_provider"]["npi"],
        "first_name": "Dana",
        "last_name": "Okafor",
        "tax_id": "041234567",
        "address": {"line1": "1 Test St", "city": "Lowell", "state": "MA", "zip": "01852"},
    }
    assert scrub(rendering_provider=None, billing_provider=solo) == []  # a solo clinician bills in their own name
