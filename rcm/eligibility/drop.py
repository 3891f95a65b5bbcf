"""The outbound drop for eligibility files (270s and the 999s we answer 271s with): a file appears whole or not
at all (temporary dot-name in the same folder, fsync, os.replace) and never replaces one already there."""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

__all__ = ["remove_dropped", "write_new_file"]


def write_new_file(folder: Path, name: str, content: bytes) -> Path:
    """Write ``content`` as ``folder/name`` (``name_2``, ``name_3``... when taken); returns the final path."""
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{name}.{uuid.uuid4().hex}.part"
    try:
        with open(temp, "xb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        final = folder / name
        stem, suffix = os.path.splitext(name)
        attempt = 1
        while final.exists():
            attempt += 1
            final = folder / f"{stem}_{attempt}{suffix}"
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    _fsync_folder(folder)
    return final


def remove_dropped(path: Path) -> None:
    """Take back a dropped file (the records that go with it could not be committed)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
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
