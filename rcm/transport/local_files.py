"""Local file moves the transfers need: hashing, placing a file under a name without replacing another, and the
per-clearinghouse lock. Every move is durable (file and folder fsynced) before the ledger is told about it."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from rcm.drops import fsync_folder
from rcm.errors import TransferBusyError
from rcm.transport.remote import Sink

__all__ = ["HashingSink", "clearinghouse_lock", "hash_file", "move_without_replacing", "pending_files"]

_CHUNK = 1 << 16


class HashingSink:
    """Counts and hashes what is written through it, and passes it on to ``target`` (if any)."""

    def __init__(self, target: Sink | None = None) -> None:
        self._target = target
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self._hash.update(data)
        self.size += len(data)
        if self._target is not None:
            self._target.write(data)
        return len(data)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def hash_file(path: Path) -> tuple[int, str]:
    """Size in bytes and SHA-256 (hex) of a local file."""
    sink = HashingSink()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            sink.write(chunk)
    return sink.size, sink.sha256


def pending_files(folder: Path) -> list[Path]:
    """The files waiting directly in a drop, by name (dot files are still being written by someone)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _candidates(name: str) -> Iterator[str]:
    yield name
    stem, suffix = os.path.splitext(name)
    n = 2
    while True:
        yield f"{stem}_{n}{suffix}"
        n += 1


def _copy_beside(source: Path, folder: Path) -> Path:
    """A durable copy of ``source`` under a hidden temporary name in ``folder`` (another file system)."""
    temp = folder / f".{source.name}.{uuid.uuid4().hex}.part"
    with open(source, "rb") as src, open(temp, "xb") as dst:
        shutil.copyfileobj(src, dst, _CHUNK)
        dst.flush()
        os.fsync(dst.fileno())
    return temp


def move_without_replacing(source: Path, folder: Path, name: str, sha256: str) -> Path:
    """Move ``source`` into ``folder`` as ``name`` (``name_2``, ``name_3``... when another file holds the name).

    Never replaces a file: the new name is made with a hard link, which fails if the name is taken. A file already
    there with the same bytes is taken as this one (an earlier run was cut off after placing it), so running
    again after a crash never leaves two copies. ``source`` is gone afterwards. Returns the final path.
    """
    folder.mkdir(parents=True, exist_ok=True)
    staged = source
    if os.stat(source).st_dev != os.stat(folder).st_dev:
        staged = _copy_beside(source, folder)
    try:
        target = next(folder / c for c in _candidates(name) if _claim(staged, folder / c, sha256))
        fsync_folder(folder)
    finally:
        if staged != source:
            with contextlib.suppress(FileNotFoundError):
                staged.unlink()
    with contextlib.suppress(FileNotFoundError):
        source.unlink()
    fsync_folder(source.parent)
    return target


def _claim(staged: Path, target: Path, sha256: str) -> bool:
    """Give ``staged`` the name ``target`` unless another file holds it; True when ``target`` now has our bytes."""
    try:
        os.link(staged, target)
        return True
    except FileExistsError:
        return target.is_file() and hash_file(target)[1] == sha256
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    # A file system without hard links: look, then rename (only our own runs could race here, and the
    # clearinghouse lock keeps them apart).
    if target.exists():
        return target.is_file() and hash_file(target)[1] == sha256
    os.replace(staged, target)
    return True


@contextlib.contextmanager
def clearinghouse_lock(lock_dir: Path, clearinghouse: str, direction: str, *, host: str | None) -> Iterator[None]:
    """Hold the lock of this clearinghouse and direction, or raise TransferBusyError at once (never wait)."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / f"transfer-{clearinghouse}-{direction}.lock"
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TransferBusyError(f"another {direction} for this clearinghouse is running; nothing done this time",
                                    clearinghouse=clearinghouse, host=host) from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
