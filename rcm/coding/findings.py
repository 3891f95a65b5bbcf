"""What the scrubber says about a claim: one finding per problem, with its category, severity and fix hint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["CATEGORIES", "Category", "ScrubFinding", "Severity", "blocking"]

Severity = Literal["error", "warning", "info"]

Category = Literal[
    "required_field",
    "icd10_invalid",
    "icd10_not_billable",
    "dx_age",
    "dx_sex",
    "dx_principal",
    "cpt_format",
    "hcpcs_invalid",
    "modifier_invalid",
    "modifier_required",
    "ncci_ptp",
    "mue",
    "dx_pointer",
    "npi_invalid",
    "pos_invalid",
    "duplicate",
    "timely_filing",
    "eligibility",
    "prior_auth",
    "charge_invalid",
    "payer_rule",
]

CATEGORIES: tuple[str, ...] = get_args(Category)
SEVERITIES: tuple[str, ...] = get_args(Severity)


@dataclass(frozen=True, slots=True)
class ScrubFinding:
    """One problem on a claim (``line_id`` None) or on one of its lines.

    ``field`` names what to look at (``diagnoses[2]``, ``lines[L2].modifiers``, ``billing_provider.npi``).
    ``overridden`` is True when staff accepted this finding on this encounter version (it no longer holds
    the claim). Messages name codes, lines and fields, never the patient.
    """

    claim_id: str
    rule_id: str
    category: str
    severity: Severity
    message: str
    fix_hint: str
    field: str | None = None
    line_id: str | None = None
    overridden: bool = False

    def as_json(self) -> dict[str, object]:
        """The shape `rcm scrub --json` prints for one finding."""
        return {
            "claim": self.claim_id,
            "line": self.line_id,
            "category": self.category,
            "rule": self.rule_id,
            "severity": self.severity,
            "message": self.message,
        }


def blocking(findings: list[ScrubFinding]) -> list[ScrubFinding]:
    """The findings that keep a claim from going out: errors and warnings nobody has overridden."""
    return [f for f in findings if f.severity != "info" and not f.overridden]
