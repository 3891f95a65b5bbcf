"""Posting 835 payments: each payment once (TRN02 + payer), every claim matched or queued as unmatched, in bulk.

The caller owns the transaction: `post_remittances` writes everything for one file through the given session and
commits nothing, so a failure anywhere leaves nothing posted. Balances move additively (paid += CLP04,
patient responsibility += CLP05, balance −= CLP04 + the adjustments that are not the patient's), so reversals
and corrections give the right totals in any order. A claim's ``balance`` is what is still open on it, the
patient's share included; ``patient_responsibility`` is that share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, text, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rcm.remits.balancing import balancing_findings
from rcm.remits.bulk import bulk_insert, bulk_update
from rcm.remits.collector import collector_paused
from rcm.remits.denials import Adjudication, adjudicate
from rcm.remits.matching import (
    NO_CLAIM,
    NO_LINE,
    ClaimBook,
    ClaimState,
    LineState,
    add_follow_ups,
    load_claims,
    match_lines,
)
from rcm.remits.provider_adjustments import plb_rows
from rcm.remits.remittance import ZERO, PaidClaim, ReceivedRemittance
from rcm.remits.report import TransactionResult
from rcm.remits.reversals import PaymentEntry, PaymentHistory, load_history, waiting_reversals
from rcm.remits.secondary import NEXT_PRIORITY, claims_already_queued, encounters_with_coverage, queue_reason
from rcm.store.tables import (
    Adjustment,
    ClaimLineRecord,
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    ClaimStatusChange,
    DenialRecord,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    SecondaryClaimQueue,
    ServicePayment,
    utcnow,
)

__all__ = ["payment_key", "post_remittances"]

_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")
_CHUNK = 500


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _units(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(_MILLI, rounding=ROUND_HALF_UP)


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def payment_key(remittance: ReceivedRemittance) -> tuple[str, str]:
    """What identifies a payment: (TRN02, payer key), as stored (and as long as the columns allow)."""
    return remittance.trace_number.strip()[:50], remittance.payer_key.strip()[:80]


@dataclass(slots=True)
class _Staged:
    """One claim payment being posted."""

    remittance_id: int
    result: TransactionResult
    claim: PaidClaim
    state: ClaimState | None
    lines: list[LineState | None]
    entry: PaymentEntry
    adjudication: Adjudication | None


def _stored_keys(session: Session, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        query = select(Remittance.trace_number, Remittance.payer_key).where(
            tuple_(Remittance.trace_number, Remittance.payer_key).in_(chunk)
        )
        found.update((row[0], row[1]) for row in session.connection().execute(query))
    return found


def _insert_remittance(
    session: Session, remittance: ReceivedRemittance, *, file_id: int, balanced: bool, now: datetime
) -> int | None:
    """Insert the payment row; None when the same payment is already stored (a concurrent run got there first)."""
    trace, payer = payment_key(remittance)
    values = {
        "file_id": file_id,
        "trace_number": trace,
        "payer_key": payer,
        "payment_amount": _money(remittance.payment_amount),
        "payment_method": (remittance.payment_method or None) and remittance.payment_method[:3],
        "payment_date": remittance.payment_date,
        "posted_at": now,
        "balanced": balanced,
    }
    table = _table(Remittance)
    dialect = session.get_bind().dialect.name
    unique = ["trace_number", "payer_key"]
    if dialect == "postgresql":
        pg = postgresql.insert(table).values(values).on_conflict_do_nothing(index_elements=unique)
        found = session.connection().execute(pg.returning(table.c.id)).scalar_one_or_none()
    elif dialect == "sqlite":
        lite = sqlite.insert(table).values(values).on_conflict_do_nothing(index_elements=unique)
        found = session.connection().execute(lite.returning(table.c.id)).scalar_one_or_none()
    else:
        found = session.connection().execute(insert(table).values(values).returning(table.c.id)).scalar_one()
    return None if found is None else int(found)


def _reserve_ids(session: Session, table: Table, count: int) -> list[int]:
    """``count`` new primary keys for ``table``, so children can point at rows inserted in one executemany.

    PostgreSQL hands them out from the table's sequence (safe under concurrency); on SQLite this transaction
    already holds the write lock (it inserted the payment row first), so nobody else can take the next ids.
    """
    if session.get_bind().dialect.name == "postgresql":
        query = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)")
        return [int(v) for v in session.connection().execute(query, {"table": table.name, "count": count}).scalars()]
    last = session.connection().execute(select(func.max(table.c.id))).scalar_one_or_none() or 0
    return list(range(int(last) + 1, int(last) + 1 + count))


def _insert_many(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert rows in one executemany with ids taken beforehand; returns the ids in row order."""
    if not rows:
        return []
    table = _table(model)
    ids = _reserve_ids(session, table, len(rows))
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id
    _insert_rows(session, model, rows)
    return ids


def _insert_rows(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """One executemany for rows that all have the same keys."""
    if rows:
        columns = list(rows[0])
        getter = itemgetter(*columns)
        values = [getter(row) for row in rows] if len(columns) > 1 else [(getter(row),) for row in rows]
        bulk_insert(session, _table(model), columns, values)


def _apply_to_claim(state: ClaimState, claim: PaidClaim, lines: list[LineState | None]) -> None:
    """Move the claim's and its lines' totals by this payment (reversals carry negative amounts)."""
    paid = _money(claim.paid)
    closed = paid + _money(claim.written_off)
    state.paid_delta += paid
    state.patient_delta += _money(claim.patient_responsibility)
    state.balance_delta -= closed
    state.balance -= closed
    if claim.payer_claim_number and not claim.is_reversal:
        state.payer_claim_number = claim.payer_claim_number.strip()[:50]
    state.changed = True
    for service, line in zip(claim.services, lines, strict=True):
        if line is None:
            continue
        written_off = sum((a.amount for a in service.adjustments if not a.is_patient_responsibility), ZERO)
        line.paid_delta += _money(service.paid)
        line.adjusted_delta += _money(written_off)
        line.changed = True


def _stage_claims(
    session: Session, to_post: list[tuple[int, ReceivedRemittance, TransactionResult]], book: ClaimBook
) -> tuple[list[_Staged], PaymentHistory]:
    # Earlier payments matter only where a reversal is involved: one in this file, or one stored and waiting.
    in_file = [c for _, r, _ in to_post for c in r.claims]
    involved = {c.patient_control_number.strip() for c in in_file if c.is_reversal}
    involved |= waiting_reversals(session, {c.patient_control_number.strip() for c in in_file})
    claim_ids = [
        state.id
        for c in in_file
        if c.patient_control_number.strip() in involved and (state := book.find(c)) is not None
    ]
    history = load_history(session, involved, claim_ids)
    staged: list[_Staged] = []
    for remittance_id, remittance, result in to_post:
        for claim in remittance.claims:
            state = book.find(claim)
            lines: list[LineState | None] = (
                match_lines(claim, state) if state else [None for _ in claim.services]
            )
            if claim.is_reversal:
                adjudication = None
                status = ClaimStatus.reversed
                cause = (
                    f"payment reversed by the payer (CLP02 22, trace {remittance.trace_number}, "
                    f"payer claim {claim.payer_claim_number or 'not given'})"
                )
                result.reversed += 1
            else:
                adjudication = adjudicate(claim)
                status = adjudication.status
                cause = f"{adjudication.cause} (trace {remittance.trace_number})"
                result.denied += status is ClaimStatus.denied
            entry = PaymentEntry(
                key=(claim.patient_control_number.strip(), (claim.payer_claim_number or "").strip()),
                claim_id=state.id if state else None,
                paid=_money(claim.paid),
                charge=_money(claim.charge),
                is_reversal=claim.is_reversal,
                status=status,
                cause=cause,
            )
            history.add(entry)
            if state is not None:
                _apply_to_claim(state, claim, lines)
            staged.append(_Staged(remittance_id, result, claim, state, lines, entry, adjudication))
    return staged, history


def _claim_payment_row(item: _Staged) -> dict[str, Any]:
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
        "charge": _money(claim.charge),
        "paid": _money(claim.paid),
        "patient_responsibility": _money(claim.patient_responsibility),
        "payer_claim_number": (claim.payer_claim_number or "").strip()[:50] or None,
        "reverses_id": None,
        "matched": item.state is not None,
        "unmatched_reason": reason,
        "segment": claim.segment,
    }


def _write_payments(session: Session, staged: list[_Staged], now: datetime) -> None:
    """ClaimPayment, ServicePayment, Adjustment, RemarkCode and DenialRecord rows, one bulk insert per table."""
    payment_ids = _insert_many(session, ClaimPayment, [_claim_payment_row(item) for item in staged])
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
                    "charge": _money(service.charge),
                    "paid": _money(service.paid),
                    "allowed": None if service.allowed is None else _money(service.allowed),
                    "units": _units(service.units),
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
                    "line_id": denial.line_id,
                    "group_code": denial.group_code[:2],
                    "reason_code": denial.reason_code[:5],
                    "remark_codes": list(denial.remark_codes),
                    "amount": _money(denial.amount),
                    "denied_at": now,
                }
                for denial in item.adjudication.denials
            )
    service_ids = _insert_many(session, ServicePayment, service_rows)
    for (index, number), service_id in zip(service_owner, service_ids, strict=True):
        service = staged[index].claim.services[number]
        payment_id = payment_ids[index]
        for cas in service.adjustments:
            adjustments.append(_adjustment_row(payment_id, service_id, cas.group, cas.reason, cas.amount, cas.quantity))
        remarks.extend(
            {"claim_payment_id": payment_id, "service_payment_id": service_id, "code": code[:10]}
            for code in service.remark_codes
        )
    _insert_rows(session, Adjustment, adjustments)
    _insert_rows(session, RemarkCode, remarks)
    _insert_rows(session, DenialRecord, denials)


def _adjustment_row(
    payment_id: int, service_id: int | None, group: str, reason: str, amount: Decimal, quantity: Decimal | None
) -> dict[str, Any]:
    return {
        "claim_payment_id": payment_id,
        "service_payment_id": service_id,
        "group_code": group[:2],
        "reason_code": reason[:5],
        "amount": _money(amount),
        "quantity": _units(quantity),
    }


def _next_payer_queue(
    session: Session, touched: dict[int, ClaimState], last_payment: dict[int, _Staged], now: datetime
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


def _write_claims(
    session: Session, staged: list[_Staged], history: PaymentHistory, *, file_id: int, now: datetime
) -> None:
    """Claim and line totals, status changes with their cause, and next-payer claims to build."""
    touched: dict[int, ClaimState] = {}
    last_payment: dict[int, _Staged] = {}
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
    claims = _table(ClaimRecord)
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
    _insert_rows(session, ClaimStatusChange, changes)
    _insert_rows(session, SecondaryClaimQueue, queue)
    bulk_update(
        session,
        _table(ClaimLineRecord),
        [
            (line.id, line.paid_delta, line.adjusted_delta, -(line.paid_delta + line.adjusted_delta))
            for state in states
            for line in state.lines
            if line.changed
        ],
        add=["paid", "adjusted", "balance"],
    )


def post_remittances(
    session: Session, remittances: Sequence[ReceivedRemittance], *, file_id: int, now: datetime | None = None
) -> list[TransactionResult]:
    """Post the payments of one received file (file_id: its X12FileRecord); the caller commits.

    A payment already posted (same TRN02 + payer key, stored or earlier in this file) posts nothing and is
    reported with ``duplicate`` true. Every figure is reported for every payment, posted or not.
    """
    with collector_paused():
        return _post(session, remittances, file_id=file_id, now=now)


def _post(
    session: Session, remittances: Sequence[ReceivedRemittance], *, file_id: int, now: datetime | None
) -> list[TransactionResult]:
    now = now or utcnow()
    results: list[TransactionResult] = []
    stored = _stored_keys(session, sorted({payment_key(r) for r in remittances}))
    seen: set[tuple[str, str]] = set()
    to_post: list[tuple[int, ReceivedRemittance, TransactionResult]] = []
    for remittance in remittances:
        imbalances = balancing_findings(remittance)
        key = payment_key(remittance)
        result = TransactionResult(
            trace=remittance.trace_number,
            payer=remittance.payer_key,
            payment=remittance.payment_amount,
            claims=len(remittance.claims),
            matched=0,
            unmatched=len(remittance.claims),
            paid=remittance.paid,
            adjusted=remittance.adjusted,
            patient_responsibility=remittance.patient_responsibility,
            plb=remittance.plb,
            balanced=not imbalances,
            duplicate=key in stored or key in seen,
            control_number=remittance.control_number,
            imbalances=imbalances,
        )
        seen.add(key)
        if not key[0]:
            # Without a TRN02 trace the payment cannot be told apart from the next one: report it, post nothing.
            result.not_posted = "the payment has no trace number (TRN02), so it cannot be posted exactly once"
        elif not result.duplicate:
            remittance_id = _insert_remittance(session, remittance, file_id=file_id, balanced=not imbalances, now=now)
            if remittance_id is None:
                result.duplicate = True
            else:
                result.remittance_id = remittance_id
                to_post.append((remittance_id, remittance, result))
        results.append(result)
    book = load_claims(
        session,
        [c.patient_control_number for r in remittances for c in r.claims]
        + [p.reference for r in remittances for p in r.provider_adjustments if p.reference],
    )
    add_follow_ups(session, book, (c for r in remittances for c in r.claims))
    for remittance, result in zip(remittances, results, strict=True):
        result.matched = sum(1 for c in remittance.claims if book.find(c) is not None)
        result.unmatched = result.claims - result.matched
    if not to_post:
        return results
    staged, history = _stage_claims(session, to_post, book)
    _write_payments(session, staged, now)
    updates = history.reverses_updates()
    if updates:
        payments = _table(ClaimPayment)
        session.connection().execute(
            update(payments).where(payments.c.id == bindparam("b_id")).values(reverses_id=bindparam("b_rev")),
            [{"b_id": u["id"], "b_rev": u["reverses_id"]} for u in updates],
        )
    claim_ids = book.claim_ids
    plb: list[dict[str, Any]] = []
    for remittance_id, remittance, _ in to_post:
        plb.extend(plb_rows(remittance.provider_adjustments, remittance_id=remittance_id, claim_ids=claim_ids))
    for row in plb:
        row["amount"] = _money(row["amount"])
    _insert_rows(session, ProviderAdjustment, plb)
    _write_claims(session, staged, history, file_id=file_id, now=now)
    return results
