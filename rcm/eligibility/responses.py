"""271 files in: every subscriber/dependent answer interpreted, tied back to our 270 by trace number, stored as a
dated coverage snapshot (unmatched answers too), claims held or released, and a 999 dropped for the file into the
outbound folder of the clearinghouse it came from (rcm.transport.answers decides; the caller may name it).

    ingest_271_file(session, path, settings=..., answer_to=...)  -> EligibilityFileReport   (the caller commits)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.config import Settings
from rcm.domain import Encounter, Relationship
from rcm.drops import read_input, remove_dropped
from rcm.eligibility.holds import apply_answer_to_claims
from rcm.eligibility.interpretation import (
    ACTIVE,
    INACTIVE,
    REJECTED,
    MemberAnswer,
    answers_from_segments,
    interpret_member,
)
from rcm.errors import UnreadableFileError
from rcm.store.repositories.encounters import current_encounter_version
from rcm.store.repositories.files import next_control_number, record_file
from rcm.store.tables.eligibility import CoverageSnapshot, EligibilityInquiry
from rcm.store.tables.encounters import CoverageRecord
from rcm.store.tables.files import X12FileRecord
from rcm.transport.answers import (
    NEEDED,
    AnswerRoute,
    InterchangeIds,
    answer_state,
    confirm_dropped,
    drop_answer,
    record_answer,
    route_answer,
)
from rcm.x12.acks import OurIds, build_999
from rcm.x12.engine import build_tree
from rcm.x12.errors import NotX12Error, UnknownTransactionError
from rcm.x12.findings import Finding
from rcm.x12.reader import Transaction, X12File, read_file
from rcm.x12.sets import x271
from rcm.x12.sets.eligibility279 import EligibilityResponse, Member, response_from_tree
from rcm.x12.validation import validate_transaction

__all__ = ["EligibilityFileReport", "ResponseOutcome", "ingest_271_file", "read_271_answers"]

_FALLBACK_ID = "RCM"


@dataclass(frozen=True, slots=True)
class ResponseOutcome:
    """One answer of a file, by position and ids only (no PHI)."""

    transaction: str
    segment: int
    level: str
    status: str
    matched: bool
    trace_number: str | None
    encounter_id: str | None
    reject_codes: tuple[str, ...]
    retry: bool
    held: tuple[str, ...] = ()
    released: tuple[str, ...] = ()


@dataclass(slots=True)
class EligibilityFileReport:
    """What one 271 file held and what was done with it."""

    file: str
    responses: int = 0
    active: int = 0
    inactive: int = 0
    rejected: int = 0
    unmatched: int = 0
    duplicate: bool = False
    file_id: int | None = None
    transactions: int = 0
    errors: int = 0  # our structural validation: error findings in the 271s
    ack_file: str | None = None
    outcomes: list[ResponseOutcome] = field(default_factory=list)
    # AAA at the source or receiver level (not a member's answer): reason codes
    envelope_rejections: list[str] = field(default_factory=list)

    def count(self, status: str, matched: bool) -> None:
        self.responses += 1
        if status == ACTIVE:
            self.active += 1
        elif status == INACTIVE:
            self.inactive += 1
        elif status == REJECTED:
            self.rejected += 1
        if not matched:
            self.unmatched += 1

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "responses": self.responses,
            "active": self.active,
            "inactive": self.inactive,
            "rejected": self.rejected,
            "unmatched": self.unmatched,
        }


def _response_model(tx: Transaction) -> EligibilityResponse:
    try:
        model = tx.model
    except UnknownTransactionError:
        # An ST03 we have no registry entry for (a 4010 271, a blank version): the 5010 layout reads it.
        tree, _ = build_tree(x271.SPEC, tx.segments, transaction=tx.control_number)
        return response_from_tree(tree, control_number=tx.control_number, version=tx.version)
    if not isinstance(model, EligibilityResponse):  # pragma: no cover - the registry maps 271 to this model
        raise UnreadableFileError(tx.control_number, "271 did not parse as an eligibility response")
    return model


ReadAnswer = tuple[Transaction, EligibilityResponse, list[tuple[Member, MemberAnswer]]]


def read_271_answers(x12file: X12File) -> list[ReadAnswer]:
    """Every 271 of a read file with its members interpreted (members that answer nothing included)."""
    out: list[ReadAnswer] = []
    for tx in x12file.transactions:
        if tx.set_id != "271":
            continue
        model = _response_model(tx)
        members = [(m, interpret_member(m)) for m in model.members]
        out.append((tx, model, members + _unplaced_answers(members, tx)))
    return out


def _unplaced_answers(members: list[tuple[Member, MemberAnswer]], tx: Transaction) -> list[tuple[Member, MemberAnswer]]:
    """Answers the plain HL-to-HL reading sees that the loop tree lost (misplaced segments in a payer's file)."""
    placed = {m.hl_id: a for m, a in members}
    source = next((m.source for m, _ in members if m.source is not None), None)
    extra: list[tuple[Member, MemberAnswer]] = []
    for hl_id, answer in answers_from_segments(tx.segments):
        have = placed.get(hl_id)
        if answer.is_response and (have is None or not have.is_response):
            extra.append((Member(answer.level, hl_id, "", answer.segment, source=source), answer))
    return extra


def _ours(x12file: X12File, settings: Settings) -> OurIds:
    for interchange in x12file.interchanges:
        header = interchange.header
        if header is not None and header.receiver_id:
            group = next((g.header for g in interchange.groups if g.header is not None), None)
            application = group.receiver_id if group and group.receiver_id else header.receiver_id
            return OurIds(header.receiver_qualifier or "ZZ", header.receiver_id, application)
    default = settings.clearinghouses.get("default", {})
    ours = str(default.get("sender_id") or _FALLBACK_ID)
    return OurIds(str(default.get("sender_qualifier") or "ZZ"), ours, ours)


def _prepare_999(session: Session, x12file: X12File, findings: Sequence[Finding], settings: Settings,
                 now: datetime) -> tuple[str, bytes] | None:
    transactions = [tx for tx in x12file.transactions
                    if tx.set_id not in ("999", "997") and not (tx.group and tx.group.functional_id == "FA")]
    if not transactions:
        return None
    ours = _ours(x12file, settings)
    control_number = next_control_number(session, f"isa13:{ours.interchange_id}")
    content = build_999(transactions, findings, ours=ours, control_number=control_number, now=now)
    safe = "".join(ch for ch in ours.interchange_id if ch.isalnum())[:15] or _FALLBACK_ID
    return f"999_{now:%Y%m%d}_{safe}_{control_number:09d}.x12", content


def _inquiries_by_trace(session: Session, traces: Sequence[str]) -> dict[str, EligibilityInquiry]:
    wanted = sorted({t[:50] for t in traces if t})
    found: dict[str, EligibilityInquiry] = {}
    for start in range(0, len(wanted), 500):
        for inquiry in session.scalars(
            select(EligibilityInquiry).where(EligibilityInquiry.trace_number.in_(wanted[start:start + 500]))
        ):
            found[inquiry.trace_number] = inquiry
    return found


def _patient_by_member_id(session: Session, payer_id: str, member_id: str | None) -> int | None:
    if not member_id or not payer_id:
        return None
    return session.scalars(
        select(CoverageRecord.patient_id)
        .where(CoverageRecord.payer_id == payer_id, CoverageRecord.member_id == member_id)
        .order_by(CoverageRecord.id.desc())
    ).first()


def _payer_flagged(answer: MemberAnswer) -> dict[str, Any] | None:
    """A member id the payer says replaced another (REF*Q4 prior identifier), even for an answer we cannot match."""
    if answer.prior_member_id and answer.member_id and answer.prior_member_id != answer.member_id:
        return {"member_id": {"sent": answer.prior_member_id, "payer": answer.member_id}}
    return None


def _corrections(session: Session, inquiry: EligibilityInquiry, answer: MemberAnswer) -> dict[str, Any] | None:
    """What the payer returned differently from what we sent (member id, name, birth date).  PHI: stored only."""
    if inquiry.encounter_id is None:
        return _payer_flagged(answer)
    version = current_encounter_version(session, inquiry.encounter_id)
    if version is None:
        return None
    encounter = Encounter.model_validate(version.payload)
    coverage = next((c for c in encounter.coverage if c.payer_id == inquiry.payer_id), None)
    if coverage is None:
        return _payer_flagged(answer)
    patient = encounter.patient
    describes_patient = answer.level == "dependent" or coverage.relationship is Relationship.self_
    sent_first, sent_last, sent_birth = (
        (patient.first_name, patient.last_name, patient.birth_date) if describes_patient or coverage.subscriber is None
        else (coverage.subscriber.first_name, coverage.subscriber.last_name, coverage.subscriber.birth_date)
    )
    found: dict[str, Any] = {}
    if answer.level == "subscriber" and answer.member_id and coverage.member_id \
            and answer.member_id.strip().upper() != coverage.member_id.strip().upper():
        found["member_id"] = {"sent": coverage.member_id, "payer": answer.member_id}
    for key, sent, said in (("last_name", sent_last, answer.last_name), ("first_name", sent_first, answer.first_name)):
        if said and sent and said.strip().upper() != sent.strip().upper():
            found[key] = {"sent": sent, "payer": said}
    if answer.birth_date and sent_birth and answer.birth_date != sent_birth:
        found["birth_date"] = {"sent": sent_birth.isoformat(), "payer": answer.birth_date.isoformat()}
    if "member_id" not in found and (flagged := _payer_flagged(answer)) is not None:
        found.update(flagged)
    return found or None


def _fits(value: Decimal | None, scale: int, integer_digits: int) -> Decimal | None:
    """The figure when the column holds it exactly; else None (the raw figure stays in the benefits JSON)."""
    if value is None or not value.is_finite():
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > scale and value != value.quantize(Decimal(1).scaleb(-scale)):
        return None
    if abs(value) >= Decimal(10) ** integer_digits:
        return None
    return value


def _snapshot(answer: MemberAnswer, *, patient_id: int | None, payer_id: str, as_of: date,
              inquiry: EligibilityInquiry | None, file_id: int | None, corrections: dict[str, Any] | None,
              received_at: datetime) -> CoverageSnapshot:
    return CoverageSnapshot(
        patient_id=patient_id, payer_id=payer_id[:80], as_of=as_of, status=answer.status,
        plan_begin=answer.plan_begin, plan_end=answer.plan_end,
        eligibility_begin=answer.eligibility_begin, eligibility_end=answer.eligibility_end,
        copay=_fits(answer.copay, 2, 10), coinsurance_percent=_fits(answer.coinsurance_percent, 4, 3),
        deductible=_fits(answer.deductible, 2, 10), deductible_remaining=_fits(answer.deductible_remaining, 2, 10),
        oop_remaining=_fits(answer.oop_remaining, 2, 10),
        benefits=[b.as_json() for b in answer.benefits],
        aaa_codes=[{"reason": r.reason, "reason_words": r.reason_words, "follow_up": r.follow_up,
                    "follow_up_words": r.follow_up_words, "retry": r.retry, "what_to_do": r.what_to_do}
                   for r in answer.rejections] or None,
        retry=answer.retry, corrections=corrections,
        trace_number=(inquiry.trace_number if inquiry else (answer.traces[0][:50] if answer.traces else None)),
        inquiry_id=inquiry.id if inquiry else None, file_id=file_id, received_at=received_at,
    )


def ingest_271_file(
    session: Session, path: str | Path, *, settings: Settings, answer_to: AnswerRoute | None = None,
    now: datetime | None = None,
) -> EligibilityFileReport:
    """Read one 271 file into the store in the caller's transaction and drop its 999.

    The 999 goes to ``answer_to`` (default: the clearinghouse ``route_answer`` finds for the file); it is written
    last, once everything that could fail in the database has been tried, and a caller whose commit fails takes
    it back (``rcm.drops.remove_dropped(report.ack_file)``). Raises UnreadableFileError (an InputError) when the
    file is missing, not X12, or holds no 271; ConfigError when no clearinghouse can be chosen for the 999.  The
    same bytes a second time change nothing and are not answered again: the report then repeats the first
    reading's counts (``duplicate``).
    """
    path = Path(path)
    when = now or datetime.now(UTC)
    content = read_input(path)
    try:
        x12file = read_file(content)
    except NotX12Error as exc:
        raise UnreadableFileError(str(path), exc.reason) from None
    answers = read_271_answers(x12file)
    if not answers:
        raise UnreadableFileError(str(path), "holds no 271 transaction set")
    header = next((i.header for i in x12file.interchanges if i.header is not None), None)
    route = answer_to or route_answer(
        settings, path, ids=InterchangeIds.of(header.sender_id, header.receiver_id) if header else None
    )
    record, created = record_file(
        session, direction="in", kind="271", name=path.name[:255], path=str(path)[:1000], content=content,
        interchange_control_number=header.control_number[:9] if header else None,
        sender_id=header.sender_id[:15] if header else None,
        receiver_id=header.receiver_id[:15] if header else None,
    )
    report = EligibilityFileReport(file=str(path), file_id=record.id, transactions=len(answers))
    if not created:
        report.duplicate = True
        stored = record.detail if isinstance(record.detail, dict) else {}
        for key in ("responses", "active", "inactive", "rejected", "unmatched"):
            setattr(report, key, int(stored.get(key, 0)))
        if answer_state(session, record, created=False) == NEEDED:  # read before, but its 999 never left
            again = [f for tx, _, _ in answers for f in validate_transaction(tx)]
            known = set(again)
            again.extend(f for f in x12file.findings if f not in known)
            _answer(session, record, x12file, again, settings=settings, route=route, now=when, report=report)
        return report

    inquiries = _inquiries_by_trace(
        session, [t for _, _, members in answers for _, a in members if a.is_response for t in a.traces]
    )
    findings: list[Finding] = []
    for tx, model, members in answers:
        found = validate_transaction(tx)
        findings.extend(found)
        report.errors += sum(1 for f in found if f.severity == "error")
        report.envelope_rejections.extend(r.reason for r in (*model.source_rejections, *model.receiver_rejections))
        as_of = model.created or when.date()
        for member, answer in members:
            if not answer.is_response:
                continue
            inquiry = next((inquiries[t[:50]] for t in answer.traces if t[:50] in inquiries), None)
            report.outcomes.append(_store_answer(session, tx, member, answer, inquiry, as_of=as_of,
                                                 file_id=record.id, received_at=when))
    for outcome in report.outcomes:
        report.count(outcome.status, outcome.matched)
    seen = set(findings)
    findings.extend(f for f in x12file.findings if f not in seen)

    record.detail = {**report.as_json(), "errors": report.errors}
    record.status = "processed"
    _answer(session, record, x12file, findings, settings=settings, route=route, now=when, report=report)
    return report


def _answer(session: Session, record: X12FileRecord, x12file: X12File, findings: Sequence[Finding], *,
            settings: Settings, route: AnswerRoute, now: datetime, report: EligibilityFileReport) -> None:
    """The file's 999: on record, then (last: everything that could fail in the database has been tried) in the
    drop, and on record as dropped (the caller's commit makes both true together)."""
    ack = _prepare_999(session, x12file, findings, settings, now)
    if ack is None:
        session.flush()
        return
    answer = record_answer(session, record, kind="999", name=ack[0], content=ack[1], route=route)
    final = drop_answer(answer)
    try:
        confirm_dropped(session, answer.file_id, final)
    except BaseException:
        remove_dropped(final)  # the caller gets no report to take it back with
        raise
    report.ack_file = str(final)


def _store_answer(session: Session, tx: Transaction, member: Member, answer: MemberAnswer,
                  inquiry: EligibilityInquiry | None, *, as_of: date, file_id: int | None,
                  received_at: datetime) -> ResponseOutcome:
    source_payer = member.source.id if member.source is not None and member.source.id else ""
    if inquiry is not None:
        payer_id, patient_id = inquiry.payer_id, inquiry.patient_id
        corrections = _corrections(session, inquiry, answer)
    else:
        payer_id = source_payer or (member.source.name if member.source is not None else "") or "unknown"
        patient_id = None
        if answer.level == "subscriber":  # our records may still hold the id the payer replaced (REF*Q4)
            patient_id = _patient_by_member_id(session, payer_id, answer.member_id) \
                or _patient_by_member_id(session, payer_id, answer.prior_member_id)
        corrections = _payer_flagged(answer)
    session.add(_snapshot(answer, patient_id=patient_id, payer_id=payer_id, as_of=as_of, inquiry=inquiry,
                          file_id=file_id, corrections=corrections, received_at=received_at))
    held: tuple[str, ...] = ()
    released: tuple[str, ...] = ()
    if inquiry is not None and inquiry.encounter_id is not None:
        changes = apply_answer_to_claims(session, encounter_id=inquiry.encounter_id, payer_id=inquiry.payer_id,
                                         answer=answer, file_id=file_id)
        held, released = tuple(changes.held), tuple(changes.released)
    return ResponseOutcome(
        transaction=tx.control_number, segment=answer.segment, level=answer.level, status=answer.status,
        matched=inquiry is not None, trace_number=inquiry.trace_number if inquiry else None,
        encounter_id=inquiry.encounter_id if inquiry else None, reject_codes=tuple(answer.reject_codes),
        retry=answer.retry, held=held, released=released,
    )
