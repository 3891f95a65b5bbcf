"""The clearinghouse's server as the transfer logic sees it: a small protocol, so the logic is one and the wire is
another (SFTP in rcm.transport.sftp; a folder or a fault-injecting double in tests).

Every method raises a TransferError subclass (rcm.errors) and nothing else for a fault of the server or the link:
TransferConnectionError when trying again may help, RemoteFileError when the server refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Connector", "RemoteEntry", "RemoteFolder", "Sink", "Source"]


class Source(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True, slots=True)
class RemoteEntry:
    """A regular file on the server: its name in its folder, size in bytes, modification time (epoch seconds)."""

    name: str
    size: int
    mtime: int | None


class RemoteFolder(Protocol):
    """One open connection to a clearinghouse's server. Paths are POSIX paths as the server understands them."""

    def list_files(self, folder: str) -> list[RemoteEntry]:
        """The regular files directly in ``folder`` (no folders, links or devices)."""
        ...

    def stat(self, path: str) -> RemoteEntry | None:
        """The file at ``path``, or None when there is none."""
        ...

    def upload(self, source: Source, path: str) -> int:
        """Write everything ``source`` holds to ``path`` (created or truncated); the number of bytes sent."""
        ...

    def download(self, path: str, target: Sink, *, size: int | None = None) -> int:
        """Copy the file at ``path`` into ``target``; the number of bytes received."""
        ...

    def rename(self, source: str, target: str) -> None:
        """Give ``source`` the name ``target``; fails (RemoteFileError) rather than replace an existing file."""
        ...

    def remove(self, path: str) -> None:
        """Delete the file at ``path``."""
        ...

    def close(self) -> None:
        """Close the connection (never raises)."""
        ...


# Opens a new connection each time it is called (after a fault the old one is thrown away).
Connector = Callable[[], RemoteFolder]
