"""File drops: a file we hand to a clearinghouse (or a ledger we keep) appears whole or not at all.

The temporary file starts with a dot (pickup jobs skip hidden files) and lives in the same folder, so the final
``os.replace`` is an atomic rename on one file system; the folder is fsynced so the rename survives a crash.
Shared by every stage that drops files (claims, eligibility, remittance 999s, the demo's simulated payers).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path
from typing import Literal

from rcm.errors import StateError, UnreadableFileError

__all__ = ["fsync_folder", "read_input", "remove_dropped", "replace_file", "write_new_file"]


def _write_temp(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{name}.{uuid.uuid4().hex}.part"
    with open(temp, "xb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return temp


def write_new_file(
    folder: Path, name: str, content: bytes, *, if_taken: Literal["number", "refuse"] = "number"
) -> Path:
    """Write ``content`` as ``folder/name``; never replaces a file already in the drop (it may not be picked up yet).

    When the name is taken: ``"number"`` writes ``name_2``, ``name_3``...; ``"refuse"`` raises StateError.
    Returns the final path.
    """
    final = folder / name
    if if_taken == "refuse" and final.exists():
        raise StateError(f"{final}: a file of that name is already in the drop")
    temp = _write_temp(folder, name, content)
    try:
        stem, suffix = os.path.splitext(name)
        attempt = 1
        while final.exists():
            if if_taken == "refuse":
                raise StateError(f"{final}: a file of that name is already in the drop")
            attempt += 1
            final = folder / f"{stem}_{attempt}{suffix}"
        os.replace(temp, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    fsync_folder(folder)
    return final


def replace_file(path: Path, content: bytes) -> Path:
    """Atomically write ``path``, replacing what was there (for ledgers and caches, never for drops)."""
    temp = _write_temp(path.parent, path.name, content)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise
    fsync_folder(path.parent)
    return path


def remove_dropped(path: Path) -> None:
    """Take back a dropped file (the records that go with it could not be committed)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fsync_folder(path.parent)


def read_input(path: Path) -> bytes:
    """The bytes of a file we were given, or an UnreadableFileError that says why (exit code 2 in the CLI)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise UnreadableFileError(str(path), "no such file") from None
    except IsADirectoryError:
        raise UnreadableFileError(str(path), "is a directory, not a file") from None
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot be read ({exc.strerror or type(exc).__name__})") from None


def fsync_folder(folder: Path) -> None:
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
