"""The code crosswalks under rules/crosswalk/: SNOMED CT (and CVX) to ICD-10-CM and CPT/HCPCS, Synthea classes to POS.

A row with an empty target code means "known, deliberately not billed" (social history, a service included in
the visit); a code with no row at all is unmapped and reported as such.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from rcm.codes import icd10_shape, procedure_shape
from rcm.errors import ConfigError

__all__ = ["DIAGNOSIS_FILE", "Crosswalk", "DiagnosisTarget", "ProcedureTarget", "load_crosswalk"]

DIAGNOSIS_FILE = "snomed_icd10cm.csv"
PROCEDURE_FILE = "snomed_cpt_hcpcs.csv"
POS_FILE = "encounter_class_pos.csv"
PAYER_FILE = "synthea_payers.csv"


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


@dataclass
class Crosswalk:
    """Everything the Synthea adapter needs to speak claims."""

    diagnoses: dict[str, DiagnosisTarget] = field(default_factory=dict)
    procedures: dict[tuple[str, str], list[ProcedureTarget]] = field(default_factory=dict)
    place_of_service: dict[str, str] = field(default_factory=dict)
    payers: dict[str, PayerTarget] = field(default_factory=dict)

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


def load_crosswalk(folder: Path) -> Crosswalk:
    """Read the four crosswalk files; a wrong code shape in them is a ConfigError naming the line."""
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
    return crosswalk
