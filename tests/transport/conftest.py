"""Fixtures for the transfer tests: one real sshd per test session (per xdist worker), a proxy in front of it, and
a "site": our data folder, rules with one SFTP clearinghouse, the server's folders, and a fresh database."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from rcm.config import Settings, load_settings
from rcm.store.testing import fresh_database
from rcm.transport import ClearinghouseTransport, clearinghouse_transports

from .servers import SSH_KEYGEN, SSHD, SshDaemon, SshServer, TcpProxy

REPO_ROOT = Path(__file__).resolve().parents[2]


def _skip_reason() -> str | None:
    if not SSHD.exists():
        return f"OpenSSH server not installed ({SSHD}); scripts/system-packages installs it"
    if SSH_KEYGEN is None:
        return "ssh-keygen not installed (openssh-client)"
    if os.geteuid() != 0 and not os.access(SSHD, os.X_OK):
        return f"{SSHD} is not executable by this user"
    return None


def _start(daemon: SshDaemon) -> None:
    try:
        daemon.start()
    except RuntimeError as exc:
        if os.geteuid() == 0:
            raise  # CI runs as root: an sshd that will not start there is a failure, not a skip
        pytest.skip(f"sshd cannot run as this (non-root) user: {str(exc)[:300]}")


@pytest.fixture(scope="session")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshServer]:
    """A real sshd (internal-sftp, key login only) on a free loopback port, for the whole session."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    daemon = SshDaemon(tmp_path_factory.mktemp("sshd"))
    server = daemon.prepare()
    _start(daemon)
    try:
        yield server
    finally:
        daemon.stop()


@pytest.fixture
def own_sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshDaemon]:
    """An sshd of the test's own, which the test may stop and start again."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    daemon = SshDaemon(tmp_path_factory.mktemp("own-sshd"))
    daemon.server = daemon.prepare()  # type: ignore[attr-defined]
    _start(daemon)
    try:
        yield daemon
    finally:
        daemon.stop()


@pytest.fixture
def proxy(sshd: SshServer) -> Iterator[TcpProxy]:
    p = TcpProxy(sshd.port)
    try:
        yield p
    finally:
        p.close()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty migrated database: a new SQLite file, or a new schema on the PostgreSQL of RCM_DATABASE_URL."""
    with fresh_database(tmp_path) as e:
        yield e


@dataclass
class Site:
    """Our side (data folder, rules) and the clearinghouse's side (folders the sshd serves) of one test."""

    root: Path
    server: SshServer
    name: str = "acme"
    port: int | None = None
    sftp: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def rules_dir(self) -> Path:
        return self.root / "rules"

    @property
    def inbox(self) -> Path:  # the server folder we upload into
        return self.root / "remote" / "inbox"

    @property
    def outbox(self) -> Path:  # the server folder the clearinghouse leaves files in
        return self.root / "remote" / "outbox"

    @property
    def remote_archive(self) -> Path:
        return self.root / "remote" / "archive"

    @property
    def outbound(self) -> Path:
        return self.data_dir / "outbound" / self.name

    @property
    def inbound(self) -> Path:
        return self.data_dir / "inbound" / self.name

    @property
    def sent(self) -> Path:
        return self.data_dir / "archive" / "sent" / self.name

    def entry(self) -> dict[str, Any]:
        sftp: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port or self.server.port,
            "username": self.server.user,
            "key_file": str(self.server.client_key),
            "known_hosts": str(self.server.known_hosts(self.root, port=self.port)),
            "inbox": str(self.inbox),
            "outbox": str(self.outbox),
            "timeout_seconds": 10,
            "retry": {"attempts": 3, "first_delay_seconds": 0.01, "max_delay_seconds": 0.05},
        }
        sftp.update(self.sftp)
        return {"transport": "sftp", "outbound": f"outbound/{self.name}", "inbound": f"inbound/{self.name}",
                "sftp": sftp, **self.extra}

    def write_rules(self, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.rules_dir.mkdir(parents=True, exist_ok=True)
        chosen = entries if entries is not None else {self.name: self.entry()}
        (self.rules_dir / "clearinghouses.yaml").write_text(yaml.safe_dump({"clearinghouses": chosen}))

    def settings(self) -> Settings:
        if not (self.rules_dir / "clearinghouses.yaml").exists():
            self.write_rules()
        return load_settings({"RCM_DATA_DIR": str(self.data_dir), "RCM_RULES_DIR": str(self.rules_dir)})

    def transport(self) -> ClearinghouseTransport:
        self.write_rules()
        return clearinghouse_transports(self.settings(), self.name)[0]

    def drop(self, name: str, content: bytes) -> Path:
        """A file waiting in our outbound drop."""
        self.outbound.mkdir(parents=True, exist_ok=True)
        path = self.outbound / name
        path.write_bytes(content)
        return path

    def leave(self, name: str, content: bytes) -> Path:
        """A file the clearinghouse leaves in its outbox for us."""
        path = self.outbox / name
        path.write_bytes(content)
        return path


@pytest.fixture
def site(tmp_path: Path, sshd: SshServer) -> Site:
    s = Site(tmp_path, sshd)
    for folder in (s.inbox, s.outbox, s.remote_archive, s.data_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return s


class Crash(BaseException):
    """Stands for the process dying at that point: nothing in rcm catches it."""


@pytest.fixture
def sleeps() -> tuple[list[float], Callable[[float], None]]:
    """A sleep that only records the delays asked for (the backoff is checked, not waited for)."""
    seen: list[float] = []
    return seen, seen.append
