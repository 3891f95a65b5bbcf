"""What posting an 835 file did, per payment: the figures `rcm remits post --json` prints, and what did not add up."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from rcm.x12.findings import Finding

__all__ = ["FileResult", "TransactionResult", "money_text"]

_CENT = Decimal("0.01")


def money_text(value: Decimal) -> str:
    """Two-place decimal string, as the report prints amounts ("0.00", never "-0.00")."""
    cents = value.quantize(_CENT)
    return str(cents if cents != 0 else _CENT - _CENT)


@dataclass(slots=True)
class TransactionResult:
    """One 835 transaction set (one payment) as read and posted."""

    trace: str
    payer: str
    payment: Decimal
    claims: int
    matched: int
    unmatched: int
    paid: Decimal
    adjusted: Decimal
    patient_responsibility: Decimal
    plb: Decimal
    balanced: bool
    duplicate: bool
    control_number: str = ""
    remittance_id: int | None = None
    imbalances: list[Finding] = field(default_factory=list)
    denied: int = 0
    reversed: int = 0
    queued_for_next_payer: int = 0
    not_posted: str | None = None  # why a payment that is not a duplicate was still not posted

    def as_json(self) -> dict[str, Any]:
        """The exact shape of the issue: amounts as two-place decimal strings."""
        return {
            "trace": self.trace,
            "payer": self.payer,
            "payment": money_text(self.payment),
            "claims": self.claims,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "paid": money_text(self.paid),
            "adjusted": money_text(self.adjusted),
            "patient_responsibility": money_text(self.patient_responsibility),
            "plb": money_text(self.plb),
            "balanced": self.balanced,
            "duplicate": self.duplicate,
        }

    def summary_line(self) -> str:
        state = "DUPLICATE, nothing posted" if self.duplicate else ("balanced" if self.balanced else "NOT BALANCED")
        if self.not_posted:
            state += f"; not posted: {self.not_posted}"
        return (
            f"trace {self.trace} payer {self.payer}: payment {money_text(self.payment)}, {self.claims} claims "
            f"({self.matched} matched, {self.unmatched} unmatched), paid {money_text(self.paid)}, adjusted "
            f"{money_text(self.adjusted)}, patient {money_text(self.patient_responsibility)}, PLB "
            f"{money_text(self.plb)}: {state}"
        )


@dataclass(slots=True)
class FileResult:
    """One received 835 file."""

    file: str
    transactions: list[TransactionResult] = field(default_factory=list)
    file_id: int | None = None
    acknowledgment: Path | None = None
    findings: list[Finding] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "transactions": [t.as_json() for t in self.transactions]}
