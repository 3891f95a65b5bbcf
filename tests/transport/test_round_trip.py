"""Send and fetch against a real sshd: files arrive whole under their names, the ledger says so, and running again
moves nothing twice."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from rcm.errors import RemoteFileError
from rcm.store.database import session_factory
from rcm.store.tables import FileTransfer
from rcm.transport import fetch_files, send_files
from rcm.transport.sftp import SftpRemote

from .conftest import Site


def _rows(engine: Engine, direction: str) -> list[FileTransfer]:
    with session_factory(engine)() as session:
        return list(session.scalars(select(FileTransfer).where(FileTransfer.direction == direction)
                                    .order_by(FileTransfer.name)))


def _count_calls(monkeypatch: pytest.MonkeyPatch, method: str) -> list[str]:
    calls: list[str] = []
    real = getattr(SftpRemote, method)

    def counted(self: SftpRemote, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[1] if method == "upload" else args[0])  # the remote path
        return real(self, *args, **kwargs)

    monkeypatch.setattr(SftpRemote, method, counted)
    return calls


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_send_uploads_every_pending_file_once_and_archives_it(site: Site, engine: Engine) -> None:
    first = site.drop("837P_20260701_000000001.x12", b"ISA*first~" * 500)
    second = site.drop("270_20260701_000000002.x12", b"ISA*second~" * 10)
    site.drop(".837P_20260701_000000003.x12.abc.part", b"being written")  # someone is still writing it
    transport = site.transport()

    report = send_files(transport, engine)

    assert report.ok, report.errors
    assert [(f.name, f.outcome) for f in report.files] == [
        ("270_20260701_000000002.x12", "sent"), ("837P_20260701_000000001.x12", "sent")]
    assert report.connections == 1
    assert _files(site.inbox) == ["270_20260701_000000002.x12", "837P_20260701_000000001.x12"]  # no .part left
    assert (site.inbox / first.name).read_bytes() == b"ISA*first~" * 500
    assert _files(site.outbound) == [".837P_20260701_000000003.x12.abc.part"]
    assert _files(site.sent) == ["270_20260701_000000002.x12", "837P_20260701_000000001.x12"]
    rows = _rows(engine, "send")
    assert [(r.name, r.status, r.size, r.clearinghouse) for r in rows] == [
        (second.name, "sent", len(b"ISA*second~" * 10), "acme"), (first.name, "sent", 5000, "acme")]
    assert all(r.finished_at is not None and len(r.content_hash) == 64 for r in rows)
    assert rows[1].local_path == str(site.sent / first.name)

    again = send_files(transport, engine)
    assert again.ok and again.files == [] and again.connections == 0  # nothing pending: no connection at all
    assert _files(site.inbox) == ["270_20260701_000000002.x12", "837P_20260701_000000001.x12"]


def test_a_new_file_is_sent_on_the_next_run_and_the_old_one_is_not_sent_again(
        site: Site, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    site.drop("837P_1.x12", b"ISA*one~")
    transport = site.transport()
    assert send_files(transport, engine).ok
    (site.inbox / "837P_1.x12").unlink()  # the clearinghouse picked it up
    uploads = _count_calls(monkeypatch, "upload")
    site.drop("837P_2.x12", b"ISA*two~")
    report = send_files(transport, engine)
    assert [(f.name, f.outcome) for f in report.files] == [("837P_2.x12", "sent")]
    assert [Path(u).name for u in uploads] == [".837P_2.x12." + report.files[0].sha256[:16] + ".part"]
    assert _files(site.inbox) == ["837P_2.x12"]


def test_fetch_brings_every_file_whole_then_deletes_it_on_the_server(site: Site, engine: Engine) -> None:
    site.leave("999_0001.x12", b"ISA*ack~")
    site.leave("835_0002.x12", b"ISA*remit~" * 2000)
    site.leave(".835_0003.x12.tmp", b"still being written by the clearinghouse")
    (site.outbox / "a-folder").mkdir()
    transport = site.transport()

    report = fetch_files(transport, engine)

    assert report.ok, report.errors
    assert [(f.name, f.outcome) for f in report.files] == [("835_0002.x12", "fetched"), ("999_0001.x12", "fetched")]
    assert (site.inbound / "835_0002.x12").read_bytes() == b"ISA*remit~" * 2000
    assert _files(site.inbound) == ["835_0002.x12", "999_0001.x12"]  # no temporary file left
    assert _files(site.outbox) == [".835_0003.x12.tmp", "a-folder"]
    assert [(r.name, r.status, r.remote_mtime is not None) for r in _rows(engine, "fetch")] == [
        ("835_0002.x12", "cleared", True), ("999_0001.x12", "cleared", True)]

    again = fetch_files(transport, engine)
    assert again.ok and again.files == []
    assert _files(site.inbound) == ["835_0002.x12", "999_0001.x12"]


def test_fetch_can_move_files_to_a_remote_archive_keeping_both_of_a_reused_name(site: Site, engine: Engine) -> None:
    site.sftp = {"after_fetch": "archive", "archive": str(site.remote_archive)}
    transport = site.transport()
    site.leave("ERA.835", b"ISA*monday~")
    assert fetch_files(transport, engine).ok
    site.leave("ERA.835", b"ISA*tuesday~")  # clearinghouses reuse names
    report = fetch_files(transport, engine)
    assert report.ok, report.errors
    assert [(f.name, f.outcome) for f in report.files] == [("ERA.835", "fetched")]
    assert _files(site.outbox) == []
    archived = _files(site.remote_archive)
    assert len(archived) == 2 and "ERA.835" in archived
    assert next(a for a in archived if a != "ERA.835").startswith("ERA.")
    # both days are in our inbound drop, neither replacing the other
    assert sorted(p.read_bytes() for p in site.inbound.iterdir()) == [b"ISA*monday~", b"ISA*tuesday~"]


def test_files_kept_on_the_server_are_fetched_once(site: Site, engine: Engine,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    site.sftp = {"after_fetch": "keep"}
    transport = site.transport()
    left = site.leave("835_0001.x12", b"ISA*remit~")
    assert [f.outcome for f in fetch_files(transport, engine).files] == ["fetched"]
    downloads = _count_calls(monkeypatch, "download")

    again = fetch_files(transport, engine)
    assert [f.outcome for f in again.files] == ["already_fetched"]
    assert downloads == []  # known by name, size and time: not even downloaded
    assert left.exists()

    # The server touches the file: it is downloaded to compare, but the same bytes are not dropped twice.
    os.utime(left, (1_700_000_000, 1_700_000_000))
    touched = fetch_files(transport, engine)
    assert [f.outcome for f in touched.files] == ["already_fetched"] and len(downloads) == 1
    assert _files(site.inbound) == ["835_0001.x12"]
    assert fetch_files(transport, engine).files[0].outcome == "already_fetched" and len(downloads) == 1


def test_a_fetched_file_whose_deletion_failed_is_not_fetched_again(site: Site, engine: Engine,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    transport = site.transport()
    site.leave("277CA_0001.x12", b"ISA*277~")
    real_remove = SftpRemote.remove

    def refused(self: SftpRemote, path: str) -> None:
        # What the server answers when we may read but not delete (the tests run as root, whom modes never stop).
        raise RemoteFileError("remove: the server refused (permission denied)", clearinghouse="acme",
                              host="127.0.0.1", file=Path(path).name)

    monkeypatch.setattr(SftpRemote, "remove", refused)
    first = fetch_files(transport, engine)
    assert [f.outcome for f in first.files] == ["fetched"]
    assert [e["kind"] for e in first.errors] == ["RemoteFileError"] and first.errors[0]["file"] == "277CA_0001.x12"
    assert [r.status for r in _rows(engine, "fetch")] == ["fetched"]

    monkeypatch.setattr(SftpRemote, "remove", real_remove)
    downloads = _count_calls(monkeypatch, "download")
    second = fetch_files(transport, engine)
    assert second.ok and [f.outcome for f in second.files] == ["already_fetched"]
    assert downloads == []
    assert _files(site.outbox) == [] and _files(site.inbound) == ["277CA_0001.x12"]
    assert [r.status for r in _rows(engine, "fetch")] == ["cleared"]


def test_a_file_of_the_same_name_in_the_inbound_drop_is_not_replaced(site: Site, engine: Engine) -> None:
    transport = site.transport()
    site.inbound.mkdir(parents=True)
    (site.inbound / "999_0001.x12").write_bytes(b"ISA*not read yet~")
    site.leave("999_0001.x12", b"ISA*another one~")
    report = fetch_files(transport, engine)
    assert report.ok
    assert (site.inbound / "999_0001.x12").read_bytes() == b"ISA*not read yet~"
    assert (site.inbound / "999_0001_2.x12").read_bytes() == b"ISA*another one~"
    assert report.files[0].local_path == str(site.inbound / "999_0001_2.x12")


def test_local_transport_moves_nothing(tmp_path: Path, engine: Engine) -> None:
    from rcm.config import load_settings
    from rcm.transport import fetch_all, send_all

    settings = load_settings({"RCM_DATA_DIR": str(tmp_path / "data")})  # the repository's rules: default is local
    (tmp_path / "data" / "outbound" / "default").mkdir(parents=True)
    waiting = tmp_path / "data" / "outbound" / "default" / "837P_1.x12"
    waiting.write_bytes(b"ISA~")
    sent = send_all(settings, engine)
    fetched = fetch_all(settings, engine)
    assert [(r.clearinghouse, r.transport, r.files, r.errors, r.connections) for r in sent + fetched] == [
        ("default", "local", [], [], 0), ("default", "local", [], [], 0)]
    assert waiting.exists()


def test_the_same_file_put_back_on_the_server_is_cleared_again_not_dropped_twice(site: Site, engine: Engine) -> None:
    transport = site.transport()
    site.leave("835_0001.x12", b"ISA*remit~")
    assert [f.outcome for f in fetch_files(transport, engine).files] == ["fetched"]
    put_back = site.leave("835_0001.x12", b"ISA*remit~")  # the clearinghouse resends it (new time, same bytes)
    os.utime(put_back, (1_700_000_000, 1_700_000_000))
    report = fetch_files(transport, engine)
    assert report.ok and [f.outcome for f in report.files] == ["already_fetched"]
    assert _files(site.outbox) == [] and _files(site.inbound) == ["835_0001.x12"]
