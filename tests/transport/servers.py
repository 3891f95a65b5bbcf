"""A real OpenSSH sshd on loopback for the transfer tests, and a TCP proxy in front of it that can cut a connection.

Everything lives in temporary folders and on free loopback ports, so parallel workers never meet.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")
SSH_KEYGEN = shutil.which("ssh-keygen")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def keygen(path: Path, *, passphrase: str = "", comment: str = "rcm-test") -> Path:
    """An ed25519 key pair at ``path`` / ``path.pub`` (ssh-keygen, no prompts)."""
    assert SSH_KEYGEN is not None
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", str(path)],
                   check=True, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return path


def known_hosts_line(port: int, host_public_key: Path) -> str:
    key_type, key = host_public_key.read_text().split()[:2]
    return f"[127.0.0.1]:{port} {key_type} {key}\n"


@dataclass(frozen=True)
class SshServer:
    port: int
    user: str
    folder: Path
    client_key: Path  # authorized, no passphrase
    locked_key: Path  # authorized, passphrase PASSPHRASE
    stranger_key: Path  # not authorized
    host_public_key: Path
    other_host_public_key: Path  # a key this server does not have (a "changed" host key)
    log: Path

    PASSPHRASE = "correct horse battery staple"

    def known_hosts(self, folder: Path, *, port: int | None = None, other_key: bool = False) -> Path:
        """A known_hosts file in ``folder`` naming this server (on ``port``, e.g. a proxy's) with its key."""
        path = folder / ("known_hosts_other" if other_key else "known_hosts")
        key = self.other_host_public_key if other_key else self.host_public_key
        path.write_text(known_hosts_line(port or self.port, key))
        return path


_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {folder}/host_ed25519
AuthorizedKeysFile {folder}/authorized_keys
StrictModes no
PidFile {folder}/sshd.pid
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
MaxStartups 100
MaxSessions 50
Subsystem sftp internal-sftp
LogLevel VERBOSE
"""
# Newer OpenSSH penalises addresses that fail to log in (our wrong-key test) by refusing them for a while.
_PENALTIES_OFF = "PerSourcePenalties no\n"


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, *, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"sshd exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise RuntimeError(f"sshd did not listen on port {port} within {seconds} s")


class SshDaemon:
    """Starts and stops one sshd (it can be stopped and started again on the same port)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.config = folder / "sshd_config"
        self.log = folder / "sshd.log"

    def prepare(self) -> SshServer:
        f = self.folder
        keygen(f / "host_ed25519", comment="host")
        keygen(f / "other_host_ed25519", comment="other-host")
        keygen(f / "client", comment="client")
        keygen(f / "client_locked", passphrase=SshServer.PASSPHRASE, comment="client-locked")
        keygen(f / "stranger", comment="stranger")
        (f / "authorized_keys").write_text((f / "client.pub").read_text() + (f / "client_locked.pub").read_text())
        text = _CONFIG.format(port=self.port, folder=f)
        self.config.write_text(text + _PENALTIES_OFF)
        if subprocess.run([str(SSHD), "-t", "-f", str(self.config)], capture_output=True, timeout=60).returncode:
            self.config.write_text(text)  # an OpenSSH without PerSourcePenalties
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        import getpass

        return SshServer(
            port=self.port, user=getpass.getuser(), folder=f, client_key=f / "client",
            locked_key=f / "client_locked", stranger_key=f / "stranger", host_public_key=f / "host_ed25519.pub",
            other_host_public_key=f / "other_host_ed25519.pub", log=self.log,
        )

    def start(self) -> None:
        log = open(self.log, "ab")  # noqa: SIM115 - handed to the child, closed with it
        self.process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(self.config)], stdout=log, stderr=log,
                                        stdin=subprocess.DEVNULL)
        log.close()
        _wait_for_port(self.port, self.process, self.log)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class TcpProxy:
    """Loopback TCP proxy to ``target_port``; can cut one connection once so many bytes went one way, or swallow
    connections without ever answering (a server that hangs)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = int(self.listener.getsockname()[1])
        self.connections = 0
        self.cuts = 0
        self.silent = False
        self._cut_after: tuple[int, str] | None = None  # (bytes, "up" client->server or "down")
        self._freeze_after: tuple[int, str] | None = None
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def cut_next(self, after_bytes: int, direction: str) -> None:
        """Cut the next connection (reset both ends) once ``after_bytes`` went ``up`` or ``down`` through it."""
        with self._lock:
            self._cut_after = (after_bytes, direction)

    def freeze_next(self, after_bytes: int, direction: str) -> None:
        """Stop forwarding the next connection (both ways, sockets left open: a link gone silent) once
        ``after_bytes`` went ``up`` or ``down`` through it."""
        with self._lock:
            self._freeze_after = (after_bytes, direction)

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                cut, self._cut_after = self._cut_after, None
                freeze, self._freeze_after = self._freeze_after, None
                self._sockets.append(client)
            if self.silent:
                continue  # accepted, never answered
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets.append(server)
            state = {"up": 0, "down": 0, "cut": False, "frozen": False}
            for source, target, way in ((client, server, "up"), (server, client, "down")):
                threading.Thread(target=self._pump, args=(source, target, way, cut, freeze, state, client, server),
                                 daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, way: str, cut: tuple[int, str] | None,
              freeze: tuple[int, str] | None, state: dict[str, int | bool], client: socket.socket,
              server: socket.socket) -> None:
        try:
            while True:
                if state["frozen"]:
                    self._stopped.wait()  # read nothing, send nothing, close nothing, until the proxy is closed
                    return
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
                state[way] = int(state[way]) + len(data)
                if freeze is not None and way == freeze[1] and int(state[way]) >= freeze[0]:
                    state["frozen"] = True
                if cut is not None and way == cut[1] and int(state[way]) >= cut[0] and not state["cut"]:
                    state["cut"] = True
                    with self._lock:
                        self.cuts += 1
                    for sock in (client, server):
                        with contextlib.suppress(OSError):
                            # Linger 0: the close sends a reset, as a dropped link or a killed server does.
                            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                            sock.shutdown(socket.SHUT_RDWR)
                    break
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._stopped.set()
        with contextlib.suppress(OSError):
            self.listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()
