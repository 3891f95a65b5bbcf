"""Validated value types for the codes a claim carries: NPI, ICD-10-CM, CPT/HCPCS, modifiers, money.

Two levels on purpose. *Shape* (is this even an NPI / an ICD-10-CM code?) is checked here, and a record
whose codes have the wrong shape cannot be represented: intake quarantines it. *Validity* (is the check
digit right, is the code billable on that date, is the modifier known?) is the scrubber's job in
rcm.coding, because a biller can fix it on the claim.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

__all__ = [
    "ICD10CM",
    "NPI",
    "Modifier",
    "Money",
    "NPIShape",
    "PlaceOfService",
    "ProcedureCode",
    "icd10_dotted",
    "icd10_shape",
    "is_cpt",
    "is_hcpcs_level2",
    "npi_check_digit_ok",
    "npi_with_check_digit",
    "procedure_shape",
    "to_money",
]

_ICD10_RE = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$")
_PROC_RE = re.compile(r"^[0-9A-Z]{5}$")
_CPT_RE = re.compile(r"^(?:[0-9]{5}|[0-9]{4}[FTUAM])$")
_HCPCS2_RE = re.compile(r"^[A-V][0-9]{4}$")
_MOD_RE = re.compile(r"^[0-9A-Z]{2}$")
_NPI_RE = re.compile(r"^[12][0-9]{9}$")
_POS_RE = re.compile(r"^[0-9]{2}$")
_CENT = Decimal("0.01")


def npi_check_digit_ok(npi: str) -> bool:
    """Luhn check over '80840' + the first nine digits, as the NPI standard defines it."""
    if not _NPI_RE.match(npi):
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    # Double every second digit from the right of the 14-digit payload (the check digit is appended).
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


def npi_with_check_digit(first_nine: str) -> str:
    """Complete a nine-digit NPI stem with its check digit (used to make synthetic providers)."""
    for last in "0123456789":
        if npi_check_digit_ok(first_nine + last):
            return first_nine + last
    raise ValueError("no check digit fits")  # unreachable for a 9-digit stem starting 1 or 2


def _npi_shape(value: object) -> str:
    s = str(value).strip() if value is not None else ""
    if not _NPI_RE.match(s):
        raise ValueError("an NPI is 10 digits starting with 1 or 2")
    return s


def _npi_strict(value: str) -> str:
    if not npi_check_digit_ok(value):
        raise ValueError("the NPI's check digit is wrong")
    return value


def icd10_shape(value: object) -> str:
    """Normalise an ICD-10-CM code to upper case without the dot; raise ValueError if it cannot be one."""
    s = str(value).strip().upper() if value is not None else ""
    if "." in s:
        head, _, tail = s.partition(".")
        if len(head) != 3 or "." in tail:
            raise ValueError("an ICD-10-CM code has its dot after the third character")
        s = head + tail
    if not _ICD10_RE.match(s):
        raise ValueError("an ICD-10-CM code is a letter, a digit and 1 to 5 more letters or digits")
    return s


def icd10_dotted(code: str) -> str:
    """The way people write it: J020 -> J02.0."""
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def procedure_shape(value: object) -> str:
    """CPT/HCPCS codes are five letters or digits; anything else cannot be a procedure code."""
    s = str(value).strip().upper() if value is not None else ""
    if not _PROC_RE.match(s):
        raise ValueError("a CPT/HCPCS code is 5 letters or digits")
    return s


def is_cpt(code: str) -> bool:
    return bool(_CPT_RE.match(code))


def is_hcpcs_level2(code: str) -> bool:
    return bool(_HCPCS2_RE.match(code))


def _modifier_shape(value: object) -> str:
    s = str(value).strip().upper() if value is not None else ""
    if not _MOD_RE.match(s):
        raise ValueError("a modifier is 2 letters or digits")
    return s


def _pos_shape(value: object) -> str:
    s = str(value).strip() if value is not None else ""
    if len(s) == 1 and s.isdigit():
        s = "0" + s
    if not _POS_RE.match(s):
        raise ValueError("a place of service is 2 digits")
    return s


def to_money(value: object) -> Decimal:
    """Exact money: a Decimal with two places. Floats are refused (they cannot hold cents exactly)."""
    if isinstance(value, bool | float):
        raise ValueError("money must be given as a string or integer, not a float")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        s = value.strip().replace(",", "").lstrip("$")
        try:
            d = Decimal(s)
        except InvalidOperation:
            raise ValueError("not an amount of money") from None
    else:
        raise ValueError("not an amount of money")
    if not d.is_finite():
        raise ValueError("not an amount of money")
    q = d.quantize(_CENT, rounding=ROUND_HALF_UP)
    if q != d:
        raise ValueError("money has at most two decimal places")
    return q


NPIShape = Annotated[str, BeforeValidator(_npi_shape)]
"""Ten digits starting 1 or 2: what intake requires. The check digit is the scrubber's (npi_invalid)."""

NPI = Annotated[str, BeforeValidator(_npi_shape), AfterValidator(_npi_strict)]
"""A fully valid NPI, check digit included."""

ICD10CM = Annotated[str, BeforeValidator(icd10_shape)]
ProcedureCode = Annotated[str, BeforeValidator(procedure_shape)]
Modifier = Annotated[str, BeforeValidator(_modifier_shape)]
PlaceOfService = Annotated[str, BeforeValidator(_pos_shape)]
Money = Annotated[Decimal, BeforeValidator(to_money), PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
