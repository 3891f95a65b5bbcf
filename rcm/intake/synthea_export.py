"""The tables of one Synthea CSV export, read by column name and indexed per encounter; charges per encounter.

Charges come from claims.csv + claims_transactions.csv (Synthea 3.x); older exports without them are priced from
encounters.BASE_ENCOUNTER_COST, procedures.BASE_COST and immunizations.BASE_COST.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rcm.errors import UnreadableFileError

from .files import read_text

__all__ = ["Charge", "SyntheaExport", "int_or", "parse_day"]

ENCOUNTER_COLUMNS = ("ID", "START", "PATIENT")


@dataclass
class _Table:
    """One Synthea CSV file: rows with upper-cased column names and the line each row starts on."""

    name: str
    rows: list[tuple[int, dict[str, str], str]] = field(default_factory=list)
    present: bool = False

    def by(self, column: str) -> dict[str, list[dict[str, str]]]:
        index: dict[str, list[dict[str, str]]] = defaultdict(list)
        for _, row, _ in self.rows:
            index[row.get(column, "")].append(row)
        return index


def _read_table(folder: Path, name: str, *, required: tuple[str, ...] = ()) -> _Table:
    path = folder / name
    table = _Table(name)
    if not path.exists():
        if required:
            raise UnreadableFileError(str(folder), f"this is not a Synthea CSV export: {name} is missing")
        return table
    text = read_text(path)
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().upper() for h in next(reader)]
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise UnreadableFileError(str(path), f"the CSV header cannot be read ({exc})") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise UnreadableFileError(str(path), f"the CSV header lacks the required column(s): {', '.join(missing)}")
    table.present = True
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error:
            values = []  # an unparseable row in a side table is simply not used
        if not values:
            continue
        row = {h: v.strip() for h, v in zip(header, values, strict=False)}
        table.rows.append((start, row, "".join(lines[start - 1 : reader.line_num])))
    return table


def parse_day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


@dataclass
class Charge:
    system: str  # SNOMED, CVX, RXNORM
    code: str
    description: str
    amount: str
    units: str
    start: date | None
    end: date | None
    dx_refs: list[str]
    modifiers: list[str]


class SyntheaExport:
    """The tables of one export folder, indexed for per-encounter lookups."""

    def __init__(self, folder: Path) -> None:
        self.encounters = _read_table(folder, "encounters.csv", required=ENCOUNTER_COLUMNS)
        self.patients = {r["ID"]: r for _, r, _ in _read_table(folder, "patients.csv", required=("ID",)).rows}
        self.organizations = {r.get("ID", ""): r for _, r, _ in _read_table(folder, "organizations.csv").rows}
        self.providers = {r.get("ID", ""): r for _, r, _ in _read_table(folder, "providers.csv").rows}
        self.payers = {r.get("ID", ""): r for _, r, _ in _read_table(folder, "payers.csv").rows}
        self.transitions = _read_table(folder, "payer_transitions.csv").by("PATIENT")
        self.conditions = _read_table(folder, "conditions.csv").by("ENCOUNTER")
        self.procedures = _read_table(folder, "procedures.csv").by("ENCOUNTER")
        self.immunizations = _read_table(folder, "immunizations.csv").by("ENCOUNTER")
        self.medications = _read_table(folder, "medications.csv").by("ENCOUNTER")
        claims = _read_table(folder, "claims.csv")
        transactions = _read_table(folder, "claims_transactions.csv")
        self.priced_by_claims = claims.present and transactions.present
        self.claims = claims.by("APPOINTMENTID")
        self.charges: dict[str, list[dict[str, str]]] = defaultdict(list)
        for _, row, _ in transactions.rows:
            if row.get("TYPE", "").upper() == "CHARGE":
                self.charges[row.get("CLAIMID", "")].append(row)

    def charges_for(self, encounter: dict[str, str]) -> tuple[list[Charge], list[str], str | None]:
        """(charges, diagnosis SNOMED codes in claim order, secondary payer id) for one encounter."""
        eid = encounter["ID"]
        cvx = {r.get("CODE", "") for r in self.immunizations.get(eid, [])}
        rxnorm = {r.get("CODE", "") for r in self.medications.get(eid, [])}
        charges: list[Charge] = []
        dx_codes: list[str] = []
        secondary: str | None = None
        if self.priced_by_claims:
            for claim in self.claims.get(eid, []):
                claim_dx = [claim.get(f"DIAGNOSIS{i}", "") for i in range(1, 9)]
                dx_codes += [c for c in claim_dx if c]
                secondary = secondary or claim.get("SECONDARYPATIENTINSURANCEID") or None
                rows = sorted(self.charges.get(claim.get("ID", ""), []), key=lambda r: int_or(r.get("CHARGEID", "")))
                for row in rows:
                    code = row.get("PROCEDURECODE", "")
                    refs = [int_or(row.get(f"DIAGNOSISREF{i}", ""), 0) for i in range(1, 5)]
                    system = "RXNORM" if code in rxnorm else "CVX" if code in cvx else "SNOMED"
                    charges.append(
                        Charge(
                            system, code, row.get("NOTES", ""), row.get("AMOUNT", ""), row.get("UNITS", "") or "1",
                            parse_day(row.get("FROMDATE", "")), parse_day(row.get("TODATE", "")),
                            [claim_dx[r - 1] for r in refs if 0 < r <= 8 and claim_dx[r - 1]],
                            [m for m in (row.get("MODIFIER1", ""), row.get("MODIFIER2", "")) if m],
                        )
                    )  # fmt: skip
            return charges, dx_codes, secondary
        # Older exports: price the visit from the encounter, procedures and immunizations tables.
        start = parse_day(encounter.get("START", ""))
        reason = encounter.get("REASONCODE", "")
        charges.append(
            Charge("SNOMED", encounter.get("CODE", ""), encounter.get("DESCRIPTION", ""),
                    encounter.get("BASE_ENCOUNTER_COST", ""), "1", start, None, [reason] if reason else [], [])
        )  # fmt: skip
        for row in self.procedures.get(eid, []):
            reasons = [row["REASONCODE"]] if row.get("REASONCODE") else ([reason] if reason else [])
            charges.append(
                Charge("SNOMED", row.get("CODE", ""), row.get("DESCRIPTION", ""), row.get("BASE_COST", ""), "1",
                        parse_day(row.get("START", "")), parse_day(row.get("STOP", "")), reasons, [])
            )  # fmt: skip
        for row in self.immunizations.get(eid, []):
            charges.append(
                Charge("CVX", row.get("CODE", ""), row.get("DESCRIPTION", ""), row.get("BASE_COST", ""), "1",
                        parse_day(row.get("DATE", "")), None, [reason] if reason else [], [])
            )  # fmt: skip
        return charges, [reason] if reason else [], None


def int_or(value: str, default: int = 0) -> int:
    try:
        return int(value)
    except ValueError:
        return default
