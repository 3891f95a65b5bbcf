"""Value checks for X12 data types (numbers, decimals, dates, times, date ranges), cheap enough for every element.

Each check returns None when the value is fine, else the IK403 error code (4 too short, 5 too long,
6 invalid character, 8 invalid date, 9 invalid time).
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["check_date", "check_period", "check_time", "check_value", "valid_date"]

_DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)\Z")
_INTEGER = re.compile(r"-?\d+\Z")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def valid_date(value: str) -> bool:
    """A real CCYYMMDD (or YYMMDD) calendar date."""
    if not value.isdigit():
        return False
    if len(value) == 8:
        year, month, day = int(value[:4]), int(value[4:6]), int(value[6:])
    elif len(value) == 6:
        year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    else:
        return False
    if not (1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]):
        return False
    if month == 2 and day == 29:
        try:
            date(year, 2, 29)
        except ValueError:
            return False
    return year >= 1800 or len(value) == 6


def check_date(value: str, min_length: int = 8) -> str | None:
    if len(value) < min_length:
        return "4" if value.isdigit() else "8"
    return None if valid_date(value) else "8"


def check_time(value: str) -> str | None:
    """HHMM, HHMMSS or HHMMSSd.. (the TM type)."""
    if not value.isdigit() or len(value) not in (4, 6, 7, 8):
        return "9"
    if int(value[:2]) > 23 or int(value[2:4]) > 59 or (len(value) >= 6 and int(value[4:6]) > 59):
        return "9"
    return None


def check_period(qualifier: str, value: str) -> str | None:
    """A DTP03-style value against its format qualifier (D8, RD8, DT, TM); unknown qualifiers pass."""
    if qualifier == "D8":
        return None if len(value) == 8 and valid_date(value) else "8"
    if qualifier == "RD8":
        start, sep, end = value.partition("-")
        if not sep or len(start) != 8 or len(end) != 8 or not valid_date(start) or not valid_date(end):
            return "8"
        return "8" if end < start else None
    if qualifier == "DT":
        if len(value) != 12 or not valid_date(value[:8]):
            return "8"
        return "9" if check_time(value[8:]) else None
    if qualifier == "TM":
        return check_time(value)
    return None


def check_value(data_type: str, value: str, min_length: int, max_length: int) -> str | None:
    """One element value against its type and lengths; returns the IK403 code or None."""
    if data_type == "AN" or data_type == "ID":
        n = len(value)
        if n > max_length:
            return "5"
        if n < min_length:
            return "4"
        return None
    if data_type == "R":
        if _DECIMAL.match(value) is None:
            return "6"
        digits = len(value) - value.count("-") - value.count(".")
        return "5" if digits > max_length else None
    if data_type[0] == "N":
        if _INTEGER.match(value) is None:
            return "6"
        digits = len(value) - (value[0] == "-")
        if digits > max_length:
            return "5"
        return "4" if digits < min_length else None
    if data_type == "DT":
        if len(value) > max_length:
            return "5"
        return check_date(value, min_length)
    if data_type == "TM":
        if len(value) > max_length:
            return "5"
        return check_time(value)
    return None
