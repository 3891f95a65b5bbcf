"""Faults of the link are retried with bounded backoff and end well; refusals (host key, credentials) are typed
errors raised at the first attempt; secrets come from the environment and appear nowhere."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from rcm.transport import RetryPolicy, fetch_files, send_files

from .conftest import Site
from .servers import SshDaemon, SshServer, TcpProxy, free_port

NAME = "837P_20260701_000000007.x12"


def _payload(size: int) -> bytes:
    # Random bytes do not compress: the proxy sees every one of them.
    return random.Random(size).randbytes(size)


def _inbox(site: Site) -> list[str]:
    return sorted(p.name for p in site.inbox.iterdir())


def test_an_upload_cut_mid_file_is_sent_whole_on_the_next_attempt(
        site: Site, engine: Engine, proxy: TcpProxy, sleeps: tuple[list[float], Callable[[float], None]]) -> None:
    site.port = proxy.port
    content = _payload(3_000_000)
    site.drop(NAME, content)
    proxy.cut_next(1_000_000, "up")

    report = send_files(site.transport(), engine, sleep=sleeps[1])

    assert report.ok, report.errors
    assert proxy.cuts == 1 and report.connections == 2 and proxy.connections == 2
    assert sleeps[0] == [0.01]
    assert [(f.name, f.outcome) for f in report.files] == [(NAME, "sent")]
    assert _inbox(site) == [NAME] and (site.inbox / NAME).read_bytes() == content


def test_a_download_cut_mid_file_is_fetched_whole_on_the_next_attempt(
        site: Site, engine: Engine, proxy: TcpProxy, sleeps: tuple[list[float], Callable[[float], None]]) -> None:
    site.port = proxy.port
    content = _payload(3_000_000)
    site.leave("835_0001.x12", content)
    proxy.cut_next(1_000_000, "down")

    report = fetch_files(site.transport(), engine, sleep=sleeps[1])

    assert report.ok, report.errors
    assert proxy.cuts == 1 and report.connections == 2
    assert (site.inbound / "835_0001.x12").read_bytes() == content
    assert sorted(p.name for p in site.inbound.iterdir()) == ["835_0001.x12"]  # no temporary file left behind
    assert not (site.outbox / "835_0001.x12").exists()


def test_a_server_that_goes_down_and_comes_back_during_the_backoff(
        own_sshd: SshDaemon, tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> None:
    server: SshServer = own_sshd.server  # type: ignore[attr-defined]
    site = Site(tmp_path_factory.mktemp("site"), server)
    for folder in (site.inbox, site.outbox, site.data_dir):
        folder.mkdir(parents=True)
    site.drop(NAME, b"ISA*restart~")
    own_sshd.stop()
    restarts: list[float] = []

    def sleep_and_restart(seconds: float) -> None:
        restarts.append(seconds)
        if len(restarts) == 2:
            own_sshd.start()

    report = send_files(site.transport(), engine, sleep=sleep_and_restart)
    assert report.ok, report.errors
    assert report.connections == 3 and restarts == [0.01, 0.02]
    assert _inbox(site) == [NAME]


def test_a_refused_connection_is_retried_a_bounded_number_of_times_then_reported(
        site: Site, engine: Engine, sleeps: tuple[list[float], Callable[[float], None]]) -> None:
    site.port = free_port()  # nothing listens there
    site.sftp = {"retry": {"attempts": 4, "first_delay_seconds": 0.01, "max_delay_seconds": 0.03}}
    site.drop(NAME, b"ISA*refused~")

    report = send_files(site.transport(), engine, sleep=sleeps[1])

    assert report.connections == 4
    assert sleeps[0] == [0.01, 0.02, 0.03]  # doubling, capped
    [error] = report.errors
    assert error["kind"] == "TransferConnectionError" and error["retryable"] is True
    assert f"clearinghouse acme, host 127.0.0.1:{site.port}" in error["error"]
    assert "gave up after 4 attempts" in error["error"]
    assert (site.outbound / NAME).exists()  # waits for the next run


def test_a_server_that_never_answers_times_out_and_is_retried(
        site: Site, engine: Engine, proxy: TcpProxy, sleeps: tuple[list[float], Callable[[float], None]]) -> None:
    proxy.silent = True
    site.port = proxy.port
    site.sftp = {"timeout_seconds": 0.3, "retry": {"attempts": 2, "first_delay_seconds": 0.01}}
    site.leave("999_0001.x12", b"ISA~")

    report = fetch_files(site.transport(), engine, sleep=sleeps[1])

    [error] = report.errors
    assert error["kind"] == "TransferConnectionError"
    assert report.connections == 2 and proxy.connections == 2
    assert (site.outbox / "999_0001.x12").exists() and not site.inbound.exists()


def test_an_unknown_host_key_is_refused_at_once(site: Site, engine: Engine,
                                                sleeps: tuple[list[float], Callable[[float], None]]) -> None:
    empty = site.root / "empty_known_hosts"
    empty.write_text("")
    site.sftp = {"known_hosts": str(empty)}
    site.drop(NAME, b"ISA~")

    report = send_files(site.transport(), engine, sleep=sleeps[1])

    [error] = report.errors
    assert error["kind"] == "HostKeyError" and error["retryable"] is False
    assert report.connections == 1 and sleeps[0] == []
    assert "is not in" in error["error"] and "SHA256:" in error["error"]
    assert f"clearinghouse acme, host 127.0.0.1:{site.server.port}" in error["error"]
    assert _inbox(site) == [] and (site.outbound / NAME).exists()


def test_a_changed_host_key_is_refused_at_once(site: Site, engine: Engine,
                                               sleeps: tuple[list[float], Callable[[float], None]]) -> None:
    site.sftp = {"known_hosts": str(site.server.known_hosts(site.root, other_key=True))}
    site.leave("835_0001.x12", b"ISA~")

    report = fetch_files(site.transport(), engine, sleep=sleeps[1])

    [error] = report.errors
    assert error["kind"] == "HostKeyError" and "differs from the one in" in error["error"]
    assert report.connections == 1 and sleeps[0] == []
    assert (site.outbox / "835_0001.x12").exists()


def test_a_key_the_server_does_not_know_is_refused_at_once(site: Site, engine: Engine,
                                                           sleeps: tuple[list[float], Callable[[float], None]]) -> None:
    site.sftp = {"key_file": str(site.server.stranger_key)}
    site.drop(NAME, b"ISA~")

    report = send_files(site.transport(), engine, sleep=sleeps[1])

    [error] = report.errors
    assert error["kind"] == "TransferAuthenticationError" and error["retryable"] is False
    assert f"refused user {site.server.user}" in error["error"]
    assert report.connections == 1 and sleeps[0] == []


def test_a_key_passphrase_comes_from_the_environment_and_is_never_logged(
        site: Site, engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    site.sftp = {"key_file": str(site.server.locked_key), "key_passphrase_env": "RCM_TEST_ACME_PASSPHRASE"}
    site.drop(NAME, b"ISA*locked~")

    monkeypatch.delenv("RCM_TEST_ACME_PASSPHRASE", raising=False)
    missing = send_files(site.transport(), engine)
    assert [e["kind"] for e in missing.errors] == ["ConfigError"]
    assert "RCM_TEST_ACME_PASSPHRASE" in missing.errors[0]["error"] and missing.connections == 0

    monkeypatch.setenv("RCM_TEST_ACME_PASSPHRASE", "not the passphrase")
    wrong = send_files(site.transport(), engine)
    assert [e["kind"] for e in wrong.errors] == ["ConfigError"]
    assert "wrong passphrase" in wrong.errors[0]["error"]

    monkeypatch.setenv("RCM_TEST_ACME_PASSPHRASE", SshServer.PASSPHRASE)
    report = send_files(site.transport(), engine)
    assert report.ok, report.errors
    assert _inbox(site) == [NAME]
    everything = caplog.text + repr([r.as_json() for r in (missing, wrong, report)])
    assert SshServer.PASSPHRASE not in everything and "not the passphrase" not in everything


def test_a_missing_inbox_is_a_refusal_for_that_file_not_a_retry(site: Site, engine: Engine) -> None:
    site.sftp = {"inbox": str(site.root / "remote" / "no-such-folder")}
    site.drop(NAME, b"ISA~")
    report = send_files(site.transport(), engine)
    [error] = report.errors
    assert error["kind"] == "RemoteFileError" and error["file"] == NAME
    assert "no such file or folder" in error["error"]
    assert report.connections == 1 and (site.outbound / NAME).exists()


def test_a_different_file_holding_our_name_in_the_inbox_is_never_replaced(site: Site, engine: Engine) -> None:
    (site.inbox / NAME).write_bytes(b"ISA*somebody else's~")
    site.drop(NAME, b"ISA*ours~")
    site.drop("837P_20260701_000000008.x12", b"ISA*the next one~")
    report = send_files(site.transport(), engine)
    assert [(e["kind"], e["file"]) for e in report.errors] == [("RemoteFileError", NAME)]
    assert [f.name for f in report.files] == ["837P_20260701_000000008.x12"]  # the others still go
    assert (site.inbox / NAME).read_bytes() == b"ISA*somebody else's~"
    assert (site.outbound / NAME).exists()
    assert sorted(p.name for p in site.inbox.iterdir()) == [NAME, "837P_20260701_000000008.x12"]


def test_two_runs_at_once_do_not_move_the_same_files(site: Site, engine: Engine) -> None:
    from rcm.transport.local_files import clearinghouse_lock

    transport = site.transport()
    site.drop(NAME, b"ISA~")
    with clearinghouse_lock(transport.lock_dir, "acme", "send", host=transport.host):
        busy = send_files(transport, engine)
    assert [e["kind"] for e in busy.errors] == ["TransferBusyError"] and busy.connections == 0
    assert send_files(transport, engine).ok and _inbox(site) == [NAME]


def test_backoff_doubles_and_is_capped() -> None:
    policy = RetryPolicy(attempts=6, first_delay=1.5, max_delay=10)
    assert [policy.delay(n) for n in range(1, 6)] == [1.5, 3.0, 6.0, 10.0, 10.0]




@pytest.mark.parametrize("direction", ["up", "down"])
def test_a_link_gone_silent_mid_file_times_out_and_is_retried(
        site: Site, engine: Engine, proxy: TcpProxy, direction: str,
        sleeps: tuple[list[float], Callable[[float], None]]) -> None:
    site.port = proxy.port
    site.sftp = {"timeout_seconds": 1}
    content = _payload(6_000_000)
    proxy.freeze_next(1_000_000, direction)
    if direction == "up":
        site.drop(NAME, content)
        report = send_files(site.transport(), engine, sleep=sleeps[1])
        arrived = site.inbox / NAME
    else:
        site.leave("835_0001.x12", content)
        report = fetch_files(site.transport(), engine, sleep=sleeps[1])
        arrived = site.inbound / "835_0001.x12"
    assert report.ok, report.errors
    assert report.connections == 2 and arrived.read_bytes() == content
