"""The bundled synthetic sample export: a deterministic generator of a few hundred encounters (JSONL and CSV).

Everyone here is invented (names, birth dates, member ids, addresses); NPIs are synthetic with a correct
check digit. A handful of records are bad on purpose: some must be quarantined, some must reach the scrubber.
Regenerate with ``python -m rcm.intake.sample samples/`` (same seed, same bytes).
"""

from __future__ import annotations

import copy
import random
import sys
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from .csv_format import write_csv
from .jsonl import write_jsonl
from .sample_catalog import (
    FEES,
    FIRST_F,
    FIRST_M,
    LAST,
    PRACTICES,
    PREVENTIVE_BY_AGE,
    RENDERING,
    SAMPLE_DIR,
    STREETS,
    TOWNS,
    VISITS,
    Line,
    Visit,
    bad_check_digit,
)

__all__ = ["DEFAULT_SEED", "SAMPLE_DIR", "SampleRecord", "generate_sample", "write_sample"]

DEFAULT_SEED = 2026
SampleRecord = dict[str, Any] | str
"""A record as written: a JSON-shaped dict, or a raw line for the deliberately unparseable ones."""

_PAYERS = {  # payer ids match rules/payers.yaml
    "MCR01": ("Medicare Part B", "MB"),
    "MCD01": ("State Medicaid", "MC"),
    "BCBS1": ("Blue Cross Blue Shield", "BL"),
    "UHC01": ("UnitedHealthcare", "CI"),
    "AET01": ("Aetna", "CI"),
    "HUM01": ("Humana", "HM"),
}
_COMMERCIAL = ("BCBS1", "UHC01", "AET01", "HUM01")


class _Delete:
    """Marker: remove the key instead of setting it."""


_DELETE = _Delete()


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.patients: list[dict[str, Any]] = []
        self.coverages: dict[str, list[dict[str, Any]]] = {}
        self.next_encounter = 1

    # --- people and plans -----------------------------------------------------------------------------
    def _address(self) -> dict[str, str]:
        town, zip_code = self.rng.choice(TOWNS)
        return {
            "line1": f"{self.rng.randint(1, 999)} {self.rng.choice(STREETS)}",
            "city": town,
            "state": "MA",
            "zip": zip_code,
        }

    def _member_id(self, payer_id: str) -> str:
        letters = "ABCDEFGHJKMNPQRTUVWXY"
        if payer_id == "MCR01":  # MBI-like: 11 characters
            return (
                f"{self.rng.randint(1, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"
                f"{self.rng.randint(0, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"
                f"{self.rng.randint(0, 9)}{self.rng.choice(letters)}{self.rng.choice(letters)}"
                f"{self.rng.randint(10, 99)}"
            )
        prefix = {"MCD01": "MA", "BCBS1": "XBC", "UHC01": "UH", "AET01": "W", "HUM01": "H"}[payer_id]
        return f"{prefix}{self.rng.randint(10**8, 10**9 - 1)}"

    def _coverage(self, payer_id: str, priority: str = "primary", **extra: Any) -> dict[str, Any]:
        name, plan = _PAYERS[payer_id]
        cov: dict[str, Any] = {
            "priority": priority,
            "payer_id": payer_id,
            "payer_name": name,
            "plan_type": plan,
            "member_id": self._member_id(payer_id),
            "relationship": "self",
            "subscriber": None,
        }
        if payer_id in _COMMERCIAL:
            cov["group_number"] = f"GRP{self.rng.randint(1000, 9999)}"
        cov.update(extra)
        return cov

    def _person(self, birth: date, sex: str) -> dict[str, Any]:
        first = self.rng.choice(FIRST_F if sex == "F" else FIRST_M)
        return {"first_name": first, "last_name": self.rng.choice(LAST), "birth_date": birth.isoformat(), "sex": sex}

    def make_patients(self, count: int) -> None:
        for n in range(1, count + 1):
            roll = self.rng.random()
            age = (
                self.rng.randint(66, 92)
                if roll < 0.25
                else (self.rng.randint(2, 17) if roll < 0.45 else self.rng.randint(19, 64))
            )
            birth = date(2026 - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
            sex = self.rng.choice("FM")
            patient = {"id": f"P{n:06d}", **self._person(birth, sex), "address": self._address()}
            pid = patient["id"]
            coverage: list[dict[str, Any]]
            if age >= 65:
                coverage = [self._coverage("MCR01")]
                extra = self.rng.random()
                if extra < 0.15:
                    coverage.append(self._coverage("MCD01", "secondary"))
                elif extra < 0.35:
                    coverage.append(self._coverage("AET01", "secondary"))
            elif age < 18:
                if self.rng.random() < 0.45:
                    coverage = [self._coverage("MCD01")]
                else:
                    parent = self._person(date(2026 - age - self.rng.randint(24, 40), 6, 15), self.rng.choice("FM"))
                    parent["address"] = patient["address"]
                    coverage = [self._coverage(self.rng.choice(_COMMERCIAL), relationship="child", subscriber=parent)]
            else:
                roll = self.rng.random()
                if roll < 0.2:
                    coverage = [self._coverage("MCD01")]
                elif roll < 0.35:
                    spouse = self._person(date(birth.year + self.rng.randint(-5, 5), 3, 9), "M" if sex == "F" else "F")
                    coverage = [self._coverage(self.rng.choice(_COMMERCIAL), relationship="spouse", subscriber=spouse)]
                else:
                    coverage = [self._coverage(self.rng.choice(_COMMERCIAL))]
                if roll > 0.9:
                    coverage.append(
                        self._coverage(
                            self.rng.choice([p for p in _COMMERCIAL if p != coverage[0]["payer_id"]]), "secondary"
                        )
                    )
            self.patients.append(patient)
            self.coverages[pid] = coverage

    # --- encounters -----------------------------------------------------------------------------------
    def _service_date(self) -> date:
        day = date(2026, 1, 5) + timedelta(days=self.rng.randint(0, 175))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day

    def _encounter(self, patient: dict[str, Any], visit: Visit | None) -> dict[str, Any]:
        age = 2026 - int(patient["birth_date"][:4])
        dos = self._service_date()
        encounter_id = f"E26{self.next_encounter:05d}"
        self.next_encounter += 1
        if visit is None:  # preventive visit, coded by age
            code = next(c for lo, hi, c in PREVENTIVE_BY_AGE if lo <= age <= hi)
            payer = self.coverages[patient["id"]][0]["payer_id"]
            if code == "99397" and payer == "MCR01":
                code = "G0439"  # Medicare pays the annual wellness visit, not the preventive E/M
            lines = [Line(code)]
            diagnoses: tuple[str, ...] = ("Z00.129",) if age < 18 else ("Z00.00",)
            if age >= 18:
                diagnoses += ("Z13.220",)
                lines += [Line("80061", pointers=(2,)), Line("36415", pointers=(2,))]
            elif age <= 6:
                diagnoses += ("Z23",)
                lines += [Line("90460", pointers=(2,)), Line("90707", pointers=(2,))]
            visit = Visit("preventive", diagnoses, tuple(lines))
        therapy = any(line.code.startswith("97") for line in visit.lines)
        practice_index = 2 if therapy else self.rng.choice((0, 0, 1))
        renderers = [p for i, p in RENDERING if i == practice_index]
        if age < 18 and practice_index == 0:
            renderers = [RENDERING[1][1]]
        lines_out: list[dict[str, Any]] = []
        for number, line in enumerate(visit.lines, start=1):
            charge = Decimal(FEES[line.code]) * line.units
            lines_out.append(
                {
                    "line_id": str(number),
                    "code": line.code,
                    "modifiers": list(line.modifiers),
                    "units": line.units,
                    "charge": f"{charge:.2f}",
                    "diagnosis_pointers": list(line.pointers),
                    "date_of_service": dos.isoformat(),
                }
            )
        coverage = self.coverages[patient["id"]]
        auth = None
        if visit.needs_auth and coverage[0]["payer_id"] in _COMMERCIAL and self.rng.random() < 0.8:
            auth = f"PA{self.rng.randint(10**7, 10**8 - 1)}"
        return {
            "encounter_id": encounter_id,
            "date_of_service": dos.isoformat(),
            "place_of_service": visit.pos,
            "patient": patient,
            "coverage": coverage,
            "billing_provider": PRACTICES[practice_index],
            "rendering_provider": self.rng.choice(renderers),
            "referring_provider": None,
            "prior_authorization": auth,
            "diagnoses": list(visit.diagnoses),
            "lines": lines_out,
        }

    def good_encounter(self) -> dict[str, Any]:
        patient = self.rng.choice(self.patients)
        age = 2026 - int(patient["birth_date"][:4])
        if self.rng.random() < 0.22:
            return self._encounter(patient, None)
        visits = [v for v in VISITS if v.ages[0] <= age <= v.ages[1]]
        return self._encounter(patient, self.rng.choice(visits))


def _copy(record: SampleRecord) -> dict[str, Any]:
    assert isinstance(record, dict)
    return copy.deepcopy(record)


def generate_sample(seed: int = DEFAULT_SEED, *, encounters: int = 300) -> list[SampleRecord]:
    """The sample export's records in file order: good encounters with bad ones mixed in at fixed places."""
    gen = _Generator(seed)
    gen.make_patients(110)
    records: list[SampleRecord] = [gen.good_encounter() for _ in range(encounters)]

    def bad(change: Any) -> dict[str, Any]:
        record = _copy(gen.good_encounter())
        change(record)
        return record

    def set_path(*path: Any, value: Any) -> Any:
        def apply(record: dict[str, Any]) -> None:
            target: Any = record
            for key in path[:-1]:
                target = target[key]
            if value is _DELETE:
                del target[path[-1]]
            else:
                target[path[-1]] = value

        return apply

    def one_line(change: Any) -> Any:
        def apply(record: dict[str, Any]) -> None:
            record["lines"] = record["lines"][:1]
            change(record)

        return apply

    quarantine_cases: list[SampleRecord] = [
        '{"encounter_id": "E2699001", "date_of_service": "2026-03-02", "patient": {"id": "P000001"',  # cut off
        "this line is not JSON at all",
        # Single-line encounters: in CSV form rows without an encounter id cannot be grouped.
        bad(one_line(set_path("encounter_id", value=_DELETE))),
        bad(one_line(set_path("encounter_id", value=""))),
        bad(set_path("patient", "id", value=_DELETE)),
        bad(set_path("date_of_service", value=_DELETE)),
        bad(set_path("date_of_service", value="2026-02-30")),
        bad(set_path("date_of_service", value="03/15/2026")),
        bad(set_path("diagnoses", 0, value="J02-0")),
        bad(set_path("diagnoses", 0, value="123.4")),
        bad(set_path("lines", 0, "code", value="9921")),
        bad(set_path("lines", 0, "modifiers", value=["255"])),
        bad(set_path("billing_provider", value={**PRACTICES[0], "npi": "123456789"})),
        bad(set_path("rendering_provider", value={**RENDERING[0][1], "npi": "3123456789"})),
        bad(set_path("lines", 0, "charge", value="one twenty")),
        bad(set_path("lines", 0, "units", value="two")),
        bad(set_path("lines", value=[])),
        bad(set_path("lines", value=_DELETE)),
    ]
    dup = bad(lambda r: None)
    dup["lines"].append({**dup["lines"][0], "code": "99211", "charge": "45.00"})
    quarantine_cases.append(dup)  # two lines with line id "1"

    def header_icd(r: dict[str, Any]) -> None:
        r["diagnoses"] = ["E11", *r["diagnoses"][1:]]  # a category, not a billable code

    def pointer_out_of_range(r: dict[str, Any]) -> None:
        r["lines"][0]["diagnosis_pointers"] = [len(r["diagnoses"]) + 3]

    def zero_charge(r: dict[str, Any]) -> None:
        r["lines"][0]["charge"] = "0.00"

    def no_member_id(r: dict[str, Any]) -> None:
        r["coverage"] = [{**r["coverage"][0], "member_id": None}, *r["coverage"][1:]]

    scrubber_cases: list[SampleRecord] = [
        bad(header_icd),
        bad(header_icd),
        bad(set_path("billing_provider", value={**PRACTICES[1], "npi": bad_check_digit(PRACTICES[1]["npi"])})),
        bad(set_path("rendering_provider", value={**RENDERING[3][1], "npi": bad_check_digit(RENDERING[3][1]["npi"])})),
        bad(pointer_out_of_range),
        bad(pointer_out_of_range),
        bad(set_path("place_of_service", value="88")),
        bad(zero_charge),
        bad(zero_charge),
        bad(no_member_id),
    ]
    repeats: list[SampleRecord] = [_copy(records[10]), _copy(records[200])]  # exported twice by the EMR
    # Spread the special records through the file so a reader cannot rely on them being at the end.
    for index, record in enumerate(quarantine_cases + scrubber_cases + repeats):
        records.insert(7 + index * 9, record)
    return records


def _csv_form(record: SampleRecord) -> dict[str, Any] | list[str]:
    # An unparseable JSON line becomes an unparseable CSV row (too few cells for the header).
    return ["", "not a full row"] if isinstance(record, str) else record


def write_sample(folder: Path, seed: int = DEFAULT_SEED) -> tuple[Path, Path]:
    """Write encounters.jsonl and encounters.csv (the same records) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    records = generate_sample(seed)
    jsonl_path, csv_path = folder / "encounters.jsonl", folder / "encounters.csv"
    write_jsonl(records, jsonl_path)
    write_csv([_csv_form(r) for r in records], csv_path)
    return jsonl_path, csv_path


if __name__ == "__main__":  # pragma: no cover - the documented way to refresh samples/
    for written in write_sample(Path(sys.argv[1] if len(sys.argv) > 1 else "samples")):
        print(written)
