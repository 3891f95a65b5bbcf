"""How values become X12 element text in the claims we write: amounts, quantities, dates, clean text."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time
from decimal import Decimal

__all__ = ["Segment", "amount", "ccyymmdd", "date_period", "hhmm", "identifier", "quantity", "text"]

Segment = list[str | list[str]]
"""One segment as the X12 writer takes it: [id, element1, element2, ...]; a composite is a list of components."""

# Characters that are delimiters in our files (and the usual alternatives) never go inside an element.
_RESERVED = re.compile(r"[*~:^|>\x00-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


def text(value: str | None, max_length: int) -> str:
    """Free text for an element: ASCII, upper case, no delimiter characters, single spaces, at most max_length."""
    if not value:
        return ""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    cleaned = _SPACES.sub(" ", _RESERVED.sub(" ", ascii_only)).strip().upper()
    return cleaned[:max_length].rstrip()


def identifier(value: str | None, max_length: int) -> str | None:
    """An identifier as it must come back to us (CLM01, REF*6R, member and payer ids): kept exactly, case
    included, or None when it cannot be sent unchanged (empty, too long, non-ASCII or holding a delimiter)."""
    if not value:
        return None
    value = value.strip()
    if not value or len(value) > max_length or not value.isascii() or _RESERVED.search(value):
        return None
    return value


def amount(value: Decimal) -> str:
    """An X12 R amount: no trailing zeros after the point, no point when whole (100.50 -> 100.5, 80.00 -> 80)."""
    q = value.quantize(Decimal("0.01"))
    s = f"{q:f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("", "-0") else s


def quantity(value: Decimal) -> str:
    """An X12 R quantity (units): the number as written, without trailing zeros."""
    s = f"{value.normalize():f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def ccyymmdd(day: date) -> str:
    return day.strftime("%Y%m%d")


def hhmm(clock: time) -> str:
    """An X12 TM time to the minute (07:05 -> 0705)."""
    return clock.strftime("%H%M")


def date_period(start: date, end: date | None) -> tuple[str, str]:
    """A DTP format qualifier and value: D8 for one day, RD8 for a range."""
    if end is None or end == start:
        return "D8", ccyymmdd(start)
    return "RD8", f"{ccyymmdd(start)}-{ccyymmdd(end)}"
