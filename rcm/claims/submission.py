"""A claims run: ready claims out of the store, into one 837 file per clearinghouse in the outbound drop, with
the file, its transactions, each claim's submission and its `submitted` status recorded in the same commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rcm.claims.batching import TransactionPlan, plan_transactions
from rcm.claims.clearinghouses import Clearinghouse, PayerRoute, load_clearinghouses, load_payer_routes
from rcm.claims.control_numbers import next_group_number, next_interchange_number, next_transaction_number
from rcm.claims.corrections import repoint_to_current_version
from rcm.claims.errors import ClaimBuildError
from rcm.claims.next_payer import create_next_payer_claims
from rcm.claims.parties import filing_indicator
from rcm.claims.posted_adjudication import earlier_claims, prior_adjudications
from rcm.claims.transaction import (
    ClaimBlock,
    OutgoingClaim,
    batch_reference,
    build_claim_block,
    transaction_segments,
    version_for,
)
from rcm.config import Settings
from rcm.domain import ClaimType
from rcm.drops import remove_dropped, write_new_file
from rcm.errors import ConfigError, RcmError, StateError, StoreError
from rcm.store import repositories
from rcm.store.tables import (
    ClaimRecord,
    ClaimStatus,
    ClaimStatusChange,
    ClaimSubmission,
    X12FileRecord,
    X12TransactionRecord,
)
from rcm.x12.validation import validate_file
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange

__all__ = ["BuildReport", "SkippedClaim", "WrittenFile", "build_claims", "resubmission_problem", "write_atomically"]


@dataclass(frozen=True, slots=True)
class WrittenFile:
    path: str
    clearinghouse: str
    interchange_control_number: str
    transactions: int
    claims: int
    charges: Decimal

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "clearinghouse": self.clearinghouse,
            "interchange_control_number": self.interchange_control_number,
            "transactions": self.transactions,
            "claims": self.claims,
            "charges": f"{self.charges:.2f}",
        }


@dataclass(frozen=True, slots=True)
class SkippedClaim:
    claim: str
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"claim": self.claim, "reason": self.reason}


@dataclass(slots=True)
class BuildReport:
    files: list[WrittenFile] = field(default_factory=list)
    skipped: list[SkippedClaim] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {"files": [f.as_json() for f in self.files], "skipped": [s.as_json() for s in self.skipped]}


def resubmission_problem(session: Session, claim: ClaimRecord, *, corrected: bool = False) -> str | None:
    """Why a ready claim must not go out again, or None. A claim goes out once per submission: after a
    submission only a correction (replacement 7 or void 8 with the payer's claim number, built from a changed
    encounter or marked by a biller), or a claim the clearinghouse or payer rejected, may be sent again."""
    last = _last_submission(session, claim)
    if last is None:
        return None
    if claim.frequency_code in ("7", "8") and not claim.payer_claim_number:
        return "a replacement or void needs the payer's claim number (REF*F8)"
    if corrected or _rejected_since(session, claim, last.submitted_at):
        return None
    if claim.frequency_code in ("7", "8") and last.frequency_code != claim.frequency_code:
        return None
    if claim.frequency_code in ("7", "8"):
        return f"this {'replacement' if claim.frequency_code == '7' else 'void'} was already sent"
    return "already submitted; send a replacement (7) or void (8) with the payer's claim number instead"


def _last_submission(session: Session, claim: ClaimRecord) -> ClaimSubmission | None:
    return session.scalars(
        select(ClaimSubmission).where(ClaimSubmission.claim_id == claim.id)
        .order_by(ClaimSubmission.submission_number.desc())
    ).first()


def _rejected_since(session: Session, claim: ClaimRecord, since: datetime) -> bool:
    return session.scalars(
        select(ClaimStatusChange.id).where(
            ClaimStatusChange.claim_id == claim.id,
            ClaimStatusChange.to_status == ClaimStatus.rejected,
            ClaimStatusChange.at >= since,
        )
    ).first() is not None


def _filing(claim_type_payer: str, routes: dict[str, PayerRoute], *preferred: str | None) -> str:
    route = routes.get(claim_type_payer)
    return filing_indicator(*preferred, route.filing_indicator if route else None)


def _outgoing(session: Session, record: ClaimRecord, routes: dict[str, PayerRoute]) -> OutgoingClaim:
    try:
        claim = repositories.claim_as_domain(session, record)
    except RcmError as exc:
        raise ClaimBuildError(record.claim_number, "claim", str(exc).split(": ", 1)[-1]) from exc
    primary = record.coverage_priority == "primary"
    adjudications = () if primary else prior_adjudications(session, record)
    earlier = [] if primary else earlier_claims(session, record)
    others = []
    for e in earlier:
        cov = next((c for c in claim.other_coverage if c.payer_id == e.payer_id), None)
        others.append(_filing(e.payer_id, routes, cov.plan_type if cov else None))
    return OutgoingClaim(
        claim=claim,
        filing_indicator=_filing(claim.payer.payer_id, routes, claim.coverage.plan_type, claim.payer.plan_type),
        adjudications=adjudications,
        other_filing_indicators=tuple(others),
    )


def write_atomically(folder: Path, name: str, content: bytes) -> Path:
    """Drop an 837 whole or not at all; a name already in the drop is refused (interchange numbers never repeat)."""
    return write_new_file(folder, name, content, if_taken="refuse")


def build_claims(session: Session, settings: Settings, *, clearinghouse: str | None = None,
                 now: datetime | None = None) -> BuildReport:
    """Send every `ready` claim: one file per clearinghouse, written atomically, recorded in the same commit.

    This function commits, once, together with the file drops, because files and records must stand or fall
    together: if the commit fails the dropped files are removed; if a write fails nothing is recorded (and files
    already dropped in this run are removed). Claims that cannot be expressed in the guide go back to `held` with
    the reason. Runs are serialized by a database lock taken first (a counter row), so two concurrent runs never
    send the same claim.
    """
    created = (now or datetime.now(UTC)).astimezone(UTC)
    houses = load_clearinghouses(settings.rules_dir)
    routes = load_payer_routes(settings.rules_dir)
    if clearinghouse is not None and clearinghouse not in houses:
        raise ConfigError(f"unknown clearinghouse {clearinghouse!r}; configured: {sorted(houses)}")
    report = BuildReport()
    if session.new or session.dirty or session.deleted:
        raise StateError("build_claims needs a session without pending changes (commit them first)")
    session.rollback()  # end any read transaction: the run lock must be the first statement of ours
    repositories.next_control_number(session, "claims-build-run")  # held until our commit (row lock / writer)
    create_next_payer_claims(session)
    by_house: dict[str, list[ClaimBlock]] = {}
    records: dict[str, ClaimRecord] = {}
    for record in repositories.claims_with_status(session, [ClaimStatus.ready]):
        route = routes.get(record.payer_id)
        house = route.clearinghouse if route else "default"
        if clearinghouse is not None and house != clearinghouse:
            continue
        if house not in houses:
            report.skipped.append(SkippedClaim(record.claim_number, f"clearinghouse {house} is not configured"))
            continue
        try:
            last = _last_submission(session, record)
            rejected = last is not None and _rejected_since(session, record, last.submitted_at)
            corrected = last is not None and repoint_to_current_version(session, record, never_adjudicated=rejected)
            problem = resubmission_problem(session, record, corrected=corrected)
            if problem:
                report.skipped.append(SkippedClaim(record.claim_number, problem))
                continue
            block = build_claim_block(_outgoing(session, record, routes))
        except ClaimBuildError as exc:
            repositories.set_claim_status(session, record, ClaimStatus.held, cause=f"cannot build the 837: "
                                          f"{exc.detail} ({exc.field})", source_kind="build")
            report.skipped.append(SkippedClaim(record.claim_number, f"{exc.detail} ({exc.field})"))
            continue
        records[record.claim_number] = record
        by_house.setdefault(house, []).append(block)
    dropped: list[Path] = []
    try:
        for house, blocks in by_house.items():
            written = _send(session, settings, houses[house], blocks, records, created)
            dropped.append(Path(written.path))
            report.files.append(written)
    except BaseException:
        session.rollback()
        for path in dropped:
            remove_dropped(path)
        raise
    try:
        session.commit()
    except BaseException as exc:
        session.rollback()
        for path in dropped:
            remove_dropped(path)
        names = ", ".join(p.name for p in dropped) or "no file"
        raise StoreError(f"the submission could not be recorded; withdrawn: {names}") from exc
    return report


def _send(session: Session, settings: Settings, ch: Clearinghouse, blocks: Sequence[ClaimBlock],
          records: dict[str, ClaimRecord], created: datetime) -> WrittenFile:
    plans = plan_transactions(blocks, max_claims_per_transaction=ch.max_claims_per_transaction)
    icn = next_interchange_number(session, ch.sender_id)
    groups: list[GroupOut] = []
    numbered: list[tuple[TransactionPlan, int, str]] = []
    for claim_type in (ClaimType.professional, ClaimType.institutional):
        typed = [p for p in plans if p.claim_type is claim_type]
        if not typed:
            continue
        gs06 = next_group_number(session, ch.sender_id)
        transactions: list[TransactionOut] = []
        for plan in typed:
            st02 = next_transaction_number(session, ch.sender_id)
            body = transaction_segments(plan.blocks, clearinghouse=ch, reference=batch_reference(icn, st02),
                                        created=created)
            transactions.append(TransactionOut("837", st02, cast("list[list[ElementValue]]", body)))
            numbered.append((plan, gs06, st02))
        groups.append(GroupOut("HC", ch.sender_id, ch.receiver_id, gs06, version_for(claim_type),
                               created.date(), created.time(), transactions))
    content = write_interchange(
        sender_qualifier=ch.sender_qualifier, sender_id=ch.sender_id, receiver_qualifier=ch.receiver_qualifier,
        receiver_id=ch.receiver_id, control_number=icn, date=created.date(), time=created.time(), usage=ch.usage,
        ack_requested="1", groups=groups, newline=True,
    )
    problems = [f for f in validate_file(content) if f.severity == "error"]
    if problems:
        # never drop a file our own validator rejects: that is a builder bug, not a claim to send
        first = "; ".join(f"segment {f.segment}: {f.message}" for f in problems[:5])
        raise StateError(f"interchange {icn:09d} failed validation before it was dropped ({len(problems)} "
                         f"error(s)): {first}")
    kinds = sorted({"837P" if p.claim_type is ClaimType.professional else "837I" for p in plans})
    kind = kinds[0] if len(kinds) == 1 else "837"
    name = ch.file_name_for(kind=kind, icn=icn, at=created)
    folder = _outbound_folder(settings, ch)
    charges = sum((b.claim.total_charge for b in blocks), Decimal("0.00"))
    file_record, fresh = repositories.record_file(
        session, direction="out", kind=kind, name=name, path=str(folder / name), content=content,
        interchange_control_number=f"{icn:09d}", sender_id=ch.sender_id, receiver_id=ch.receiver_id,
        clearinghouse=ch.name, status="sent",
        detail={"claims": len(blocks), "transactions": len(plans), "charges": f"{charges:.2f}"},
    )
    if not fresh:  # pragma: no cover - ISA13 and the timestamp make every file's bytes new
        raise StoreError(f"interchange {icn:09d}: identical bytes were already sent")
    _record_claims(session, file_record, numbered, records, name, icn)
    path = write_atomically(folder, name, content)
    return WrittenFile(str(path), ch.name, f"{icn:09d}", len(plans), len(blocks), charges)


def _record_claims(session: Session, file_record: X12FileRecord, numbered: list[tuple[TransactionPlan, int, str]],
                   records: dict[str, ClaimRecord], name: str, icn: int) -> None:
    sent_at = datetime.now(UTC)  # when it really happened (``created`` may be a fixed envelope date)
    ids = [r.id for r in records.values()]
    last_numbers: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(ClaimSubmission.claim_id, func.max(ClaimSubmission.submission_number))
            .where(ClaimSubmission.claim_id.in_(ids[start:start + 500]))
            .group_by(ClaimSubmission.claim_id)
        ).all()
        last_numbers.update({claim_id: number for claim_id, number in rows})
    for plan, gs06, st02 in numbered:
        tx = X12TransactionRecord(file_id=file_record.id, set_id="837", group_control_number=str(gs06),
                                  transaction_control_number=st02, claim_count=len(plan.blocks))
        session.add(tx)
        session.flush()
        for block in plan.blocks:
            record = records[block.claim.claim_id]
            session.add(ClaimSubmission(
                claim_id=record.id, file_id=file_record.id, transaction_record_id=tx.id,
                submission_number=last_numbers.get(record.id, 0) + 1, submitted_at=sent_at,
                frequency_code=block.claim.frequency_code.value,
            ))
            kind = {"1": "claim", "7": "replacement claim", "8": "void"}[block.claim.frequency_code.value]
            repositories.set_claim_status(
                session, record, ClaimStatus.submitted, source_kind="build", source_file_id=file_record.id,
                cause=f"{kind} sent in {name} (interchange {icn:09d}, group {gs06}, transaction {st02})", at=sent_at,
            )
        session.flush()


def _outbound_folder(settings: Settings, ch: Clearinghouse) -> Path:
    folder = Path(ch.outbound)
    return folder if folder.is_absolute() else settings.data_dir / folder
