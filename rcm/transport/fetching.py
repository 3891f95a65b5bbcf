"""Fetching what a clearinghouse left in its SFTP outbox into our inbound drop, each file exactly once.

For each regular file of the outbox (dot files are still being written there), in name order:
1. the ledger knows this name, size and modification time: fetched by an earlier run; only clear it (delete,
   or move to the remote archive) since it is still there (clearing failed last time, or the server put it back);
2. otherwise download to a hidden temporary file beside the inbound drop, check the byte count against the
   listing, fsync, and compare the SHA-256 with the ledger (the same bytes under the same name are not dropped
   twice, whatever their time);
3. give it its name in the inbound drop (never replacing a file there), record ``fetched``, then clear it on the
   server and record ``cleared``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import posixpath
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from rcm.errors import ConfigError, IncompleteTransferError, RemoteFileError, TransferError
from rcm.store.database import session_factory
from rcm.transport import ledger
from rcm.transport.link import Link, TransferredFile, TransferReport
from rcm.transport.local_files import HashingSink, clearinghouse_lock, move_without_replacing
from rcm.transport.remote import Connector, RemoteEntry, RemoteFolder
from rcm.transport.settings import ClearinghouseTransport, SftpSettings

__all__ = ["fetch_files"]

log = logging.getLogger(__name__)


def fetch_files(
    transport: ClearinghouseTransport,
    engine: Engine,
    *,
    connect: Connector | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> TransferReport:
    """Fetch every file the clearinghouse left for us into its inbound drop; never raises for a transfer fault."""
    report = TransferReport(transport.clearinghouse, "fetch", transport.kind, host=transport.host)
    if transport.kind == "local" or transport.sftp is None:
        report.note = "local transport: the clearinghouse drops its files into the inbound folder itself"
        return report
    settings = transport.sftp
    try:
        with clearinghouse_lock(transport.lock_dir, transport.clearinghouse, "fetch", host=transport.host):
            if connect is None:
                from rcm.transport.sftp import sftp_connector

                connect = sftp_connector(transport)
            link = Link(connect, settings.retry, clearinghouse=transport.clearinghouse, sleep=sleep)
            try:
                listed = link.run(None, lambda remote: remote.list_files(settings.outbox))
                for entry in sorted(listed, key=lambda e: e.name):
                    if entry.name.startswith("."):
                        continue
                    try:
                        report.files.append(_fetch_one(entry, link, engine, transport, settings, report))
                    except RemoteFileError as exc:
                        log.error("%s", exc)
                        report.add_error(exc, file=entry.name)
                    except OSError as exc:
                        log.error("clearinghouse %s: file %s: local file system: %s", transport.clearinghouse,
                                  entry.name, exc.strerror or type(exc).__name__)
                        report.add_error(exc, file=entry.name)
            finally:
                report.connections = link.connections
                link.close()
    except (TransferError, ConfigError) as exc:
        log.error("%s", exc)
        report.add_error(exc)
    return report


def _fetch_one(entry: RemoteEntry, link: Link, engine: Engine, transport: ClearinghouseTransport,
               settings: SftpSettings, report: TransferReport) -> TransferredFile:
    name = entry.name
    remote_path = posixpath.join(settings.outbox, name)
    factory = session_factory(engine)
    with factory() as session:
        known = ledger.find_fetched(session, clearinghouse=transport.clearinghouse, name=name, size=entry.size,
                                    remote_mtime=entry.mtime)
        seen = (known.content_hash, known.status, known.local_path) if known is not None else None
    if seen is not None:
        digest, _, local = seen
        # Still listed: clearing failed last time, or the server put it back. Never fetched twice either way.
        _clear(link, engine, transport, settings, entry, digest, report)
        return TransferredFile(name, entry.size, digest, "already_fetched", local)

    inbound = transport.inbound
    inbound.mkdir(parents=True, exist_ok=True)

    def download(remote: RemoteFolder) -> tuple[Path, str]:
        temp = inbound / f".{name}.{uuid.uuid4().hex}.part"
        try:
            with open(temp, "xb") as handle:
                sink = HashingSink(handle)
                remote.download(remote_path, sink, size=entry.size)
                handle.flush()
                os.fsync(handle.fileno())
            if sink.size != entry.size:
                raise IncompleteTransferError(f"{sink.size} of the {entry.size} bytes listed arrived",
                                              clearinghouse=transport.clearinghouse, host=transport.host, file=name)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        return temp, sink.sha256

    temp, digest = link.run(name, download)
    try:
        with factory() as session, session.begin():
            before = ledger.find_transfer(session, clearinghouse=transport.clearinghouse, direction="fetch",
                                          name=name, content_hash=digest)
            if before is not None:
                # The same bytes under the same name came before (the server touched the file, or it was put
                # back): not dropped again; remember its new time so the next listing needs no download.
                before.remote_mtime = entry.mtime
                outcome, local = "already_fetched", before.local_path
            else:
                placed = move_without_replacing(temp, inbound, name, digest)
                ledger.record_transfer(session, clearinghouse=transport.clearinghouse, direction="fetch", name=name,
                                       size=entry.size, content_hash=digest, remote_path=remote_path,
                                       local_path=str(placed), remote_mtime=entry.mtime, status=ledger.FETCHED)
                outcome, local = "fetched", str(placed)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    if outcome == "fetched":
        log.info("clearinghouse %s: fetched %s (%d bytes) from %s on %s", transport.clearinghouse, name, entry.size,
                 settings.outbox, transport.host)
    _clear(link, engine, transport, settings, entry, digest, report)
    return TransferredFile(name, entry.size, digest, outcome, local)


def _clear(link: Link, engine: Engine, transport: ClearinghouseTransport, settings: SftpSettings, entry: RemoteEntry,
           digest: str, report: TransferReport) -> None:
    """Take a fetched file off the server as configured and record it; a refusal is reported, not raised."""
    if settings.after_fetch == "keep":
        return
    remote_path = posixpath.join(settings.outbox, entry.name)

    def clear(remote: RemoteFolder) -> None:
        try:
            if settings.after_fetch == "delete":
                remote.remove(remote_path)
            else:
                _move_to_archive(remote, settings, entry.name, digest)
        except RemoteFileError:
            if remote.stat(remote_path) is not None:
                raise
            # Already gone: an earlier attempt did it and its answer was lost.

    try:
        link.run(entry.name, clear)
    except RemoteFileError as exc:
        # The file is safely ours; it is not fetched again (the ledger knows it) and clearing is retried next run.
        log.error("%s", exc)
        report.add_error(exc, file=entry.name)
        return
    with session_factory(engine)() as session, session.begin():
        ledger.mark_transfer(session, clearinghouse=transport.clearinghouse, direction="fetch", name=entry.name,
                             content_hash=digest, status=ledger.CLEARED, detail={"after_fetch": settings.after_fetch})
    log.info("clearinghouse %s: %s %s on the server", transport.clearinghouse, entry.name,
             "deleted" if settings.after_fetch == "delete" else f"moved to {settings.archive}")


def _move_to_archive(remote: RemoteFolder, settings: SftpSettings, name: str, digest: str) -> None:
    assert settings.archive is not None  # checked with the settings
    source = posixpath.join(settings.outbox, name)
    target = posixpath.join(settings.archive, name)
    found = remote.stat(target)
    if found is not None:
        # A file of that name was archived before (clearinghouses reuse names): keep both.
        stem, suffix = posixpath.splitext(name)
        target = posixpath.join(settings.archive, f"{stem}.{digest[:12]}{suffix}")
    remote.rename(source, target)
