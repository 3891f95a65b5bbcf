"""Which of our claims and lines a remittance pays: claims by CLP01 (CLP07 for follow-ups), lines by REF*6R,
then by procedure + modifiers + date.

The claims a file names are loaded once per file (locked FOR UPDATE on PostgreSQL, in id order, so two files
posting to the same claim at the same time queue up instead of losing an update).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.remits.lookup import matching_any
from rcm.remits.remittance import ZERO, PaidClaim, PaidService
from rcm.store.tables import ClaimLineRecord, ClaimRecord, ClaimStatus

__all__ = ["ClaimBook", "ClaimState", "LineState", "add_follow_ups", "load_claims", "match_lines"]

NO_CLAIM = "no claim with this patient control number or payer claim number"
NO_LINE = "no line of the claim has this line id, or this procedure, modifiers and date"


@dataclass(slots=True)
class LineState:
    """A claim line as posting changes it: what matching needs, and the amounts this file moves it by."""

    id: int
    line_id: str
    code: str
    modifiers: tuple[str, ...]
    date_from: date | None
    date_to: date | None
    revenue_code: str | None = None
    paid_delta: Decimal = ZERO
    adjusted_delta: Decimal = ZERO
    changed: bool = False


@dataclass(slots=True)
class ClaimState:
    """A claim as posting changes it: status, balance, lines, and the amounts this file moves it by.

    The deltas are applied in SQL (``paid_amount = paid_amount + :delta``), so totals stay right whatever
    else changed the row; ``balance`` is the balance as loaded minus this file's deltas.
    """

    id: int
    claim_number: str
    payer_claim_number: str | None
    encounter_version_id: int
    coverage_priority: str
    balance: Decimal
    status: ClaimStatus
    status_changed_at: datetime
    lines: list[LineState] = field(default_factory=list)
    paid_delta: Decimal = ZERO
    patient_delta: Decimal = ZERO
    balance_delta: Decimal = ZERO
    changed: bool = False
    status_changed: bool = False


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


_CLAIMS = ClaimRecord.__table__
_LINES = ClaimLineRecord.__table__


def _load(session: Session, column: Any, values: list[str]) -> list[ClaimState]:
    """The claims whose ``column`` is one of ``values``, with their lines (claims locked on PostgreSQL)."""
    c = _CLAIMS.c
    lock = session.get_bind().dialect.name == "postgresql"
    states: list[ClaimState] = []
    for condition in matching_any(session, column, values):
        query = (
            select(
                c.id,
                c.claim_number,
                c.payer_claim_number,
                c.encounter_version_id,
                c.coverage_priority,
                c.balance,
                c.status,
                c.status_changed_at,
            )
            .where(condition)
            .order_by(c.id)
        )
        if lock:
            query = query.with_for_update()
        states.extend(
            ClaimState(
                id=row[0],
                claim_number=row[1],
                payer_claim_number=row[2],
                encounter_version_id=row[3],
                coverage_priority=row[4],
                balance=row[5],
                status=row[6],
                status_changed_at=row[7],
            )
            for row in session.connection().execute(query).all()
        )
    by_id = {state.id: state for state in states}
    ln = _LINES.c
    for condition in matching_any(session, ln.claim_id, by_id):
        query = (
            select(
                ln.claim_id,
                ln.id,
                ln.line_id,
                ln.code,
                ln.modifier1,
                ln.modifier2,
                ln.modifier3,
                ln.modifier4,
                ln.date_from,
                ln.date_to,
                ln.revenue_code,
            )
            .where(condition)
            .order_by(ln.claim_id, ln.line_number)
        )
        for row in session.connection().execute(query).all():
            by_id[row[0]].lines.append(
                LineState(
                    id=row[1],
                    line_id=row[2],
                    code=row[3],
                    modifiers=tuple(filter(None, row[4:8])),
                    date_from=row[8],
                    date_to=row[9],
                    revenue_code=row[10],
                )
            )
    return states


def load_claims(session: Session, numbers: Iterable[str]) -> ClaimBook:
    """Load (and lock, on PostgreSQL) the claims with these patient control numbers."""
    wanted = sorted({n.strip() for n in numbers if n and n.strip()})
    book = ClaimBook()
    for state in _load(session, _CLAIMS.c.claim_number, wanted):
        book.by_number[state.claim_number] = state
    for state in book.by_number.values():
        if state.payer_claim_number:
            book.by_payer_number.setdefault(state.payer_claim_number, state)
    return book


def add_follow_ups(session: Session, book: ClaimBook, claims: Iterable[PaidClaim]) -> None:
    """Claims the payer names only by its own claim number (CLP07): add those not found by CLP01 to the book."""
    wanted = sorted(
        {c.payer_claim_number.strip() for c in claims if c.payer_claim_number and book.find(c) is None} - {""}
    )
    for state in _load(session, _CLAIMS.c.payer_claim_number, wanted):
        state = book.by_number.setdefault(state.claim_number, state)
        book.by_payer_number.setdefault(state.payer_claim_number or "", state)


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
            if service.qualifier == "NU":  # institutional line paid by revenue code alone
                free = [line for line in state.lines if line.id not in used and line.revenue_code == code]
                wanted_mods = []
            else:
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
