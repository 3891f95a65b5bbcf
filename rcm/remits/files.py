"""Posting received 835 files: read each, store it once, post its payments, and answer it with a 999.

The 999 goes to the outbound folder of the clearinghouse the 835 came from (rcm.transport.answers decides; the
caller may name it). `post_received_files` runs each file in its own transaction (retrying when a concurrent run
took the same file or a deadlock victim was chosen) and drops the 999 only after the commit, atomically
(temporary name, fsync, rename), so a rolled-back posting never leaves an acknowledgment behind; the 999 is on
record with the file it answers, so the same file read again is not answered twice, and a 999 lost between the
commit and the drop is written when the file is read again. `post_file` is the database part alone, inside the
caller's transaction; `deliver_acknowledgment` comes after its commit.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from rcm.config import get_settings
from rcm.drops import read_input
from rcm.errors import RcmError, StoreError
from rcm.remits.acknowledgment import prepare_999
from rcm.remits.posting import post_remittances
from rcm.remits.reading import read_remittances
from rcm.remits.report import FileResult
from rcm.store.database import is_up_to_date, make_engine, redacted_url, session_factory, upgrade
from rcm.store.repositories.files import record_file
from rcm.transport.answers import (
    ANSWERED,
    NEEDED,
    AnswerRoute,
    InterchangeIds,
    PreparedAnswer,
    answer_state,
    confirm_dropped,
    drop_answer,
    mark_not_dropped,
    record_answer,
    route_answer,
)

__all__ = ["PreparedFile", "deliver_acknowledgment", "post_file", "post_received_files"]

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PreparedFile:
    """What posting one file produced: the report, where its 999 goes, and the 999 to drop once the posting is
    committed.

    ``answer`` is None when the file needs no new 999: it was answered before (``answer_state`` "answered") or
    another run is writing its 999 right now ("in flight": read the file again later).
    """

    result: FileResult
    route: AnswerRoute
    answer: PreparedAnswer | None = None
    answer_state: str = ANSWERED


def post_file(
    session: Session, path: Path, *, answer_to: AnswerRoute | None = None, now: datetime | None = None
) -> PreparedFile:
    """Read, store and post one 835 file in the caller's transaction (the caller commits).

    ``answer_to`` is where its 999 goes (default: the clearinghouse ``route_answer`` finds for the file). Raises
    UnreadableFileError when the file is missing, is not X12, or holds no 835 transaction set; ConfigError when no
    clearinghouse can be chosen for the 999 (nothing is then posted).
    """
    content = read_input(path)
    received = read_remittances(content, name=str(path))
    header = received.interchange
    route = answer_to or route_answer(
        get_settings(), path, ids=InterchangeIds.of(header.sender_id, header.receiver_id) if header else None
    )
    record, created = record_file(
        session,
        direction="in",
        kind="835",
        name=path.name[:255],
        path=str(path)[:1000],
        content=content,
        interchange_control_number=header.control_number[:9] if header else None,
        sender_id=header.sender_id[:15] if header else None,
        receiver_id=header.receiver_id[:15] if header else None,
    )
    results = post_remittances(session, received.remittances, file_id=record.id, now=now)
    result = FileResult(file=str(path), transactions=results, file_id=record.id, findings=received.findings)
    state = answer_state(session, record, created=created)
    if state != NEEDED:
        return PreparedFile(result, route, answer_state=state)
    ack = prepare_999(session, received.x12file, received.findings)
    if ack is None:
        return PreparedFile(result, route)
    name, ack_content = ack
    answer = record_answer(session, record, kind="999", name=name, content=ack_content, route=route)
    return PreparedFile(result, route, answer, NEEDED)


def deliver_acknowledgment(engine: Engine, prepared: PreparedFile) -> Path | None:
    """After the commit: write the prepared 999 into its clearinghouse's outbound folder (whole or not at all,
    never over another file), then record that it is there, in a short transaction of its own.

    When it cannot be written, that is recorded instead, so the next reading of the file answers it, and the
    OSError is raised. Should the database refuse the note, a later reading still finds the 999 while it waits
    in the drop or once the transport has sent it.
    """
    answer = prepared.answer
    if answer is None:
        return None
    try:
        final = drop_answer(answer)
    except OSError:
        _note(engine, answer, lambda session: mark_not_dropped(session, answer.file_id))
        raise
    prepared.result.acknowledgment = final
    _note(engine, answer, lambda session: confirm_dropped(session, answer.file_id, final))
    return final


def _note(engine: Engine, answer: PreparedAnswer, change: Callable[[Session], None]) -> None:
    try:
        with session_factory(engine)() as session, session.begin():
            change(session)
    except SQLAlchemyError as exc:
        log.warning("999 %s: its state could not be recorded (%s)", answer.name, type(exc).__name__)


_ATTEMPTS = 3


def _is_retryable(exc: SQLAlchemyError) -> bool:
    # A concurrent run took the same payment or file (unique key), or PostgreSQL chose us as a deadlock victim:
    # run the whole file again; the second time it sees the other run's committed rows.
    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return True  # SQLite: another writer committed between our read and our first write
    if isinstance(exc, OperationalError | DBAPIError):
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        return code in {"40001", "40P01"}
    return False


def _post_one(engine: Engine, path: Path, route: AnswerRoute | None) -> FileResult:
    factory = session_factory(engine)
    for attempt in range(1, _ATTEMPTS + 1):
        prepared: PreparedFile
        try:
            with factory() as session, session.begin():
                prepared = post_file(session, path, answer_to=route)
        except SQLAlchemyError as exc:
            if attempt < _ATTEMPTS and _is_retryable(exc):
                continue
            raise StoreError(f"{path}: the database refused the posting ({type(exc).__name__})") from exc
        except RcmError:
            raise
        except Exception as exc:
            # A fault of ours: the transaction was rolled back, so say so plainly instead of a traceback.
            raise RcmError(f"{path}: posting failed ({type(exc).__name__}); nothing from this file was posted") from exc
        try:
            deliver_acknowledgment(engine, prepared)
        except OSError as exc:
            raise RcmError(f"{path}: posted, but its 999 could not be written into {prepared.route.outbound} "
                           f"({type(exc).__name__}); it is written when the file is read again") from exc
        return prepared.result
    raise StoreError(f"{path}: could not post after {_ATTEMPTS} attempts")  # pragma: no cover - loop returns


def post_received_files(
    paths: Sequence[Path], *, engine: Engine | None = None, clearinghouse: str | None = None
) -> tuple[list[FileResult], list[RcmError]]:
    """Post each 835 file in its own transaction and drop its 999 into the outbound folder of ``clearinghouse``
    (default: the one ``route_answer`` finds for each file); returns the results and, per file that failed, its
    error (the other files are still posted). Brings a new or older database to the current schema.
    """
    settings = get_settings()
    settings.ensure_dirs()
    own_engine = engine is None
    engine = engine or make_engine(settings.database_url)
    results: list[FileResult] = []
    errors: list[RcmError] = []
    try:
        try:
            if not is_up_to_date(engine):
                upgrade(engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"database {redacted_url(engine.url)} cannot be reached ({type(exc).__name__})") from exc
        for path in paths:
            try:
                named = route_answer(settings, path, ids=None, clearinghouse=clearinghouse) if clearinghouse else None
                results.append(_post_one(engine, path, named))
            except RcmError as exc:
                errors.append(exc)
    finally:
        if own_engine:
            engine.dispose()
    return results, errors
