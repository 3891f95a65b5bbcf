"""The project's exception tree: every error says where it happened, never what a patient is called.

    RcmError
    ├── ConfigError                 bad setting or missing file the product needs
    ├── InputError                  a file or record we were given cannot be used
    │   ├── UnreadableFileError     the file as a whole cannot be read (exit code 2)
    │   ├── RecordError             one record of an export is bad (-> quarantine)
    │   └── X12Error                X12 problems (rcm.x12.errors refines this)
    ├── StoreError                  the database refused or is at the wrong revision
    ├── StateError                  an operation is not allowed in the claim's current state
    └── TransferError               a file could not be moved to or from a clearinghouse (rcm.transport)
        ├── TransferConnectionError     the server could not be reached, or the link broke (retried first)
        │   └── IncompleteTransferError a file arrived short or with another size (retried first)
        ├── TransferAuthenticationError the server refused our user name, key or password (never retried)
        ├── HostKeyError                the server's host key is unknown or not the one on record (never retried)
        ├── RemoteFileError             the server refused a file operation, or a file there is not ours
        └── TransferBusyError           another transfer for the same clearinghouse is running

Messages carry positions (file, line, segment number, claim or encounter id, control number; for transfers the
clearinghouse, host and file name) and never PHI: no names, birth dates, member ids or addresses.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "ConfigError",
    "HostKeyError",
    "IncompleteTransferError",
    "InputError",
    "RcmError",
    "RecordError",
    "RemoteFileError",
    "StateError",
    "StoreError",
    "TransferAuthenticationError",
    "TransferBusyError",
    "TransferConnectionError",
    "TransferError",
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


class TransferError(RcmError):
    """A file could not be moved to or from a clearinghouse.

    Says which clearinghouse, host and file (a file name we or the clearinghouse chose, never anything about a
    patient); ``reason`` is the biller-readable cause. ``retryable`` tells whether trying again may help.
    """

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        reason: str,
        *,
        clearinghouse: str,
        host: str | None = None,
        file: str | None = None,
        attempts: int | None = None,
    ) -> None:
        where = ", ".join(
            p for p in (f"clearinghouse {clearinghouse}", f"host {host}" if host else None,
                        f"file {file}" if file else None) if p
        )
        tries = f" (gave up after {attempts} attempts)" if attempts and attempts > 1 else ""
        super().__init__(f"{where}: {reason}{tries}")
        self.reason = reason
        self.clearinghouse = clearinghouse
        self.host = host
        self.file = file
        self.attempts = attempts

    def again(self, *, file: str | None = None, attempts: int | None = None) -> TransferError:
        """The same error naming ``file`` (the name the biller knows, rather than a temporary one on the server)
        and the number of attempts made."""
        return type(self)(self.reason, clearinghouse=self.clearinghouse, host=self.host,
                          file=file or self.file, attempts=attempts or self.attempts)


class TransferConnectionError(TransferError):
    """The server refused the connection, did not answer in time, or the connection broke mid-transfer."""

    retryable = True


class IncompleteTransferError(TransferConnectionError):
    """A file arrived with another size than it was sent with (a transfer cut short)."""


class TransferAuthenticationError(TransferError):
    """The server refused our credentials; trying again would only lock the account."""


class HostKeyError(TransferError):
    """The server's host key is not in the configured known_hosts file, or differs from the one recorded there."""


class RemoteFileError(TransferError):
    """The server refused a file operation (permission, missing folder), or a different file holds our name."""


class TransferBusyError(TransferError):
    """Another transfer for the same clearinghouse holds the lock (a second nightly run, or a person's command)."""
