"""The NUBC institutional claim codes an encounter may carry (UB-04 FL14, FL15, FL17; 837I CL101-CL103).

Read from rules/codesets/nubc_institutional_codes.yaml (provenance there). Intake refuses a code that is not in
these lists, the way it refuses a code of the wrong shape: an admission type, point of origin or patient status
the payer does not know is an export mapping to fix, not a claim a biller can repair.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rcm.domain import Encounter
from rcm.errors import ConfigError

__all__ = ["CODE_SHAPES", "NUBC_FILE", "NubcCodes", "load_nubc_codes", "nubc_codes_in", "unknown_codes"]

NUBC_FILE = "nubc_institutional_codes.yaml"
CODE_SHAPES: dict[str, re.Pattern[str]] = {
    "admission_type": re.compile(r"^[0-9]$"),
    "point_of_origin": re.compile(r"^[0-9A-Z]$"),
    "patient_status": re.compile(r"^[0-9]{2}$"),
}
"""The shape of each code (as rcm.domain.Encounter checks it), for the tables that hold such codes."""
_LISTS = {**CODE_SHAPES, "newborn_point_of_origin": CODE_SHAPES["point_of_origin"]}
# How each field is named to a biller, with the form locator people look it up by.
FIELD_WORDS = {
    "admission_type": "admission type (UB-04 FL14)",
    "point_of_origin": "point of origin (UB-04 FL15)",
    "patient_status": "patient status (UB-04 FL17)",
}


@dataclass(frozen=True, slots=True)
class NubcCodes:
    """Code -> name, per list. Point of origin codes mean something else when the admission type is 4 (newborn)."""

    admission_type: dict[str, str]
    point_of_origin: dict[str, str]
    newborn_point_of_origin: dict[str, str]
    patient_status: dict[str, str]
    source: str

    def point_of_origin_known(self, code: str, admission_type: str | None) -> bool:
        if admission_type == "4":
            return code in self.newborn_point_of_origin
        return code in self.point_of_origin


def load_nubc_codes(path: Path) -> NubcCodes:
    """Read and check the table; a missing list, a code of the wrong shape or an empty name is a ConfigError."""
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the NUBC code table ({exc.strerror or type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML") from exc
    lists = raw.get("lists") if isinstance(raw, dict) else None
    if not isinstance(lists, dict):
        raise ConfigError(f"{path}: no 'lists' mapping")
    found: dict[str, dict[str, str]] = {}
    for name, shape in _LISTS.items():
        entries = lists.get(name)
        if not isinstance(entries, dict) or not entries:
            raise ConfigError(f"{path}: list {name!r} is missing or empty")
        checked: dict[str, str] = {}
        for code, label in entries.items():
            if not isinstance(code, str) or not shape.match(code):
                raise ConfigError(f"{path}: {name}: {code!r} is not a code of this list's shape (write it quoted)")
            if not isinstance(label, str) or not label.strip():
                raise ConfigError(f"{path}: {name}: code {code} has no name")
            checked[code] = label.strip()
        found[name] = checked
    unknown = sorted(set(lists) - set(_LISTS))
    if unknown:
        raise ConfigError(f"{path}: unknown list(s) {', '.join(unknown)}")
    return NubcCodes(
        admission_type=found["admission_type"],
        point_of_origin=found["point_of_origin"],
        newborn_point_of_origin=found["newborn_point_of_origin"],
        patient_status=found["patient_status"],
        source=str(path),
    )


_loaded: dict[Path, tuple[int, NubcCodes]] = {}
_lock = threading.Lock()


def nubc_codes_in(rules_dir: Path | None = None) -> NubcCodes:
    """The table under ``rules_dir/codesets`` (default: the settings' rules folder), read again when it changes."""
    if rules_dir is None:
        from rcm.config import get_settings

        rules_dir = get_settings().rules_dir
    path = (rules_dir / "codesets" / NUBC_FILE).resolve()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        raise ConfigError(f"{path}: NUBC code table missing (see rules/codesets/PROVENANCE.md)") from None
    with _lock:
        cached = _loaded.get(path)
        if cached is None or cached[0] != stamp:
            cached = _loaded[path] = (stamp, load_nubc_codes(path))
    return cached[1]


def unknown_codes(encounter: Encounter, codes: NubcCodes) -> list[tuple[str, str]]:
    """(field, sentence) for every institutional code of the encounter that NUBC does not list. Never repeats
    the value (exports are PHI); says which list it was checked against."""
    problems: list[tuple[str, str]] = []
    if encounter.admission_type is not None and encounter.admission_type not in codes.admission_type:
        problems.append(("admission_type", f"The {FIELD_WORDS['admission_type']} is not a NUBC admission type code"))
    origin = encounter.point_of_origin
    if origin is not None and not codes.point_of_origin_known(origin, encounter.admission_type):
        newborn = ""
        if encounter.admission_type == "4":
            newborn = f" for a newborn admission (type 4: {' or '.join(sorted(codes.newborn_point_of_origin))})"
        problems.append(
            ("point_of_origin", f"The {FIELD_WORDS['point_of_origin']} is not a NUBC point of origin code{newborn}")
        )
    if encounter.patient_status is not None and encounter.patient_status not in codes.patient_status:
        problems.append(("patient_status", f"The {FIELD_WORDS['patient_status']} is not a NUBC patient status code"))
    return problems
