"""Training and scoring data from the store: claims as at their first submission, outcomes from posted 835s.

As at submission means: the encounter version the claim was built from, the latest eligibility snapshot
received before it was sent, and the scrubber warnings raised (or overridden) before it was sent. Outcomes
are the first posted, non-reversal claim payment and its denial records, dated by when they were posted.

Claims are read a chunk at a time (``chunk_size`` claims, a fixed handful of set-based queries each), so a
year of a busy office costs a few dozen statements, not several per claim, and memory stays bounded.

The denial report and dashboard need far less than a claim as sent: ``load_denial_facts`` reads only what they
count (payer, rendering NPI, the lines' ids and codes, the first adjudication and its denials) in three
statements, with the first adjudication chosen and the period applied by the database.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import JSON, Integer, String, Text, cast, column, func, literal, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from rcm.denials.records import ClaimAtSubmission, ClaimOutcome, lines_at_submission
from rcm.denials.report import DenialFact
from rcm.domain import Encounter
from rcm.payer_sim.history import REASON_GROUPS, reason_group_for_carc
from rcm.store import (
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    ClaimSubmission,
    CoverageSnapshot,
    DenialRecord,
    EncounterVersion,
    FindingOverride,
    Payer,
    Remittance,
    ScrubFinding,
)

__all__ = [
    "CHUNK_SIZE",
    "claim_at_submission",
    "load_denial_facts",
    "load_pending_from_store",
    "load_training_from_store",
]

# Claims per round of queries: bounds what is held at once, and keeps every IN list far below SQLite's
# 32,766 bound parameters (PostgreSQL takes 65,535).
CHUNK_SIZE = 5_000
_NOT_DENIED_CODES = {"22"}  # a reversal is not an adjudication of its own

T = TypeVar("T")


def _day(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).date()


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _when(at: datetime, what: str) -> datetime:
    """``at`` in UTC; a naive time is refused, as the store refuses it."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware (use datetime.now(UTC)), not {at.isoformat()}")
    return at.astimezone(UTC)


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    if size < 1:
        raise ValueError(f"chunk_size must be at least 1, not {size}")
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True, slots=True)
class _Snapshot:
    received_at: datetime
    id: int
    status: str
    as_of: date


def _latest_before(snapshots: Sequence[_Snapshot], keys: Sequence[datetime], at: datetime) -> _Snapshot | None:
    """The last snapshot received at or before ``at`` (``snapshots`` in (received_at, id) order; ``keys`` their
    received_at): the same one ``ORDER BY received_at DESC, id DESC LIMIT 1`` picks."""
    index = bisect_right(keys, at)
    return snapshots[index - 1] if index else None


def _claims_at(session: Session, sent: Mapping[int, datetime]) -> dict[int, ClaimAtSubmission]:
    """Each claim of ``sent`` (claim id -> when it left) as the office knew it then; four queries in all."""
    ids = list(sent)
    rows = session.execute(
        select(ClaimRecord.id, ClaimRecord.claim_number, ClaimRecord.payer_id, ClaimRecord.encounter_version_id,
               EncounterVersion.id, EncounterVersion.patient_id, cast(EncounterVersion.payload, Text),
               Payer.plan_type, Payer.timely_filing_days)
        .outerjoin(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
        .outerjoin(Payer, Payer.payer_id == ClaimRecord.payer_id)
        .where(ClaimRecord.id.in_(ids))
    ).all()
    patients = sorted({row[5] for row in rows if row[5] is not None})
    history: dict[tuple[int, str], list[_Snapshot]] = defaultdict(list)
    if patients:
        for patient_id, payer_id, received_at, snap_id, status, as_of in session.execute(
            select(CoverageSnapshot.patient_id, CoverageSnapshot.payer_id, CoverageSnapshot.received_at,
                   CoverageSnapshot.id, CoverageSnapshot.status, CoverageSnapshot.as_of)
            .where(CoverageSnapshot.patient_id.in_(patients))
        ):
            history[(patient_id, payer_id)].append(_Snapshot(_aware(received_at), snap_id, status, as_of))
    for snapshots in history.values():
        snapshots.sort(key=lambda s: (s.received_at, s.id))
    received = {key: [s.received_at for s in snapshots] for key, snapshots in history.items()}
    warned: dict[int, set[str]] = defaultdict(set)
    for claim_id, rule_id, created_at in session.execute(
        select(ScrubFinding.claim_id, ScrubFinding.rule_id, ScrubFinding.created_at)
        .where(ScrubFinding.claim_id.in_(ids), ScrubFinding.severity == "warning")
    ):
        if _aware(created_at) <= sent[claim_id]:
            warned[claim_id].add(rule_id)
    for claim_id, rule_id, at in session.execute(
        select(FindingOverride.claim_id, FindingOverride.rule_id, FindingOverride.at)
        .where(FindingOverride.claim_id.in_(ids))
    ):
        if _aware(at) <= sent[claim_id]:
            warned[claim_id].add(rule_id)
    out: dict[int, ClaimAtSubmission] = {}
    for (claim_id, number, payer_id, version_ref, version_id, patient_id, payload,
         payer_plan_type, timely_filing_days) in rows:
        if version_id is None:  # a foreign key makes this impossible; say where if it happens anyway
            raise LookupError(f"claim {number}: encounter version {version_ref} is missing")
        sent_at = sent[claim_id]
        # The JSON as stored, validated in one step: less than half the time of decoding it into dicts first.
        enc = Encounter.model_validate_json(payload)
        coverage = next((c for c in enc.coverage if c.payer_id == payer_id), enc.primary_coverage)
        key = (patient_id, payer_id)
        snapshot = _latest_before(history[key], received[key], sent_at) if key in history else None
        rendering = enc.rendering_provider
        out[claim_id] = ClaimAtSubmission(
            claim_id=number,
            submitted_on=_day(sent_at),
            date_of_service=enc.date_of_service,
            payer_id=payer_id,
            plan_type=payer_plan_type or (coverage.plan_type if coverage else None),
            place_of_service=enc.place_of_service,
            rendering_npi=rendering.npi if rendering else None,
            specialty=rendering.taxonomy if rendering else None,
            patient_key=str(patient_id),
            patient_age=enc.patient.age_on(enc.date_of_service),
            sex=enc.patient.sex,
            diagnoses=tuple(enc.diagnoses),
            lines=lines_at_submission(enc),
            prior_authorization=bool(enc.prior_authorization),
            eligibility_status=snapshot.status if snapshot else "none",
            eligibility_checked_on=snapshot.as_of if snapshot else None,
            warnings=tuple(sorted(warned.get(claim_id, ()))),
            timely_filing_days=timely_filing_days,
            encounter_version_id=version_id,
        )
    return out


def claim_at_submission(session: Session, claim: ClaimRecord, sent_at: datetime) -> ClaimAtSubmission:
    """What the office knew about ``claim`` at ``sent_at`` (a real submission, or now for a pending claim)."""
    session.flush()  # the claim is read back by id below: as this object stands, not as last flushed
    found = _claims_at(session, {claim.id: _when(sent_at, "the time the claim is sent")})
    if claim.id not in found:
        raise LookupError(f"claim {claim.claim_number} is not in the store")
    return found[claim.id]


@dataclass(frozen=True, slots=True)
class _Posted:
    """A claim's first adjudication: when its remittance was posted, and the payment row (for their order)."""

    posted_at: datetime
    payment_id: int
    outcome: ClaimOutcome


def _outcomes(session: Session, claims: Mapping[int, ClaimAtSubmission]) -> list[_Posted]:
    """The first posted, non-reversal payment of each of ``claims`` and its denials; two queries."""
    first: dict[int, tuple[int, str, datetime]] = {}
    for payment_id, claim_id, status_code, posted_at in session.execute(
        select(ClaimPayment.id, ClaimPayment.claim_id, ClaimPayment.status_code, Remittance.posted_at)
        .join(Remittance, ClaimPayment.remittance_id == Remittance.id)
        .where(ClaimPayment.claim_id.in_(list(claims)), ClaimPayment.status_code.notin_(_NOT_DENIED_CODES))
        .order_by(Remittance.posted_at, ClaimPayment.id)
    ):
        if claim_id is not None and claim_id not in first:
            first[claim_id] = (payment_id, status_code, _aware(posted_at))
    found: dict[int, list[tuple[str | None, str]]] = defaultdict(list)
    if first:
        for payment_id, line_id, reason_code in session.execute(
            select(DenialRecord.claim_payment_id, DenialRecord.line_id, DenialRecord.reason_code)
            .where(DenialRecord.claim_payment_id.in_([p for p, _, _ in first.values()]))
        ):
            found[payment_id].append((line_id, reason_code))
    out: list[_Posted] = []
    for claim_id, (payment_id, status_code, posted_at) in first.items():
        denials = found.get(payment_id, [])
        denied = status_code == "4" or bool(denials)
        groups = {reason_group_for_carc(reason) for _, reason in denials}
        group = next((g for g in REASON_GROUPS if g in groups), "other" if denied else None)
        whole = any(line_id is None for line_id, _ in denials) or (status_code == "4" and not denials)
        claim = claims[claim_id]
        lines = (frozenset(ln.line_id for ln in claim.lines) if whole  # a whole-claim denial: every line
                 else frozenset(line_id for line_id, _ in denials if line_id))
        outcome = ClaimOutcome(
            claim_id=claim.claim_id,
            known_on=_day(posted_at),
            denied=denied,
            reason_group=group,
            carcs=tuple(sorted({reason for _, reason in denials})),
            denied_line_ids=lines,
        )
        out.append(_Posted(posted_at, payment_id, outcome))
    return out


def _first_submissions(session: Session) -> dict[int, datetime]:
    rows = session.execute(
        select(ClaimSubmission.claim_id, func.min(ClaimSubmission.submitted_at)).group_by(ClaimSubmission.claim_id)
    )
    return {claim_id: _aware(at) for claim_id, at in rows}


def load_training_from_store(
    session: Session, *, chunk_size: int = CHUNK_SIZE
) -> tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]]:
    """Every submitted claim as at its first submission, and the outcomes posted for them so far.

    Claims come in (first submission day, claim number) order; outcomes in the order they were posted.
    """
    first_sent = _first_submissions(session)
    claims: list[ClaimAtSubmission] = []
    posted: list[_Posted] = []
    for ids in _chunks(sorted(first_sent), chunk_size):
        at_submission = _claims_at(session, {claim_id: first_sent[claim_id] for claim_id in ids})
        claims.extend(at_submission.values())
        posted.extend(_outcomes(session, at_submission))
    claims.sort(key=lambda c: (c.submitted_on, c.claim_id))
    posted.sort(key=lambda p: (p.posted_at, p.payment_id))
    return claims, {p.outcome.claim_id: p.outcome for p in posted}


def load_pending_from_store(
    session: Session,
    *,
    statuses: Iterable[ClaimStatus] = (ClaimStatus.scrubbed, ClaimStatus.ready),
    now: datetime | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> list[tuple[ClaimRecord, ClaimAtSubmission]]:
    """Claims about to be sent, each as it would be if sent ``now``."""
    at = _when(now, "now") if now is not None else datetime.now(UTC)
    records = session.scalars(
        select(ClaimRecord).where(ClaimRecord.status.in_(list(statuses))).order_by(ClaimRecord.id)
    ).all()
    out: list[tuple[ClaimRecord, ClaimAtSubmission]] = []
    for chunk in _chunks(records, chunk_size):
        found = _claims_at(session, {r.id: at for r in chunk})
        out.extend((r, found[r.id]) for r in chunk)
    return out


# ----------------------------------------------------------------------------- the denial report's facts


def _utc_day(dialect: str, at: ColumnElement[Any]) -> ColumnElement[str]:
    """A stored timestamp's UTC day as ``YYYY-MM-DD`` text, worked out by the database (no datetime per row)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", at), "YYYY-MM-DD", type_=String)
    return func.date(at, type_=String)  # SQLite keeps the UTC wall time as text: its date part


def _line_table(dialect: str, payload: ColumnElement[Any]) -> tuple[Any, ColumnElement[int], ColumnElement[str],
                                                                     ColumnElement[str]]:
    """The encounter's lines as rows (joined ``ON true`` after encounter_versions): the table, and each line's
    position, id and code."""
    if dialect == "postgresql":
        table = func.json_array_elements(payload.op("->")(literal("lines"))).table_valued(
            column("value", JSON), with_ordinality="position").render_derived(name="encounter_lines")
        value = table.c.value
        return (table, cast(table.c.position, Integer), value.op("->>", return_type=String)(literal("line_id")),
                value.op("->>", return_type=String)(literal("code")))
    table = func.json_each(payload, "$.lines").table_valued("key", "value").alias("encounter_lines")
    return (table, cast(table.c.key, Integer), func.json_extract(table.c.value, "$.line_id", type_=String),
            func.json_extract(table.c.value, "$.code", type_=String))


def load_denial_facts(session: Session, *, posted_from: datetime | None = None,
                      posted_before: datetime | None = None) -> list[DenialFact]:
    """Every submitted claim's first adjudication, reduced to what the denial report counts; the same facts,
    in the same order, as ``load_training_from_store`` and its outcomes give (first submission day, then claim
    number).

    ``posted_from`` / ``posted_before`` keep the claims whose first adjudication was posted in that span (for whole
    months: midnight UTC of the first day and of the day after the last). Three statements, whatever the number
    of claims: the claims with their first adjudication (chosen by the database, in the order the training loader
    takes: posting time, then payment), their encounter's lines (id and code, read from the stored encounter by
    the database) and the denials of those adjudications.
    """
    connection = session.connection()  # plain rows: no ORM entity is involved
    dialect = connection.dialect.name  # the store runs on SQLite or PostgreSQL (rcm.store.database)
    ranked = (
        select(ClaimPayment.id.label("payment_id"), ClaimPayment.claim_id.label("claim_id"),
               ClaimPayment.status_code.label("status_code"), Remittance.posted_at.label("posted_at"),
               func.row_number().over(partition_by=ClaimPayment.claim_id,
                                      order_by=(Remittance.posted_at, ClaimPayment.id)).label("rank"))
        .join(Remittance, ClaimPayment.remittance_id == Remittance.id)
        .where(ClaimPayment.claim_id.is_not(None), ClaimPayment.status_code.notin_(_NOT_DENIED_CODES))
        .subquery("ranked")
    )
    first_query = (
        select(ranked.c.payment_id, ranked.c.claim_id, ranked.c.status_code, ranked.c.posted_at)
        .where(ranked.c.rank == 1)
    )
    if posted_from is not None:
        first_query = first_query.where(ranked.c.posted_at >= _when(posted_from, "posted_from"))
    if posted_before is not None:
        first_query = first_query.where(ranked.c.posted_at < _when(posted_before, "posted_before"))
    first = first_query.subquery("first_paid")

    # The first submission, looked up claim by claim through its index: a join to the grouped submissions lets
    # PostgreSQL, misjudging how many first adjudications there are, loop over the whole group for each claim.
    sent_at = (
        select(func.min(ClaimSubmission.submitted_at))
        .where(ClaimSubmission.claim_id == ClaimRecord.id)
        .correlate(ClaimRecord)
        .scalar_subquery()
    )
    rows = connection.execute(
        select(ClaimRecord.id, ClaimRecord.claim_number, ClaimRecord.payer_id, ClaimRecord.encounter_version_id,
               EncounterVersion.id, EncounterVersion.payload[("rendering_provider", "npi")].as_string(),
               _utc_day(dialect, sent_at), first.c.payment_id, first.c.status_code,
               _utc_day(dialect, first.c.posted_at))
        .join(first, first.c.claim_id == ClaimRecord.id)
        .outerjoin(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
    ).all()
    table, position, line_id, code = _line_table(dialect, EncounterVersion.payload.expression)
    line_ids: dict[int, list[str]] = {}
    codes: dict[int, list[str]] = {}
    for claim_id, _, the_line, the_code in connection.execute(
        select(first.c.claim_id, position, line_id, code)
        .join(ClaimRecord, ClaimRecord.id == first.c.claim_id)
        .join(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
        .join(table, true())
        .order_by(first.c.claim_id, position)
    ).all():
        if claim_id in codes:
            line_ids[claim_id].append(the_line)
            codes[claim_id].append(the_code)
        else:
            line_ids[claim_id] = [the_line]
            codes[claim_id] = [the_code]
    denials: dict[int, list[tuple[str | None, str]]] = defaultdict(list)
    for payment_id, the_line, reason in connection.execute(
        select(DenialRecord.claim_payment_id, DenialRecord.line_id, DenialRecord.reason_code)
        .join(first, first.c.payment_id == DenialRecord.claim_payment_id)
    ).all():
        denials[payment_id].append((the_line, reason))

    keyed: list[tuple[str, str, DenialFact]] = []
    for (claim_id, number, payer_id, version_ref, version_id, npi, sent_day, payment_id, status_code,
         posted_day) in rows:
        if sent_day is None:  # never sent: not in the training data either
            continue
        if version_id is None:  # a foreign key makes this impossible; say where if it happens anyway
            raise LookupError(f"claim {number}: encounter version {version_ref} is missing")
        claim_codes = tuple(codes.get(claim_id, ()))
        found = denials.get(payment_id)
        if found is None and status_code != "4":  # paid (or not denied): most claims
            fact = DenialFact(number, posted_day[:7], payer_id, npi or "unknown", claim_codes, (), (), False)
        else:
            found = found or []
            if any(the_line is None for the_line, _ in found) or not found:  # whole claim denied: every line
                denied_codes = claim_codes
            else:
                denied_ids = {the_line for the_line, _ in found if the_line}
                denied_codes = tuple(c for the_line, c in zip(line_ids.get(claim_id, ()), claim_codes, strict=True)
                                     if the_line in denied_ids)
            fact = DenialFact(number, posted_day[:7], payer_id, npi or "unknown", claim_codes, denied_codes,
                              tuple(sorted({reason for _, reason in found})), True)
        keyed.append((sent_day, number, fact))
    keyed.sort(key=itemgetter(0, 1))  # the training loader's order: first submission day, claim number
    return [fact for _, _, fact in keyed]
