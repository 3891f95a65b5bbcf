"""What the payer decided for one claim: paid, partially paid or denied, the denial reasons, and the cause in words.

A claim is denied when CLP02 is 4 (or 23, "not our claim"); a line is denied when it pays 0 and carries an
adjustment that is neither patient responsibility (PR) nor the contractual fee-schedule reduction CO-45. Those
adjustments (group + CARC, with the line's RARCs) are the denial reasons; a denied claim whose adjustments are all
patient responsibility or CO-45 (PR-27, coverage ended) has those as its reasons. Some lines denied while the
claim pays something: partially paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rcm.remits.reasons import adjustment_words, rarc_text
from rcm.remits.remittance import ZERO, CasAmount, PaidClaim
from rcm.store.tables import ClaimStatus

__all__ = ["Adjudication", "DenialReason", "adjudicate", "denial_reasons", "is_denial_adjustment"]

_CONTRACTUAL_FEE_SCHEDULE = ("CO", "45")


@dataclass(frozen=True, slots=True)
class DenialReason:
    """One reason a claim or line was denied, as a DenialRecord will hold it."""

    group_code: str
    reason_code: str
    amount: Decimal
    remark_codes: tuple[str, ...]
    line_id: str | None = None  # REF*6R of the denied line; None for a claim-level reason

    @property
    def label(self) -> str:
        return f"{self.group_code}-{self.reason_code}" if self.reason_code else "no reason code given"


@dataclass(frozen=True, slots=True)
class Adjudication:
    """The claim status a posting leads to and why, in a biller's words."""

    status: ClaimStatus
    cause: str
    denials: tuple[DenialReason, ...]


def is_denial_adjustment(adjustment: CasAmount) -> bool:
    """Neither patient responsibility nor the contractual fee-schedule reduction."""
    if adjustment.is_patient_responsibility:
        return False
    return (adjustment.group, adjustment.reason) != _CONTRACTUAL_FEE_SCHEDULE


def _reasons(adjustments: tuple[CasAmount, ...], remarks: tuple[str, ...], line_id: str | None) -> list[DenialReason]:
    return [
        DenialReason(a.group, a.reason, a.amount, remarks, line_id) for a in adjustments if is_denial_adjustment(a)
    ]


def denial_reasons(claim: PaidClaim) -> list[DenialReason]:
    """The denial reasons of a claim: every denied line's, and the claim level's when the claim is denied."""
    found: list[DenialReason] = []
    for service in claim.services:
        if service.paid == ZERO:
            found.extend(_reasons(service.adjustments, service.remark_codes or claim.remark_codes, service.line_id))
    refused = claim.is_denied or claim.is_not_payers
    claim_level = refused or (claim.paid == ZERO and not claim.services)
    if claim_level:
        found[:0] = _reasons(claim.adjustments, claim.remark_codes, None)
        if refused and not found:
            # Refused with only patient-responsibility or fee-schedule adjustments (PR-27, coverage ended, say):
            # on a denied claim those CARCs are why, so they are its reasons.
            found = [DenialReason(a.group, a.reason, a.amount, claim.remark_codes, None) for a in claim.adjustments]
            for service in claim.services:
                remarks = service.remark_codes or claim.remark_codes
                found += [DenialReason(a.group, a.reason, a.amount, remarks, service.line_id)
                          for a in service.adjustments]
        if refused and not found:
            # Denied without a CARC we can name: still a denial to work, for the whole unpaid amount.
            found.append(DenialReason("", "", claim.charge - claim.paid, claim.remark_codes, None))
    return found


def _reason_words(denials: list[DenialReason]) -> str:
    seen: list[str] = []
    for denial in denials:
        words = adjustment_words(denial.group_code, denial.reason_code) if denial.reason_code else denial.label
        for remark in denial.remark_codes:
            text = rarc_text(remark)
            words += f"; {remark} ({text})" if text else f"; {remark}"
        if words not in seen:
            seen.append(words)
    return ", ".join(seen[:3]) + (f" and {len(seen) - 3} more" if len(seen) > 3 else "")


def adjudicate(claim: PaidClaim) -> Adjudication:
    """Status and cause for a processed (not reversed) claim payment."""
    denials = denial_reasons(claim)
    if claim.is_not_payers:
        cause = "the payer says this is not its claim (CLP02 23): bill the right payer"
        if denials and denials[0].reason_code:
            cause += f"; {_reason_words(denials)}"
        return Adjudication(ClaimStatus.denied, cause, tuple(denials))
    if claim.is_denied or (denials and claim.paid == ZERO):
        cause = f"denied by the payer (CLP02 {claim.status_code}): {_reason_words(denials)}"
        return Adjudication(ClaimStatus.denied, cause, tuple(denials))
    if denials:
        lines = len({d.line_id for d in denials})
        cause = (
            f"partially paid {claim.paid} of {claim.charge}; {lines} line(s) denied: {_reason_words(denials)}"
        )
        return Adjudication(ClaimStatus.partial, cause, tuple(denials))
    cause = f"paid {claim.paid} of {claim.charge}"
    if claim.patient_responsibility:
        cause += f"; patient responsibility {claim.patient_responsibility}"
    if claim.is_forwarded:
        cause += f" (processed and forwarded to the next payer, CLP02 {claim.status_code})"
    return Adjudication(ClaimStatus.paid, cause, ())
