"""Posting a received 835 file: read it, store it once, post its payments, and acknowledge it with a 999.

`post_file` does the database part inside the caller's transaction; the 999 it prepares is dropped into the
outbound folder by `drop_acknowledgment` only after the caller has committed, atomically (temporary name,
fsync, rename), so a rolled-back posting never leaves an acknowledgment behind.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from rcm.errors import UnreadableFileError
from rcm.remits.acknowledgment import prepare_999
from rcm.remits.posting import post_remittances
from rcm.remits.reading import read_remittances
from rcm.remits.report import FileResult
from rcm.store.repositories.files import record_file

__all__ = ["PreparedFile", "drop_acknowledgment", "post_file"]


@dataclass(slots=True)
class PreparedFile:
    """What posting one file produced: the report, and the 999 to drop once the posting is committed."""

    result: FileResult
    ack_name: str | None = None
    ack_content: bytes | None = None


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError(str(path), "no such file") from None
    except IsADirectoryError:
        raise UnreadableFileError(str(path), "is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot be read ({exc.strerror or type(exc).__name__})") from None


def post_file(session: Session, path: Path, *, now: datetime | None = None) -> PreparedFile:
    """Read, store and post one 835 file in the caller's transaction (the caller commits).

    Raises UnreadableFileError when the file is missing, is not X12, or holds no 835 transaction set.
    """
    content = _read_bytes(path)
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
    outbound_dir.mkdir(parents=True, exist_ok=True)
    final = outbound_dir / prepared.ack_name
    temp = outbound_dir / f".{prepared.ack_name}.{uuid.uuid4().hex}.part"
    try:
        with open(temp, "xb") as handle:
            handle.write(prepared.ack_content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    prepared.result.acknowledgment = final
    return final
