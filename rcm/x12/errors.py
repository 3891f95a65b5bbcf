"""The X12 error tree: what can go wrong reading or writing X12, each error saying where.

    rcm.errors.X12Error
    ├── NotX12Error             the input cannot be read as X12 at all (also an UnreadableFileError: exit code 2)
    ├── X12WriteError           the writer cannot produce valid X12 from what it was given
    └── UnknownTransactionError no loop specification is registered for a transaction set / version

Problems *inside* a readable file (bad counts, unknown segments, missing loops) are never raised: they are
reported as ``rcm.x12.findings.Finding`` and reading goes on.  Messages name files, segment numbers and control
numbers only, never patient data.
"""

from __future__ import annotations

from rcm.errors import UnreadableFileError, X12Error

__all__ = ["NotX12Error", "UnknownTransactionError", "X12Error", "X12WriteError"]


class NotX12Error(UnreadableFileError, X12Error):
    """The input is empty, binary, or holds no ISA, GS or ST segment we can find."""

    def __init__(self, path: str, reason: str, *, offset: int | None = None) -> None:
        where = f" (byte {offset})" if offset is not None else ""
        super().__init__(path, f"{reason}{where}")
        self.offset = offset


class X12WriteError(X12Error):
    """The writer cannot produce valid X12 from what it was given."""


class UnknownTransactionError(X12Error):
    """No loop specification exists for this transaction set and version."""

    def __init__(self, set_id: str, version: str, *, control_number: str | None = None) -> None:
        where = f" (ST02 {control_number})" if control_number else ""
        super().__init__(f"no specification for transaction set {set_id} version {version or '?'}{where}")
        self.set_id = set_id
        self.version = version
        self.control_number = control_number
