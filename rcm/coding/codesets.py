"""The CMS code tables the scrubber checks against: ICD-10-CM by fiscal year, HCPCS Level II, modifiers, POS.

Read from rules/codesets/ (see PROVENANCE.md there). ICD-10-CM tables are one file per fiscal year,
``icd10cm_code_edits_fy<YYYY>.csv[.gz]``; a fiscal year runs from October 1 to September 30.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rcm.errors import ConfigError, UnreadableFileError

__all__ = [
    "DX_CODE_FIRST",
    "DX_EXTERNAL_CAUSE",
    "DX_MANIFESTATION",
    "DX_MENTAL_HEALTH",
    "DX_UNACCEPTABLE_PDX",
    "CodeSets",
    "IcdTable",
    "fiscal_year",
    "load_codesets",
    "read_csv_rows",
]

DX_UNACCEPTABLE_PDX = 1
DX_MANIFESTATION = 2
DX_EXTERNAL_CAUSE = 4
DX_CODE_FIRST = 8
DX_MENTAL_HEALTH = 16
_DX_FLAG_COLUMNS = (
    ("unacceptable_pdx", DX_UNACCEPTABLE_PDX),
    ("manifestation", DX_MANIFESTATION),
    ("external_cause", DX_EXTERNAL_CAUSE),
    ("code_first", DX_CODE_FIRST),
    ("mental_health", DX_MENTAL_HEALTH),
)
_ICD_FILE_RE = re.compile(r"^icd10cm_code_edits_fy(\d{4})\.csv(\.gz)?$")


def fiscal_year(day: date) -> int:
    """The federal fiscal year a date of service falls in: FY2026 runs 2025-10-01 to 2026-09-30."""
    return day.year + 1 if day.month >= 10 else day.year


def read_csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV (optionally gzip) file with their 1-based line numbers (header = line 1)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot read ({exc.strerror or type(exc).__name__})") from exc
    if path.name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise UnreadableFileError(str(path), "not a readable gzip file") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(str(path), f"not UTF-8 (byte {exc.start})") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for row in reader:
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k is not None}


def _int(path: Path, line: int, row: dict[str, str], column: str) -> int:
    value = row.get(column, "")
    try:
        return int(value)
    except ValueError:
        raise UnreadableFileError(str(path), f"line {line}: column {column!r} is not a whole number") from None


@dataclass(frozen=True, slots=True)
class IcdTable:
    """One fiscal year's billable ICD-10-CM codes with their edit flags (codes without the dot)."""

    fiscal_year: int
    # code -> (lo_age, hi_age, flags)
    codes: dict[str, tuple[int, int, int]]
    # every proper prefix of a billable code (category and subcategory headers: valid but not billable)
    headers: frozenset[str]
    source: str


@dataclass(slots=True)
class CodeSets:
    """Every code table the built-in edits need, loaded once and shared read-only."""

    icd: dict[int, IcdTable]
    # HCPCS Level II code -> (OPPS status indicator, lo_age, hi_age)
    hcpcs: dict[str, tuple[str, int, int]]
    # modifier -> set of flag names that are 1 (ncci, therapy, telehealth, ...)
    modifiers: dict[str, frozenset[str]]
    pos: dict[str, str]
    revenue_codes: dict[str, frozenset[str]]
    # ICD-10-CM prefix -> "F" or "M" (sex-specific code families)
    dx_sex_prefixes: dict[str, str]
    ncci_modifiers: frozenset[str] = field(default_factory=frozenset)
    telehealth_modifiers: frozenset[str] = field(default_factory=frozenset)

    def icd_for(self, day: date) -> IcdTable | None:
        return self.icd.get(fiscal_year(day))

    def nearest_icd(self, day: date) -> IcdTable | None:
        """The loaded fiscal year closest to the date (used when that date's year is not loaded)."""
        if not self.icd:
            return None
        fy = fiscal_year(day)
        return self.icd[min(self.icd, key=lambda y: (abs(y - fy), -y))]

    def dx_sex(self, code: str) -> str | None:
        for n in range(min(len(code), 5), 0, -1):
            sex = self.dx_sex_prefixes.get(code[:n])
            if sex is not None:
                return sex
        return None


def load_icd_table(path: Path, fiscal_year: int) -> IcdTable:
    codes: dict[str, tuple[int, int, int]] = {}
    for line, row in read_csv_rows(path):
        code = row.get("icd10cm", "").replace(".", "").upper()
        if not code:
            raise UnreadableFileError(str(path), f"line {line}: no icd10cm code")
        flags = 0
        for column, bit in _DX_FLAG_COLUMNS:
            if row.get(column) == "1":
                flags |= bit
        codes[code] = (_int(path, line, row, "lo_age"), _int(path, line, row, "hi_age"), flags)
    headers = frozenset(code[:n] for code in codes for n in range(3, len(code)))
    return IcdTable(fiscal_year=fiscal_year, codes=codes, headers=headers - codes.keys(), source=path.name)


def icd_files(codes_dir: Path) -> dict[int, Path]:
    """The ICD-10-CM tables in a folder by fiscal year."""
    found: dict[int, Path] = {}
    for path in sorted(codes_dir.glob("icd10cm_code_edits_fy*")):
        m = _ICD_FILE_RE.match(path.name)
        if m:
            found[int(m.group(1))] = path
    return found


def _flags(row: dict[str, str], key: str) -> tuple[str, frozenset[str]]:
    return row[key], frozenset(k for k, v in row.items() if k != key and v == "1")


def load_codesets(codes_dir: Path) -> CodeSets:
    """Read every table from a rules/codesets folder; a missing required table is a ConfigError."""
    required = ("hcpcs_level2.csv", "modifiers.csv", "pos_codes.csv", "revenue_codes_ioce.csv")
    for name in required:
        if not (codes_dir / name).is_file():
            raise ConfigError(f"{codes_dir / name}: code table missing (see rules/codesets/PROVENANCE.md)")
    icd = {fy: load_icd_table(path, fy) for fy, path in icd_files(codes_dir).items()}
    if not icd:
        raise ConfigError(f"{codes_dir}: no ICD-10-CM table (icd10cm_code_edits_fy<YYYY>.csv.gz)")
    hcpcs_path = codes_dir / "hcpcs_level2.csv"
    hcpcs = {
        row["hcpcs"]: (
            row.get("status_indicator", ""),
            _int(hcpcs_path, line, row, "lo_age"),
            _int(hcpcs_path, line, row, "hi_age"),
        )
        for line, row in read_csv_rows(hcpcs_path)
    }
    modifiers = dict(_flags(row, "modifier") for _, row in read_csv_rows(codes_dir / "modifiers.csv"))
    pos = {row["code"].zfill(2): row.get("name", "") for _, row in read_csv_rows(codes_dir / "pos_codes.csv")}
    revenue = dict(_flags(row, "revenue_code") for _, row in read_csv_rows(codes_dir / "revenue_codes_ioce.csv"))
    sex_path = codes_dir / "icd10cm_sex_edits.csv"
    sex: dict[str, str] = {}
    if sex_path.is_file():
        for line, row in read_csv_rows(sex_path):
            if row.get("sex") not in ("F", "M"):
                raise UnreadableFileError(str(sex_path), f"line {line}: sex must be F or M")
            sex[row["prefix"].replace(".", "").upper()] = row["sex"]
    return CodeSets(
        icd=icd,
        hcpcs=hcpcs,
        modifiers=modifiers,
        pos=pos,
        revenue_codes=revenue,
        dx_sex_prefixes=sex,
        ncci_modifiers=frozenset(m for m, f in modifiers.items() if "ncci" in f),
        telehealth_modifiers=frozenset(m for m, f in modifiers.items() if "telehealth" in f),
    )
