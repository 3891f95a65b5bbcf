"""Acknowledgments in: tie TA1, 999 and 277CA files to the interchanges, transactions and claims we sent, and move
each claim to `acknowledged` or `rejected` with the reason in a biller's words. The caller commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.claims import ack_codes as codes
from rcm.claims.ack_reading import (
    AckFile,
    ClaimAck,
    GroupAck,
    LineAck,
    SegmentError,
    StatusReason,
    TransactionAck,
    read_acks,
)
from rcm.errors import InputError, UnreadableFileError
from rcm.store import repositories
from rcm.store.tables import (
    ClaimRecord,
    ClaimStatus,
    ClaimSubmission,
    X12FileRecord,
    X12TransactionRecord,
)
from rcm.x12.tokenizer import iter_segments

__all__ = ["AckReport", "ClaimOutcome", "ingest_ack_file", "segment_error_words"]

# A claim an acknowledgment may still move: it is out, and nothing later (payment, denial) has happened to it.
_MOVABLE = frozenset({ClaimStatus.submitted, ClaimStatus.acknowledged})
_REJECTED_999 = frozenset({"R", "M", "W", "X"})


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    claim: str
    status: str
    reason: str
    changed: bool

    def as_json(self) -> dict[str, object]:
        return {"claim": self.claim, "status": self.status, "reason": self.reason, "changed": self.changed}


@dataclass(slots=True)
class AckReport:
    """What one acknowledgment file said and did (counts are interchanges for TA1, transaction sets for 999/997,
    claims for 277CA); ``unmatched`` lists what names nothing we sent (its JSON gives the count and the items)."""

    file: str
    kind: str
    duplicate: bool = False
    accepted: int = 0
    accepted_with_errors: int = 0
    rejected: int = 0
    unmatched: list[dict[str, str]] = field(default_factory=list)
    claims: list[ClaimOutcome] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "duplicate": self.duplicate,
            "accepted": self.accepted,
            "accepted_with_errors": self.accepted_with_errors,
            "rejected": self.rejected,
            "unmatched": len(self.unmatched),
            "unmatched_items": list(self.unmatched),
            "claims": [c.as_json() for c in self.claims],
        }


def _digits_key(value: str) -> str:
    """Control numbers compare as numbers when they are numbers (000123 == 123)."""
    stripped = value.strip()
    return str(int(stripped)) if stripped.isdigit() else stripped


def segment_error_words(error: SegmentError) -> str:
    """IK3/IK4 as a sentence: which segment, where, which element, what is wrong."""
    where = f"segment {codes.segment_name(error.segment_id)}"
    if error.position is not None:
        where += f" (segment {error.position} of the transaction"
        where += f", loop {error.loop})" if error.loop else ")"
    parts = [f"{where}: {codes.segment_error_text(error.code)}"]
    for element in error.elements:
        if element.position is None:
            parts.append(codes.element_error_text(element.code))
        else:
            name = codes.element_name(error.segment_id, element.position, element.component)
            parts.append(f"element {name}: {codes.element_error_text(element.code)}")
    return "; ".join(parts)


class _Acker:
    """One file's ingest: keeps the report and the file record, applies status changes."""

    def __init__(self, session: Session, record: X12FileRecord, report: AckReport, acks: AckFile) -> None:
        self.session = session
        self.record = record
        self.report = report
        self.acks = acks
        self._claims_by_position: dict[tuple[int, str], list[tuple[int, str]]] = {}

    # --- claim moves -----------------------------------------------------------------------------------------
    def move(self, claim: ClaimRecord, to: ClaimStatus, cause: str, *, sent_file_id: int | None) -> None:
        latest = self.session.scalars(
            select(ClaimSubmission).where(ClaimSubmission.claim_id == claim.id)
            .order_by(ClaimSubmission.submission_number.desc())
        ).first()
        if latest is None:
            self.report.unmatched.append({"claim": claim.claim_number, "reason": "this claim was never sent"})
            return
        if sent_file_id is not None and latest.file_id != sent_file_id:
            self.report.claims.append(ClaimOutcome(claim.claim_number, claim.status.value,
                                                   "acknowledges an earlier submission; the claim was sent again since",
                                                   False))
            return
        if claim.status not in _MOVABLE:
            self.report.claims.append(ClaimOutcome(claim.claim_number, claim.status.value,
                                                   f"already {claim.status.value}: {cause}", False))
            return
        change = repositories.set_claim_status(self.session, claim, to, cause=cause, source_kind="ack",
                                               source_file_id=self.record.id)
        self.report.claims.append(ClaimOutcome(claim.claim_number, to.value, cause, change is not None))

    def claims_in_transaction(self, tx: X12TransactionRecord) -> list[ClaimRecord]:
        ids = self.session.scalars(
            select(ClaimSubmission.claim_id).where(ClaimSubmission.transaction_record_id == tx.id)
        ).all()
        return [c for c in (self.session.get(ClaimRecord, i) for i in ids) if c is not None]

    def claims_in_file(self, sent: X12FileRecord) -> list[ClaimRecord]:
        ids = self.session.scalars(select(ClaimSubmission.claim_id).where(ClaimSubmission.file_id == sent.id)).all()
        return [c for c in (self.session.get(ClaimRecord, i) for i in sorted(set(ids))) if c is not None]

    # --- TA1 -------------------------------------------------------------------------------------------------
    def interchange(self, icn: str, status: str, note: str) -> None:
        sent = self._sent_files(icn)
        self._count(status)
        if not sent:
            self.report.unmatched.append({"ack": "TA1", "interchange": icn,
                                          "reason": "we sent no interchange with this control number"})
            return
        words = codes.interchange_note_text(note) if note else "no note"
        for file in sent:
            file.status = {"A": "ta1_accepted", "E": "ta1_accepted_with_errors", "R": "ta1_rejected"}.get(
                status, file.status)
            if status == "R":
                cause = f"clearinghouse rejected interchange {icn} (TA1 note {note}: {words})"
                for claim in self.claims_in_file(file):
                    self.move(claim, ClaimStatus.rejected, cause, sent_file_id=file.id)

    def _sent_files(self, icn: str) -> list[X12FileRecord]:
        key = _digits_key(icn)
        spellings = {icn.strip(), key, key.zfill(9)}
        matches = list(self.session.scalars(
            select(X12FileRecord).where(X12FileRecord.direction == "out",
                                        X12FileRecord.interchange_control_number.in_(spellings))
        ))
        own = [f for f in matches if f.sender_id == self.acks.receiver_id]
        return own or matches

    def _count(self, status: str) -> None:
        if status == "A":
            self.report.accepted += 1
        elif status == "E":
            self.report.accepted_with_errors += 1
        else:
            self.report.rejected += 1

    # --- 999 -------------------------------------------------------------------------------------------------
    def group(self, group: GroupAck) -> None:
        sent_txs = self._sent_transactions(group.group_control_number)
        if not sent_txs:
            self.report.unmatched.append({"ack": group.ack_set, "group": group.group_control_number,
                                          "reason": "we sent no functional group with this control number"})
            for tx_ack in group.transactions:
                self._count(self._tx_status(tx_ack, group))
            if not group.transactions:
                self._count(group.status if group.status in ("A", "E") else "R")
            return
        if not group.transactions:
            # AK9 alone: the whole group is judged at once
            status = group.status if group.status in ("A", "E") else "R"
            why = ", ".join(codes.group_error_text(c) for c in group.codes) or "no reason given"
            for tx in sent_txs:
                tx.ack_status = status
                self._transaction_claims(tx, status, f"{group.ack_set}: functional group {group.group_control_number} "
                                         + ("accepted" if status == "A" else f"rejected ({why})"), [])
                self._count(status)
            return
        for tx_ack in group.transactions:
            status = self._tx_status(tx_ack, group)
            matched = next((t for t in sent_txs if _digits_key(t.transaction_control_number)
                            == _digits_key(tx_ack.control_number) and t.set_id == tx_ack.set_id), None)
            self._count(status)
            if matched is None:
                self.report.unmatched.append({"ack": group.ack_set, "group": group.group_control_number,
                                              "transaction": tx_ack.control_number,
                                              "reason": "we sent no transaction set with this control number"})
                continue
            matched.ack_status = status
            summary = self._transaction_words(group, tx_ack, status)
            self._transaction_claims(matched, status, summary, tx_ack.errors)

    @staticmethod
    def _tx_status(tx_ack: TransactionAck, group: GroupAck) -> str:
        status = tx_ack.status or group.status
        if status in _REJECTED_999:
            return "R"
        return status if status in ("A", "E") else "R"

    @staticmethod
    def _transaction_words(group: GroupAck, tx_ack: TransactionAck, status: str) -> str:
        what = f"{group.ack_set}: transaction {tx_ack.control_number} of group {group.group_control_number}"
        verdict = {"A": "accepted", "E": "accepted with errors", "R": "rejected"}[status]
        reasons = [codes.transaction_error_text(c) for c in tx_ack.codes if c != "5"]
        return f"{what} {verdict}" + (f" ({', '.join(reasons)})" if reasons else "")

    def _sent_transactions(self, group_control_number: str) -> list[X12TransactionRecord]:
        key = _digits_key(group_control_number)
        rows = self.session.execute(
            select(X12TransactionRecord, X12FileRecord)
            .join(X12FileRecord, X12FileRecord.id == X12TransactionRecord.file_id)
            .where(X12FileRecord.direction == "out",
                   X12TransactionRecord.group_control_number.in_({group_control_number.strip(), key}))
        ).all()
        own = [t for t, f in rows if f.sender_id == self.acks.receiver_id]
        return own or [t for t, _ in rows]

    def _transaction_claims(self, tx: X12TransactionRecord, status: str, summary: str,
                            errors: Iterable[SegmentError]) -> None:
        errors = list(errors)
        by_claim: dict[str, list[str]] = {}
        general: list[str] = []
        for error in errors:
            claim_id = error.claim_id or self._claim_at(tx, error.position)
            (by_claim.setdefault(claim_id, []) if claim_id else general).append(segment_error_words(error))
        for claim in self.claims_in_transaction(tx):
            own = by_claim.get(claim.claim_number, [])
            details = own + general
            if status == "R":
                if not details and errors:
                    details = [f"rejected with its transaction because of errors in claim(s) "
                               f"{', '.join(sorted(by_claim)) or 'of the transaction'}"]
                cause = summary + (": " + " | ".join(details) if details else "")
                self.move(claim, ClaimStatus.rejected, cause, sent_file_id=tx.file_id)
            else:
                cause = summary + (": " + " | ".join(details) if details else "")
                self.move(claim, ClaimStatus.acknowledged, cause, sent_file_id=tx.file_id)

    def _claim_at(self, tx: X12TransactionRecord, position: int | None) -> str | None:
        """The CLM01 of the claim holding segment ``position`` of transaction ``tx`` in the file we sent."""
        if position is None:
            return None
        key = (tx.file_id, tx.transaction_control_number)
        if key not in self._claims_by_position:
            self._claims_by_position[key] = self._claim_starts(tx)
        found = None
        for start, claim_id in self._claims_by_position[key]:
            if start <= position:
                found = claim_id
        return found

    def _claim_starts(self, tx: X12TransactionRecord) -> list[tuple[int, str]]:
        sent = self.session.get(X12FileRecord, tx.file_id)
        if sent is None or not Path(sent.path).is_file():
            return []
        starts: list[tuple[int, str]] = []
        inside = False
        count = 0
        last_subscriber = 0
        for seg in iter_segments(Path(sent.path)):
            if seg.id == "ST":
                inside = seg.get(2) == tx.transaction_control_number
                count = 0
            if not inside:
                continue
            count += 1
            if seg.id == "HL" and seg.get(3) == "22":
                last_subscriber = count  # a claim's subscriber and patient levels belong to it
            elif seg.id == "CLM":
                starts.append((last_subscriber or count, seg.get(1)))
            elif seg.id == "SE":
                break
        return starts

    # --- 277CA -----------------------------------------------------------------------------------------------
    def claim_status(self, ack: ClaimAck) -> None:
        rejected = [s for s in ack.statuses if s.category in codes.REJECTED_CATEGORIES]
        words = _status_words(rejected or ack.statuses) or "no status given"
        # A payer that rejects a service line rejects the claim as sent: the biller needs to know which line.
        rejected_lines = [ln for ln in ack.lines if any(s.category in codes.REJECTED_CATEGORIES for s in ln.statuses)]
        if rejected_lines:
            words = "; ".join([*([words] if rejected else []), *(_line_words(ln) for ln in rejected_lines)])
        status = "R" if rejected or rejected_lines else "A"
        if ack.level == "batch":
            self._batch_status(ack, status, words)
            return
        self._count(status)
        claim = repositories.find_claim(self.session, ack.reference)
        if claim is None:
            self.report.unmatched.append({"ack": "277CA", "claim": ack.reference,
                                          "reason": "no claim with this patient control number"})
            return
        if ack.payer_claim_number and not claim.payer_claim_number and claim.frequency_code == "1":
            claim.payer_claim_number = ack.payer_claim_number
        if status == "R":
            self.move(claim, ClaimStatus.rejected, f"277CA: {words}", sent_file_id=None)
        else:
            self.move(claim, ClaimStatus.acknowledged, f"277CA: {words}", sent_file_id=None)

    def _batch_status(self, ack: ClaimAck, status: str, words: str) -> None:
        """HL 21 TRN*2 carries our BHT03 (ISA13-ST02): a batch-level rejection rejects every claim in it."""
        icn, _, st02 = ack.reference.partition("-")
        tx = None
        if icn.isdigit() and st02:
            tx = self.session.scalars(
                select(X12TransactionRecord)
                .join(X12FileRecord, X12FileRecord.id == X12TransactionRecord.file_id)
                .where(X12FileRecord.direction == "out",
                       X12FileRecord.interchange_control_number == f"{int(icn):09d}",
                       X12TransactionRecord.transaction_control_number == st02)
            ).first()
        if tx is None:
            self.report.unmatched.append({"ack": "277CA", "batch": ack.reference,
                                          "reason": "no transaction we sent carries this reference"})
            return
        if status == "R":
            for claim in self.claims_in_transaction(tx):
                self.move(claim, ClaimStatus.rejected, f"277CA batch rejected: {words}", sent_file_id=tx.file_id)


def _status_words(statuses: Iterable[StatusReason]) -> str:
    """STC composites in a biller's words, each with its codes: "Rejected for invalid information: ... [A7:562:85]"."""
    return "; ".join(
        f"{codes.category_text(s.category)}: {codes.status_code_text(s.code)}"
        + (f" ({codes.entity_text(s.entity)})" if s.entity else "")
        + f" [{':'.join(p for p in (s.category, s.code, s.entity) if p)}]"
        for s in statuses
    )


def _line_words(line: LineAck) -> str:
    """Which service line (our line item control number, the procedure, the date) and why it was rejected."""
    rejected = [s for s in line.statuses if s.category in codes.REJECTED_CATEGORIES]
    which = f"line {line.line_control_number}" if line.line_control_number else "a service line"
    parts = line.procedure.split(":")
    procedure = "-".join(p for p in (parts[1:] if len(parts) > 1 else parts) if p)  # 99213-25
    detail = ", ".join(p for p in (procedure, line.service_date or "") if p)
    return f"{which}{f' ({detail})' if detail else ''}: {_status_words(rejected)}"


def ingest_ack_file(session: Session, path: Path) -> AckReport:
    """Read one acknowledgment file and apply it; the same bytes a second time change nothing."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot read the file ({type(exc).__name__})") from None
    acks = read_acks(content)
    if not acks.kinds:
        raise InputError(f"{path}: no TA1, 999, 997 or 277CA acknowledgment in the file")
    record, created = repositories.record_file(
        session, direction="in", kind=acks.kind if len(acks.kind) <= 10 else "ACK", name=path.name[:255],
        path=str(path), content=content,
        interchange_control_number=acks.interchange_control_number[:9] or None,
        sender_id=acks.sender_id[:15] or None, receiver_id=acks.receiver_id[:15] or None, status="received",
    )
    if not created:
        previous = record.detail or {}
        report = AckReport(file=str(path), kind=acks.kind, duplicate=True,
                           accepted=int(previous.get("accepted", 0)),
                           accepted_with_errors=int(previous.get("accepted_with_errors", 0)),
                           rejected=int(previous.get("rejected", 0)),
                           unmatched=list(previous.get("unmatched_items", [])))
        return report
    report = AckReport(file=str(path), kind=acks.kind)
    acker = _Acker(session, record, report, acks)
    for ta1 in acks.interchange_acks:
        acker.interchange(ta1.interchange_control_number, ta1.status, ta1.note_code)
    for group in acks.group_acks:
        acker.group(group)
    for claim_ack in acks.claim_acks:
        acker.claim_status(claim_ack)
    record.status = "unmatched" if report.unmatched and not report.claims else "applied"
    detail = report.as_json()
    detail.pop("file")
    record.detail = detail
    if report.unmatched:
        repositories.audit(session, actor="acks", action="unmatched_acknowledgment", entity_type="x12_file",
                           entity_id=str(record.id), detail={"unmatched": report.unmatched})
    session.flush()
    return report
