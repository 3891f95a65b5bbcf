"""What a transfer run reports, and the link that retries the faults of a connection with bounded backoff.

A fault of the connection (refused, reset, silent, cut mid-file) closes the connection, waits, reconnects and runs
the same piece of work again; the work is written so that running it again is safe. Refusals (credentials, host
key, a file operation the server says no to) are raised at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rcm.errors import RcmError, TransferError
from rcm.transport.remote import Connector, RemoteFolder
from rcm.transport.settings import RetryPolicy

__all__ = ["Link", "TransferReport", "TransferredFile"]

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class TransferredFile:
    """One file this run dealt with. ``outcome``:

    sending: ``sent`` (uploaded and renamed now), ``already_on_server`` (an earlier run had renamed it; the bytes
    there are ours), ``picked_up`` (an earlier run renamed it and the clearinghouse has taken it since),
    ``already_sent`` (an earlier run finished it; only moved to the local sent archive now).
    fetching: ``fetched`` (now in the inbound drop), ``already_fetched`` (fetched by an earlier run; at most
    removed or archived on the server now).
    """

    name: str
    size: int
    sha256: str
    outcome: str
    local_path: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256, "outcome": self.outcome,
                "local_path": self.local_path}


@dataclass(slots=True)
class TransferReport:
    """What one send or fetch did for one clearinghouse; ``errors`` say what is left for the next run."""

    clearinghouse: str
    direction: str  # "send" or "fetch"
    transport: str  # "local" or "sftp"
    host: str | None = None
    files: list[TransferredFile] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    connections: int = 0
    note: str | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def moved(self) -> list[TransferredFile]:
        """Files whose move finished in this run (not those an earlier run had already finished)."""
        done = {"send": ("sent", "already_on_server", "picked_up"), "fetch": ("fetched",)}[self.direction]
        return [f for f in self.files if f.outcome in done]

    def add_error(self, exc: RcmError | OSError, *, file: str | None = None) -> None:
        if isinstance(exc, TransferError):
            entry = {"file": exc.file or file, "error": str(exc), "kind": type(exc).__name__,
                     "retryable": exc.retryable}
        elif isinstance(exc, OSError):
            # A local file system fault (disk full, permissions): the path is ours and names no patient.
            entry = {"file": file, "error": f"clearinghouse {self.clearinghouse}: local file system: "
                     f"{exc.strerror or type(exc).__name__}" + (f" ({exc.filename})" if exc.filename else ""),
                     "kind": type(exc).__name__, "retryable": False}
        else:
            entry = {"file": file, "error": str(exc), "kind": type(exc).__name__, "retryable": False}
        self.errors.append(entry)

    def as_json(self) -> dict[str, Any]:
        return {
            "clearinghouse": self.clearinghouse, "direction": self.direction, "transport": self.transport,
            "host": self.host, "files": [f.as_json() for f in self.files], "moved": len(self.moved()),
            "errors": list(self.errors), "connections": self.connections, "note": self.note,
        }


class Link:
    """A connection to one clearinghouse, opened when first needed and reopened after a fault."""

    def __init__(self, connect: Connector, policy: RetryPolicy, *, clearinghouse: str,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._connect = connect
        self._policy = policy
        self._clearinghouse = clearinghouse
        self._sleep = sleep
        self._remote: RemoteFolder | None = None
        self.connections = 0  # connections opened (or tried): 1 when nothing went wrong

    def run(self, file: str | None, work: Callable[[RemoteFolder], T]) -> T:
        """``work`` on an open connection; a connection fault is retried up to the policy's attempts in all."""
        failures = 0
        while True:
            try:
                if self._remote is None:
                    self.connections += 1
                    self._remote = self._connect()
                return work(self._remote)
            except TransferError as exc:
                if not exc.retryable:
                    raise exc.again(file=file) from None
                self.close()
                failures += 1
                if failures >= self._policy.attempts:
                    raise exc.again(file=file, attempts=failures) from None
                delay = self._policy.delay(failures)
                log.warning("%s; attempt %d of %d failed, trying again in %.2f s", exc, failures,
                            self._policy.attempts, delay)
                self._sleep(delay)

    def close(self) -> None:
        if self._remote is not None:
            self._remote.close()
            self._remote = None
