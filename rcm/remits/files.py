"""Posting received 835 files: read each, store it once, post its payments, and answer it with a 999.

`post_received_files` runs each file in its own transaction (retrying when a concurrent run took the same file
or a deadlock victim was chosen) and drops the 999 into the outbound folder only after the commit, atomically
(temporary name, fsync, rename), so a rolled-back posting never leaves an acknowledgment behind. `post_file` is
the database part alone, inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from rcm.config import get_settings
from rcm.drops import read_input, write_new_file
from rcm.errors import RcmError, StoreError
from rcm.remits.acknowledgment import prepare_999
from rcm.remits.posting import post_remittances
from rcm.remits.reading import read_remittances
from rcm.remits.report import FileResult
from rcm.store.database import is_up_to_date, make_engine, redacted_url, session_factory, upgrade
from rcm.store.repositories.files import record_file

__all__ = ["PreparedFile", "drop_acknowledgment", "post_file", "post_received_files"]


@dataclass(slots=True)
class PreparedFile:
    """What posting one file produced: the report, and the 999 to drop once the posting is committed."""

    result: FileResult
    ack_name: str | None = None
    ack_content: bytes | None = None


def post_file(session: Session, path: Path, *, now: datetime | None = None) -> PreparedFile:
    """Read, store and post one 835 file in the caller's transaction (the caller commits).

    Raises UnreadableFileError when the file is missing, is not X12, or holds no 835 transaction set.
    """
    content = read_input(path)
    received = read_remittances(content, name=str(path))
    header = received.interchange
    record, _ = record_file(
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
    ack = prepare_999(session, received.x12file, received.findings)
    if ack is None:
        return PreparedFile(result)
    name, ack_content = ack
    record_file(session, direction="out", kind="999", name=name, path=name, content=ack_content)
    return PreparedFile(result, name, ack_content)


def drop_acknowledgment(prepared: PreparedFile, outbound_dir: Path) -> Path | None:
    """Write the prepared 999 into the outbound drop: whole or not at all. Call after the commit."""
    if prepared.ack_name is None or prepared.ack_content is None:
        return None
    # Never replace a file already in the drop (it may not have been picked up yet).
    final = write_new_file(outbound_dir, prepared.ack_name, prepared.ack_content)
    prepared.result.acknowledgment = final
    return final


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


def _post_one(engine: Engine, path: Path, outbound: Path) -> FileResult:
    factory = session_factory(engine)
    for attempt in range(1, _ATTEMPTS + 1):
        prepared: PreparedFile
        try:
            with factory() as session, session.begin():
                prepared = post_file(session, path)
        except SQLAlchemyError as exc:
            if attempt < _ATTEMPTS and _is_retryable(exc):
                continue
            raise StoreError(f"{path}: the database refused the posting ({type(exc).__name__})") from exc
        except RcmError:
            raise
        except Exception as exc:
            # A fault of ours: the transaction was rolled back, so say so plainly instead of a traceback.
            raise RcmError(f"{path}: posting failed ({type(exc).__name__}); nothing from this file was posted") from exc
        drop_acknowledgment(prepared, outbound)
        return prepared.result
    raise StoreError(f"{path}: could not post after {_ATTEMPTS} attempts")  # pragma: no cover - loop returns


def post_received_files(
    paths: Sequence[Path], *, engine: Engine | None = None
) -> tuple[list[FileResult], list[RcmError]]:
    """Post each 835 file in its own transaction and drop its 999; returns the results and, per file that
    failed, its error (the other files are still posted). Brings a new or older database to the current schema.
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
                results.append(_post_one(engine, path, settings.outbound_dir))
            except RcmError as exc:
                errors.append(exc)
    finally:
        if own_engine:
            engine.dispose()
    return results, errors
