"""The outbound drop: a file appears whole or not at all (temporary name in the same folder, fsync, rename)."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

from rcm.errors import StateError

__all__ = ["remove_dropped", "write_atomically"]


def write_atomically(folder: Path, name: str, content: bytes) -> Path:
    """Write ``content`` as ``folder/name``; readers of the folder never see a partial file.

    The temporary file starts with a dot (pickup jobs skip hidden files) and lives in the same folder, so the
    final os.replace is an atomic rename on one file system. An existing file of that name is never replaced.
    """
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / name
    if final.exists():
        raise StateError(f"{final}: a file of that name is already in the outbound drop")
    temp = folder / f".{name}.{uuid.uuid4().hex}.part"
    try:
        with open(temp, "xb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_folder(folder)
    return final


def remove_dropped(path: Path) -> None:
    """Take back a dropped file (its database records could not be committed)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    # Make the rename itself durable; not every platform lets a directory be opened for this.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
