"""Scrubber rule files: the YAML under rules/scrub/ read into checked rule definitions.

Every rule has an id, a category, a description, a severity, a scope (``payers: all`` or a list of payer
ids), effective dates (of service), a message and a fix hint in a biller's words. Built-in edits
(``kind: builtin``) are implemented in code and configured here; payer rules of the common kinds
(required field, code in / not in list, modifier required, code pair, max units, age range, sex,
prior authorization, filing limit, frequency) need no code at all.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rcm.coding.findings import CATEGORIES, Severity
from rcm.errors import ConfigError

__all__ = [
    "DEFAULT_CATEGORY",
    "RULE_KINDS",
    "CodeList",
    "RuleDef",
    "RuleFile",
    "load_rule_files",
    "rule_files_in",
]

RULE_KINDS = (
    "builtin",
    "required_field",
    "code_in_list",
    "code_not_in_list",
    "modifier_required",
    "code_pair",
    "max_units",
    "age_range",
    "sex",
    "prior_auth",
    "filing_limit",
    "frequency",
)
RuleKind = Literal[
    "builtin",
    "required_field",
    "code_in_list",
    "code_not_in_list",
    "modifier_required",
    "code_pair",
    "max_units",
    "age_range",
    "sex",
    "prior_auth",
    "filing_limit",
    "frequency",
]
DEFAULT_CATEGORY: dict[str, str] = {
    "required_field": "required_field",
    "code_in_list": "payer_rule",
    "code_not_in_list": "payer_rule",
    "modifier_required": "modifier_required",
    "code_pair": "payer_rule",
    "max_units": "payer_rule",
    "age_range": "payer_rule",
    "sex": "payer_rule",
    "prior_auth": "prior_auth",
    "filing_limit": "timely_filing",
    "frequency": "payer_rule",
}
_CODE_ITEM_RE = re.compile(r"^[0-9A-Z.]{1,8}(-[0-9A-Z.]{1,8}|\*)?$")


class CodeList:
    """Codes written as exact codes, ranges (``99202-99215``) or prefixes (``J*``, ``O*``); dots ignored."""

    __slots__ = ("exact", "prefixes", "ranges", "text")

    def __init__(self, items: list[str]) -> None:
        self.text = list(items)
        self.exact: set[str] = set()
        self.ranges: list[tuple[str, str]] = []
        self.prefixes: tuple[str, ...] = ()
        prefixes: list[str] = []
        for raw in items:
            item = str(raw).strip().upper().replace(".", "")
            if not _CODE_ITEM_RE.match(item):
                raise ValueError(f"{raw!r} is not a code, a range like 99202-99215 or a prefix like J*")
            if item.endswith("*"):
                prefixes.append(item[:-1])
            elif "-" in item:
                lo, hi = item.split("-")
                if len(lo) != len(hi) or lo > hi:
                    raise ValueError(f"range {raw!r} must run low to high between codes of one length")
                self.ranges.append((lo, hi))
            else:
                self.exact.add(item)
        self.prefixes = tuple(prefixes)

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        if code in self.exact or (self.prefixes and code.startswith(self.prefixes)):
            return True
        n = len(code)
        return any(len(lo) == n and lo <= code <= hi for lo, hi in self.ranges)

    def __bool__(self) -> bool:
        return bool(self.exact or self.ranges or self.prefixes)

    def __repr__(self) -> str:
        return f"CodeList({self.text!r})"


class RuleDef(BaseModel):
    """One rule as written in a rule file (fields not used by its kind are refused)."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)

    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9_.-]{1,79}$")
    kind: RuleKind
    category: str = ""
    description: str = Field(min_length=3)
    severity: Severity
    payers: Literal["all"] | list[str] = "all"
    claim_types: list[Literal["professional", "institutional"]] = ["professional", "institutional"]
    effective_from: date | None = None
    effective_to: date | None = None
    message: str = Field(min_length=3)
    fix_hint: str = Field(min_length=3)
    overridable: bool | None = None  # default: warnings and info yes, errors no
    enabled: bool = True
    # kind-specific settings
    field: str | None = None
    codes: list[str] | None = None
    target: Literal["procedure", "diagnosis"] = "procedure"
    modifiers: list[str] | None = None
    with_codes: list[str] | None = None
    max: int | None = Field(default=None, ge=0)
    per: Literal["line", "day", "claim"] = "line"
    min_age: int | None = Field(default=None, ge=0)
    max_age: int | None = Field(default=None, ge=0)
    sex: Literal["F", "M"] | None = None
    days: int | None = Field(default=None, ge=1)
    when_pos: list[str] | None = None

    @field_validator("payers", mode="before")
    @classmethod
    def _payers(cls, v: Any) -> Any:
        if isinstance(v, str) and v != "all":
            return [v]
        return v

    @model_validator(mode="after")
    def _check(self) -> RuleDef:
        if not self.category:
            object.__setattr__(self, "category", DEFAULT_CATEGORY.get(self.kind, ""))
        if self.category not in CATEGORIES:
            raise ValueError(f"category {self.category!r} is not one of the scrubber's categories")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to is before effective_from")
        needs: dict[str, tuple[str, ...]] = {
            "required_field": ("field",),
            "code_in_list": ("codes",),
            "code_not_in_list": ("codes",),
            "modifier_required": ("codes", "modifiers"),
            "code_pair": ("codes", "with_codes"),
            "max_units": ("codes", "max"),
            "age_range": ("codes",),
            "sex": ("codes", "sex"),
            "prior_auth": ("codes",),
            "filing_limit": ("days",),
            "frequency": ("codes", "max", "days"),
        }
        missing = [name for name in needs.get(self.kind, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.kind} rule needs {', '.join(missing)}")
        if self.kind == "age_range" and self.min_age is None and self.max_age is None:
            raise ValueError("an age_range rule needs min_age or max_age")
        for name in ("codes", "with_codes"):
            value = getattr(self, name)
            if value is not None:
                CodeList(value)  # raises ValueError on a bad item
        return self

    @property
    def is_overridable(self) -> bool:
        return self.overridable if self.overridable is not None else self.severity != "error"

    def applies_to_payer(self, payer_id: str) -> bool:
        return self.payers == "all" or payer_id in self.payers

    def in_force(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str | None = None
    description: str | None = None
    settings: dict[str, Any] = {}
    rules: list[RuleDef] = []


def rule_files_in(folder: Path) -> list[Path]:
    """Rule files in a folder and its subfolders, in a stable order."""
    return sorted(p for p in folder.rglob("*.yaml") if p.is_file()) if folder.is_dir() else []


def _where(path: Path, raw: Any, loc: tuple[int | str, ...]) -> str:
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = raw.get("rules") if isinstance(raw, dict) else None
        rule_id = rules[loc[1]].get("id") if isinstance(rules, list) and isinstance(rules[loc[1]], dict) else None
        field = ".".join(str(p) for p in loc[2:] if not str(p).startswith("function-after"))
        return f"{path}: rule {loc[1] + 1}" + (f" ({rule_id})" if rule_id else "") + (f", {field}" if field else "")
    return f"{path}: " + ".".join(str(p) for p in loc)


def load_rule_files(paths: list[Path]) -> tuple[list[RuleDef], dict[str, Any], str]:
    """Read and check rule files; returns the rules, the merged settings and a version (hash of the bytes)."""
    digest = hashlib.sha256()
    rules: list[RuleDef] = []
    settings: dict[str, Any] = {}
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read rule file ({exc.strerror or type(exc).__name__})") from exc
        digest.update(path.name.encode() + b"\0" + data)
        try:
            raw = yaml.safe_load(data) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise ConfigError(f"{path}:{where} not valid YAML") from exc
        try:
            parsed = RuleFile.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            raise ConfigError(f"{_where(path, raw, tuple(first['loc']))}: {first['msg']}") from None
        for key, value in parsed.settings.items():
            if key in settings:
                raise ConfigError(f"{path}: setting {key} is already set in another rule file")
            settings[key] = value
        for rule in parsed.rules:
            if rule.id in seen:
                raise ConfigError(f"{path}: rule id {rule.id} is already defined in {seen[rule.id].name}")
            seen[rule.id] = path
            rules.append(rule)
    return rules, settings, digest.hexdigest()[:12]
