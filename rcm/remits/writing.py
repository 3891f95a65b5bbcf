"""The rows a posting writes: claim, line and adjustment payments, denials, status changes and the next-payer
queue, in bulk (ids reserved first so children can point at their parents).

`write_payments` writes the payments of each part of a file as it is staged, one statement per table; once every
part is in, `write_claims` moves the claims' and lines' totals and statuses. All of it goes through a `BulkWriter`
in order, so on PostgreSQL the server stores one part while Python stages the next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Table, func, select

from rcm.errors import InputError
from rcm.remits.bulk import BulkWriter, sequence_ids
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
    ProviderAdjustment,
    RemarkCode,
    SecondaryClaimQueue,
    ServicePayment,
)

__all__ = [
    "StagedPayment",
    "insert_rows",
    "money",
    "reserve_ids",
    "services",
    "table_of",
    "to_units",
    "write_claims",
    "write_payments",
]

_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")
_UNITS_LIMIT = Decimal(1_000_000)
# NUMERIC(12, 2): quantizing to cents under 12 digits of precision signals InvalidOperation for an amount of
# 10 digits or more before the point (and for infinity), so the range check costs nothing extra.
_MONEY = Context(prec=12, rounding=ROUND_HALF_UP, traps=[InvalidOperation])


# Amounts repeat (fees, copays, contractual write-offs) and equal values round to the same cents: each distinct
# non-zero amount is rounded once (zero is left out: 0.00 and -0.00 are equal but print differently).
_ROUNDED: dict[Decimal, Decimal] = {}


def money(value: Decimal) -> Decimal:
    """An amount as the Money columns hold it (NUMERIC(12, 2)); one that cannot fit stops the posting."""
    try:
        return _ROUNDED[value]
    except (KeyError, TypeError):  # not seen yet, or a signalling NaN (which cannot be hashed)
        pass
    try:
        exact = value.quantize(_CENT, context=_MONEY)
    except InvalidOperation:
        exact = None
    if exact is None or exact.is_nan():
        raise InputError(f"an amount of {value} cannot be posted (more than 10 digits before the decimal point)")
    if exact:
        if len(_ROUNDED) >= 10_000:
            _ROUNDED.clear()
        _ROUNDED[value] = exact
    return exact


def to_units(value: Decimal | None) -> Decimal | None:
    """A quantity as the Units column holds it (NUMERIC(9, 3)); one that cannot fit is not kept."""
    if value is None or not value.is_finite() or abs(value) >= _UNITS_LIMIT:
        return None
    return value.quantize(_MILLI, rounding=ROUND_HALF_UP)


def _quantity(value: Decimal | None) -> Decimal | None:
    return None if value is None else to_units(value)  # CAS quantities are mostly absent


def table_of(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


@dataclass(slots=True)
class StagedPayment:
    """One claim payment being posted (amounts as stored)."""

    remittance_id: int
    result: TransactionResult
    claim: PaidClaim
    state: ClaimState | None
    lines: list[LineState | None]
    entry: PaymentEntry
    adjudication: Adjudication | None
    patient_responsibility: Decimal


def services(claims: Sequence[PaidClaim]) -> int:
    """How many service payments these claim payments hold."""
    return sum(len(claim.services) for claim in claims)


def reserve_ids(conn: Connection, counts: Sequence[tuple[Any, int]]) -> list[list[int]]:
    """New primary keys for each (model, count), ascending, so children can point at rows inserted in bulk.

    PostgreSQL hands them out from each table's sequence (safe under concurrency). On SQLite this transaction
    already holds the write lock (it inserted the payment row first), so nobody else can take the next ids: they
    follow the highest stored, or the highest reserved before on this connection and perhaps not inserted yet.
    """
    tables = [table_of(model) for model, _ in counts]
    if conn.dialect.name == "postgresql":
        return [sequence_ids(conn, table, count) for table, (_, count) in zip(tables, counts, strict=True)]
    following: list[list[int]] = []
    reserved: dict[str, int] = conn.info.setdefault("rcm_reserved_ids", {})
    for table, (_, count) in zip(tables, counts, strict=True):
        stored = int(conn.execute(select(func.max(table.c.id))).scalar_one_or_none() or 0)
        last = max(stored, reserved.get(table.name, 0))
        following.append(list(range(last + 1, last + 1 + count)))
        reserved[table.name] = last + count
    return following


def insert_rows(writer: BulkWriter, model: Any, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Hand rows (tuples in ``columns`` order) of one table to the writer."""
    writer.insert(table_of(model), columns, rows)


def _dict_rows(rows: list[dict[str, Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Columns and tuples of rows given as dicts that all have the same keys."""
    if not rows:
        return [], []
    columns = list(rows[0])
    getter = itemgetter(*columns)
    return columns, [getter(row) if len(columns) > 1 else (getter(row),) for row in rows]


_PAYMENT_COLUMNS = (
    "id",
    "remittance_id",
    "claim_id",
    "patient_control_number",
    "status_code",
    "charge",
    "paid",
    "patient_responsibility",
    "payer_claim_number",
    "matched",
    "unmatched_reason",
    "segment",
)
_SERVICE_COLUMNS = (
    "id",
    "claim_payment_id",
    "claim_line_id",
    "code",
    "modifiers",
    "charge",
    "paid",
    "allowed",
    "units",
    "service_date",
    "line_id",
    "matched",
)
_ADJUSTMENT_COLUMNS = ("claim_payment_id", "service_payment_id", "group_code", "reason_code", "amount", "quantity")
_REMARK_COLUMNS = ("claim_payment_id", "service_payment_id", "code")
_DENIAL_COLUMNS = (
    "claim_id",
    "claim_payment_id",
    "line_id",
    "group_code",
    "reason_code",
    "remark_codes",
    "amount",
    "denied_at",
)
_CHANGE_COLUMNS = ("claim_id", "from_status", "to_status", "at", "cause", "source_kind", "source_file_id", "actor")
_QUEUE_COLUMNS = ("claim_id", "reason", "created_at", "built")


def _unmatched_reason(item: StagedPayment) -> str | None:
    if item.state is None:
        return NO_CLAIM
    if None not in item.lines:
        return None
    missing_lines = sum(1 for line in item.lines if line is None)
    if missing_lines:
        return f"{missing_lines} of {len(item.lines)} line(s) unmatched: {NO_LINE}"
    return None


def _write_payments(
    writer: BulkWriter, staged: list[StagedPayment], next_service: Callable[[], int], now: datetime
) -> None:
    """ClaimPayment, ServicePayment, Adjustment, RemarkCode and DenialRecord rows, one bulk insert per table.

    Each table is handed to the writer as soon as its rows are built (claim payments first).
    """
    payments: list[tuple[Any, ...]] = []
    adjustments: list[tuple[Any, ...]] = []
    remarks: list[tuple[Any, ...]] = []
    denials: list[tuple[Any, ...]] = []
    for item in staged:
        claim, state, entry = item.claim, item.state, item.entry
        payment_id = entry.id
        payments.append(
            (
                payment_id,
                item.remittance_id,
                state.id if state else None,
                claim.patient_control_number.strip()[:40],
                claim.status_code[:3],
                entry.charge,
                entry.paid,
                item.patient_responsibility,
                (claim.payer_claim_number or "").strip()[:50] or None,
                state is not None,
                _unmatched_reason(item),
                claim.segment,
            )
        )
        for cas in claim.adjustments:
            adjustments.append(
                (payment_id, None, cas.group[:2], cas.reason[:5], money(cas.amount), _quantity(cas.quantity))
            )
        remarks.extend((payment_id, None, code[:10]) for code in claim.remark_codes)
        if state is not None and item.adjudication is not None:
            denials.extend(
                (
                    state.id,
                    payment_id,
                    denial.line_id[:50] if denial.line_id else None,
                    denial.group_code[:2],
                    denial.reason_code[:5],
                    denial.remark_codes,
                    money(denial.amount),
                    now,
                )
                for denial in item.adjudication.denials
            )
    insert_rows(writer, ClaimPayment, _PAYMENT_COLUMNS, payments)
    services: list[tuple[Any, ...]] = []
    for item in staged:
        claim, payment_id = item.claim, item.entry.id
        for service, line in zip(claim.services, item.lines, strict=True):
            service_id = next_service()
            services.append(
                (
                    service_id,
                    payment_id,
                    line.id if line else None,
                    service.code[:48],
                    service.modifiers or None,
                    money(service.charge),
                    money(service.paid),
                    None if service.allowed is None else money(service.allowed),
                    to_units(service.units),
                    service.service_date or claim.service_date,
                    (service.line_id or "").strip()[:50] or None,
                    line is not None,
                )
            )
            for cas in service.adjustments:
                adjustments.append(
                    (payment_id, service_id, cas.group[:2], cas.reason[:5], money(cas.amount), _quantity(cas.quantity))
                )
            remarks.extend((payment_id, service_id, code[:10]) for code in service.remark_codes)
    insert_rows(writer, ServicePayment, _SERVICE_COLUMNS, services)
    insert_rows(writer, Adjustment, _ADJUSTMENT_COLUMNS, adjustments)
    insert_rows(writer, RemarkCode, _REMARK_COLUMNS, remarks)
    insert_rows(writer, DenialRecord, _DENIAL_COLUMNS, denials)


def _next_payer_queue(
    conn: Connection, touched: dict[int, ClaimState], last_payment: dict[int, StagedPayment], now: datetime
) -> list[tuple[Any, ...]]:
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
    covered = encounters_with_coverage(conn, wanted)
    queued = claims_already_queued(conn, candidates)
    queue: list[tuple[Any, ...]] = []
    for claim_id in candidates:
        state = touched[claim_id]
        key = (state.encounter_version_id, NEXT_PRIORITY.get(state.coverage_priority, ""))
        why = reason(claim_id, key in covered)
        if why and claim_id not in queued:
            queue.append((claim_id, why, now, False))
            last_payment[claim_id].result.queued_for_next_payer += 1
    return queue


def _status_changes(
    staged: list[StagedPayment], history: PaymentHistory, *, file_id: int, now: datetime
) -> tuple[dict[int, ClaimState], dict[int, StagedPayment], list[tuple[Any, ...]]]:
    """The claims this posting touches, the last payment of each, and their status changes (statuses set)."""
    touched: dict[int, ClaimState] = {}
    last_payment: dict[int, StagedPayment] = {}
    for item in staged:
        if item.state is not None:
            touched[item.state.id] = item.state
            if not item.claim.is_reversal:
                last_payment[item.state.id] = item
    changes: list[tuple[Any, ...]] = []
    for claim_id, state in touched.items():
        outcome = history.outcome(claim_id)
        if outcome is not None and outcome[0] != state.status:
            changes.append((claim_id, state.status, outcome[0], now, outcome[1], "remit", file_id, None))
            state.status = outcome[0]
            state.status_changed = True
    return touched, last_payment, changes


def write_payments(
    writer: BulkWriter,
    staged: list[StagedPayment],
    payment_ids: list[int],
    service_ids: list[int],
    *,
    now: datetime,
) -> None:
    """ClaimPayment, ServicePayment, Adjustment, RemarkCode and DenialRecord rows of these staged payments, with
    the ids reserved for exactly them (`reserve_ids`, in file order: the first payment gets the first id)."""
    for item, payment_id in zip(staged, payment_ids, strict=True):
        item.entry.id = payment_id
    services = iter(service_ids)
    _write_payments(writer, staged, services.__next__, now)
    if next(services, None) is not None:
        raise RuntimeError("more service payment ids were reserved than there are service payments")


def write_claims(
    writer: BulkWriter,
    staged: list[StagedPayment],
    history: PaymentHistory,
    provider_adjustments: list[dict[str, Any]],
    *,
    file_id: int,
    now: datetime,
) -> None:
    """What follows the payments (all written by `write_payments`): claim and line totals, status changes with their
    cause, reversal pairs, PLB rows, and next-payer claims to build."""
    reverses = [(u["id"], u["reverses_id"]) for u in history.reverses_updates()]
    touched, last_payment, changes = _status_changes(staged, history, file_id=file_id, now=now)
    writer.update(
        table_of(ClaimRecord),
        [
            (
                s.id,
                s.paid_delta,
                s.patient_delta,
                s.balance_delta,
                s.status,
                s.payer_claim_number,
                now,
                now if s.status_changed else s.status_changed_at,
            )
            for s in touched.values()
        ],
        add=["paid_amount", "patient_responsibility", "balance"],
        assign=["status", "payer_claim_number", "updated_at", "status_changed_at"],
    )
    writer.update(
        table_of(ClaimLineRecord),
        [
            (line.id, line.paid_delta, line.adjusted_delta, -(line.paid_delta + line.adjusted_delta))
            for state in touched.values()
            for line in state.lines
            if line.changed
        ],
        add=["paid", "adjusted", "balance"],
    )
    writer.update(table_of(ClaimPayment), reverses, assign=["reverses_id"])
    insert_rows(writer, ClaimStatusChange, _CHANGE_COLUMNS, changes)
    columns, rows = _dict_rows(provider_adjustments)
    insert_rows(writer, ProviderAdjustment, columns, rows)
    # Who goes to the next payer is read on the writer's connection, after everything above.
    queue = writer.run(lambda conn: _next_payer_queue(conn, touched, last_payment, now)).result()
    insert_rows(writer, SecondaryClaimQueue, _QUEUE_COLUMNS, queue)
