"""The transfer ledger's queries (table ``file_transfers``): what was sent or fetched, and how far each move got.

Functions take a Session; the caller commits, because each step of a transfer must be on record before the next
one starts (a rename is attempted only once its intent is committed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.store.tables import FileTransfer

__all__ = [
    "CLEARED",
    "FETCHED",
    "RENAMING",
    "SENT",
    "find_fetched",
    "find_transfer",
    "mark_transfer",
    "record_transfer",
]

RENAMING = "renaming"
SENT = "sent"
FETCHED = "fetched"
CLEARED = "cleared"


def find_transfer(
    session: Session, *, clearinghouse: str, direction: str, name: str, content_hash: str
) -> FileTransfer | None:
    """The ledger row of exactly this file (same name, same bytes), if any."""
    return session.scalars(
        select(FileTransfer).where(
            FileTransfer.clearinghouse == clearinghouse,
            FileTransfer.direction == direction,
            FileTransfer.name == name,
            FileTransfer.content_hash == content_hash,
        )
    ).first()


def find_fetched(
    session: Session, *, clearinghouse: str, name: str, size: int, remote_mtime: int | None
) -> FileTransfer | None:
    """A file fetched before that the server still lists under the same name, size and time (not fetched again)."""
    if remote_mtime is None:
        return None  # without a time, only the content can tell (checked after the download)
    return session.scalars(
        select(FileTransfer)
        .where(
            FileTransfer.clearinghouse == clearinghouse,
            FileTransfer.direction == "fetch",
            FileTransfer.name == name,
            FileTransfer.size == size,
            FileTransfer.remote_mtime == remote_mtime,
        )
        .order_by(FileTransfer.id.desc())
    ).first()


def record_transfer(
    session: Session,
    *,
    clearinghouse: str,
    direction: str,
    name: str,
    size: int,
    content_hash: str,
    remote_path: str,
    local_path: str,
    status: str,
    remote_mtime: int | None = None,
    detail: dict[str, Any] | None = None,
) -> FileTransfer:
    """Create the row of this file or move it on to ``status`` (finished statuses stamp the time)."""
    row = find_transfer(session, clearinghouse=clearinghouse, direction=direction, name=name,
                        content_hash=content_hash)
    if row is None:
        row = FileTransfer(clearinghouse=clearinghouse, direction=direction, name=name, size=size,
                           content_hash=content_hash, remote_path=remote_path, local_path=local_path,
                           status=status, remote_mtime=remote_mtime, detail=detail)
        session.add(row)
    else:
        row.status = status
        row.remote_path = remote_path
        row.local_path = local_path
        if remote_mtime is not None:
            row.remote_mtime = remote_mtime
        if detail:
            row.detail = {**(row.detail or {}), **detail}
    if status in (SENT, CLEARED):
        row.finished_at = datetime.now(UTC)
    session.flush()
    return row


def mark_transfer(
    session: Session,
    *,
    clearinghouse: str,
    direction: str,
    name: str,
    content_hash: str,
    status: str,
    detail: dict[str, Any] | None = None,
) -> FileTransfer:
    """Move the existing row of this file on to ``status`` (a row that is not there is a bug: KeyError)."""
    row = find_transfer(session, clearinghouse=clearinghouse, direction=direction, name=name,
                        content_hash=content_hash)
    if row is None:
        raise KeyError(f"no transfer on record for {direction} {name} of clearinghouse {clearinghouse}")
    row.status = status
    if detail:
        row.detail = {**(row.detail or {}), **detail}
    if status in (SENT, CLEARED):
        row.finished_at = datetime.now(UTC)
    session.flush()
    return row
