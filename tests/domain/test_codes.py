"""Validated code types: NPI check digits, ICD-10-CM and CPT/HCPCS shapes, exact money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import TypeAdapter, ValidationError

from rcm.codes import (
    ICD10CM,
    NPI,
    Money,
    NPIShape,
    ProcedureCode,
    icd10_dotted,
    is_cpt,
    is_hcpcs_level2,
    npi_check_digit_ok,
    npi_with_check_digit,
)


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_known_good_npis(npi: str) -> None:
    assert npi_check_digit_ok(npi)
    assert TypeAdapter(NPI).validate_python(npi) == npi


@pytest.mark.parametrize("npi", ["1234567890", "1245319598"])
def test_wrong_check_digit_is_refused_by_strict_npi_but_has_the_shape(npi: str) -> None:
    assert not npi_check_digit_ok(npi)
    with pytest.raises(ValidationError):
        TypeAdapter(NPI).validate_python(npi)
    assert TypeAdapter(NPIShape).validate_python(npi) == npi


@pytest.mark.parametrize("bad", ["123456789", "3234567893", "12345678901", "12345A7893", ""])
def test_npi_shape(bad: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(NPIShape).validate_python(bad)


def test_npi_with_check_digit_completes_a_stem() -> None:
    npi = npi_with_check_digit("123456789")
    assert npi == "1234567893"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("J02.0", "J020"),
        ("j020", "J020"),
        ("R509", "R509"),
        ("E11.65", "E1165"),
        ("S72.001A", "S72001A"),
        ("J02", "J02"),
        ("U07.1", "U071"),
    ],
)
def test_icd10_shapes_normalise(given: str, stored: str) -> None:
    assert TypeAdapter(ICD10CM).validate_python(given) == stored


@pytest.mark.parametrize("bad", ["J0", "02.0", "J02.00000", "J0.20", "J02..0", "J02-0", ""])
def test_icd10_malformed(bad: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(ICD10CM).validate_python(bad)


def test_icd10_dotted() -> None:
    assert icd10_dotted("J020") == "J02.0"
    assert icd10_dotted("J02") == "J02"


def test_procedure_shapes() -> None:
    ta = TypeAdapter(ProcedureCode)
    assert ta.validate_python(" 99213 ") == "99213"
    assert ta.validate_python("g0439") == "G0439"
    for bad in ("9921", "992133", "99-13", ""):
        with pytest.raises(ValidationError):
            ta.validate_python(bad)
    assert is_cpt("99213") and is_cpt("0001F") and is_cpt("0042T")
    assert not is_cpt("G0439") and is_hcpcs_level2("G0439") and not is_hcpcs_level2("W1234")


def test_money_is_exact() -> None:
    ta = TypeAdapter(Money)
    assert ta.validate_python("125.5") == Decimal("125.50")
    assert ta.validate_python(100) == Decimal("100.00")
    assert ta.dump_python(Decimal("3.10"), mode="json") == "3.10"
    for bad in (1.1, "12.345", "abc", "NaN"):
        with pytest.raises(ValidationError):
            ta.validate_python(bad)
