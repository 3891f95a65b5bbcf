"""The project's exception tree: every error says where it happened, never what a patient is called.

    RcmError
    ├── ConfigError                 bad setting or missing file the product needs
    ├── InputError                  a file or record we were given cannot be used
    │   ├── UnreadableFileError     the file as a whole cannot be read (exit code 2)
    │   ├── RecordError             one record of an export is bad (-> quarantine)
    │   └── X12Error                X12 problems (rcm.x12.errors refines this)
    ├── StoreError                  the database refused or is at the wrong revision
    └── StateError                  an operation is not allowed in the claim's current state

Messages carry positions (file, line, segment number, claim or encounter id, control number) and
never PHI: no names, birth dates, member ids or addresses.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "InputError",
    "RcmError",
    "RecordError",
    "StateError",
    "StoreError",
    "UnreadableFileError",
    "X12Error",
]


class RcmError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigError(RcmError):
    """A setting is wrong or a file the product needs is missing."""


class InputError(RcmError):
    """Something we were given cannot be used."""


class UnreadableFileError(InputError):
    """A whole file cannot be read (missing, not decodable, not the expected format)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class RecordError(InputError):
    """One record of an export cannot be represented; it is quarantined with this reason.

    ``reason`` is a short stable key (``missing_field``, ``bad_date``...) for counting;
    ``field`` names the field; ``detail`` is a biller-readable sentence without PHI.
    """

    def __init__(
        self,
        reason: str,
        detail: str,
        *,
        source: str | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        where = ", ".join(
            p for p in (source, f"record {record}" if record else None, f"field {field}" if field else None) if p
        )
        super().__init__(f"{where}: {detail}" if where else detail)
        self.reason = reason
        self.detail = detail
        self.source = source
        self.record = record
        self.field = field


class X12Error(InputError):
    """An X12 file or segment problem (see rcm.x12.errors for the refinements)."""


class StoreError(RcmError):
    """The database cannot do what was asked (unreachable, wrong schema revision, constraint)."""


class StateError(RcmError):
    """An operation is not allowed in the current state of a claim or file."""
