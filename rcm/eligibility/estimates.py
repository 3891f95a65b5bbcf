"""Estimated patient responsibility for a claim from the latest 271 answer for its patient and payer: the copay
when the plan has one, else the deductible still open plus coinsurance on the rest, capped by the out-of-pocket
left; the whole charge when coverage is inactive.  Charges stand in for allowed amounts: an upper bound."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.eligibility.service_types import service_type_for_code
from rcm.store.repositories.claims import find_claim
from rcm.store.tables.eligibility import CoverageSnapshot
from rcm.store.tables.encounters import EncounterVersion

__all__ = ["PatientResponsibilityEstimate", "estimate_from_snapshot", "patient_responsibility_estimate"]

_CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class PatientResponsibilityEstimate:
    """What the patient will probably owe on a claim, and what the figure rests on (no PHI)."""

    claim_number: str
    payer_id: str
    charge: Decimal
    coverage_status: str  # active / inactive / rejected / unknown (no answer yet)
    checked_on: date | None
    copay: Decimal | None
    coinsurance_percent: Decimal | None
    deductible_remaining: Decimal | None
    oop_remaining: Decimal | None
    estimate: Decimal | None  # None: nothing to estimate from
    basis: str

    def as_json(self) -> dict[str, Any]:
        def money(v: Decimal | None) -> str | None:
            return None if v is None else f"{v:.2f}"

        return {
            "claim": self.claim_number, "payer": self.payer_id, "charge": money(self.charge),
            "coverage_status": self.coverage_status,
            "checked_on": self.checked_on.isoformat() if self.checked_on else None,
            "copay": money(self.copay),
            "coinsurance_percent": None if self.coinsurance_percent is None else str(self.coinsurance_percent),
            "deductible_remaining": money(self.deductible_remaining), "oop_remaining": money(self.oop_remaining),
            "estimate": money(self.estimate), "basis": self.basis,
        }


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _service_copay(snap: CoverageSnapshot, service_types: Sequence[str]) -> Decimal | None:
    """The in-network (or unstated-network) copay the payer quoted for one of the claim's service types."""
    for benefit in snap.benefits or []:
        if not isinstance(benefit, dict) or benefit.get("code") != "B":
            continue
        if benefit.get("in_network") not in ("Y", "W", ""):
            continue
        if any(t in service_types for t in benefit.get("service_types") or []) and benefit.get("amount"):
            try:
                return Decimal(str(benefit["amount"]))
            except ArithmeticError:
                continue
    return None


def estimate_from_snapshot(
    charge: Decimal, snap: CoverageSnapshot | None, service_types: Sequence[str] = ()
) -> tuple[Decimal | None, str]:
    """(estimate, basis in words) for a charge under a coverage answer; a copay quoted for one of
    ``service_types`` (the claim's kinds of care) wins over the plan's office-visit copay."""
    if snap is None:
        return None, "no eligibility answer yet"
    if snap.status == "inactive":
        return _cents(charge), "coverage inactive: the whole charge"
    if snap.status != "active":
        return None, f"eligibility {snap.status}: nothing to estimate from"
    specific = _service_copay(snap, service_types) if service_types else None
    if specific is not None:
        owed = min(specific, charge)
        basis = "copay for the service type"
    elif snap.copay is not None:
        owed = min(snap.copay, charge)
        basis = "copay"
    elif snap.deductible_remaining is not None or snap.coinsurance_percent is not None:
        deductible = min(max(snap.deductible_remaining or ZERO, ZERO), charge)
        rest = charge - deductible
        coinsurance = rest * (snap.coinsurance_percent or ZERO)
        owed = deductible + coinsurance
        basis = "deductible remaining plus coinsurance"
    else:
        return ZERO, "active coverage without cost sharing reported"
    if snap.oop_remaining is not None and owed > snap.oop_remaining:
        owed = max(snap.oop_remaining, ZERO)
        basis += ", capped by the out-of-pocket remaining"
    return _cents(owed), basis


def patient_responsibility_estimate(session: Session, claim_number: str) -> PatientResponsibilityEstimate | None:
    """The estimate for one claim (None when there is no such claim)."""
    claim = find_claim(session, claim_number)
    if claim is None:
        return None
    patient_id = session.scalar(
        select(EncounterVersion.patient_id).where(EncounterVersion.id == claim.encounter_version_id)
    )
    snap = session.scalars(
        select(CoverageSnapshot)
        .where(CoverageSnapshot.patient_id == patient_id, CoverageSnapshot.payer_id == claim.payer_id)
        .order_by(CoverageSnapshot.as_of.desc(), CoverageSnapshot.received_at.desc(), CoverageSnapshot.id.desc())
    ).first()
    kinds = [t for t in (service_type_for_code(line.code) for line in claim.lines) if t]
    estimate, basis = estimate_from_snapshot(claim.total_charge, snap, kinds)
    return PatientResponsibilityEstimate(
        claim_number=claim.claim_number, payer_id=claim.payer_id, charge=claim.total_charge,
        coverage_status=snap.status if snap else "unknown", checked_on=snap.as_of if snap else None,
        copay=snap.copay if snap else None, coinsurance_percent=snap.coinsurance_percent if snap else None,
        deductible_remaining=snap.deductible_remaining if snap else None,
        oop_remaining=snap.oop_remaining if snap else None, estimate=estimate, basis=basis,
    )
