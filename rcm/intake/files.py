"""Opening an export file: the checks that make a whole file unreadable (exit code 2) rather than a bad record."""

from __future__ import annotations

from pathlib import Path

from rcm.errors import UnreadableFileError

__all__ = ["read_text"]


def read_text(path: Path) -> str:
    """The file's text as UTF-8 (a byte-order mark is tolerated), or UnreadableFileError saying why not."""
    if not path.exists():
        raise UnreadableFileError(str(path), "no such file")
    if path.is_dir():
        raise UnreadableFileError(str(path), "this is a folder, not an export file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot be opened ({exc.strerror or type(exc).__name__})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(
            str(path), f"is not UTF-8 text (undecodable byte at offset {exc.start}); export it as UTF-8"
        ) from None
