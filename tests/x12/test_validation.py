"""SNIP 1-2 validation: element dictionary checks, guide rules and whole-file validation on small hand-built files."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rcm.x12.dictionary import segment_def, segment_ids
from rcm.x12.errors import NotX12Error
from rcm.x12.reader import read_file
from rcm.x12.validation import validate_file, validate_transaction
from rcm.x12.validation.elements import checker_for
from rcm.x12.validation.values import check_period, check_value, valid_date

NPI = "1234567893"  # valid check digit


def interchange(body: list[str], *, set_id: str = "837", version: str = "005010X222A1", fid: str = "HC") -> bytes:
    """A one-transaction interchange around ``body`` (the segments between ST and SE) with right counts."""
    isa = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*P*:"
    st = [f"ST*{set_id}*0001*{version}", *body]
    segments = [
        isa,
        f"GS*{fid}*SENDER*RECEIVER*20260101*1200*1*X*{version}",
        *st,
        f"SE*{len(st) + 1}*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    return ("~\n".join(segments) + "~\n").encode()


def claim_837p(
    *,
    clm: str = "CLM*PCN1*150***11:B:1*Y*A*Y*Y",
    lines: tuple[str, ...] = ("100", "50"),
    npi: str = NPI,
    extra_2300: tuple[str, ...] = (),
) -> list[str]:
    body = [
        "BHT*0019*00*B1*20260101*1200*CH",
        "NM1*41*2*BILLING SERVICE*****46*S1",
        "PER*IC*DESK*TE*5555550100",
        "NM1*40*2*CLEARINGHOUSE*****46*R1",
        "HL*1**20*1",
        f"NM1*85*2*PRACTICE*****XX*{npi}",
        "N3*1 MAIN ST",
        "N4*SPRINGFIELD*IL*627011234",
        "REF*EI*123456789",
        "HL*2*1*22*0",
        "SBR*P*18*******CI",
        "NM1*IL*1*DOE*JANE****MI*W1",
        "N3*2 OAK AVE",
        "N4*SPRINGFIELD*IL*62701",
        "DMG*D8*19800101*F",
        "NM1*PR*2*PAYER*****PI*00590",
        clm,
        "HI*ABK:E119",
        *extra_2300,
    ]
    for n, charge in enumerate(lines, start=1):
        body += [f"LX*{n}", f"SV1*HC:99213*{charge}*UN*1***1", "DTP*472*D8*20251001"]
    return body


def codes(findings: list) -> list[str]:  # type: ignore[type-arg]
    return [f.code for f in findings if f.severity == "error"]


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("data_type", "value", "low", "high", "expected"),
    [
        ("AN", "ABC", 1, 3, None),
        ("AN", "ABCD", 1, 3, "5"),
        ("ID", "A", 2, 3, "4"),
        ("R", "125.50", 1, 18, None),
        ("R", "-10", 1, 18, None),
        ("R", ".5", 1, 18, None),
        ("R", "12A", 1, 18, "6"),
        ("R", "1.2.3", 1, 18, "6"),
        ("R", "1234567890123456789", 1, 18, "5"),
        ("N0", "12", 1, 6, None),
        ("N0", "1.5", 1, 6, "6"),
        ("DT", "20240229", 8, 8, None),
        ("DT", "20230229", 8, 8, "8"),
        ("DT", "20251301", 8, 8, "8"),
        ("DT", "2025010", 8, 8, "4"),
        ("TM", "2359", 4, 8, None),
        ("TM", "2460", 4, 8, "9"),
    ],
)
def test_check_value_by_type(data_type: str, value: str, low: int, high: int, expected: str | None) -> None:
    assert check_value(data_type, value, low, high) == expected


def test_periods_follow_their_qualifier() -> None:
    assert check_period("D8", "20250101") is None
    assert check_period("D8", "2025-01-01") == "8"
    assert check_period("RD8", "20250101-20250131") is None
    assert check_period("RD8", "20250131-20250101") == "8"  # ends before it starts
    assert check_period("DT", "202501011230") is None
    assert check_period("DT", "202501012530") == "9"
    assert not valid_date("19461301")


# ------------------------------------------------------------------ dictionary and element checks


def test_dictionary_describes_the_segments_of_every_set() -> None:
    needed = {
        "CLM",
        "SV1",
        "SV2",
        "HI",
        "CLP",
        "SVC",
        "CAS",
        "BPR",
        "TRN",
        "PLB",
        "EB",
        "EQ",
        "AAA",
        "STC",
        "IK3",
        "IK4",
        "IK5",
        "AK9",
        "NM1",
        "DTP",
        "DMG",
        "HL",
        "REF",
    }
    assert needed <= segment_ids()
    clm = segment_def("CLM")
    assert clm is not None
    assert [c.position for c in clm.elements[4].components] == [1, 2, 3]
    assert str(segment_def("NM1").rules[0]) == "P0809"  # type: ignore[union-attr]


def _problems(segment_id: str, elements: list[str], codes_level: int = 2) -> list[tuple[int, int | None, str]]:
    checker = checker_for(segment_id)
    assert checker is not None
    return [(p.element, p.component, p.ik4_code) for p in checker.check(elements, ":", "^", codes_level)]


def test_element_checks_find_each_kind_of_problem() -> None:
    assert _problems("NM1", ["85", "2", "PRACTICE", "", "", "", "", "XX", NPI]) == []
    assert _problems("NM1", ["85", "", "PRACTICE"]) == [(2, None, "1")]  # required NM102 missing
    assert _problems("NM1", ["85", "2", "X", "", "", "", "", "XX"]) == [(9, None, "2")]  # P0809 pair broken
    assert _problems("NM1", ["85", "3", "X"]) == [(2, None, "7")]  # NM102 is 1 or 2
    assert _problems("DMG", ["D8", "19461301", "R"]) == [(3, None, "7"), (2, None, "8")]
    assert _problems("CLM", ["PCN1", "10", "", "", "11:B:1:9"]) == [(5, 4, "13")]
    assert _problems(
        "CLM", ["PCN1", "10", "", "", "11:B:1", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "X"]
    ) == [(21, None, "3")]
    assert _problems("SV1", ["HC:99213", "10X", "UN", "1"]) == [(2, None, "6")]
    assert _problems("SV1", ["HC", "10", "UN", "1"]) == [(1, 2, "1")]  # SV101-2 procedure code missing
    assert _problems("EB", ["1", "IND", "30^98^1"]) == []  # EB03 repeats
    assert _problems("TRN", ["1", "A^B"]) == [(2, None, "12")]  # TRN02 does not repeat
    assert _problems("CAS", ["CO", "45", "10", "", "2"]) == [(6, None, "2")]  # a reason needs its amount


def test_code_lists_the_5010_guides_narrowed_are_not_applied_to_4010() -> None:
    assert _problems("CLM", ["PCN1", "10", "", "", "11:B:1", "", "", "", "A"], codes_level=2) == [(9, None, "7")]
    assert _problems("CLM", ["PCN1", "10", "", "", "11:B:1", "", "", "", "A"], codes_level=1) == []
    assert _problems("DMG", ["D8", "19800101", "R"], codes_level=1) == [(3, None, "7")]  # shared list
    assert _problems("DMG", ["D8", "19800101", "R"], codes_level=0) == []


# ------------------------------------------------------------------ whole transactions


def test_a_clean_claim_has_no_findings() -> None:
    assert validate_file(interchange(claim_837p())) == []


def test_findings_carry_file_segment_numbers_and_999_fields() -> None:
    data = interchange(claim_837p(clm="CLM*PCN1*150***11:B:1*Y*A*Y*Y*Q"))
    found = [f for f in validate_file(data) if f.code == "invalid_code"]
    assert len(found) == 1
    f = found[0]
    lines = data.decode().split("~\n")
    assert lines[f.segment - 1].startswith("CLM*PCN1")  # type: ignore[operator]
    assert (f.segment_id, f.element, f.ik3_code, f.ik4_code, f.transaction) == ("CLM", 10, "8", "7", "0001")
    assert f.loop == "2300"
    assert "PCN1" not in f.message or "CLM10" in f.message


def test_guide_rules_hl_npi_and_claim_type() -> None:
    body = claim_837p(clm="CLM*PCN1*150***11:A:1*Y*A*Y*Y", npi="1234567890")
    body[body.index("HL*2*1*22*0")] = "HL*3*7*22*0"
    found = validate_file(interchange(body))
    by_code = {f.code: f for f in found}
    assert by_code["hl_sequence"].severity == "error"
    assert by_code["hl_parent"].severity == "error"
    assert by_code["invalid_npi"].severity == "warning"
    assert by_code["invalid_code"].message.startswith("CLM05-2")


def test_structure_envelope_and_balancing_findings_come_together() -> None:
    text = interchange(claim_837p(lines=("100", "60"))).decode().replace("\nSE*", "\nSE*9", 1)
    found = codes(validate_file(text.encode()))
    assert "se01_count" in found
    assert "claim_charge_unbalanced" in found


def test_validate_transaction_for_an_unregistered_set_still_checks_elements() -> None:
    data = interchange(["BGN*00*1*20260101", "DMG*D8*20251301"], set_id="834", version="005010X220A1", fid="BE")
    tx = read_file(data).transactions[0]
    found = validate_transaction(tx)
    assert any(f.code == "unknown_transaction_set" and f.severity == "warning" for f in found)
    assert "invalid_date" in codes(found)


def test_version_mismatch_and_group_mismatch_are_warnings() -> None:
    data = interchange(claim_837p(), fid="HP").decode().replace("ST*837*0001*005010X222A1", "ST*837*0001*005010X223A2")
    all_found = validate_file(data.encode())
    found = {f.code: f.severity for f in all_found}
    assert found["group_set_mismatch"] == "warning"
    assert found["version_mismatch"] == "warning"
    assert [f.code for f in all_found].count("version_mismatch") == 1  # once, from the envelope reader


def test_not_x12_raises(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some prose, nothing to see\n")
    with pytest.raises(NotX12Error):
        validate_file(path)


# ------------------------------------------------------------------ the fast path agrees with the full checks

_VALUES = st.sampled_from(
    [
        "",
        "A",
        "AB",
        "XX",
        "85",
        "D8",
        "RD8",
        "20250101",
        "20250230",
        "19461301",
        "12.5",
        "-3",
        "1.2.3",
        "HC:99213",
        "HC:99213:25",
        "11:B:1",
        "ABK:E119",
        "1^2",
        "CO",
        "45",
        "PR",
        "Y",
        "123456789012345678901234567890",
        "0",
        "1",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    segment_id=st.sampled_from(["NM1", "CLM", "SV1", "CAS", "DTP", "DMG", "PER", "N4", "HI", "EB", "PLB", "BPR"]),
    elements=st.lists(_VALUES, max_size=21),
    codes_level=st.sampled_from([0, 1, 2]),
)
def test_fast_path_agrees_with_full_checks(segment_id: str, elements: list[str], codes_level: int) -> None:
    checker = checker_for(segment_id)
    assert checker is not None
    full = checker.check(elements, ":", "^", codes_level)
    fast = checker.check_fast(elements, "*", ":", "^", codes_level)
    assert sorted(fast) == sorted(full)


def _reference_rules(kind: str, positions: tuple[int, ...], present: dict[int, bool]) -> set[tuple[int, str]]:
    flags = [present[p] for p in positions]
    if kind == "P" and any(flags) and not all(flags):
        return {(p, "2") for p in positions if not present[p]}
    if kind == "R" and not any(flags):
        return {(positions[0], "2")}
    if kind == "E" and sum(flags) > 1:
        return {(positions[1], "10")}
    if kind == "C" and flags[0]:
        return {(p, "2") for p in positions[1:] if not present[p]}
    if kind == "L" and flags[0] and not any(flags[1:]):
        return {(positions[1], "2")}
    return set()


@settings(max_examples=300, deadline=None)
@given(
    segment_id=st.sampled_from(["NM1", "N4", "PER", "REF", "DTM", "CAS", "BPR", "PLB", "DMG", "INS", "QTY"]),
    filled=st.lists(st.booleans(), min_size=0, max_size=21),
)
def test_compiled_syntax_rules_match_their_definition(segment_id: str, filled: list[bool]) -> None:
    sdef = segment_def(segment_id)
    checker = checker_for(segment_id)
    assert sdef is not None and checker is not None
    elements = ["X" if f else "" for f in filled]
    present = {p: p <= len(elements) and bool(elements[p - 1]) for p in range(1, 30)}
    expected: set[tuple[int, str]] = set()
    for rule in sdef.rules:
        expected |= _reference_rules(rule.kind, rule.positions, present)
    out: list = []  # type: ignore[type-arg]
    checker.rules_check(elements, out)
    assert {(p.element, p.ik4_code) for p in out} == expected


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_fast_npi_check_agrees_with_the_codes_module(npi: str) -> None:
    from rcm.codes import npi_check_digit_ok
    from rcm.x12.validation.guide import valid_npi

    assert valid_npi(npi) == (npi[0] in "12" and npi_check_digit_ok(npi))


def test_guide_required_elements_by_implementation_guide() -> None:
    body = claim_837p(clm="CLM*PCN1*150***11:B:1")  # CLM06-09 are required in 837P
    found = [f for f in validate_file(interchange(body)) if f.code == "element_missing"]
    assert sorted(f.element for f in found) == [6, 7, 8, 9]  # type: ignore[type-var]
    assert all(f.segment_id == "CLM" and f.ik4_code == "1" for f in found)
    body = claim_837p()
    body[body.index(f"NM1*85*2*PRACTICE*****XX*{NPI}")] = "NM1*85*2*PRACTICE"
    assert {f.element for f in validate_file(interchange(body)) if f.code == "element_missing"} == {8, 9}


# ------------------------------------------------------------------ public-file findings (compared with pyx12's maps)


def test_other_payer_billing_provider_needs_no_name_or_id() -> None:
    """837P 2330G (NM1*85 inside a claim's other-payer loop) carries NM101/NM102 only; the billing provider's own
    NM1*85 (2010AA) still needs NM103, NM108 and NM109."""
    cob = ("SBR*S*18*******CI", "OI***Y***Y", "NM1*IL*1*DOE*JANE****MI*W2", "NM1*PR*2*OTHER PAYER*****PI*999",
           "NM1*85*2")
    found = validate_file(interchange(claim_837p(extra_2300=cob), fid="HC"))
    assert not [f for f in found if f.code == "element_missing" and f.segment_id == "NM1"]
    found = validate_file(interchange(claim_837p(npi="", extra_2300=cob), fid="HC"))
    missing = [f for f in found if f.code == "element_missing" and f.segment_id == "NM1"]
    assert [(f.element, f.segment) for f in missing] == [(9, 9)]  # NM109 of the 2010AA NM1*85


def test_a_wrong_facility_code_qualifier_is_one_finding() -> None:
    found = validate_file(interchange(claim_837p(clm="CLM*PCN1*150***11:X:1*Y*A*Y*Y"), fid="HC"))
    assert len([f for f in found if f.segment_id == "CLM" and f.element == 5]) == 1
    found = validate_file(interchange(claim_837p(clm="CLM*PCN1*150***11:A:1*Y*A*Y*Y"), fid="HC"))
    assert [f.message for f in found if f.segment_id == "CLM" and f.element == 5] == [
        "CLM05-2 (facility code qualifier): must be B in 005010X222A1"
    ]


def test_work_phone_is_a_communication_qualifier() -> None:
    body = claim_837p()
    body[2] = "PER*IC*DESK*WP*5555550100"
    assert "invalid_code" not in codes(validate_file(interchange(body, fid="HC")))
