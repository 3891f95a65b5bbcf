"""Posting 835 payments: each payment once (TRN02 + payer), every claim matched or queued as unmatched, in bulk.

The caller owns the transaction: `post_remittances` writes everything for one file through the given session and
commits nothing, so a failure anywhere leaves nothing posted. Balances move additively (paid += CLP04,
patient responsibility += CLP05, balance −= CLP04 + the adjustments that are not the patient's), so reversals
and corrections give the right totals in any order. A claim's ``balance`` is what is still open on it, the
patient's share included; ``patient_responsibility`` is that share.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import insert, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from rcm.collector import collector_paused
from rcm.remits.balancing import balancing_findings
from rcm.remits.bulk import BulkWriter
from rcm.remits.denials import adjudicate
from rcm.remits.matching import ClaimBook, ClaimState, LineState, add_follow_ups, load_claims, match_lines
from rcm.remits.provider_adjustments import plb_rows
from rcm.remits.remittance import PATIENT_RESPONSIBILITY, ZERO, PaidClaim, ReceivedRemittance
from rcm.remits.report import TransactionResult
from rcm.remits.reversals import PaymentEntry, PaymentHistory, load_history, waiting_reversals
from rcm.remits.writing import StagedPayment, money, reserve_ids, services, table_of, write_claims, write_payments
from rcm.store.tables import ClaimPayment, ClaimStatus, Remittance, ServicePayment, utcnow

__all__ = ["payment_key", "post_remittances"]

_CHUNK = 500
_PART = 10_000  # claim payments staged before they are handed to the writer (measured: 4,000 was slower here)
_FIRST_PART = 2_000  # the first part is smaller, so the server starts storing sooner (it idles until then)
T = TypeVar("T")


def payment_key(remittance: ReceivedRemittance) -> tuple[str, str]:
    """What identifies a payment: (TRN02, payer key), as stored (and as long as the columns allow)."""
    return remittance.trace_number.strip()[:50], remittance.payer_key.strip()[:80]


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
        "payment_amount": money(remittance.payment_amount),
        "payment_method": (remittance.payment_method or None) and remittance.payment_method[:3],
        "payment_date": remittance.payment_date,
        "posted_at": now,
        "balanced": balanced,
    }
    table = table_of(Remittance)
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


def _apply_to_claim(
    state: ClaimState, claim: PaidClaim, lines: list[LineState | None], paid: Decimal, patient: Decimal
) -> None:
    """Move the claim's and its lines' totals by this payment (reversals carry negative amounts)."""
    written_off = ZERO  # what closes part of the balance: every adjustment that is not the patient's to pay
    for adjustment in claim.adjustments:
        if adjustment.group != PATIENT_RESPONSIBILITY:
            written_off += adjustment.amount
    for service, line in zip(claim.services, lines, strict=True):
        line_written_off = ZERO
        for adjustment in service.adjustments:
            if adjustment.group != PATIENT_RESPONSIBILITY:
                line_written_off += adjustment.amount
        written_off += line_written_off
        if line is not None:
            line.paid_delta += money(service.paid)
            line.adjusted_delta += money(line_written_off)
            line.changed = True
    closed = paid + money(written_off)
    state.paid_delta += paid
    state.patient_delta += patient
    state.balance_delta -= closed
    state.balance -= closed
    if claim.payer_claim_number and not claim.is_reversal:
        state.payer_claim_number = claim.payer_claim_number.strip()[:50]
    state.changed = True


def _earlier_payments(
    session: Session, to_post: list[tuple[int, ReceivedRemittance, TransactionResult]], book: ClaimBook
) -> PaymentHistory:
    # Earlier payments matter only where a reversal is involved: one in this file, or one stored and waiting.
    in_file = [c for _, r, _ in to_post for c in r.claims]
    involved = {c.patient_control_number.strip() for c in in_file if c.is_reversal}
    involved |= waiting_reversals(session, {c.patient_control_number.strip() for c in in_file})
    claim_ids = [
        state.id
        for c in in_file
        if c.patient_control_number.strip() in involved and (state := book.find(c)) is not None
    ]
    return load_history(session, involved, claim_ids)


def _stage_claims(
    claims: Iterable[tuple[int, ReceivedRemittance, TransactionResult, PaidClaim]],
    book: ClaimBook,
    history: PaymentHistory,
) -> list[StagedPayment]:
    """The claim payments staged in the order given (file order: reversals pair with what came before)."""
    staged: list[StagedPayment] = []
    for remittance_id, remittance, result, claim in claims:
        state = book.find(claim)
        lines: list[LineState | None] = match_lines(claim, state) if state else [None for _ in claim.services]
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
        paid = money(claim.paid)
        patient = money(claim.patient_responsibility)
        entry = PaymentEntry(
            key=(claim.patient_control_number.strip(), (claim.payer_claim_number or "").strip()),
            claim_id=state.id if state else None,
            paid=paid,
            charge=money(claim.charge),
            is_reversal=claim.is_reversal,
            status=status,
            cause=cause,
        )
        history.add(entry)
        if state is not None:
            _apply_to_claim(state, claim, lines, paid, patient)
        staged.append(StagedPayment(remittance_id, result, claim, state, lines, entry, adjudication, patient))
    return staged


def _reserve(
    writer: BulkWriter, part: list[tuple[int, ReceivedRemittance, TransactionResult, PaidClaim]]
) -> Future[list[list[int]]]:
    """Ids for a part's claim payments and their services, asked of the server in the writer's turn."""
    paid = [claim for *_, claim in part]
    return writer.run(partial(reserve_ids, counts=((ClaimPayment, len(paid)), (ServicePayment, services(paid)))))


def _parts(claims: list[T]) -> list[list[T]]:
    """The file's claim payments in parts: a small first part, then parts of `_PART` (one empty part for none)."""
    first = min(_FIRST_PART, _PART)
    parts = [claims[:first]] if claims else [[]]
    parts += [claims[start : start + _PART] for start in range(first, len(claims), _PART)]
    return parts


def _count(remittances: Sequence[ReceivedRemittance], results: list[TransactionResult], book: ClaimBook) -> None:
    """Each payment's totals and how many of its claims are ours: for the report only, so they are counted once the
    server has work (nothing posted depends on them)."""
    for remittance, result in zip(remittances, results, strict=True):
        result.paid = remittance.paid
        result.adjusted = remittance.adjusted
        result.patient_responsibility = remittance.patient_responsibility
        result.plb = remittance.plb
        result.matched = sum(1 for c in remittance.claims if book.find(c) is not None)
        result.unmatched = result.claims - result.matched


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
            paid=ZERO,  # the totals and counts are filled in by _count (while the server stores the first part)
            adjusted=ZERO,
            patient_responsibility=ZERO,
            plb=ZERO,
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
    if not to_post:
        _count(remittances, results, book)
        return results
    history = _earlier_payments(session, to_post, book)
    claims = [(remittance_id, r, result, c) for remittance_id, r, result in to_post for c in r.claims]
    claim_ids = book.claim_ids
    plb: list[dict[str, Any]] = []
    for remittance_id, remittance, _ in to_post:
        plb.extend(plb_rows(remittance.provider_adjustments, remittance_id=remittance_id, claim_ids=claim_ids))
    for row in plb:
        row["amount"] = money(row["amount"])
    with BulkWriter(session) as writer:
        # The file is staged part by part. The server hands out each part's ids while the part before is staged
        # and stores each part while the next is staged; claim totals and statuses follow once all are in.
        parts = _parts(claims)
        ids = _reserve(writer, parts[0])
        staged: list[StagedPayment] = []
        for number, part in enumerate(parts):
            part_staged = _stage_claims(part, book, history)
            payment_ids, service_ids = ids.result()
            if number + 1 < len(parts):
                ids = _reserve(writer, parts[number + 1])
            write_payments(writer, part_staged, payment_ids, service_ids, now=now)
            staged.extend(part_staged)
            if number == 0:
                _count(remittances, results, book)
        write_claims(writer, staged, history, plb, file_id=file_id, now=now)
    return results
