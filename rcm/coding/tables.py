"""Imported and shipped edit tables (NCCI PTP, MUE) and the compiled cache that makes loading them fast.

``import_ncci`` / ``import_mue`` compile CMS files into ``<data_dir>/coding/`` and remember where they came
from; a table is recompiled when one of its source files changes. Shipped defaults (the NCCI outpatient
hospital set in rules/codesets, the MUE sample in rules/ncci) are compiled into the same cache on first use.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from rcm.coding.codesets import CodeSets, load_codesets
from rcm.coding.mue import MueEntry, read_mue_file
from rcm.coding.ncci import DeletionConvention, PtpRows, PtpTable, read_ptp_file
from rcm.errors import ConfigError, UnreadableFileError

__all__ = [
    "SETTINGS",
    "ServiceSetting",
    "TableStore",
    "file_hash",
    "guess_setting",
]

ServiceSetting = Literal["practitioner", "hospital", "dme"]
SETTINGS: tuple[ServiceSetting, ...] = ("practitioner", "hospital", "dme")
_CACHE_FORMAT = "1"
_CODESET_FILES = (
    "hcpcs_level2.csv",
    "modifiers.csv",
    "pos_codes.csv",
    "revenue_codes_ioce.csv",
    "icd10cm_sex_edits.csv",
)


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot read ({exc.strerror or type(exc).__name__})") from exc
    return digest.hexdigest()


def guess_setting(path: Path) -> ServiceSetting | None:
    """Which service setting a CMS file is for, from its name (ccipra = practitioner, ccioph = hospital)."""
    name = path.name.lower()
    if "ccipra" in name or "practitioner" in name:
        return "practitioner"
    if "ccioph" in name or "hospital" in name or "outpatient" in name:
        return "hospital"
    if "dme" in name:
        return "dme"
    return None


class TableStore:
    """The compiled tables under ``<data_dir>/coding`` plus the shipped defaults under ``rules_dir``."""

    def __init__(self, data_dir: Path, rules_dir: Path) -> None:
        self.folder = data_dir / "coding"
        self.rules_dir = rules_dir
        self.codes_dir = rules_dir / "codesets"
        self.manifest_path = self.folder / "tables.json"

    # --- manifest -------------------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        if not self.manifest_path.is_file():
            return {"ncci": {}, "mue": {}}
        try:
            loaded: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{self.manifest_path}: unreadable table manifest; re-import the tables") from exc
        loaded.setdefault("ncci", {})
        loaded.setdefault("mue", {})
        return loaded

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.manifest_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        tmp.replace(self.manifest_path)

    # --- NCCI -----------------------------------------------------------------------------------------
    def _compile_ptp(self, files: list[Path], deletion: DeletionConvention, target: Path) -> dict[str, Any]:
        parts: list[PtpRows] = []
        described: list[dict[str, Any]] = []
        for path in files:
            rows, used = read_ptp_file(path, deletion=deletion)
            parts.append(rows)
            described.append(
                {"path": str(path.resolve()), "sha256": file_hash(path), "rows": len(rows), "deletion": used}
            )
        merged = PtpRows.concat(parts)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.stem}.{os.getpid()}.tmp.npz")  # parallel loaders never share a temp file
        np.savez(
            tmp,
            keys=merged.keys,
            first_day=merged.first_day,
            last_day=merged.last_day,
            indicator=merged.indicator,
        )
        tmp.replace(target)
        return {
            "files": described,
            "rows": len(merged),
            "deletion": deletion,
            "compiled": target.name,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def import_ncci(
        self, files: list[Path], *, setting: ServiceSetting, deletion: DeletionConvention = "auto"
    ) -> dict[str, Any]:
        """Compile PTP files (e.g. the four quarterly practitioner files) as the table for one setting."""
        if not files:
            raise ConfigError("import-ncci: give at least one PTP file")
        entry = self._compile_ptp(files, deletion, self.folder / f"ncci_{setting}.npz")
        manifest = self.manifest()
        manifest["ncci"][setting] = entry
        self._write_manifest(manifest)
        return entry

    def _load_npz(self, path: Path) -> PtpRows:
        try:
            with np.load(path, allow_pickle=False) as data:
                return PtpRows(data["keys"], data["first_day"], data["last_day"], data["indicator"])
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"{path}: compiled NCCI table unreadable; re-import it") from exc

    def _stale(self, entry: dict[str, Any]) -> list[Path] | None:
        """The source files to recompile from when one changed (None = up to date or sources gone)."""
        files = [Path(f["path"]) for f in entry.get("files", [])]
        if not files or not all(p.is_file() for p in files):
            return None  # sources moved away: keep using the compiled table
        changed = any(file_hash(Path(f["path"])) != f["sha256"] for f in entry["files"])
        return files if changed else None

    def ptp_tables(self) -> tuple[dict[ServiceSetting, PtpTable], list[str]]:
        """The PTP table per setting: imported ones first, else the shipped outpatient hospital set."""
        manifest = self.manifest()
        tables: dict[ServiceSetting, PtpTable] = {}
        sources: list[str] = []
        changed = False
        for setting in SETTINGS:
            entry = manifest["ncci"].get(setting)
            if not entry:
                continue
            stale = self._stale(entry)
            if stale is not None:
                entry = self._compile_ptp(stale, entry.get("deletion", "auto"), self.folder / entry["compiled"])
                manifest["ncci"][setting] = entry
                changed = True
            tables[setting] = PtpTable(self._load_npz(self.folder / entry["compiled"]))
            sources.append(f"NCCI {setting}: {', '.join(Path(f['path']).name for f in entry['files'])}")
        if changed:
            self._write_manifest(manifest)
        if "hospital" not in tables:
            shipped = self.codes_dir / "ncci_ptp_outpatient_hospital.csv.gz"
            if shipped.is_file():
                digest = file_hash(shipped)[:16]
                target = self.folder / f"ncci_shipped_hospital_{digest}.npz"
                if not target.is_file():
                    for old in self.folder.glob("ncci_shipped_hospital_*.npz"):
                        old.unlink(missing_ok=True)
                    self._compile_ptp([shipped], "auto", target)
                tables["hospital"] = PtpTable(self._load_npz(target))
                sources.append(f"NCCI hospital: {shipped.name} (shipped)")
        return tables, sources

    # --- MUE ------------------------------------------------------------------------------------------
    def import_mue(self, files: list[Path], *, setting: ServiceSetting) -> dict[str, Any]:
        if not files:
            raise ConfigError("import-mue: give at least one MUE file")
        table: dict[str, MueEntry] = {}
        described = []
        for path in files:
            entries = read_mue_file(path)
            table.update(entries)
            described.append({"path": str(path.resolve()), "sha256": file_hash(path), "rows": len(entries)})
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / f"mue_{setting}.pickle"
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(target)
        entry = {
            "files": described,
            "rows": len(table),
            "compiled": target.name,
            "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        manifest = self.manifest()
        manifest["mue"][setting] = entry
        self._write_manifest(manifest)
        return entry

    def mue_tables(self) -> tuple[dict[ServiceSetting, dict[str, MueEntry]], list[str]]:
        manifest = self.manifest()
        tables: dict[ServiceSetting, dict[str, MueEntry]] = {}
        sources: list[str] = []
        for setting in SETTINGS:
            entry = manifest["mue"].get(setting)
            if not entry:
                continue
            stale = self._stale(entry)
            if stale is not None:
                entry = self.import_mue(stale, setting=setting)
            try:
                tables[setting] = pickle.loads((self.folder / entry["compiled"]).read_bytes())
            except (OSError, pickle.UnpicklingError, EOFError) as exc:
                raise ConfigError(f"{self.folder / entry['compiled']}: compiled MUE table unreadable") from exc
            sources.append(f"MUE {setting}: {', '.join(Path(f['path']).name for f in entry['files'])}")
        if "practitioner" not in tables:
            sample = self.rules_dir / "ncci" / "mue_practitioner_sample.csv"
            if sample.is_file():
                tables["practitioner"] = read_mue_file(sample)
                sources.append(f"MUE practitioner: {sample.name} (sample, illustrative values)")
        return tables, sources

    # --- code sets ------------------------------------------------------------------------------------
    def codesets(self) -> CodeSets:
        """The CMS code tables, from a pickle keyed by the source files' hashes (rebuilt when one changes)."""
        sources = sorted(
            [self.codes_dir / n for n in _CODESET_FILES if (self.codes_dir / n).is_file()]
            + list(self.codes_dir.glob("icd10cm_code_edits_fy*"))
        )
        digest = hashlib.sha256(_CACHE_FORMAT.encode())
        for path in sources:
            digest.update(path.name.encode() + b"\0" + file_hash(path).encode())
        key = digest.hexdigest()[:16]
        target = self.folder / f"codesets_{key}.pickle"
        if target.is_file():
            try:
                loaded = pickle.loads(target.read_bytes())
                if isinstance(loaded, CodeSets):
                    return loaded
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                pass  # a cache from another version: rebuild it
        codes = load_codesets(self.codes_dir)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            for old in self.folder.glob("codesets_*.pickle"):
                old.unlink(missing_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(codes, protocol=pickle.HIGHEST_PROTOCOL))
            tmp.replace(target)
        except OSError:
            pass  # a read-only data directory only costs load time
        return codes
