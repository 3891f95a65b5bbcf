"""Data-driven rules (payer rules and required fields) of the common kinds, evaluated without per-rule code.

Kinds: required_field, code_in_list, code_not_in_list, modifier_required, code_pair, max_units, age_range,
sex, prior_auth, filing_limit, frequency (the last reads the patient's history). See rules/scrub/README.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel

from rcm.codes import icd10_dotted
from rcm.coding.rulefiles import CodeList, RuleDef
from rcm.domain import Coverage, Encounter, Patient, Provider, ServiceLine
from rcm.errors import ConfigError

if TYPE_CHECKING:
    from rcm.coding.engine import ClaimRun
    from rcm.coding.rulebook import RuleBook

__all__ = ["PayerRuleSet", "check_field_path"]

_ROOTS: dict[str, type[BaseModel] | None] = {
    "patient": Patient,
    "coverage": Coverage,
    "billing_provider": Provider,
    "rendering_provider": Provider,
    "referring_provider": Provider,
    "attending_provider": Provider,
    "lines": ServiceLine,
    "prior_authorization": None,
    "type_of_bill": None,
    "admission_date": None,
    "discharge_date": None,
    "place_of_service": None,
    "diagnoses": None,
}
_CODE_TRIGGERED = frozenset(
    {
        "code_in_list",
        "modifier_required",
        "code_pair",
        "max_units",
        "age_range",
        "sex",
        "prior_auth",
        "frequency",
        "required_field",
    }
)


def check_field_path(path: str) -> None:
    """Refuse a required_field path the engine cannot read (checked when the rules are loaded)."""
    root, _, rest = path.partition(".")
    if root not in _ROOTS:
        raise ConfigError(f"required field {path!r}: unknown field (use one of {', '.join(sorted(_ROOTS))})")
    model = _ROOTS[root]
    if rest and (model is None or "." in rest or rest not in model.model_fields):
        raise ConfigError(f"required field {path!r}: {root} has no field {rest!r}")


def _missing(value: object) -> bool:
    kind = type(value)
    return value is None or ((kind is str or kind is list) and (not value or value == "U"))  # type: ignore[comparison-overlap]


FieldCheck = Callable[[Encounter, "Coverage | None"], bool]
MissingFields = Callable[[Encounter, "Coverage | None"], list[int]]


def _missing_check(path: str, *, parent_checked: bool = False) -> FieldCheck:
    """A function telling whether a claim-level field is missing (built once per rule).

    ``parent_checked``: another rule already reports the parent (``billing_provider``) missing, so a rule on
    one of its fields (``billing_provider.tax_id``) stays quiet when the parent is absent.
    """
    root, _, rest = path.partition(".")
    if path == "place_of_service":
        return lambda e, c: e.place_of_service is None and any(ln.place_of_service is None for ln in e.lines)
    if root == "coverage":
        return lambda e, c: c is not None and bool(rest) and _missing(getattr(c, rest))  # no coverage: ELIG-NO-COVERAGE
    if not rest:
        return lambda e, c: _missing(getattr(e, root))

    def check(e: Encounter, c: Coverage | None) -> bool:
        obj = getattr(e, root)
        if obj is None:
            return not parent_checked
        return _missing(getattr(obj, rest))

    return check


_TOP, _SUB, _COVERAGE, _POS = 0, 1, 2, 3


def _spec(rule: RuleDef, parent_checked: bool) -> tuple[RuleDef, int, str, str, bool]:
    path = rule.field or ""
    root, _, rest = path.partition(".")
    if path == "place_of_service":
        return rule, _POS, root, rest, parent_checked
    if root == "coverage":
        return rule, _COVERAGE, root, rest or "payer_id", parent_checked
    return rule, (_SUB if rest else _TOP), root, rest, parent_checked


def _compile_required(specs: list[tuple[RuleDef, int, str, str, bool]]) -> MissingFields:
    """Build one function that returns the indexes of the required fields a claim lacks.

    The field names were checked against the domain models (``check_field_path``), so the generated source
    only ever contains attribute names of Encounter, Patient, Provider, Coverage.
    """
    for _, _, root, rest, _ in specs:
        if not (root.isidentifier() and (not rest or rest.isidentifier())):
            raise ConfigError(f"required field {root}.{rest}: not a field name")
    body = ["def missing(e, c):", "    out = []"]
    for index, (_, how, root, rest, parent_checked) in enumerate(specs):
        if how == _TOP:
            body.append(f"    if not e.{root}: out.append({index})")
        elif how == _SUB:
            body.append(f"    v = e.{root}")
            unknown = " or v == 'U'" if rest == "sex" else ""  # sex U (unknown) counts as missing
            if parent_checked:
                body.append(
                    f"    if v is not None:\n        v = v.{rest}\n        if not v{unknown}: out.append({index})"
                )
            else:
                body.append(f"    if v is not None:\n        v = v.{rest}")
                body.append(f"    if v is None or not v{unknown}: out.append({index})")
        elif how == _COVERAGE:
            body.append(f"    if c is not None and not c.{rest}: out.append({index})")
        else:
            body.append(
                "    if e.place_of_service is None and any(ln.place_of_service is None for ln in e.lines):"
                f" out.append({index})"
            )
    body.append("    return out")
    namespace: dict[str, object] = {}
    exec(compile("\n".join(body), "<required fields>", "exec"), namespace)  # names checked above
    function = namespace["missing"]
    assert callable(function)
    return function  # type: ignore[return-value]


def _fmt_units(units: Decimal) -> str:
    return f"{units.normalize():f}"


class PayerRuleSet:
    """The data-driven rules that apply to one payer and claim type, indexed by code."""

    def __init__(self, rules: list[RuleDef], book: RuleBook) -> None:
        self.book = book
        self.claim_rules: list[RuleDef] = []
        self.required_specs: list[tuple[RuleDef, int, str, str, bool]] = []
        self._procedure_rules: dict[str, tuple[RuleDef, ...]] = {}
        self._diagnosis_rules: dict[str, tuple[RuleDef, ...]] = {}
        self.code_rules: list[tuple[RuleDef, CodeList]] = []
        self.not_in_list: list[tuple[RuleDef, CodeList]] = []
        self.with_codes: dict[str, CodeList] = {}
        self.modifiers: dict[str, frozenset[str]] = {}
        self.codes_of: dict[str, CodeList] = {}
        self._by_code: dict[tuple[str, str], tuple[RuleDef, ...]] = {}
        self.has_filing_limit = any(r.kind == "filing_limit" for r in rules)
        for rule in rules:
            if rule.kind == "required_field" and rule.field:
                check_field_path(rule.field)
            if rule.kind == "code_not_in_list":
                self.not_in_list.append((rule, CodeList(rule.codes or [])))
            elif rule.kind in _CODE_TRIGGERED and rule.codes is not None:
                self.codes_of[rule.id] = CodeList(rule.codes)
                self.code_rules.append((rule, self.codes_of[rule.id]))
            elif rule.kind == "required_field" and rule.field and not rule.field.startswith("lines."):
                parent = rule.field.partition(".")[0]
                parent_checked = any(r.kind == "required_field" and r.field == parent and not r.codes for r in rules)
                self.required_specs.append(_spec(rule, parent_checked))
            else:
                self.claim_rules.append(rule)
            if rule.with_codes:
                self.with_codes[rule.id] = CodeList(rule.with_codes)
            if rule.modifiers:
                self.modifiers[rule.id] = frozenset(m.upper() for m in rule.modifiers)
        self._missing_fields = _compile_required(self.required_specs)
        self.has_procedure_rules = any(r.target == "procedure" for r, _ in self.code_rules)
        self.has_diagnosis_rules = any(r.target == "diagnosis" for r, _ in self.code_rules)

    def rules_for(self, code: str, target: str) -> tuple[RuleDef, ...]:
        key = (target, code)
        found = self._by_code.get(key)
        if found is None:
            found = tuple(r for r, codes in self.code_rules if r.target == target and code in codes)
            self._by_code[key] = found
        return found

    def procedure_rules(self, code: str) -> tuple[RuleDef, ...]:
        found = self._procedure_rules.get(code)
        if found is None:
            found = self._procedure_rules[code] = self.rules_for(code, "procedure")
        return found

    def diagnosis_rules(self, code: str) -> tuple[RuleDef, ...]:
        found = self._diagnosis_rules.get(code)
        if found is None:
            found = self._diagnosis_rules[code] = self.rules_for(code, "diagnosis")
        return found

    def apply(self, run: ClaimRun) -> None:
        encounter = run.encounter
        coverage = run.coverage
        # Required fields: one compiled function for all of them (this runs for every claim).
        if self.required_specs:
            for index in self._missing_fields(encounter, coverage):
                rule = self.required_specs[index][0]
                if rule.in_force(run.dos):
                    run.emit(rule.id, field=rule.field)
        for rule in self.claim_rules:
            if rule.in_force(run.dos):
                self._claim_rule(run, rule)
        if self.has_procedure_rules:
            fired: set[str] | None = None
            procedure_cache = self._procedure_rules
            for line in encounter.lines:
                matching = procedure_cache.get(line.code)
                if matching is None:
                    matching = self.procedure_rules(line.code)
                if not matching:
                    continue
                if fired is None:
                    fired = set()
                for rule in matching:
                    if rule.in_force(run.dos):
                        self._line_rule(run, rule, line, fired)
        if self.has_diagnosis_rules:
            diagnosis_cache = self._diagnosis_rules
            for position, code in enumerate(encounter.diagnoses, start=1):
                matching = diagnosis_cache.get(code)
                if matching is None:
                    matching = self.diagnosis_rules(code)
                for rule in matching:
                    if rule.in_force(run.dos):
                        self._dx_rule(run, rule, position, code)
        for rule, codes in self.not_in_list:
            if not rule.in_force(run.dos):
                continue
            if rule.target == "diagnosis":
                for position, code in enumerate(encounter.diagnoses, start=1):
                    if code not in codes:
                        run.emit(rule.id, field=f"diagnoses[{position}]", code=icd10_dotted(code))
            else:
                for line in encounter.lines:
                    if code_pos_ok(rule, line, encounter) and line.code not in codes:
                        run.emit(rule.id, line=line.line_id, field=f"lines[{line.line_id}].code", code=line.code)

    # --- claim-level kinds ----------------------------------------------------------------------------
    def _claim_rule(self, run: ClaimRun, rule: RuleDef) -> None:
        if rule.kind == "required_field" and rule.field:
            self._required(run, rule, None)
        elif rule.kind == "filing_limit" and rule.days and run.frequency_code == "1":
            last_day = run.dos + timedelta(days=rule.days)
            if run.context.as_of > last_day:
                run.emit(
                    rule.id, field="date_of_service", days=rule.days, limit=rule.days, deadline=last_day.isoformat()
                )

    def _required(self, run: ClaimRun, rule: RuleDef, line: ServiceLine | None) -> None:
        path = rule.field or ""
        encounter = run.encounter
        if path.startswith("lines."):
            attribute = path.partition(".")[2]
            targets = [line] if line is not None else encounter.lines
            for target in targets:
                if _missing(getattr(target, attribute)):
                    run.emit(
                        rule.id, line=target.line_id, field=f"lines[{target.line_id}].{attribute}", code=target.code
                    )
            return
        if _missing_check(path)(encounter, run.coverage):
            run.emit(rule.id, field=path, code=line.code if line is not None else "")

    # --- line-level kinds -----------------------------------------------------------------------------
    def _line_rule(self, run: ClaimRun, rule: RuleDef, line: ServiceLine, fired: set[str]) -> None:
        if not code_pos_ok(rule, line, run.encounter):
            return
        kind = rule.kind
        lid = line.line_id
        if kind == "code_in_list":
            run.emit(rule.id, line=lid, field=f"lines[{lid}].code", code=line.code)
        elif kind == "modifier_required":
            wanted = self.modifiers[rule.id]
            if not wanted.intersection(line.modifiers):
                run.emit(
                    rule.id,
                    line=lid,
                    field=f"lines[{lid}].modifiers",
                    code=line.code,
                    modifiers="/".join(sorted(wanted)),
                )
        elif kind == "code_pair":
            partners = self.with_codes[rule.id]
            day = line.date_of_service
            other = next(
                (o for o in run.encounter.lines if o is not line and o.code in partners and o.date_of_service == day),
                None,
            )
            if other is not None:
                run.emit(
                    rule.id, line=other.line_id, field=f"lines[{other.line_id}].code", code=other.code, other=line.code
                )
        elif kind == "max_units":
            self._max_units(run, rule, line, fired)
        elif kind == "age_range":
            if run.age is not None and not _age_ok(rule, run.age):
                run.emit(rule.id, line=lid, field=f"lines[{lid}].code", code=line.code)
        elif kind == "sex":
            if run.sex in ("F", "M") and run.sex != rule.sex:
                run.emit(rule.id, line=lid, field=f"lines[{lid}].code", code=line.code, sex=rule.sex)
        elif kind == "prior_auth":
            if not run.encounter.prior_authorization and rule.id not in fired:
                fired.add(rule.id)
                run.emit(rule.id, field="prior_authorization", code=line.code)
        elif kind == "required_field":
            if (rule.field or "").startswith("lines."):
                self._required(run, rule, line)
            elif rule.id not in fired:
                fired.add(rule.id)
                self._required(run, rule, None)
        elif kind == "frequency":
            self._frequency(run, rule, line, fired)

    def _max_units(self, run: ClaimRun, rule: RuleDef, line: ServiceLine, fired: set[str]) -> None:
        limit = rule.max if rule.max is not None else 0
        lid = line.line_id
        if rule.per == "line":
            if line.units > limit:
                run.emit(
                    rule.id,
                    line=lid,
                    field=f"lines[{lid}].units",
                    code=line.code,
                    units=_fmt_units(line.units),
                    max=limit,
                )
            return
        if rule.id in fired:
            return
        codes = self.codes_of[rule.id]
        day = line.date_of_service
        total = sum(
            (
                o.units
                for o in run.encounter.lines
                if o.code in codes and (rule.per == "claim" or o.date_of_service == day)
            ),
            Decimal(0),
        )
        if total > limit:
            fired.add(rule.id)
            run.emit(rule.id, line=lid, field=f"lines[{lid}].units", code=line.code, units=_fmt_units(total), max=limit)

    def _frequency(self, run: ClaimRun, rule: RuleDef, line: ServiceLine, fired: set[str]) -> None:
        source = run.context.history
        if source is None or rule.id in fired or rule.days is None or rule.max is None:
            return
        codes = self.codes_of[rule.id]
        day = line.date_of_service or run.dos
        start = day - timedelta(days=rule.days - 1)
        past = [
            s
            for s in source.services(run.patient_id, start, day)
            if s.code in codes and s.claim_id != run.claim_id and s.encounter_id != run.encounter.encounter_id
        ]
        if not past:
            return
        count = len({(s.claim_id, s.day, s.code) for s in past}) + sum(
            1 for o in run.encounter.lines if o.code in codes
        )
        if count > rule.max:
            fired.add(rule.id)
            last: date = max(s.day for s in past)
            run.emit(
                rule.id,
                line=line.line_id,
                field=f"lines[{line.line_id}].code",
                code=line.code,
                max=rule.max,
                days=rule.days,
                other=last.isoformat(),
            )

    # --- diagnosis-level kinds ------------------------------------------------------------------------
    def _dx_rule(self, run: ClaimRun, rule: RuleDef, position: int, code: str) -> None:
        where = f"diagnoses[{position}]"
        kind = rule.kind
        if kind == "code_in_list":
            run.emit(rule.id, field=where, code=icd10_dotted(code))
        elif kind == "age_range":
            if run.age is not None and not _age_ok(rule, run.age):
                run.emit(rule.id, field=where, code=icd10_dotted(code))
        elif kind == "sex" and run.sex in ("F", "M") and run.sex != rule.sex:
            run.emit(rule.id, field=where, code=icd10_dotted(code), sex=rule.sex)


def code_pos_ok(rule: RuleDef, line: ServiceLine, encounter: Encounter) -> bool:
    """True when the rule has no place-of-service condition or the line's POS is one it names."""
    if not rule.when_pos:
        return True
    pos = line.place_of_service or encounter.place_of_service
    return pos is not None and pos in {p.zfill(2) for p in rule.when_pos}


def _age_ok(rule: RuleDef, age: int) -> bool:
    return (rule.min_age is None or age >= rule.min_age) and (rule.max_age is None or age <= rule.max_age)
