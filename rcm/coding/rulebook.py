"""The rule book: every rule file and code table the scrubber needs, loaded once and shared read-only."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from rcm.codes import is_cpt, is_hcpcs_level2
from rcm.coding.codesets import CodeSets
from rcm.coding.mue import MueEntry
from rcm.coding.ncci import PtpTable
from rcm.coding.rulefiles import CodeList, RuleDef, load_rule_files, rule_files_in
from rcm.coding.tables import ServiceSetting, TableStore
from rcm.errors import ConfigError

__all__ = ["CodeInfo", "RuleBook", "default_rulebook", "load_rulebook"]

_FALLBACK: dict[ServiceSetting, tuple[ServiceSetting, ...]] = {
    "practitioner": ("practitioner", "hospital"),
    "hospital": ("hospital", "practitioner"),
    "dme": ("dme", "practitioner"),
}


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """What the built-in edits need to know about one procedure code (computed once per code)."""

    shape_ok: bool
    hcpcs: bool
    hcpcs_known: bool
    status_indicator: str
    is_em: bool
    needs_25_with_em: bool
    pos_only: frozenset[str] | None
    pos_never: frozenset[str]


def _code_lists(settings: dict[str, Any], key: str) -> CodeList:
    value = settings.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"rule settings: {key} must be a list of codes")
    return CodeList([str(v) for v in value])


def _pos_map(settings: dict[str, Any], key: str) -> list[tuple[CodeList, frozenset[str]]]:
    value = settings.get(key, {}) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"rule settings: {key} must map codes to places of service")
    return [(CodeList([str(k)]), frozenset(str(p).zfill(2) for p in v)) for k, v in value.items()]


@dataclass
class RuleBook:
    codes: CodeSets
    ptp: dict[ServiceSetting, PtpTable]
    mue: dict[ServiceSetting, dict[str, MueEntry]]
    rules: list[RuleDef]
    settings: dict[str, Any]
    filing_days: dict[str, int]
    version: str
    sources: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    _code_info: dict[str, CodeInfo] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.by_id: dict[str, RuleDef] = {r.id: r for r in self.rules}
        self.em_codes = _code_lists(self.settings, "em_codes")
        self.m25_procedures = _code_lists(self.settings, "modifier25_procedures")
        self.m25_exempt = _code_lists(self.settings, "modifier25_exempt")
        self.secondary_only_dx = _code_lists(self.settings, "secondary_only_dx")
        self._secondary_only: dict[str, bool] = {}
        self._dx_sex: dict[str, str | None] = {}
        self.em_distinct = frozenset(str(m) for m in self.settings.get("em_distinct_modifiers", ["25", "57"]))
        self.telehealth_pos = frozenset(str(p).zfill(2) for p in self.settings.get("telehealth_pos", ["02", "10"]))
        self.extra_modifiers = frozenset(str(m).upper() for m in self.settings.get("extra_modifiers", []) or [])
        self._pos_only = _pos_map(self.settings, "pos_only")
        self._pos_never = _pos_map(self.settings, "pos_never")
        self.ptp_by_setting: dict[ServiceSetting, PtpTable | None] = {s: self.ptp_for(s) for s in _FALLBACK}
        self.mue_by_setting: dict[ServiceSetting, dict[str, MueEntry]] = {s: self.mue_for(s) for s in _FALLBACK}
        wanted_settings: tuple[ServiceSetting, ...] = ("practitioner", "hospital")
        for kind, tables in (("NCCI PTP", self.ptp), ("MUE", self.mue)):
            for wanted in wanted_settings:
                if wanted in tables:
                    continue
                used = next((s for s in _FALLBACK[wanted] if s in tables), None)
                if used:
                    self.notices.append(f"{kind} {wanted} table not loaded: the {used} edits stand in for it")

    def code_info(self, code: str) -> CodeInfo:
        info = self._code_info.get(code)
        if info is None:
            hcpcs = is_hcpcs_level2(code)
            known = self.codes.hcpcs.get(code) if hcpcs else None
            only = [places for codes, places in self._pos_only if code in codes]
            never = [places for codes, places in self._pos_never if code in codes]
            info = CodeInfo(
                shape_ok=hcpcs or is_cpt(code),
                hcpcs=hcpcs,
                hcpcs_known=known is not None,
                status_indicator=known[0] if known else "",
                is_em=code in self.em_codes,
                needs_25_with_em=code in self.m25_procedures and code not in self.m25_exempt,
                pos_only=frozenset().union(*only) if only else None,
                pos_never=frozenset().union(*never),
            )
            self._code_info[code] = info
        return info

    def secondary_only(self, dx: str) -> bool:
        found = self._secondary_only.get(dx)
        if found is None:
            found = self._secondary_only[dx] = dx in self.secondary_only_dx
        return found

    def dx_sex(self, dx: str) -> str | None:
        if dx in self._dx_sex:
            return self._dx_sex[dx]
        found = self._dx_sex[dx] = self.codes.dx_sex(dx)
        return found

    def ptp_for(self, setting: ServiceSetting) -> PtpTable | None:
        for candidate in _FALLBACK[setting]:
            table = self.ptp.get(candidate)
            if table is not None:
                return table
        return None

    def mue_for(self, setting: ServiceSetting) -> dict[str, MueEntry]:
        for candidate in _FALLBACK[setting]:
            table = self.mue.get(candidate)
            if table is not None:
                return table
        return {}

    def modifier_known(self, modifier: str) -> bool:
        return modifier in self.codes.modifiers or modifier in self.extra_modifiers


def _filing_days(rules_dir: Path) -> dict[str, int]:
    path = rules_dir / "payers.yaml"
    if not path.is_file():
        return {}
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read payer settings") from exc
    days: dict[str, int] = {}
    for entry in loaded.get("payers", []) if isinstance(loaded, dict) else []:
        if isinstance(entry, dict) and entry.get("payer_id") and entry.get("timely_filing_days"):
            days[str(entry["payer_id"])] = int(entry["timely_filing_days"])
    return days


def load_rulebook(rules_dir: Path, data_dir: Path) -> RuleBook:
    """Load rule files (rules/scrub/**.yaml), code sets, NCCI and MUE tables; compiled parts come from the cache."""
    rule_paths = rule_files_in(rules_dir / "scrub")
    if not rule_paths:
        raise ConfigError(f"{rules_dir / 'scrub'}: no rule files (*.yaml)")
    rules, settings, rules_hash = load_rule_files(rule_paths)
    store = TableStore(data_dir, rules_dir)
    codes = store.codesets()
    ptp, ptp_sources = store.ptp_tables()
    mue, mue_sources = store.mue_tables()
    filing = _filing_days(rules_dir)
    digest = hashlib.sha256(rules_hash.encode())
    for source in (*ptp_sources, *mue_sources, *(f"icd:{fy}:{t.source}" for fy, t in sorted(codes.icd.items()))):
        digest.update(source.encode())
    digest.update(repr(sorted(filing.items())).encode())
    return RuleBook(
        codes=codes,
        ptp=ptp,
        mue=mue,
        rules=rules,
        settings=settings,
        filing_days=filing,
        version=f"rules-{rules_hash}-{digest.hexdigest()[:8]}",
        sources=[
            *(str(p.relative_to(rules_dir)) for p in rule_paths),
            *(f"ICD-10-CM FY{fy}: {t.source}" for fy, t in sorted(codes.icd.items())),
            *ptp_sources,
            *mue_sources,
        ],
    )


def default_rulebook() -> RuleBook:
    """The rule book named by the settings (``RCM_RULES_DIR``, ``RCM_DATA_DIR``)."""
    from rcm.config import get_settings

    settings = get_settings()
    return load_rulebook(settings.rules_dir, settings.data_dir)
