"""Turn one exported record (a JSON-shaped dict) into an Encounter, or into a RecordError a biller can act on.

Only what cannot be represented is refused here (see rcm.codes: shape, not billing validity). Messages name
the record and the field in billing-office words and never repeat a value from the record (values are PHI).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from rcm.domain import Encounter
from rcm.errors import RecordError

from .normalize import DATE_FIELDS, normalize_record
from .nubc_codes import nubc_codes_in, unknown_codes
from .records import IntakeRecord, PositionKind, record_ref

__all__ = ["REASONS", "encounter_id_of", "validate_encounter"]

# Stable reason keys, most fundamental first: when a record has several problems the first one names it.
REASONS: dict[str, str] = {
    "malformed_line": "the line cannot be read as a record",
    "conflicting_rows": "rows of one encounter disagree",
    "missing_field": "a required field is missing",
    "no_service_lines": "the encounter has no service lines",
    "bad_date": "a date is not a real date in YYYY-MM-DD form",
    "bad_npi_format": "an NPI is not 10 digits starting with 1 or 2",
    "bad_code_format": "a code does not have the shape of its code set, or is not in a closed NUBC code list",
    "bad_amount": "a charge or unit count is not a number",
    "duplicate_line_id": "two service lines share one line id",
    "too_many_items": "more items than a claim can carry",
    "bad_value": "a value has the wrong form",
    "no_billable_services": "no service could be mapped to a billable code",
    # Raised by the store when a value does not fit its column (rcm.store save_encounter).
    "value_too_long": "a value is longer than the database can hold",
    "bad_units": "a unit count has more than three decimals or is too large",
}

_DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_OWNERS = {
    "patient": "the patient's",
    "billing_provider": "the billing provider's",
    "rendering_provider": "the rendering provider's",
    "referring_provider": "the referring provider's",
    "attending_provider": "the attending provider's",
    "subscriber": "the subscriber's",
    "address": "",
}
_LEAVES = {
    "encounter_id": "encounter id",
    "date_of_service": "date of service",
    "date_of_service_end": "service end date",
    "place_of_service": "place of service",
    "id": "id",
    "birth_date": "birth date",
    "deceased_date": "date of death",
    "zip": "ZIP code",
    "state": "state",
    "npi": "NPI",
    "taxonomy": "taxonomy code",
    "tax_id": "tax id",
    "payer_id": "payer id",
    "member_id": "member id",
    "priority": "coverage priority",
    "relationship": "relationship to the subscriber",
    "line_id": "line id",
    "code": "procedure code",
    "modifiers": "modifier list",
    "units": "unit count",
    "charge": "charge",
    "diagnosis_pointers": "diagnosis pointers",
    "revenue_code": "revenue code",
    "type_of_bill": "type of bill",
    "admission_type": "admission type (UB-04 FL14)",
    "point_of_origin": "point of origin (UB-04 FL15)",
    "patient_status": "patient status (UB-04 FL17)",
    "frequency_code": "claim frequency code",
    "sex": "sex",
    "lines": "service lines",
    "diagnoses": "diagnosis list",
    "coverage": "coverage list",
}
_INDEXED = {"modifiers": "modifier", "diagnosis_pointers": "diagnosis pointer"}
_CODE_LEAVES = frozenset(
    {"code", "modifiers", "diagnoses", "place_of_service", "revenue_code", "type_of_bill", "admission_type",
     "point_of_origin", "patient_status"}
)  # fmt: skip
_AMOUNT_LEAVES = frozenset({"charge", "units"})
_AMOUNT_WORDS = {  # rcm.codes / rcm.domain messages, said the way a biller would
    "not an amount of money": "is not an amount of money",
    "money has at most two decimal places": "has more than two decimal places",
    "units must be a non-negative number": "is negative",
}


def encounter_id_of(data: object) -> str | None:
    """The record's encounter id when it has a usable one (for messages), else None."""
    if isinstance(data, Mapping):
        value = data.get("encounter_id")
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()[:40]
    return None


def _field_path(loc: Sequence[int | str]) -> str:
    """``('lines', 1, 'charge')`` -> ``lines.2.charge``: positions count from 1 like a biller counts."""
    return ".".join(str(p + 1) if isinstance(p, int) else p for p in loc)


def _field_words(loc: Sequence[int | str]) -> str:
    """``('lines', 1, 'charge')`` -> ``service line 2's charge``."""
    parts: list[str] = []
    items = list(loc)
    i = 0
    leaf = ""
    while i < len(items):
        part = items[i]
        nxt = items[i + 1] if i + 1 < len(items) else None
        if part == "lines" and isinstance(nxt, int):
            parts.append(f"service line {nxt + 1}'s")
            i += 2
            continue
        if part == "coverage" and isinstance(nxt, int):
            parts.append(f"coverage {nxt + 1}'s")
            i += 2
            continue
        if part == "diagnoses" and isinstance(nxt, int):
            leaf = f"diagnosis {nxt + 1}"
            i += 2
            continue
        if part in ("modifiers", "diagnosis_pointers") and isinstance(nxt, int):
            leaf = f"{_INDEXED[str(part)]} {nxt + 1}"
            i += 2
            continue
        if isinstance(part, str) and part in _OWNERS and i + 1 < len(items):
            if _OWNERS[part]:
                parts.append(_OWNERS[part])
        elif isinstance(part, str):
            leaf = _LEAVES.get(part, part.replace("_", " "))
        i += 1
    words = " ".join([*parts, leaf]).strip() if leaf else " ".join(parts).strip().removesuffix("'s")
    if not words.startswith("the ") and not words.startswith(("service line", "coverage", "diagnosis")):
        words = f"the {words}"
    return words


def _leaf_name(loc: Sequence[int | str]) -> str:
    names = [p for p in loc if isinstance(p, str)]
    return names[-1] if names else ""


def _classify(err: ErrorDetails) -> tuple[str, str]:
    """(reason key, what is wrong in words) for one pydantic error."""
    loc = err["loc"]
    kind = err["type"]
    leaf = _leaf_name(loc)
    msg = err["msg"].removeprefix("Value error, ")
    no_value = kind == "missing" or ("input" in err and err["input"] is None)
    if loc == ("lines",) and (no_value or kind == "too_short"):
        return "no_service_lines", "there are no service lines to bill"
    if no_value or (kind == "string_too_short" and err.get("input") == ""):
        return "missing_field", "is missing"
    if kind == "nul_character":
        return "bad_value", "contains a NUL character, which cannot be stored"
    if kind.startswith("date") or leaf in DATE_FIELDS:
        return "bad_date", "is not a real date in YYYY-MM-DD form"
    if leaf == "npi":
        return "bad_npi_format", "is not 10 digits starting with 1 or 2"
    if kind == "too_long":
        return "too_many_items", "has more entries than a claim can carry"
    if leaf in _CODE_LEAVES:
        return "bad_code_format", f"has the wrong shape ({msg})" if kind == "value_error" else "has the wrong shape"
    if leaf in _AMOUNT_LEAVES:
        return "bad_amount", _AMOUNT_WORDS.get(
            msg, f"is not usable ({msg})" if kind == "value_error" else "is not a number"
        )
    if leaf == "diagnosis_pointers":
        return "bad_value", "is not a whole number"
    if kind == "value_error":
        return "bad_value", f"is not usable ({msg})"
    if kind == "string_too_long":
        return "bad_value", "is too long"
    if kind in ("enum", "literal_error"):
        return "bad_value", "is not one of the accepted values"
    return "bad_value", "has the wrong form"


def _precheck(data: Mapping[str, Any], loc: tuple[int | str, ...] = ()) -> list[ErrorDetails]:
    """Dates must be written YYYY-MM-DD (pydantic alone would read 20260203 as seconds since 1970), and no text
    may hold a NUL character (no database column can store it)."""
    found: list[ErrorDetails] = []
    for key, value in data.items():
        here = (*loc, key)
        if key in DATE_FIELDS and value not in (None, "") and not (isinstance(value, str) and _DATE_RE.match(value)):
            found.append({"type": "date_format", "loc": here, "msg": "bad date", "input": "<not YYYY-MM-DD>"})
        elif isinstance(value, Mapping):
            found.extend(_precheck(value, here))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, Mapping):
                    found.extend(_precheck(item, (*here, i)))
                elif isinstance(item, str) and "\x00" in item:
                    found.append({"type": "nul_character", "loc": (*here, i), "msg": "NUL", "input": "<NUL>"})
        elif isinstance(value, str) and "\x00" in value:
            found.append({"type": "nul_character", "loc": here, "msg": "NUL", "input": "<NUL>"})
    return found


def _record_error(errors: Sequence[ErrorDetails], *, source: str, ref: str) -> RecordError:
    order = list(REASONS)
    classified = [(_classify(e), e) for e in errors]
    classified.sort(key=lambda c: order.index(c[0][0]))
    (reason, _), first = classified[0]
    sentences: list[str] = []
    for (_, what), err in classified[:3]:
        if err["loc"] == ("lines",) and what.startswith("there are"):
            sentences.append(what)
        else:
            sentences.append(f"{_field_words(err['loc'])} {what}")
    more = len(classified) - 3
    detail = "; ".join(sentences) + (f"; and {more} more problem(s)" if more > 0 else "")
    return RecordError(
        reason, detail[:1].upper() + detail[1:], source=source, record=ref, field=_field_path(first["loc"]) or None
    )


def validate_encounter(
    data: object, *, source: str, position: int, kind: PositionKind, raw: str, rules_dir: Path | None = None
) -> IntakeRecord:
    """Validate one JSON-shaped record; the result carries either the Encounter or the quarantine reason.

    ``rules_dir`` holds the NUBC code table (codesets/) that institutional codes are checked against; it is
    read only when a record carries one (default: the settings' rules folder).
    """
    if isinstance(data, Mapping):
        data = normalize_record(data)
    encounter_id = encounter_id_of(data)
    ref = record_ref(kind, position, encounter_id)
    if not isinstance(data, Mapping):
        error = RecordError("malformed_line", "The record is not a JSON object", source=source, record=ref)
        return IntakeRecord(position, kind, raw, encounter_id, error=error)
    errors = _precheck(data)
    encounter: Encounter | None = None
    try:
        encounter = Encounter.model_validate(data)
    except ValidationError as exc:
        bad_dates = {tuple(e["loc"]) for e in errors}
        errors.extend(e for e in exc.errors() if tuple(e["loc"]) not in bad_dates)
    if errors:
        return IntakeRecord(position, kind, raw, encounter_id, error=_record_error(errors, source=source, ref=ref))
    assert encounter is not None
    if encounter.admission_type or encounter.point_of_origin or encounter.patient_status:
        unknown = unknown_codes(encounter, nubc_codes_in(rules_dir))
        if unknown:
            error = RecordError(
                "bad_code_format", "; ".join(sentence for _, sentence in unknown), source=source, record=ref,
                field=unknown[0][0],
            )  # fmt: skip
            return IntakeRecord(position, kind, raw, encounter_id, error=error)
    seen: set[str] = set()
    for number, line in enumerate(encounter.lines, start=1):
        if line.line_id in seen:
            error = RecordError(
                "duplicate_line_id",
                f"Service line {number} repeats a line id already used on this encounter; line ids must be unique "
                "so that payments can be matched back to lines",
                source=source,
                record=ref,
                field=f"lines.{number}.line_id",
            )
            return IntakeRecord(position, kind, raw, encounter_id, error=error)
        seen.add(line.line_id)
    return IntakeRecord(position, kind, raw, encounter.encounter_id, encounter=encounter)
