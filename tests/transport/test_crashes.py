"""The process dies at each point of a transfer (a Crash nothing catches); the next run finishes the move, with
nothing lost and no second copy under any name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from rcm.store.database import session_factory
from rcm.store.tables import FileTransfer
from rcm.transport import fetch_files, ledger, send_files
from rcm.transport import fetching as fetching_module
from rcm.transport import sending as sending_module
from rcm.transport.remote import Source
from rcm.transport.sftp import SftpRemote

from .conftest import Crash, Site

NAME = "837P_20260701_000000042.x12"
CONTENT = b"ISA*00*          *00*          *ZZ*RCMSUBMITTER~" * 400


def _statuses(engine: Engine, direction: str) -> list[tuple[str, str]]:
    with session_factory(engine)() as session:
        rows = session.scalars(select(FileTransfer).where(FileTransfer.direction == direction))
        return sorted((r.name, r.status) for r in rows)


def _inbox(site: Site) -> list[str]:
    return sorted(p.name for p in site.inbox.iterdir())


def _crash_send(site: Site, engine: Engine) -> None:
    with pytest.raises(Crash):
        send_files(site.transport(), engine)


def test_crash_while_uploading_then_the_next_run_uploads_it_again(site: Site, engine: Engine,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    site.drop(NAME, CONTENT)
    real_upload = SftpRemote.upload

    class FirstHalf:
        def __init__(self, source: Source) -> None:
            self.left = source.read(len(CONTENT) // 2)

        def read(self, size: int = -1) -> bytes:
            chunk, self.left = self.left, b""
            return chunk

    def half_then_die(self: SftpRemote, source: Source, path: str) -> int:
        real_upload(self, FirstHalf(source), path)
        raise Crash

    monkeypatch.setattr(SftpRemote, "upload", half_then_die)
    _crash_send(site, engine)
    [part] = _inbox(site)
    assert part.startswith(f".{NAME}.") and part.endswith(".part")
    assert (site.inbox / part).stat().st_size == len(CONTENT) // 2
    assert _statuses(engine, "send") == []  # nothing on record yet: the file is simply still pending
    monkeypatch.undo()

    report = send_files(site.transport(), engine)
    assert [(f.name, f.outcome) for f in report.files] == [(NAME, "sent")]
    assert _inbox(site) == [NAME] and (site.inbox / NAME).read_bytes() == CONTENT


def test_crash_between_upload_and_rename(site: Site, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    site.drop(NAME, CONTENT)
    uploads: list[str] = []
    real_upload = SftpRemote.upload

    def counted(self: SftpRemote, source: Source, path: str) -> int:
        uploads.append(path)
        return real_upload(self, source, path)

    monkeypatch.setattr(SftpRemote, "upload", counted)

    def die(self: SftpRemote, source: str, target: str) -> None:
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(SftpRemote, "rename", die)
        _crash_send(site, engine)
    [part] = _inbox(site)
    assert part.startswith(".") and part.endswith(".part")
    assert _statuses(engine, "send") == [(NAME, "renaming")]
    assert (site.outbound / NAME).exists()

    report = send_files(site.transport(), engine)
    assert [(f.name, f.outcome) for f in report.files] == [(NAME, "sent")]
    assert len(uploads) == 1  # the whole temporary file was there: renamed, not uploaded again
    assert _inbox(site) == [NAME] and (site.inbox / NAME).read_bytes() == CONTENT
    assert _statuses(engine, "send") == [(NAME, "sent")]
    assert not (site.outbound / NAME).exists() and (site.sent / NAME).read_bytes() == CONTENT


def _rename_then_die(monkeypatch: pytest.MonkeyPatch) -> None:
    real_rename = SftpRemote.rename

    def rename_then_die(self: SftpRemote, source: str, target: str) -> None:
        real_rename(self, source, target)
        raise Crash

    monkeypatch.setattr(SftpRemote, "rename", rename_then_die)


def test_crash_right_after_the_rename(site: Site, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    site.drop(NAME, CONTENT)
    with monkeypatch.context() as m:
        _rename_then_die(m)
        _crash_send(site, engine)
    assert _inbox(site) == [NAME]
    assert _statuses(engine, "send") == [(NAME, "renaming")]

    report = send_files(site.transport(), engine)
    assert [(f.name, f.outcome) for f in report.files] == [(NAME, "already_on_server")]  # found by its bytes
    assert _inbox(site) == [NAME]
    assert _statuses(engine, "send") == [(NAME, "sent")]
    assert not (site.outbound / NAME).exists()


def test_crash_after_the_rename_and_the_clearinghouse_took_the_file_meanwhile(
        site: Site, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    site.drop(NAME, CONTENT)
    with monkeypatch.context() as m:
        _rename_then_die(m)
        _crash_send(site, engine)
    (site.inbox / NAME).unlink()  # picked up by the clearinghouse before our next run

    report = send_files(site.transport(), engine)
    assert [(f.name, f.outcome) for f in report.files] == [(NAME, "picked_up")]
    assert _inbox(site) == []  # not uploaded a second time
    assert _statuses(engine, "send") == [(NAME, "sent")]


def test_crash_between_the_rename_and_the_local_archive(site: Site, engine: Engine,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    site.drop(NAME, CONTENT)

    def die(path: Path, *args: Any) -> Path:
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(sending_module, "archive_sent", die)
        _crash_send(site, engine)
    assert _statuses(engine, "send") == [(NAME, "sent")]
    assert (site.outbound / NAME).exists()  # still in the drop...
    (site.inbox / NAME).unlink()  # ...and the clearinghouse already has it

    uploads: list[str] = []

    def no_upload(self: SftpRemote, source: Source, path: str) -> int:
        uploads.append(path)
        return 0

    monkeypatch.setattr(SftpRemote, "upload", no_upload)
    report = send_files(site.transport(), engine)
    assert [(f.name, f.outcome) for f in report.files] == [(NAME, "already_sent")]
    assert uploads == [] and report.connections == 0  # the ledger knew: no connection, no upload
    assert not (site.outbound / NAME).exists() and (site.sent / NAME).read_bytes() == CONTENT


def test_crash_after_the_fetched_file_is_in_the_drop_but_before_the_ledger(
        site: Site, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    site.leave("835_0001.x12", CONTENT)

    def die(*args: Any, **kwargs: Any) -> None:
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(ledger, "record_transfer", die)
        with pytest.raises(Crash):
            fetch_files(site.transport(), engine)
    assert sorted(p.name for p in site.inbound.iterdir()) == ["835_0001.x12"]
    assert (site.outbox / "835_0001.x12").exists() and _statuses(engine, "fetch") == []

    report = fetch_files(site.transport(), engine)
    assert [(f.name, f.outcome) for f in report.files] == [("835_0001.x12", "fetched")]
    assert sorted(p.name for p in site.inbound.iterdir()) == ["835_0001.x12"]  # the same bytes: no second copy
    assert not (site.outbox / "835_0001.x12").exists()
    assert _statuses(engine, "fetch") == [("835_0001.x12", "cleared")]


def test_crash_after_the_ledger_but_before_the_server_copy_is_removed(
        site: Site, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    site.leave("835_0001.x12", CONTENT)

    def die(*args: Any, **kwargs: Any) -> None:
        raise Crash

    with monkeypatch.context() as m:
        m.setattr(fetching_module, "_clear", die)
        with pytest.raises(Crash):
            fetch_files(site.transport(), engine)
    assert _statuses(engine, "fetch") == [("835_0001.x12", "fetched")]
    assert (site.outbox / "835_0001.x12").exists()

    downloads: list[str] = []
    real = SftpRemote.download

    def counted(self: SftpRemote, path: str, *args: Any, **kwargs: Any) -> int:
        downloads.append(path)
        return real(self, path, *args, **kwargs)

    monkeypatch.setattr(SftpRemote, "download", counted)
    report = fetch_files(site.transport(), engine)
    assert [(f.name, f.outcome) for f in report.files] == [("835_0001.x12", "already_fetched")]
    assert downloads == [] and not (site.outbox / "835_0001.x12").exists()
    assert _statuses(engine, "fetch") == [("835_0001.x12", "cleared")]
    assert sorted(p.name for p in site.inbound.iterdir()) == ["835_0001.x12"]
