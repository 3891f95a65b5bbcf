"""Sending a clearinghouse's outbound drop to its SFTP inbox, each file exactly once.

For each file, in name order:
1. the ledger already says ``sent``: an earlier run was cut off before the local archive; archive it now;
2. the final name is on the server: ours if its size and SHA-256 match (an earlier run renamed it), otherwise a
   RemoteFileError (we never replace a file there);
3. the ledger says ``renaming``: an earlier run had uploaded the whole file and started the rename; the
   temporary file still there means the rename did not happen (do it now); neither name there means it did and
   the clearinghouse has already taken the file;
4. otherwise upload to ``.<name>.<sha256 prefix>.part``, check its size on the server, record ``renaming``,
   rename to the final name (never replacing), record ``sent``, move the local file to the sent archive.

A crash between any two steps leaves a state the next run finishes without a second copy under any name.
"""

from __future__ import annotations

import logging
import posixpath
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from rcm.errors import ConfigError, IncompleteTransferError, RemoteFileError, TransferError
from rcm.store.database import session_factory
from rcm.transport import ledger
from rcm.transport.link import Link, TransferredFile, TransferReport
from rcm.transport.local_files import HashingSink, clearinghouse_lock, hash_file, move_without_replacing, pending_files
from rcm.transport.remote import Connector, RemoteFolder
from rcm.transport.settings import ClearinghouseTransport, SftpSettings

__all__ = ["archive_sent", "send_files"]

log = logging.getLogger(__name__)


def send_files(
    transport: ClearinghouseTransport,
    engine: Engine,
    *,
    connect: Connector | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> TransferReport:
    """Send every file waiting in the clearinghouse's outbound drop; never raises for a transfer fault.

    ``connect`` opens a connection (default: SFTP from the settings). What could not be sent stays in the drop,
    with the reason in ``errors``, and goes next run.
    """
    report = TransferReport(transport.clearinghouse, "send", transport.kind, host=transport.host)
    if transport.kind == "local" or transport.sftp is None:
        report.note = "local transport: the outbound folder is the clearinghouse's drop, nothing to move"
        return report
    settings = transport.sftp
    try:
        with clearinghouse_lock(transport.lock_dir, transport.clearinghouse, "send", host=transport.host):
            files = pending_files(transport.outbound)
            if not files:
                return report
            if connect is None:
                from rcm.transport.sftp import sftp_connector

                connect = sftp_connector(transport)
            link = Link(connect, settings.retry, clearinghouse=transport.clearinghouse, sleep=sleep)
            try:
                for path in files:
                    try:
                        report.files.append(_send_one(path, link, engine, transport, settings))
                    except RemoteFileError as exc:  # this file only: the others may still go
                        log.error("%s", exc)
                        report.add_error(exc, file=path.name)
                    except OSError as exc:
                        log.error("clearinghouse %s: file %s: local file system: %s", transport.clearinghouse,
                                  path.name, exc.strerror or type(exc).__name__)
                        report.add_error(exc, file=path.name)
            finally:
                report.connections = link.connections
                link.close()
    except (TransferError, ConfigError) as exc:  # the connection as a whole: the rest waits for the next run
        log.error("%s", exc)
        report.add_error(exc)
    return report


def archive_sent(path: Path, transport: ClearinghouseTransport, sha256: str) -> Path:
    """Move a sent file out of the outbound drop into the clearinghouse's sent archive (a name never replaced)."""
    return move_without_replacing(path, transport.sent, path.name, sha256)


def _send_one(path: Path, link: Link, engine: Engine, transport: ClearinghouseTransport,
              settings: SftpSettings) -> TransferredFile:
    name = path.name
    size, digest = hash_file(path)
    clearinghouse = transport.clearinghouse
    final = posixpath.join(settings.inbox, name)
    temp = posixpath.join(settings.inbox, f".{name}.{digest[:16]}.part")
    factory = session_factory(engine)

    def status() -> str | None:
        with factory() as session:
            row = ledger.find_transfer(session, clearinghouse=clearinghouse, direction="send", name=name,
                                       content_hash=digest)
            return row.status if row is not None else None

    def record(state: str, local: Path, outcome: str | None = None) -> None:
        with factory() as session, session.begin():
            ledger.record_transfer(session, clearinghouse=clearinghouse, direction="send", name=name, size=size,
                                   content_hash=digest, remote_path=final, local_path=str(local), status=state,
                                   detail={"outcome": outcome} if outcome else None)

    if status() == ledger.SENT:
        archived = archive_sent(path, transport, digest)
        record(ledger.SENT, archived)
        log.info("clearinghouse %s: %s was sent by an earlier run; moved to the sent archive", transport.clearinghouse,
                 name)
        return TransferredFile(name, size, digest, "already_sent", str(archived))

    def is_ours(remote: RemoteFolder, found_size: int) -> bool:
        if found_size != size:
            return False
        sink = HashingSink()
        remote.download(final, sink, size=found_size)
        return sink.sha256 == digest

    def settle_existing(remote: RemoteFolder) -> str | None:
        found = remote.stat(final)
        if found is None:
            return None
        if is_ours(remote, found.size):
            return "already_on_server"
        raise RemoteFileError(f"a different file of this name ({found.size} bytes) is already in the inbox "
                              f"{settings.inbox}; ours ({size} bytes) was not put in its place",
                              clearinghouse=transport.clearinghouse, host=transport.host, file=name)

    def rename(remote: RemoteFolder) -> str:
        try:
            remote.rename(temp, final)
        except RemoteFileError:
            settled = settle_existing(remote)  # a rename whose answer was lost, or a file put there meanwhile
            if settled is None:
                raise
            return settled
        return "sent"

    def attempt(remote: RemoteFolder) -> str:
        settled = settle_existing(remote)
        if settled is not None:
            return settled
        if status() == ledger.RENAMING:
            part = remote.stat(temp)
            if part is None:
                # Only the rename takes the temporary file away: it happened, and the clearinghouse picked the
                # file up before we could see it under its final name.
                return "picked_up"
            if part.size == size:
                return rename(remote)
        with open(path, "rb") as source:
            written = remote.upload(source, temp)
        landed = remote.stat(temp)
        if written != size or landed is None or landed.size != size:
            raise IncompleteTransferError(
                f"the upload left {landed.size if landed else 0} of {size} bytes on the server",
                clearinghouse=transport.clearinghouse, host=transport.host, file=name)
        record(ledger.RENAMING, path)
        return rename(remote)

    outcome = link.run(name, attempt)
    record(ledger.SENT, path, outcome)
    archived = archive_sent(path, transport, digest)
    record(ledger.SENT, archived)
    log.info("clearinghouse %s: %s (%d bytes) %s, in %s on %s", transport.clearinghouse, name, size,
             outcome.replace("_", " "), settings.inbox, transport.host)
    return TransferredFile(name, size, digest, outcome, str(archived))
