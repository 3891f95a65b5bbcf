"""A finding: one thing wrong (or worth a look) in an X12 file, with where it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Finding", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem found while reading or validating X12.

    ``segment`` is the 1-based segment number in the file (None when the problem is the file as a whole).
    ``code`` is a short stable key (``se01_count``, ``missing_segment``, ``claim_unbalanced`` ...).
    The 999 fields (``segment_id``, ``loop``, ``element``, ``component``, ``ik3_code``, ``ik4_code``) are
    filled when the finding maps onto an IK3/IK4, so an acknowledgment can be written from findings.
    ``transaction`` is the ST02 control number of the transaction the finding belongs to, if any.
    Messages never contain PHI: they name segments, elements, control numbers and claim ids only.
    """

    severity: Severity
    code: str
    message: str
    segment: int | None = None
    transaction: str | None = None
    segment_id: str | None = None
    loop: str | None = None
    element: int | None = None
    component: int | None = None
    ik3_code: str | None = None
    ik4_code: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def as_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "segment": self.segment,
        }
