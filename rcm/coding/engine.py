"""The scrubber's engine: run every built-in edit and payer rule over one claim and return its findings.

Pure: no database. ``scrub_claim(claim, context)`` takes a ``rcm.domain.Claim`` (or an ``Encounter``, billed to
its primary coverage) and a ``ScrubContext`` (the rule book, the as-of date, and optional history and
eligibility sources) and returns ``ScrubFinding``s. Overrides made by staff mark findings ``overridden``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rcm.coding import edits, payer_rules
from rcm.coding.findings import ScrubFinding, Severity
from rcm.coding.history import ClaimHistory, EligibilityFacts
from rcm.coding.rulebook import RuleBook, default_rulebook
from rcm.coding.rulefiles import RuleDef
from rcm.coding.tables import ServiceSetting
from rcm.domain import Claim, ClaimType, Coverage, Encounter

__all__ = ["ClaimRun", "ScrubContext", "Scrubber", "scrub_claim"]


def _today() -> date:
    return datetime.now(UTC).date()


@dataclass
class ScrubContext:
    """What a scrub run shares across claims."""

    book: RuleBook = field(default_factory=default_rulebook)
    as_of: date = field(default_factory=_today)
    history: ClaimHistory | None = None
    eligibility: EligibilityFacts | None = None
    _scrubber: Scrubber | None = field(default=None, init=False, repr=False, compare=False)
    _cutoffs: dict[str, date | None] = field(default_factory=dict, init=False, repr=False, compare=False)

    def filing_cutoff(self, payer_id: str) -> date | None:
        """The oldest date of service still inside the payer's filing limit on ``as_of`` (None: no limit)."""
        if payer_id in self._cutoffs:
            return self._cutoffs[payer_id]
        days = self.book.filing_days.get(payer_id)
        cutoff = self.as_of - timedelta(days=days) if days else None
        self._cutoffs[payer_id] = cutoff
        return cutoff

    def scrubber(self) -> Scrubber:
        """The context's scrubber (its per-payer rule indexes are kept between claims)."""
        if self._scrubber is None:
            self._scrubber = Scrubber(self)
        return self._scrubber


class _Values(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class ClaimRun:
    """One claim being scrubbed: its facts computed once, and the findings collected so far."""

    __slots__ = (
        "age",
        "book",
        "claim_id",
        "claim_type",
        "context",
        "coverage",
        "dos",
        "encounter",
        "filing_cutoff",
        "findings",
        "first_day",
        "frequency_code",
        "last_day",
        "overrides",
        "patient_id",
        "payer_id",
        "payer_rules",
        "rules",
        "setting",
        "sex",
    )

    def __init__(
        self,
        context: ScrubContext,
        rules: dict[str, RuleDef],
        rule_set: payer_rules.PayerRuleSet,
        claim_id: str,
        encounter: Encounter,
        coverage: Coverage | None,
        frequency_code: str,
        overrides: Collection[tuple[str, str | None]],
    ) -> None:
        self.context = context
        self.book = context.book
        self.rules = rules
        self.payer_rules = rule_set
        self.claim_id = claim_id
        self.encounter = encounter
        self.coverage = coverage
        self.payer_id = coverage.payer_id if coverage else ""
        self.claim_type = encounter.claim_type
        self.setting: ServiceSetting = "hospital" if self.claim_type is ClaimType.institutional else "practitioner"
        self.frequency_code = frequency_code
        self.dos = encounter.date_of_service
        self.first_day = self.last_day = self.dos  # the claim's date span, set by the line edits
        self.patient_id = encounter.patient.id
        self.age = encounter.patient.age_on(self.dos)
        self.sex = encounter.patient.sex
        self.overrides = overrides
        self.findings: list[ScrubFinding] = []
        self.filing_cutoff = (
            None if rule_set.has_filing_limit or not self.payer_id else context.filing_cutoff(self.payer_id)
        )

    def active(self, rule_id: str) -> RuleDef | None:
        """The rule if it is switched on for this claim's payer, claim type and date of service."""
        rule = self.rules.get(rule_id)
        if rule is None or not rule.in_force(self.dos):
            return None
        return rule

    def emit(
        self,
        rule_id: str,
        *,
        line: str | None = None,
        field: str | None = None,
        severity: Severity | None = None,
        note: str = "",
        **values: Any,
    ) -> None:
        rule = self.active(rule_id)
        if rule is None:
            return
        if line is not None:
            values.setdefault("line", line)
        values.setdefault("date", self.dos.isoformat())
        text = _Values(values)
        message = rule.message.format_map(text)
        self.findings.append(
            ScrubFinding(
                claim_id=self.claim_id,
                rule_id=rule.id,
                category=rule.category,
                severity=severity or rule.severity,
                message=f"{message} {note}".strip(),
                fix_hint=rule.fix_hint.format_map(text),
                field=field,
                line_id=line,
                overridden=bool(self.overrides) and rule.is_overridable and ((rule.id, line) in self.overrides),
            )
        )


class Scrubber:
    """Runs the edits of one rule book; keeps per-payer rule indexes between claims."""

    def __init__(self, context: ScrubContext) -> None:
        self.context = context
        self._active: dict[tuple[str, str], dict[str, RuleDef]] = {}
        self._payer_rules: dict[tuple[str, str], payer_rules.PayerRuleSet] = {}

    def _rules_for(self, payer_id: str, claim_type: str) -> tuple[dict[str, RuleDef], payer_rules.PayerRuleSet]:
        key = (payer_id, claim_type)
        active = self._active.get(key)
        if active is None:
            active = {
                r.id: r
                for r in self.context.book.rules
                if r.enabled and r.applies_to_payer(payer_id) and claim_type in r.claim_types
            }
            self._active[key] = active
            self._payer_rules[key] = payer_rules.PayerRuleSet(
                [r for r in active.values() if r.kind != "builtin"], self.context.book
            )
        return active, self._payer_rules[key]

    def scrub(
        self, claim: Claim | Encounter, *, overrides: Collection[tuple[str, str | None]] = ()
    ) -> list[ScrubFinding]:
        coverage: Coverage | None
        if isinstance(claim, Claim):
            encounter, coverage, claim_id = claim.encounter, claim.coverage, claim.claim_id
            frequency = claim.frequency_code
        else:
            encounter, coverage, claim_id = claim, claim.primary_coverage, claim.encounter_id
            frequency = claim.frequency_code
        active, rule_set = self._rules_for(coverage.payer_id if coverage else "", encounter.claim_type)
        run = ClaimRun(self.context, active, rule_set, claim_id, encounter, coverage, frequency, overrides)
        edits.run_builtin_edits(run)
        rule_set.apply(run)
        return run.findings


_default_context: ScrubContext | None = None


def scrub_claim(
    claim: Claim | Encounter,
    context: ScrubContext | None = None,
    *,
    overrides: Collection[tuple[str, str | None]] = (),
) -> list[ScrubFinding]:
    """Scrub one claim. ``overrides`` are (rule id, line id or None) pairs staff accepted on this version.

    Without a context, the rule book named by the settings is loaded once and claims are checked as of today,
    without history or eligibility facts.
    """
    global _default_context
    if context is None:
        if _default_context is None or _default_context.as_of != _today():
            _default_context = ScrubContext()
        context = _default_context
    return context.scrubber().scrub(claim, overrides=overrides)
