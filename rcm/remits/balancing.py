"""Does an 835 payment add up? The three balancing rules (line, claim, payment), exact in cents, with positions.

    line:    SVC02 − Σ line CAS = SVC03
    claim:   CLP03 − Σ claim CAS − Σ line CAS = CLP04
    payment: BPR02 = Σ CLP04 − Σ PLB amounts
What is consistent still posts: an imbalance is reported where it is and never stops the posting.
"""

from __future__ import annotations

from decimal import Decimal

from rcm.remits.remittance import PaidClaim, ReceivedRemittance
from rcm.x12.findings import Finding

__all__ = ["balancing_findings", "is_balanced"]

LINE_UNBALANCED = "line_unbalanced"
CLAIM_UNBALANCED = "claim_unbalanced"
PAYMENT_UNBALANCED = "payment_unbalanced"
BALANCING_CODES = frozenset({LINE_UNBALANCED, CLAIM_UNBALANCED, PAYMENT_UNBALANCED})

_CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT)


def _claim_findings(claim: PaidClaim, transaction: str) -> list[Finding]:
    found: list[Finding] = []
    adjusted = claim.claim_adjusted
    for number, service in enumerate(claim.services, start=1):
        line_adjusted = service.adjusted
        adjusted += line_adjusted
        expected = service.charge - line_adjusted
        if _cents(expected) != _cents(service.paid):
            found.append(
                Finding(
                    "error",
                    LINE_UNBALANCED,
                    f"claim {claim.patient_control_number} line {number}: charge {service.charge} minus adjustments "
                    f"{line_adjusted} is {expected}, but the line pays {service.paid}",
                    segment=service.segment,
                    transaction=transaction,
                    segment_id="SVC",
                    loop="2110",
                )
            )
    expected = claim.charge - adjusted
    if _cents(expected) != _cents(claim.paid):
        found.append(
            Finding(
                "error",
                CLAIM_UNBALANCED,
                f"claim {claim.patient_control_number}: charge {claim.charge} minus adjustments {adjusted} "
                f"is {expected}, but the claim pays {claim.paid}",
                segment=claim.segment,
                transaction=transaction,
                segment_id="CLP",
                loop="2100",
            )
        )
    return found


def balancing_findings(remittance: ReceivedRemittance) -> list[Finding]:
    """Every line, claim and payment of the transaction that does not add up, in file order."""
    transaction = remittance.control_number
    found: list[Finding] = []
    for claim in remittance.claims:
        found.extend(_claim_findings(claim, transaction))
    expected = remittance.paid - remittance.plb
    if _cents(expected) != _cents(remittance.signed_payment):
        found.append(
            Finding(
                "error",
                PAYMENT_UNBALANCED,
                f"payment {remittance.trace_number}: claims pay {remittance.paid} and provider adjustments take "
                f"{remittance.plb}, which is {expected}, but BPR02 says {remittance.payment_amount}",
                segment=remittance.payment_segment,
                transaction=transaction,
                segment_id="BPR",
                loop="header",
            )
        )
    return found


def is_balanced(remittance: ReceivedRemittance) -> bool:
    """True when all three rules hold for every line and claim and for the payment."""
    return not balancing_findings(remittance)
