"""What the scrubber knows about a patient beyond the claim in hand: past services and eligibility answers.

Edits that need history (duplicates, frequency limits, eligibility) read it through these small protocols,
so the engine stays free of the database: ``InMemoryHistory`` is the test double and also what the store
loader fills in bulk before a run (see rcm.coding.service).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol

__all__ = [
    "ClaimHistory",
    "CoverageFact",
    "EligibilityFacts",
    "InMemoryEligibility",
    "InMemoryHistory",
    "PastService",
]


@dataclass(frozen=True, slots=True)
class PastService:
    """One service line billed on another claim for the patient."""

    claim_id: str
    payer_id: str
    day: date
    code: str
    modifiers: tuple[str, ...] = ()
    units: Decimal = Decimal(1)
    encounter_id: str = ""  # claims of the same encounter (secondary, replacement) are not duplicates


@dataclass(frozen=True, slots=True)
class CoverageFact:
    """The latest eligibility answer for a patient and payer (from a 271)."""

    payer_id: str
    checked_on: date
    status: str  # active / inactive / rejected / unknown
    plan_begin: date | None = None
    plan_end: date | None = None
    retry: bool = False  # the payer could not answer now (AAA 42 and the like): ask again, nothing is known yet


class ClaimHistory(Protocol):
    """Services already billed for a patient (other claims, not voided)."""

    def services(self, patient_id: str, start: date, end: date) -> Sequence[PastService]:
        """Services with ``start <= day <= end`` for the patient, in any order."""
        ...


class EligibilityFacts(Protocol):
    def latest(self, patient_id: str, payer_id: str) -> CoverageFact | None:
        """The most recent eligibility answer for the patient with this payer, if any."""
        ...


class InMemoryHistory:
    """Past services held in memory, indexed by patient."""

    def __init__(self, services: Iterable[tuple[str, PastService]] = ()) -> None:
        self._by_patient: dict[str, list[PastService]] = defaultdict(list)
        self._by_day: dict[tuple[str, date], list[PastService]] = defaultdict(list)
        for patient_id, service in services:
            self.add(patient_id, service)

    def add(self, patient_id: str, service: PastService) -> None:
        self._by_patient[patient_id].append(service)
        self._by_day[(patient_id, service.day)].append(service)

    def services(self, patient_id: str, start: date, end: date) -> Sequence[PastService]:
        if start == end:  # most claims are one date of service
            return self._by_day.get((patient_id, start), ())
        found = self._by_patient.get(patient_id)
        if not found:
            return ()
        return [s for s in found if start <= s.day <= end]


class InMemoryEligibility:
    def __init__(self, facts: Iterable[tuple[str, CoverageFact]] = ()) -> None:
        self._facts: dict[tuple[str, str], CoverageFact] = {}
        for patient_id, fact in facts:
            self.add(patient_id, fact)

    def add(self, patient_id: str, fact: CoverageFact) -> None:
        key = (patient_id, fact.payer_id)
        current = self._facts.get(key)
        if current is None or fact.checked_on >= current.checked_on:
            self._facts[key] = fact

    def latest(self, patient_id: str, payer_id: str) -> CoverageFact | None:
        return self._facts.get((patient_id, payer_id))
