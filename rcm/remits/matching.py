"""Which of our claims and lines a remittance pays: claims by CLP01 (CLP07 for follow-ups), lines by REF*6R,
then by procedure + modifiers + date.

The claims a file names are loaded once per file (locked FOR UPDATE on PostgreSQL, in id order, so two files
posting to the same claim at the same time queue up instead of losing an update).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.remits.remittance import PaidClaim, PaidService
from rcm.store.tables import ClaimLineRecord, ClaimRecord, ClaimStatus

__all__ = ["ClaimBook", "ClaimState", "LineState", "load_claims", "match_lines"]

NO_CLAIM = "no claim with this patient control number or payer claim number"
NO_LINE = "no line of the claim has this line id, or this procedure, modifiers and date"

_CHUNK = 500


@dataclass(slots=True)
class LineState:
    """A claim line as posting changes it."""

    id: int
    line_id: str
    code: str
    modifiers: tuple[str, ...]
    date_from: date | None
    date_to: date | None
    charge: Decimal
    paid: Decimal
    adjusted: Decimal
    balance: Decimal
    changed: bool = False


@dataclass(slots=True)
class ClaimState:
    """A claim as posting changes it: totals, status and lines."""

    id: int
    claim_number: str
    payer_claim_number: str | None
    encounter_version_id: int
    coverage_priority: str
    total_charge: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    balance: Decimal
    status: ClaimStatus
    lines: list[LineState] = field(default_factory=list)
    changed: bool = False


@dataclass(slots=True)
class ClaimBook:
    """The claims one file can post to, found by patient control number or by payer claim number."""

    by_number: dict[str, ClaimState] = field(default_factory=dict)
    by_payer_number: dict[str, ClaimState] = field(default_factory=dict)

    def find(self, claim: PaidClaim) -> ClaimState | None:
        found = self.by_number.get(claim.patient_control_number.strip())
        if found is None and claim.payer_claim_number:
            found = self.by_payer_number.get(claim.payer_claim_number.strip())
        return found

    @property
    def claim_ids(self) -> dict[str, int]:
        return {number: state.id for number, state in self.by_number.items()}

    def changed(self) -> list[ClaimState]:
        return [c for c in self.by_number.values() if c.changed]


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def load_claims(session: Session, numbers: Iterable[str], payer_numbers: Iterable[str] = ()) -> ClaimBook:
    """Load (and lock, on PostgreSQL) the claims named by patient control number or payer claim number."""
    wanted = sorted({n.strip() for n in numbers if n and n.strip()})
    wanted_payer = sorted({n.strip() for n in payer_numbers if n and n.strip()})
    lock = session.get_bind().dialect.name == "postgresql"
    ids: set[int] = set()
    for column, values in ((ClaimRecord.claim_number, wanted), (ClaimRecord.payer_claim_number, wanted_payer)):
        for chunk in _chunks(values):
            ids.update(session.scalars(select(ClaimRecord.id).where(column.in_(chunk))))
    book = ClaimBook()
    if not ids:
        return book
    states: dict[int, ClaimState] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        chunk_ids = ordered[start : start + _CHUNK]
        query = (
            select(
                ClaimRecord.id,
                ClaimRecord.claim_number,
                ClaimRecord.payer_claim_number,
                ClaimRecord.encounter_version_id,
                ClaimRecord.coverage_priority,
                ClaimRecord.total_charge,
                ClaimRecord.paid_amount,
                ClaimRecord.patient_responsibility,
                ClaimRecord.balance,
                ClaimRecord.status,
            )
            .where(ClaimRecord.id.in_(chunk_ids))
            .order_by(ClaimRecord.id)
        )
        if lock:
            query = query.with_for_update()
        for row in session.execute(query):
            states[row.id] = ClaimState(
                id=row.id,
                claim_number=row.claim_number,
                payer_claim_number=row.payer_claim_number,
                encounter_version_id=row.encounter_version_id,
                coverage_priority=row.coverage_priority,
                total_charge=row.total_charge,
                paid=row.paid_amount,
                patient_responsibility=row.patient_responsibility,
                balance=row.balance,
                status=row.status,
            )
        lines = select(ClaimLineRecord).where(ClaimLineRecord.claim_id.in_(chunk_ids)).order_by(
            ClaimLineRecord.claim_id, ClaimLineRecord.line_number
        )
        for line in session.execute(lines.with_only_columns(
            ClaimLineRecord.id, ClaimLineRecord.claim_id, ClaimLineRecord.line_id, ClaimLineRecord.code,
            ClaimLineRecord.modifier1, ClaimLineRecord.modifier2, ClaimLineRecord.modifier3,
            ClaimLineRecord.modifier4, ClaimLineRecord.date_from, ClaimLineRecord.date_to, ClaimLineRecord.charge,
            ClaimLineRecord.paid, ClaimLineRecord.adjusted, ClaimLineRecord.balance,
        )):
            states[line.claim_id].lines.append(
                LineState(
                    id=line.id,
                    line_id=line.line_id,
                    code=line.code,
                    modifiers=tuple(m for m in (line.modifier1, line.modifier2, line.modifier3, line.modifier4) if m),
                    date_from=line.date_from,
                    date_to=line.date_to,
                    charge=line.charge,
                    paid=line.paid,
                    adjusted=line.adjusted,
                    balance=line.balance,
                )
            )
    for state in states.values():
        book.by_number[state.claim_number] = state
        if state.payer_claim_number:
            book.by_payer_number.setdefault(state.payer_claim_number, state)
    return book


def _same_date(service: PaidService, claim: PaidClaim, line: LineState) -> bool:
    when = service.service_date or claim.service_date
    if when is None or line.date_from is None:
        return True
    if line.date_to and line.date_to != line.date_from:
        return line.date_from <= when <= line.date_to
    return when == line.date_from


def match_lines(claim: PaidClaim, state: ClaimState) -> list[LineState | None]:
    """For each service line of the payment, our line it pays (None when none fits); a line is used once."""
    used: set[int] = set()
    found: list[LineState | None] = []
    by_line_id = {line.line_id: line for line in state.lines}
    for service in claim.services:
        match: LineState | None = None
        if service.line_id:
            candidate = by_line_id.get(service.line_id.strip())
            if candidate is not None and candidate.id not in used:
                match = candidate
        if match is None:
            code, modifiers = service.as_billed
            wanted_mods = sorted(modifiers)
            free = [line for line in state.lines if line.id not in used and line.code == code]
            exact = [
                line for line in free if sorted(line.modifiers) == wanted_mods and _same_date(service, claim, line)
            ]
            if exact:
                match = exact[0]
            else:
                # Payers drop or reorder modifiers; one line with this code on this date is still unambiguous.
                dated = [line for line in free if _same_date(service, claim, line)]
                if len(dated) == 1:
                    match = dated[0]
        if match is not None:
            used.add(match.id)
        found.append(match)
    return found
