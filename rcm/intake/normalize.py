"""What EMR exports actually write, read the way a biller would: before validation, never instead of it.

Only spellings with one obvious meaning are normalised (camelCase keys, ``""`` for "no value", ``"Female"``,
``"25|59"`` for a modifier list, CMS-1500 letter pointers ``A``-``L``, ISO timestamps for dates, ZIP codes that
lost their leading zero in a spreadsheet). Anything else is left as written, so validation quarantines it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["DATE_FIELDS", "field_name", "normalize_record"]

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")
_DATETIME = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2})(?::[0-9]{2}(?:\.[0-9]+)?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?$"
)
_LIST_SPLIT = re.compile(r"[|,;:\s]+")
DATE_FIELDS = frozenset(
    {"date_of_service", "date_of_service_end", "birth_date", "deceased_date", "start_date", "end_date",
     "admission_date", "discharge_date"}
)  # fmt: skip
"""The fields of the encounter model that hold a date (at any depth)."""
_PRIORITY = {"p": "primary", "1": "primary", "s": "secondary", "2": "secondary", "t": "tertiary", "3": "tertiary"}
_RELATIONSHIP = {"18": "self", "01": "spouse", "19": "child", "g8": "other", "dependent": "child",
                 "insured": "self", "subscriber": "self"}  # fmt: skip


def field_name(key: str) -> str:
    """``encounterId``, ``Encounter ID`` or ``encounter-id`` -> ``encounter_id``."""
    return re.sub(r"[\s\-]+", "_", _CAMEL.sub(r"_\1", key.strip())).lower()


def _sex(value: object) -> object:
    if value is None:
        return "U"
    if not isinstance(value, str):
        return value
    letter = value.strip()[:1].upper()
    # An 837 carries F, M or U only (DMG03): any other recorded value is sent as U.
    return letter if letter in ("F", "M") else "U"


def _split(value: object) -> object:
    if isinstance(value, str):
        return [part for part in _LIST_SPLIT.split(value.strip()) if part]
    if isinstance(value, list):
        return [v for v in value if v not in (None, "") and not (isinstance(v, str) and not v.strip())]
    return value


def _pointers(value: object) -> object:
    items = _split(value)
    if not isinstance(items, list):
        return items
    # CMS-1500 box 24E writes pointers as letters A-L.
    return [ord(p.upper()) - 64 if isinstance(p, str) and len(p) == 1 and "A" <= p.upper() <= "L" else p for p in items]


def _zip(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.isdigit() and len(value) in (3, 4, 7, 8):
        return value.zfill(5 if len(value) < 5 else 9)  # spreadsheets drop the leading zero of 02139
    return value


def _value(key: str, value: Any) -> Any:
    if key == "sex":
        return _sex(value)
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, Mapping):
        return normalize_record(value)
    if key in ("diagnoses", "modifiers"):
        value = _split(value)
    elif key == "diagnosis_pointers":
        value = _pointers(value)
    if isinstance(value, list):
        return [normalize_record(v) if isinstance(v, Mapping) else v for v in value]
    if key in DATE_FIELDS and isinstance(value, str) and (match := _DATETIME.match(value.strip())):
        return match.group(1)
    if key == "zip":
        return _zip(value)
    if key == "priority" and isinstance(value, str):
        return _PRIORITY.get(value.strip().lower(), value.strip().lower())
    if key == "relationship" and isinstance(value, str):
        return _RELATIONSHIP.get(value.strip().lower(), value.strip().lower())
    return value


# A stay's admission or discharge written as a timestamp also gives its time of day (UB-04 FL13, FL16), as written.
_CLOCK_OF = {"admission_date": "admission_time", "discharge_date": "discharge_time"}


def normalize_record(data: Mapping[str, Any]) -> dict[str, Any]:
    """A normalised copy of one JSON-shaped record (nested objects included); never raises."""
    out: dict[str, Any] = {}
    clocks: dict[str, str] = {}
    for key, value in data.items():
        name = field_name(str(key))
        out[name] = _value(name, value)
        clock = _CLOCK_OF.get(name)
        if clock and isinstance(value, str) and (match := _DATETIME.match(value.strip())):
            clocks[clock] = match.group(2)
    for clock, value in clocks.items():
        if out.get(clock) is None:  # a time given on its own wins
            out[clock] = value
    return out
