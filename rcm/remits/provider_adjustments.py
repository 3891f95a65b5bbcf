"""PLB provider-level adjustments: interest, recoupments and offsets, forward balances, tied to a claim when we can.

A PLB amount belongs to the provider, not to a claim: a positive amount is money the payer keeps back from
this payment (an overpayment recovered, a balance forwarded), a negative one is money added (interest).
When the reference (PLB03-2) names a patient control number we know, the row is tied to that claim so a
biller sees the recoupment next to the claim; the claim's own balances move only through its CLP postings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rcm.remits.remittance import PlbAmount

__all__ = ["PLB_REASONS", "plb_kind", "plb_rows", "plb_words"]

# PLB03-1 adjustment reason codes (X221A1) in words.
PLB_REASONS: dict[str, str] = {
    "50": "late charge",
    "51": "interest penalty charge",
    "72": "authorized return",
    "90": "early payment allowance",
    "AH": "origination fee",
    "AM": "applied to borrower's account",
    "AP": "acceleration of benefits",
    "B2": "rebate",
    "B3": "recovery allowance",
    "BD": "bad debt adjustment",
    "BN": "bonus",
    "C5": "temporary allowance",
    "CR": "capitation interest",
    "CS": "adjustment",
    "CT": "capitation payment",
    "CV": "capital passthru",
    "CW": "certified registered nurse anesthetist passthru",
    "DM": "direct medical education passthru",
    "E3": "withholding",
    "FB": "forward balance",
    "FC": "fund allocation",
    "GO": "graduate medical education passthru",
    "HM": "hemophilia clotting factor supplement",
    "IP": "incentive premium payment",
    "IR": "internal revenue service withholding",
    "IS": "interim settlement",
    "J1": "nonreimbursable",
    "L3": "penalty",
    "L6": "interest owed",
    "LE": "levy",
    "LS": "lump sum",
    "OA": "organ acquisition passthru",
    "OB": "offset for affiliated providers",
    "PI": "periodic interim payment",
    "PL": "payment final",
    "RA": "retro-activity adjustment",
    "RE": "return on equity",
    "SL": "student loan repayment",
    "TL": "third party liability",
    "WO": "overpayment recovery",
    "WU": "unspecified recovery",
}

_INTEREST = frozenset({"L6", "51", "CR"})
_RECOUPMENT = frozenset({"WO", "WU", "72", "OB", "J1", "B2", "B3", "L3", "LE", "IR", "E3", "SL", "TL", "50"})
_FORWARD_BALANCE = frozenset({"FB"})


def plb_kind(reason_code: str) -> str:
    """interest, recoupment, forward_balance or other."""
    if reason_code in _INTEREST:
        return "interest"
    if reason_code in _RECOUPMENT:
        return "recoupment"
    if reason_code in _FORWARD_BALANCE:
        return "forward_balance"
    return "other"


def plb_words(item: PlbAmount) -> str:
    """``WO overpayment recovery 25.00 (ref CLM7)``: how the adjustment reads in a report."""
    name = PLB_REASONS.get(item.reason_code, "provider adjustment")
    ref = f" (ref {item.reference})" if item.reference else ""
    return f"{item.reason_code} {name} {item.amount}{ref}"


def plb_rows(
    items: tuple[PlbAmount, ...], *, remittance_id: int, claim_ids: Mapping[str, int]
) -> list[dict[str, Any]]:
    """ProviderAdjustment rows; ``claim_ids`` maps the patient control numbers we know to claim ids."""
    rows: list[dict[str, Any]] = []
    for item in items:
        reference = (item.reference or "").strip() or None
        rows.append(
            {
                "remittance_id": remittance_id,
                "provider_id": item.provider_id[:50],
                "fiscal_period_date": item.fiscal_period_date,
                "reason_code": item.reason_code[:5],
                "reference": reference[:50] if reference else None,
                "amount": item.amount,
                "claim_id": claim_ids.get(reference) if reference else None,
            }
        )
    return rows
