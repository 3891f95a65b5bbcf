"""The records a synthetic history is made of: claims as the practice sent them and the payer's adjudications.

A SubmittedClaim holds only what the practice knew when it pressed send; an Adjudication holds what the
payer decided (with the mechanism behind every denial, kept for documentation and tests, never as a feature).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rcm.domain import Encounter

__all__ = [
    "REASON_GROUPS",
    "Adjudication",
    "CasAdjustment",
    "DenialCause",
    "LineAdjudication",
    "SubmittedClaim",
    "SynthHistory",
    "reason_group_for_carc",
]

# Reason groups (the denial families a billing office works), in the order a claim's main reason is chosen.
REASON_GROUPS: tuple[str, ...] = (
    "eligibility",
    "timely_filing",
    "duplicate",
    "authorization",
    "medical_necessity",
    "bundling",
    "modifier",
    "frequency",
    "information",
    "non_covered",
)

_CARC_GROUP: dict[str, str] = {
    "27": "eligibility", "26": "eligibility", "31": "eligibility", "200": "eligibility",
    "29": "timely_filing",
    "18": "duplicate",
    "197": "authorization", "198": "authorization", "15": "authorization", "62": "authorization",
    "50": "medical_necessity", "11": "medical_necessity", "55": "medical_necessity", "167": "medical_necessity",
    "97": "bundling", "B15": "bundling", "234": "bundling",
    "4": "modifier", "5": "modifier", "6": "modifier",
    "119": "frequency", "151": "frequency", "273": "frequency",
    "16": "information", "252": "information", "208": "information", "181": "information",
    "96": "non_covered", "204": "non_covered", "49": "non_covered",
}


def reason_group_for_carc(carc: str) -> str:
    """The denial family of a CARC; codes we do not sort are 'other'."""
    return _CARC_GROUP.get(carc, "other")


@dataclass(frozen=True, slots=True)
class CasAdjustment:
    group: str  # CO, PR, OA, PI
    reason: str  # CARC
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DenialCause:
    """Why the payer said no: the mechanism (for docs and tests) and what the 835 says."""

    mechanism: str
    line_id: str | None  # None: the whole claim
    group: str
    carc: str
    rarc: str | None


@dataclass(slots=True)
class LineAdjudication:
    line_id: str
    code: str
    modifiers: list[str]
    units: Decimal
    charge: Decimal
    allowed: Decimal
    paid: Decimal
    adjustments: list[CasAdjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    denied: bool = False

    @property
    def balanced(self) -> bool:
        return self.charge - sum((a.amount for a in self.adjustments), Decimal("0.00")) == self.paid


@dataclass(slots=True)
class Adjudication:
    claim_id: str
    payer_id: str
    payer_claim_number: str
    received_on: date
    adjudicated_on: date  # the 835's date: when the practice learns the outcome
    status_code: str  # CLP02: 1 processed as primary, 4 denied
    lines: list[LineAdjudication]
    causes: list[DenialCause] = field(default_factory=list)

    @property
    def charge(self) -> Decimal:
        return sum((ln.charge for ln in self.lines), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        return sum((ln.paid for ln in self.lines), Decimal("0.00"))

    @property
    def patient_responsibility(self) -> Decimal:
        return sum((a.amount for ln in self.lines for a in ln.adjustments if a.group == "PR"), Decimal("0.00"))

    @property
    def denied(self) -> bool:
        return bool(self.causes)

    @property
    def carcs(self) -> list[str]:
        return sorted({c.carc for c in self.causes})

    @property
    def reason_group(self) -> str | None:
        groups = {reason_group_for_carc(c.carc) for c in self.causes}
        for g in REASON_GROUPS:
            if g in groups:
                return g
        return None

    @property
    def balanced(self) -> bool:
        return all(ln.balanced for ln in self.lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "payer_id": self.payer_id,
            "payer_claim_number": self.payer_claim_number,
            "received_on": self.received_on.isoformat(),
            "adjudicated_on": self.adjudicated_on.isoformat(),
            "status_code": self.status_code,
            "charge": f"{self.charge:.2f}",
            "paid": f"{self.paid:.2f}",
            "patient_responsibility": f"{self.patient_responsibility:.2f}",
            "denied": self.denied,
            "reason_group": self.reason_group,
            "lines": [
                {
                    "line_id": ln.line_id,
                    "code": ln.code,
                    "modifiers": ln.modifiers,
                    "units": str(ln.units),
                    "charge": f"{ln.charge:.2f}",
                    "allowed": f"{ln.allowed:.2f}",
                    "paid": f"{ln.paid:.2f}",
                    "adjustments": [[a.group, a.reason, f"{a.amount:.2f}"] for a in ln.adjustments],
                    "remarks": ln.remarks,
                    "denied": ln.denied,
                }
                for ln in self.lines
            ],
            "causes": [[c.mechanism, c.line_id, c.group, c.carc, c.rarc] for c in self.causes],
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Adjudication:
        return cls(
            claim_id=d["claim_id"],
            payer_id=d["payer_id"],
            payer_claim_number=d["payer_claim_number"],
            received_on=date.fromisoformat(d["received_on"]),
            adjudicated_on=date.fromisoformat(d["adjudicated_on"]),
            status_code=d["status_code"],
            lines=[
                LineAdjudication(
                    line_id=ln["line_id"],
                    code=ln["code"],
                    modifiers=list(ln["modifiers"]),
                    units=Decimal(ln["units"]),
                    charge=Decimal(ln["charge"]),
                    allowed=Decimal(ln["allowed"]),
                    paid=Decimal(ln["paid"]),
                    adjustments=[CasAdjustment(g, r, Decimal(a)) for g, r, a in ln["adjustments"]],
                    remarks=list(ln["remarks"]),
                    denied=bool(ln["denied"]),
                )
                for ln in d["lines"]
            ],
            causes=[DenialCause(m, lid, g, c, r) for m, lid, g, c, r in d["causes"]],
        )


@dataclass(slots=True)
class SubmittedClaim:
    """A claim as it left the practice: the encounter plus what the office knew at that moment."""

    claim_id: str
    encounter: Encounter
    payer_id: str
    submitted_on: date
    eligibility_status: str  # active, inactive, none (never checked)
    eligibility_checked_on: date | None
    warnings: list[str]  # scrubber warnings a biller overrode to send it

    def to_json(self) -> dict[str, Any]:
        return {
            "claim_id": self.claim_id,
            "encounter_id": self.encounter.encounter_id,
            "payer_id": self.payer_id,
            "submitted_on": self.submitted_on.isoformat(),
            "eligibility_status": self.eligibility_status,
            "eligibility_checked_on": self.eligibility_checked_on.isoformat() if self.eligibility_checked_on else None,
            "warnings": self.warnings,
        }


@dataclass(slots=True)
class SynthHistory:
    """A whole synthetic history, in submission order, with each claim's adjudication."""

    seed: int
    start: date
    months: int
    claims: list[SubmittedClaim]
    adjudications: dict[str, Adjudication]
