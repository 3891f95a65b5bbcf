"""The code crosswalks under rules/crosswalk/: SNOMED CT (and CVX) to ICD-10-CM and CPT/HCPCS, Synthea classes to POS
and to the institutional claim codes (admission type, point of origin, patient status; with same-day transfers).

A row with an empty target code means "known, deliberately not billed" (social history, a service included in
the visit); a code with no row at all is unmapped and reported as such.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rcm.codes import icd10_shape, procedure_shape
from rcm.errors import ConfigError

from .nubc_codes import CODE_SHAPES

__all__ = [
    "DIAGNOSIS_FILE",
    "ClassCodes",
    "Crosswalk",
    "DiagnosisTarget",
    "ProcedureTarget",
    "Transfer",
    "load_crosswalk",
]

DIAGNOSIS_FILE = "snomed_icd10cm.csv"
PROCEDURE_FILE = "snomed_cpt_hcpcs.csv"
POS_FILE = "encounter_class_pos.csv"
PAYER_FILE = "synthea_payers.csv"
INSTITUTIONAL_FILE = "encounter_class_institutional.csv"
TRANSFER_FILE = "synthea_transfers.csv"
# Shapes only: the values are checked against the NUBC table when intake validates the encounter.
_NUBC_SHAPES = {**CODE_SHAPES, "expired_status": CODE_SHAPES["patient_status"]}
Organization = Literal["same", "other", "any"]


@dataclass(frozen=True)
class DiagnosisTarget:
    icd10cm: str | None  # None: known, not billed as a diagnosis
    note: str = ""


@dataclass(frozen=True)
class ProcedureTarget:
    code: str | None  # None: known, not separately billable
    modifiers: tuple[str, ...] = ()
    units: int = 1
    age_min: int | None = None
    age_max: int | None = None
    note: str = ""

    def fits_age(self, age: int | None) -> bool:
        if self.age_min is None and self.age_max is None:
            return True
        if age is None:
            return False
        return (self.age_min or 0) <= age <= (self.age_max if self.age_max is not None else 200)


@dataclass(frozen=True)
class PayerTarget:
    payer_id: str | None  # None: self-pay
    plan_type: str | None


@dataclass(frozen=True)
class ClassCodes:
    """The institutional codes an encounter of one Synthea class gets unless a transfer or a death says otherwise."""

    admission_type: str
    point_of_origin: str
    patient_status: str
    expired_status: str  # the patient status when the patient died during the encounter


@dataclass(frozen=True)
class Transfer:
    """What a same-day move from one encounter class to another says about both (empty: keep the default)."""

    patient_status: str | None  # of the encounter the patient leaves
    admission_type: str | None  # of the encounter the patient arrives at
    point_of_origin: str | None


@dataclass
class Crosswalk:
    """Everything the Synthea adapter needs to speak claims."""

    diagnoses: dict[str, DiagnosisTarget] = field(default_factory=dict)
    procedures: dict[tuple[str, str], list[ProcedureTarget]] = field(default_factory=dict)
    place_of_service: dict[str, str] = field(default_factory=dict)
    payers: dict[str, PayerTarget] = field(default_factory=dict)
    institutional: dict[str, ClassCodes] = field(default_factory=dict)
    transfers: dict[tuple[str, str, Organization], Transfer] = field(default_factory=dict)

    def transfer(self, from_class: str, to_class: str, *, same_organization: bool) -> Transfer | None:
        """The row for a same-day move: one naming the organization (same / other) first, then ``any``."""
        where: Organization = "same" if same_organization else "other"
        return self.transfers.get((from_class, to_class, where)) or self.transfers.get((from_class, to_class, "any"))

    def diagnosis(self, snomed: str) -> DiagnosisTarget | None:
        return self.diagnoses.get(snomed)

    def procedure(self, system: str, code: str, age: int | None) -> ProcedureTarget | None:
        """The target for this code at this age; None when the crosswalk does not know the code (or the age)."""
        for target in self.procedures.get(_procedure_key(system, code), []):
            if target.fits_age(age):
                return target
        return None


def _procedure_key(system: str, code: str) -> tuple[str, str]:
    system = system.strip().upper()
    code = code.strip()
    # CVX codes are two digits or more; exports write "8" as well as "08".
    return system, (code.lstrip("0").zfill(2) if system == "CVX" and code.isdigit() else code)


def _rows(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}")
            return [(n, {k: (v or "").strip() for k, v in row.items() if k}) for n, row in enumerate(reader, start=2)]
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the crosswalk ({exc.strerror or type(exc).__name__})") from None


def _int(value: str, path: Path, line: int) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise ConfigError(f"{path}, line {line}: {value!r} is not a whole number")
    return int(value)


def _nubc(row: dict[str, str], column: str, path: Path, line: int, *, required: bool) -> str | None:
    value = row.get(column, "").upper()
    if not value:
        if required:
            raise ConfigError(f"{path}, line {line}: {column} is missing")
        return None
    if not _NUBC_SHAPES[column].match(value):
        raise ConfigError(f"{path}, line {line}: {value!r} is not a {column.replace('_', ' ')} code")
    return value


def load_crosswalk(folder: Path) -> Crosswalk:
    """Read the six crosswalk files; a wrong code shape in them is a ConfigError naming the line."""
    crosswalk = Crosswalk()
    path = folder / DIAGNOSIS_FILE
    for line, row in _rows(path, ("snomed_code", "icd10cm")):
        try:
            icd = icd10_shape(row["icd10cm"]) if row["icd10cm"] else None
        except ValueError as exc:
            raise ConfigError(f"{path}, line {line}: {exc}") from None
        crosswalk.diagnoses[row["snomed_code"]] = DiagnosisTarget(icd, row.get("note", ""))
    path = folder / PROCEDURE_FILE
    for line, row in _rows(path, ("system", "source_code", "code")):
        try:
            code = procedure_shape(row["code"]) if row["code"] else None
        except ValueError as exc:
            raise ConfigError(f"{path}, line {line}: {exc}") from None
        modifiers = tuple(m.strip().upper() for m in row.get("modifiers", "").split("|") if m.strip())
        target = ProcedureTarget(
            code=code,
            modifiers=modifiers,
            units=_int(row.get("units", ""), path, line) or 1,
            age_min=_int(row.get("age_min", ""), path, line),
            age_max=_int(row.get("age_max", ""), path, line),
            note=row.get("note", ""),
        )
        crosswalk.procedures.setdefault(_procedure_key(row["system"], row["source_code"]), []).append(target)
    path = folder / POS_FILE
    for _, row in _rows(path, ("encounter_class", "place_of_service")):
        crosswalk.place_of_service[row["encounter_class"].lower()] = row["place_of_service"]
    path = folder / PAYER_FILE
    for _, row in _rows(path, ("synthea_name", "payer_id")):
        crosswalk.payers[row["synthea_name"].lower()] = PayerTarget(
            row["payer_id"] or None, row.get("plan_type") or None
        )
    path = folder / INSTITUTIONAL_FILE
    for line, row in _rows(path, ("encounter_class", *_NUBC_SHAPES)):
        codes = [_nubc(row, column, path, line, required=True) or "" for column in _NUBC_SHAPES]
        crosswalk.institutional[row["encounter_class"].lower()] = ClassCodes(*codes)
    path = folder / TRANSFER_FILE
    for line, row in _rows(path, ("from_class", "to_class", "organization", "patient_status", "admission_type",
                                  "point_of_origin")):  # fmt: skip
        organization: Organization
        match row["organization"].lower():
            case "same" | "other" | "any" as organization:
                pass
            case _:
                raise ConfigError(f"{path}, line {line}: organization must be same, other or any")
        key = (row["from_class"].lower(), row["to_class"].lower(), organization)
        if key in crosswalk.transfers:
            raise ConfigError(f"{path}, line {line}: a second row for {' / '.join(key)}")
        crosswalk.transfers[key] = Transfer(
            patient_status=_nubc(row, "patient_status", path, line, required=False),
            admission_type=_nubc(row, "admission_type", path, line, required=False),
            point_of_origin=_nubc(row, "point_of_origin", path, line, required=False),
        )
    return crosswalk
