"""The rows a posting writes: claim, line and adjustment payments, denials, status changes and the next-payer
queue, each table in one bulk statement (ids reserved first so children can point at their parents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from rcm.errors import InputError
from rcm.remits.bulk import bulk_insert, bulk_update
from rcm.remits.denials import Adjudication
from rcm.remits.matching import NO_CLAIM, NO_LINE, ClaimState, LineState
from rcm.remits.remittance import PaidClaim
from rcm.remits.report import TransactionResult
from rcm.remits.reversals import PaymentEntry, PaymentHistory
from rcm.remits.secondary import NEXT_PRIORITY, claims_already_queued, encounters_with_coverage, queue_reason
from rcm.store.tables import (
    Adjustment,
    ClaimLineRecord,
    ClaimPayment,
    ClaimRecord,
    ClaimStatusChange,
    DenialRecord,
    RemarkCode,
    SecondaryClaimQueue,
    ServicePayment,
)

__all__ = [
    "StagedPayment",
    "insert_many",
    "insert_rows",
    "money",
    "reserve_ids",
    "table_of",
    "to_units",
    "write_claims",
    "write_payments",
]

_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")
_UNITS_LIMIT = Decimal(1_000_000)
_MONEY_LIMIT = Decimal(10_000_000_000)


def money(value: Decimal) -> Decimal:
    """An amount as the Money columns hold it (NUMERIC(12, 2)); one that cannot fit stops the posting."""
    if not value.is_finite() or abs(value) >= _MONEY_LIMIT:
        raise InputError(f"an amount of {value} cannot be posted (more than 10 digits before the decimal point)")
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def to_units(value: Decimal | None) -> Decimal | None:
    """A quantity as the Units column holds it (NUMERIC(9, 3)); one that cannot fit is not kept."""
    if value is None or not value.is_finite() or abs(value) >= _UNITS_LIMIT:
        return None
    return value.quantize(_MILLI, rounding=ROUND_HALF_UP)


def table_of(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table



@dataclass(slots=True)
class StagedPayment:
    """One claim payment being posted."""

    remittance_id: int
    result: TransactionResult
    claim: PaidClaim
    state: ClaimState | None
    lines: list[LineState | None]
    entry: PaymentEntry
    adjudication: Adjudication | None



def reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new primary keys for ``table``, so children can point at rows inserted in one executemany.

    PostgreSQL hands them out from the table's sequence (safe under concurrency); on SQLite this transaction
    already holds the write lock (it inserted the payment row first), so nobody else can take the next ids.
    """
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return [int(v) for v in session.connection().execute(query, {"table": table.name, "count": count}).scalars()]
    last = session.connection().execute(select(func.max(table.c.id))).scalar_one_or_none() or 0
    return list(range(int(last) + 1, int(last) + 1 + count))


def insert_many(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one executemany with ids taken beforehand; returns the ids in row order."""
    if not rows:
        return []
    table = table_of(model)
    ids = reserve_ids(session, table, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    insert_rows(session, model, rows)
    return ids


def insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany for rows that all have the same keys."""
    if rows:
        columns = list(rows[0])
        getter = itemgetter(*columns)
        values = [getter(row) for row in rows] if len(columns) > 1 else [(getter(row),) for row in rows]
        bulk_insert(session, table_of(model), columns, values)


def _claim_payment_row(item: StagedPayment) -> dict[str, Any]:
    claim = item.claim
    missing_lines = sum(1 for line in item.lines if line is None)
    if item.state is None:
        reason: str | None = NO_CLAIM
    elif missing_lines:
        reason = f"{missing_lines} of {len(item.lines)} line(s) unmatched: {NO_LINE}"
    else:
        reason = None
    return {
        "remittance_id": item.remittance_id,
        "claim_id": item.state.id if item.state else None,
        "patient_control_number": claim.patient_control_number.strip()[:40],
        "status_code": claim.status_code[:3],
        "charge": money(claim.charge),
        "paid": money(claim.paid),
        "patient_responsibility": money(claim.patient_responsibility),
        "payer_claim_number": (claim.payer_claim_number or "").strip()[:50] or None,
        "reverses_id": None,
        "matched": item.state is not None,
        "unmatched_reason": reason,
        "segment": claim.segment,
    }


def write_payments(session: Session, staged: list[StagedPayment], now: datetime) -> None:
    """ClaimPayment, ServicePayment, Adjustment, RemarkCode and DenialRecord rows, one bulk insert per table."""
    payment_ids = insert_many(session, ClaimPayment, [_claim_payment_row(item) for item in staged])
    service_rows: list[dict[str, Any]] = []
    service_owner: list[tuple[int, int]] = []  # (staged index, service index)
    adjustments: list[dict[str, Any]] = []
    remarks: list[dict[str, Any]] = []
    denials: list[dict[str, Any]] = []
    for index, (item, payment_id) in enumerate(zip(staged, payment_ids, strict=True)):
        item.entry.id = payment_id
        claim = item.claim
        for number, (service, line) in enumerate(zip(claim.services, item.lines, strict=True)):
            service_rows.append(
                {
                    "claim_payment_id": payment_id,
                    "claim_line_id": line.id if line else None,
                    "code": service.code[:48],
                    "modifiers": list(service.modifiers) or None,
                    "charge": money(service.charge),
                    "paid": money(service.paid),
                    "allowed": None if service.allowed is None else money(service.allowed),
                    "units": to_units(service.units),
                    "service_date": service.service_date or claim.service_date,
                    "line_id": (service.line_id or "").strip()[:50] or None,
                    "matched": line is not None,
                }
            )
            service_owner.append((index, number))
        for cas in claim.adjustments:
            adjustments.append(_adjustment_row(payment_id, None, cas.group, cas.reason, cas.amount, cas.quantity))
        remarks.extend(
            {"claim_payment_id": payment_id, "service_payment_id": None, "code": code[:10]}
            for code in claim.remark_codes
        )
        if item.state is not None and item.adjudication is not None:
            denials.extend(
                {
                    "claim_id": item.state.id,
                    "claim_payment_id": payment_id,
                    "line_id": denial.line_id[:50] if denial.line_id else None,
                    "group_code": denial.group_code[:2],
                    "reason_code": denial.reason_code[:5],
                    "remark_codes": list(denial.remark_codes),
                    "amount": money(denial.amount),
                    "denied_at": now,
                }
                for denial in item.adjudication.denials
            )
    service_ids = insert_many(session, ServicePayment, service_rows)
    for (index, number), service_id in zip(service_owner, service_ids, strict=True):
        service = staged[index].claim.services[number]
        payment_id = payment_ids[index]
        for cas in service.adjustments:
            adjustments.append(_adjustment_row(payment_id, service_id, cas.group, cas.reason, cas.amount, cas.quantity))
        remarks.extend(
            {"claim_payment_id": payment_id, "service_payment_id": service_id, "code": code[:10]}
            for code in service.remark_codes
        )
    insert_rows(session, Adjustment, adjustments)
    insert_rows(session, RemarkCode, remarks)
    insert_rows(session, DenialRecord, denials)


def _adjustment_row(
    payment_id: int, service_id: int | None, group: str, reason: str, amount: Decimal, quantity: Decimal | None
) -> dict[str, Any]:
    return {
        "claim_payment_id": payment_id,
        "service_payment_id": service_id,
        "group_code": group[:2],
        "reason_code": reason[:5],
        "amount": money(amount),
        "quantity": to_units(quantity),
    }


def _next_payer_queue(
    session: Session, touched: dict[int, ClaimState], last_payment: dict[int, StagedPayment], now: datetime
) -> list[dict[str, Any]]:
    """SecondaryClaimQueue rows for the claims whose last standing payment sends them to the next payer."""

    def reason(claim_id: int, covered: bool) -> str | None:
        state, item = touched[claim_id], last_payment[claim_id]
        return queue_reason(
            status_code=item.claim.status_code,
            status=state.status,
            balance=state.balance,
            next_priority=NEXT_PRIORITY.get(state.coverage_priority),
            has_next_coverage=covered,
        )

    # Only claims that would go if coverage were on file are looked up (most postings leave nothing to bill).
    candidates = [cid for cid, item in last_payment.items() if item.entry.partner is None and reason(cid, True)]
    if not candidates:
        return []
    wanted = {
        (touched[cid].encounter_version_id, NEXT_PRIORITY[touched[cid].coverage_priority])
        for cid in candidates
        if touched[cid].coverage_priority in NEXT_PRIORITY
    }
    covered = encounters_with_coverage(session, wanted)
    queued = claims_already_queued(session, candidates)
    queue: list[dict[str, Any]] = []
    for claim_id in candidates:
        state = touched[claim_id]
        key = (state.encounter_version_id, NEXT_PRIORITY.get(state.coverage_priority, ""))
        why = reason(claim_id, key in covered)
        if why and claim_id not in queued:
            queue.append({"claim_id": claim_id, "reason": why, "created_at": now, "built": False})
            last_payment[claim_id].result.queued_for_next_payer += 1
    return queue


def write_claims(
    session: Session, staged: list[StagedPayment], history: PaymentHistory, *, file_id: int, now: datetime
) -> None:
    """Claim and line totals, status changes with their cause, and next-payer claims to build."""
    touched: dict[int, ClaimState] = {}
    last_payment: dict[int, StagedPayment] = {}
    for item in staged:
        if item.state is not None:
            touched[item.state.id] = item.state
            if not item.claim.is_reversal:
                last_payment[item.state.id] = item
    if not touched:
        return
    changes: list[dict[str, Any]] = []
    for claim_id, state in touched.items():
        outcome = history.outcome(claim_id)
        if outcome is not None and outcome[0] != state.status:
            changes.append(
                {
                    "claim_id": claim_id,
                    "from_status": state.status,
                    "to_status": outcome[0],
                    "at": now,
                    "cause": outcome[1],
                    "source_kind": "remit",
                    "source_file_id": file_id,
                    "actor": None,
                }
            )
            state.status = outcome[0]
            state.status_changed = True
    queue = _next_payer_queue(session, touched, last_payment, now)
    claims = table_of(ClaimRecord)
    states = list(touched.values())
    bulk_update(
        session,
        claims,
        [
            (s.id, s.paid_delta, s.patient_delta, s.balance_delta, s.status, s.payer_claim_number, now,
             now if s.status_changed else s.status_changed_at)
            for s in states
        ],
        add=["paid_amount", "patient_responsibility", "balance"],
        assign=["status", "payer_claim_number", "updated_at", "status_changed_at"],
    )
    insert_rows(session, ClaimStatusChange, changes)
    insert_rows(session, SecondaryClaimQueue, queue)
    bulk_update(
        session,
        table_of(ClaimLineRecord),
        [
            (line.id, line.paid_delta, line.adjusted_delta, -(line.paid_delta + line.adjusted_delta))
            for state in states
            for line in state.lines
            if line.changed
        ],
        add=["paid", "adjusted", "balance"],
    )
