"""Synthea CSV exports as EMR encounters: SNOMED/CVX codes through the crosswalk, synthetic NPIs, POS by class.

Synthea speaks clinical codes and has no NPIs; everything a claim needs that Synthea lacks is derived here,
deterministically, and counted in the reading's ``mapping`` report (what was mapped, what was not billed on
purpose, and every code the crosswalk does not know). Columns are read by name, so extra columns and newer
Synthea versions (patients.MIDDLE, a SYSTEM column in conditions/procedures) are fine; exports without
claims_transactions.csv (Synthea before 3.0) are priced from encounters/procedures/immunizations instead.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from rcm.codes import icd10_shape, npi_with_check_digit
from rcm.errors import RecordError, UnreadableFileError

from .crosswalk import Crosswalk, load_crosswalk
from .records import ExportReading, IntakeRecord, record_ref
from .synthea_export import SyntheaExport, parse_day
from .synthea_institutional import Timeline, institutional_fields
from .validation import validate_encounter

__all__ = ["read_synthea", "synthetic_npi"]

_ZIP = re.compile(r"^[0-9]{5}(?:-?[0-9]{4})?$")
_STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "district of columbia": "DC", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS",
    "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI",
    "minnesota": "MN", "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "puerto rico": "PR", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN",
    "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY",
}  # fmt: skip
_TAXONOMY_BY_SPECIALITY = {
    "GENERAL PRACTICE": "208D00000X",
    "FAMILY PRACTICE": "207Q00000X",
    "INTERNAL MEDICINE": "207R00000X",
    "PEDIATRICS": "208000000X",
    "CARDIOLOGY": "207RC0000X",
    "OBSTETRICS/GYNECOLOGY": "207V00000X",
    "EMERGENCY MEDICINE": "207P00000X",
    "PHYSICAL THERAPY": "225100000X",
    "NURSE PRACTITIONER": "363L00000X",
}
_RELATIONSHIP = {"self": "self", "spouse": "spouse", "guardian": "child", "parent": "child"}
_PHARMACY = "pharmacy (RxNorm) line: billed by the pharmacy, not on this claim"


def synthetic_npi(kind: str, synthea_id: str) -> str:
    """A stable, valid NPI for a Synthea provider or organisation (check digit computed, never a real lookup)."""
    digest = int(hashlib.sha256(f"{kind}:{synthea_id}".encode()).hexdigest(), 16)
    return npi_with_check_digit(f"1{digest % 10**8:08d}")


def _synthetic_ein(synthea_id: str) -> str:
    digest = int(hashlib.sha256(f"ein:{synthea_id}".encode()).hexdigest(), 16)
    return f"90{digest % 10**7:07d}"


def _age(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _split_name(full: str) -> tuple[str | None, str | None]:
    parts = full.split()
    if not parts:
        return None, None
    return (" ".join(parts[:-1]) or None, parts[-1]) if len(parts) > 1 else (None, parts[0])


def _address(line1: str, city: str, state: str, zip_code: str) -> dict[str, str] | None:
    state_code = state.upper() if len(state) == 2 else _STATES.get(state.lower(), "")
    if not (line1 and city and state_code and _ZIP.match(zip_code)):
        return None
    return {"line1": line1, "city": city, "state": state_code, "zip": zip_code}


@dataclass
class _Report:
    encounters: int = 0
    lines_mapped: int = 0
    diagnoses_mapped: int = 0
    not_billed: Counter[str] = field(default_factory=Counter)
    diagnoses_not_coded: int = 0
    diagnoses_dropped: int = 0
    unmapped_procedures: Counter[str] = field(default_factory=Counter)
    unmapped_diagnoses: Counter[str] = field(default_factory=Counter)
    unmapped_classes: Counter[str] = field(default_factory=Counter)
    descriptions: dict[str, str] = field(default_factory=dict)
    payers: dict[str, str] = field(default_factory=dict)
    providers: set[str] = field(default_factory=set)
    patients_without_address: set[str] = field(default_factory=set)
    institutional: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def as_dict(self) -> dict[str, object]:
        return {
            "encounters": self.encounters,
            "lines_mapped": self.lines_mapped,
            "lines_not_billed": dict(sorted(self.not_billed.items())),
            "diagnoses_mapped": self.diagnoses_mapped,
            "diagnoses_not_coded": self.diagnoses_not_coded,
            "diagnoses_dropped_over_12": self.diagnoses_dropped,
            "unmapped": {
                "procedures": dict(self.unmapped_procedures.most_common()),
                "diagnoses": dict(self.unmapped_diagnoses.most_common()),
                "encounter_classes": dict(self.unmapped_classes.most_common()),
            },
            "unmapped_descriptions": dict(sorted(self.descriptions.items())),
            "payers": dict(sorted(self.payers.items())),
            "synthetic_npis": len(self.providers),
            "patients_without_usable_address": len(self.patients_without_address),
            "institutional_codes": {k: dict(sorted(v.items())) for k, v in sorted(self.institutional.items())},
        }


def _money(amount: str) -> str:
    # Synthea prices in floating point (85.55, 136.0, sometimes 129.16000000000003): a charge is that, in cents.
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return amount  # left as is: validation quarantines it as bad_amount
    if not value.is_finite():
        return amount
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):.2f}"


def _units(value: str) -> Decimal:
    try:
        units = Decimal(value)
    except InvalidOperation:
        return Decimal(1)
    return units if units.is_finite() and units > 0 else Decimal(1)


class _Mapper:
    def __init__(self, export: SyntheaExport, crosswalk: Crosswalk, report: _Report) -> None:
        self.export = export
        self.crosswalk = crosswalk
        self.report = report
        self.timeline = Timeline(r for _, r, _ in export.encounters.rows)

    def _diagnosis(self, snomed: str, system: str = "SNOMED") -> str | None:
        if "ICD" in system.upper():
            try:
                return icd10_shape(snomed)
            except ValueError:
                return None
        target = self.crosswalk.diagnosis(snomed)
        if target is None:
            self.report.unmapped_diagnoses[f"SNOMED {snomed}"] += 1
            return None
        if target.icd10cm is None:
            self.report.diagnoses_not_coded += 1
            return None
        return target.icd10cm

    def _provider(self, provider_id: str) -> dict[str, Any] | None:
        row = self.export.providers.get(provider_id)
        if row is None:
            return None
        first, last = _split_name(row.get("NAME", ""))
        self.report.providers.add(f"prov:{provider_id}")
        return {
            "npi": synthetic_npi("prov", provider_id),
            "first_name": first,
            "last_name": last or "UNKNOWN",
            "taxonomy": _TAXONOMY_BY_SPECIALITY.get(row.get("SPECIALITY", "").upper()),
        }

    def _organization(self, org_id: str) -> dict[str, Any] | None:
        row = self.export.organizations.get(org_id)
        if row is None:
            return None
        name = row.get("NAME", "") or "Synthea organization"
        hospital = any(w in name.upper() for w in ("HOSPITAL", "MEDICAL CENTER"))
        self.report.providers.add(f"org:{org_id}")
        return {
            "npi": synthetic_npi("org", org_id),
            "name": name,
            "tax_id": _synthetic_ein(org_id),
            "taxonomy": "282N00000X" if hospital else "261QP2300X",
            "address": _address(row.get("ADDRESS", ""), row.get("CITY", ""), row.get("STATE", ""), row.get("ZIP", "")),
        }

    def _coverage(self, encounter: dict[str, str], day: date, secondary_id: str | None) -> list[dict[str, Any]]:
        patient_id = encounter["PATIENT"]
        payer_key = encounter.get("PAYER", "")
        spans = self.export.transitions.get(patient_id, [])

        def covering(payer: str) -> dict[str, str] | None:
            for span in spans:
                start = parse_day(span.get("START_DATE", "")) or _year_start(span.get("START_YEAR", ""))
                end = parse_day(span.get("END_DATE", "")) or _year_end(span.get("END_YEAR", ""))
                if span.get("PAYER") == payer and (start is None or start <= day) and (end is None or day <= end):
                    return span
            return None

        if not secondary_id:
            secondary_id = (covering(payer_key) or {}).get("SECONDARY_PAYER") or None
        result: list[dict[str, Any]] = []
        used: list[str] = []
        for priority, payer in (("primary", payer_key), ("secondary", secondary_id or "")):
            if not payer or payer in used:
                continue
            name = self.export.payers.get(payer, {}).get("NAME", "")
            target = self.crosswalk.payers.get(name.lower())
            if target is not None and target.payer_id is None:
                continue  # self-pay
            payer_id = target.payer_id if target and target.payer_id else payer
            self.report.payers[name or payer] = payer_id
            span = covering(payer) or (covering(payer_key) if priority == "secondary" else None)
            ownership = (span or {}).get("PLAN_OWNERSHIP") or (span or {}).get("OWNERSHIP") or "Self"
            relationship = _RELATIONSHIP.get(ownership.lower(), "other")
            coverage: dict[str, Any] = {
                "priority": priority,
                "payer_id": payer_id,
                "payer_name": name or None,
                "plan_type": target.plan_type if target else None,
                "member_id": (span or {}).get("MEMBERID") or None if priority == "primary" else None,
                "relationship": relationship,
            }
            if relationship != "self" and span and span.get("OWNER_NAME"):
                first, last = _split_name(span["OWNER_NAME"])
                coverage["subscriber"] = {"first_name": first, "last_name": last}
            result.append(coverage)
            used.append(payer)
        return result

    def encounter(self, row: dict[str, str]) -> tuple[dict[str, Any] | None, RecordError | None, str]:
        """The JSON-shaped record for one encounters.csv row, or the reason it cannot become one."""
        eid = row.get("ID", "")
        patient_row = self.export.patients.get(row.get("PATIENT", ""))
        day = parse_day(row.get("START", ""))
        if not eid:
            return None, RecordError("missing_field", "The encounter has no Id", field="Id"), ""
        if not row.get("PATIENT"):
            return None, RecordError("missing_field", "The encounter names no patient", field="PATIENT"), eid
        if patient_row is None:
            return None, RecordError("missing_field", "The encounter's patient is not in patients.csv",
                                     field="PATIENT"), eid  # fmt: skip
        if not row.get("START"):
            return None, RecordError("missing_field", "The encounter has no START date", field="START"), eid
        if day is None:
            return None, RecordError("bad_date", "The encounter's START is not a date", field="START"), eid
        birth = parse_day(patient_row.get("BIRTHDATE", ""))
        age = _age(birth, day)
        charges, claim_dx, secondary = self.export.charges_for(row)
        diagnoses: list[str] = []

        def add(code: str | None) -> None:
            if code and code not in diagnoses:
                diagnoses.append(code)

        for snomed in claim_dx:
            add(self._diagnosis(snomed))
        for condition in self.export.conditions.get(eid, []):
            if condition.get("CODE") and condition.get("CODE") not in claim_dx:
                add(self._diagnosis(condition["CODE"], condition.get("SYSTEM", "SNOMED")))
        if len(diagnoses) > 12:
            self.report.diagnoses_dropped += len(diagnoses) - 12
            diagnoses = diagnoses[:12]
        self.report.diagnoses_mapped += len(diagnoses)

        lines: list[dict[str, Any]] = []
        for charge in charges:
            if charge.system == "RXNORM":
                self.report.not_billed[_PHARMACY] += 1
                continue
            target = self.crosswalk.procedure(charge.system, charge.code, age)
            if target is None:
                key = f"{charge.system} {charge.code}"
                self.report.unmapped_procedures[key] += 1
                self.report.descriptions.setdefault(key, " ".join(charge.description.split()))
                continue
            if target.code is None:
                self.report.not_billed[target.note or "not separately billable"] += 1
                continue
            pointers: list[int] = []
            for snomed in charge.dx_refs:
                target_dx = self.crosswalk.diagnosis(snomed)
                icd = target_dx.icd10cm if target_dx else None
                if icd in diagnoses and diagnoses.index(icd) + 1 not in pointers:
                    pointers.append(diagnoses.index(icd) + 1)
            units = _units(charge.units) * target.units
            line: dict[str, Any] = {
                "line_id": str(len(lines) + 1),
                "code": target.code,
                "modifiers": list(dict.fromkeys([*target.modifiers, *charge.modifiers]))[:4],
                "units": units,
                "charge": _money(charge.amount),
                "diagnosis_pointers": pointers[:4],
                "date_of_service": (charge.start or day).isoformat(),
            }
            if charge.start and charge.end and charge.end > charge.start:
                line["date_of_service_end"] = charge.end.isoformat()
            lines.append(line)
        if not lines:
            detail = (
                f"None of the encounter's {len(charges)} charge(s) maps to a billable CPT/HCPCS code"
                if charges
                else "The export has no charges for this encounter"
            )
            return None, RecordError("no_billable_services", detail, field="CODE"), eid
        self.report.lines_mapped += len(lines)

        encounter_class = row.get("ENCOUNTERCLASS", "").lower()
        pos = self.crosswalk.place_of_service.get(encounter_class)
        if pos is None:
            self.report.unmapped_classes[encounter_class or "(blank)"] += 1
        address = _address(
            patient_row.get("ADDRESS", ""), patient_row.get("CITY", ""), patient_row.get("STATE", ""),
            patient_row.get("ZIP", ""),
        )  # fmt: skip
        if address is None:
            self.report.patients_without_address.add(row["PATIENT"])
        sex = patient_row.get("GENDER", "").upper()
        data: dict[str, Any] = {
            "encounter_id": eid,
            "date_of_service": day.isoformat(),
            "place_of_service": pos,
            "patient": {
                "id": row["PATIENT"],
                "first_name": patient_row.get("FIRST") or None,
                "middle_name": patient_row.get("MIDDLE") or None,
                "last_name": patient_row.get("LAST") or None,
                "birth_date": birth.isoformat() if birth else None,
                "sex": sex if sex in ("F", "M") else "U",
                "address": address,
                "deceased_date": (d := parse_day(patient_row.get("DEATHDATE", ""))) and d.isoformat(),
            },
            "coverage": self._coverage(row, day, secondary),
            "billing_provider": self._organization(row.get("ORGANIZATION", "")),
            "rendering_provider": self._provider(row.get("PROVIDER", "")),
            "diagnoses": diagnoses,
            "lines": lines,
        }
        codes = institutional_fields(row, patient_row, self.timeline, self.crosswalk)
        for name in ("admission_type", "point_of_origin", "patient_status"):
            if name in codes:
                self.report.institutional[name][codes[name]] += 1
        data.update(codes)
        return data, None, eid


def _year_start(value: str) -> date | None:
    return date(int(value), 1, 1) if value.isdigit() else None


def _year_end(value: str) -> date | None:
    return date(int(value), 12, 31) if value.isdigit() else None


def _folder(path: Path) -> Path:
    if path.is_file() and path.name.lower() == "encounters.csv":
        return path.parent
    if not path.exists():
        raise UnreadableFileError(str(path), "no such folder")
    if not path.is_dir():
        raise UnreadableFileError(str(path), "a Synthea export is a folder of CSV files (give the folder)")
    return path


def read_synthea(path: Path, *, crosswalk: Crosswalk | None = None, rules_dir: Path | None = None) -> ExportReading:
    """Every row of encounters.csv becomes one record; ``mapping`` says what was mapped and what was not."""
    folder = _folder(path)
    if crosswalk is None:
        if rules_dir is None:
            from rcm.config import get_settings

            rules_dir = get_settings().rules_dir
        crosswalk = load_crosswalk(rules_dir / "crosswalk")
    export = SyntheaExport(folder)
    source = str(folder / "encounters.csv")
    report = _Report()
    mapper = _Mapper(export, crosswalk, report)
    reading = ExportReading(source=source, format="synthea")
    for position, row, raw in export.encounters.rows:
        report.encounters += 1
        data, error, eid = mapper.encounter(row)
        if error is not None:
            error = RecordError(
                error.reason, error.detail, source=source, record=record_ref("row", position, eid or None),
                field=error.field,
            )  # fmt: skip
            reading.records.append(IntakeRecord(position, "row", raw, eid or None, error=error))
            continue
        reading.records.append(
            validate_encounter(data, source=source, position=position, kind="row", raw=raw, rules_dir=rules_dir)
        )
    reading.mapping = report.as_dict()
    reading.mapping["priced_from"] = "claims_transactions.csv" if export.priced_by_claims else "encounter base costs"
    return reading
