"""Reversals (CLP02 = 22) and corrections: which earlier payment a reversal takes back, in either order across files.

A reversal is paired with the earliest payment of the same claim (same CLP01 + CLP07) whose amounts it negates;
a reversal that arrives before its payment waits, unpaired, and is paired when the payment comes. Amounts post
additively (a reversal carries negative amounts), so the claim's totals are right whatever the order; the
claim's status follows the payments still standing: the latest one not reversed, else "reversed".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.remits.lookup import matching_any
from rcm.store.tables import ClaimPayment, ClaimStatus, DenialRecord

__all__ = ["PaymentEntry", "PaymentHistory", "load_history", "waiting_reversals"]

REVERSAL = "22"


@dataclass(eq=False, slots=True)
class PaymentEntry:
    """One claim payment (stored or being posted) as the pairing sees it."""

    key: tuple[str, str]  # (CLP01, CLP07)
    claim_id: int | None
    paid: Decimal
    charge: Decimal
    is_reversal: bool
    status: ClaimStatus
    cause: str
    id: int | None = None  # ClaimPayment.id once stored
    partner: PaymentEntry | None = field(default=None, repr=False)


class PaymentHistory:
    """Every payment of the claims a file touches, in posting order, with reversal pairs."""

    def __init__(self, entries: Iterable[PaymentEntry] = ()) -> None:
        self._by_claim: dict[int | None, list[PaymentEntry]] = defaultdict(list)
        self._by_key: dict[tuple[str, str], list[PaymentEntry]] = defaultdict(list)
        self.new_pairs: list[tuple[PaymentEntry, PaymentEntry]] = []  # (reversal, payment) paired in this run
        for entry in entries:
            self._by_claim[entry.claim_id].append(entry)
            self._by_key[entry.key].append(entry)

    @staticmethod
    def _negates(a: PaymentEntry, b: PaymentEntry) -> bool:
        return a.paid == -b.paid and a.charge == -b.charge

    def add(self, entry: PaymentEntry) -> PaymentEntry | None:
        """Record a payment being posted; returns the entry it was paired with, if any."""
        same = self._by_key[entry.key]
        partner: PaymentEntry | None = None
        if entry.is_reversal:
            # A reversal negates every amount of the payment it takes back (X221A1); one that negates none of
            # the standing payments waits for its payment to arrive.
            exact = [e for e in same if not e.is_reversal and e.partner is None and self._negates(e, entry)]
            partner = exact[0] if exact else None
        else:
            # A waiting reversal takes this payment only when it negates it exactly: a correction is not it.
            waiting = [e for e in same if e.is_reversal and e.partner is None and self._negates(e, entry)]
            partner = waiting[0] if waiting else None
        if partner is not None:
            entry.partner = partner
            partner.partner = entry
            pair = (entry, partner) if entry.is_reversal else (partner, entry)
            self.new_pairs.append(pair)
        self._by_claim[entry.claim_id].append(entry)
        same.append(entry)
        return partner

    def outcome(self, claim_id: int) -> tuple[ClaimStatus, str] | None:
        """The claim's status after its payments: the latest payment still standing, else reversed."""
        mine = self._by_claim.get(claim_id, [])
        standing = [e for e in mine if not e.is_reversal and e.partner is None]
        if standing:
            last = standing[-1]
            return last.status, last.cause
        reversals = [e for e in mine if e.is_reversal]
        if reversals:
            return ClaimStatus.reversed, reversals[-1].cause
        return None

    def reverses_updates(self) -> list[dict[str, int]]:
        """``reverses_id`` for every reversal paired in this run (all entries must be stored by now)."""
        updates: list[dict[str, int]] = []
        for reversal, payment in self.new_pairs:
            if reversal.id is None or payment.id is None:
                raise RuntimeError("a paired claim payment was not stored")
            updates.append({"id": reversal.id, "reverses_id": payment.id})
        return updates


def _stored_status(status_code: str, paid: Decimal, has_denials: bool) -> ClaimStatus:
    if status_code == "4" or (has_denials and paid == 0):
        return ClaimStatus.denied
    return ClaimStatus.partial if has_denials else ClaimStatus.paid


def waiting_reversals(session: Session, control_numbers: Iterable[str]) -> set[str]:
    """The patient control numbers among these that have a stored reversal still waiting for its payment."""
    found: set[str] = set()
    for condition in matching_any(session, ClaimPayment.patient_control_number, control_numbers):
        query = select(ClaimPayment.patient_control_number).where(
            condition, ClaimPayment.status_code == REVERSAL, ClaimPayment.reverses_id.is_(None)
        )
        found.update(session.scalars(query))
    return found


def load_history(session: Session, control_numbers: Iterable[str], claim_ids: Iterable[int]) -> PaymentHistory:
    """The stored payments of these patient control numbers or claims, oldest first, with their pairs."""
    rows: dict[int, Any] = {}
    conditions = matching_any(session, ClaimPayment.patient_control_number, control_numbers)
    conditions += matching_any(session, ClaimPayment.claim_id, claim_ids)
    for condition in conditions:
        query = select(
            ClaimPayment.id,
            ClaimPayment.claim_id,
            ClaimPayment.patient_control_number,
            ClaimPayment.payer_claim_number,
            ClaimPayment.status_code,
            ClaimPayment.paid,
            ClaimPayment.charge,
            ClaimPayment.reverses_id,
        ).where(condition)
        for row in session.execute(query):
            rows[row.id] = row
    if not rows:
        return PaymentHistory()
    payment_ids = sorted(rows)
    denied: set[int] = set()
    for condition in matching_any(session, DenialRecord.claim_payment_id, payment_ids):
        denied.update(session.scalars(select(DenialRecord.claim_payment_id).where(condition)))
    entries: dict[int, PaymentEntry] = {}
    for payment_id in payment_ids:
        row = rows[payment_id]
        is_reversal = row.status_code == REVERSAL
        if is_reversal:
            status = ClaimStatus.reversed
        else:
            status = _stored_status(row.status_code, row.paid, payment_id in denied)
        cause = (
            f"payment reversed by the payer (claim payment {payment_id})"
            if is_reversal
            else f"earlier payment stands: paid {row.paid} of {row.charge} (claim payment {payment_id})"
        )
        entries[payment_id] = PaymentEntry(
            key=(row.patient_control_number, row.payer_claim_number or ""),
            claim_id=row.claim_id,
            paid=row.paid,
            charge=row.charge,
            is_reversal=is_reversal,
            status=status,
            cause=cause,
            id=payment_id,
        )
    for payment_id, row in rows.items():
        if row.reverses_id is not None and row.reverses_id in entries:
            entries[payment_id].partner = entries[row.reverses_id]
            entries[row.reverses_id].partner = entries[payment_id]
    return PaymentHistory(entries[i] for i in payment_ids)
