"""How each clearinghouse's files travel: the `transport` and `sftp` keys of rules/clearinghouses.yaml, checked.

One parser for both readers of that file: the claims stage (rcm.claims.clearinghouses) validates the whole
profile with it, and the transport layer builds its per-clearinghouse view from the raw settings. Secrets are
never in the file: a password or key passphrase is read from the environment variable the file names, when a
connection is opened.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rcm.config import Settings
from rcm.errors import ConfigError

__all__ = [
    "AFTER_FETCH",
    "TRANSPORTS",
    "ClearinghouseTransport",
    "RetryPolicy",
    "SftpSettings",
    "clearinghouse_transports",
    "parse_sftp",
    "parse_transport_kind",
    "transport_for",
]

TRANSPORTS = ("local", "sftp")
# What happens to a file in the clearinghouse's outbox once it is safely in our inbound drop.
AFTER_FETCH = ("delete", "archive", "keep")

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SFTP_KEYS = {
    "host", "port", "username", "key_file", "key_passphrase_env", "password_env", "known_hosts",
    "inbox", "outbox", "after_fetch", "archive", "timeout_seconds", "retry",
}
_RETRY_KEYS = {"attempts", "first_delay_seconds", "max_delay_seconds"}
_SECRET_KEYS = {"password", "passphrase", "key_passphrase", "secret"}
_DEFAULT_ATTEMPTS = 5
_DEFAULT_FIRST_DELAY = 2.0
_DEFAULT_MAX_DELAY = 60.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff for faults of the connection (never for refusals)."""

    attempts: int = _DEFAULT_ATTEMPTS
    first_delay: float = _DEFAULT_FIRST_DELAY
    max_delay: float = _DEFAULT_MAX_DELAY

    def delay(self, failures: int) -> float:
        """Seconds to wait after the ``failures``-th failure in a row (1, 2, ...)."""
        return float(min(self.max_delay, self.first_delay * 2 ** max(failures - 1, 0)))


@dataclass(frozen=True, slots=True)
class SftpSettings:
    """One clearinghouse's SFTP server: where it is, who we are there, and which of its folders are which.

    ``inbox`` is the remote folder we upload into; ``outbox`` the one the clearinghouse leaves our files in.
    ``key_file`` and ``known_hosts`` relative to the data directory unless absolute.
    """

    host: str
    username: str
    known_hosts: Path
    inbox: str
    outbox: str
    port: int = 22
    key_file: Path | None = None
    key_passphrase_env: str | None = None
    password_env: str | None = None
    after_fetch: str = "delete"
    archive: str | None = None
    timeout: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)

    def resolved(self, data_dir: Path) -> SftpSettings:
        """The same settings with the key and known_hosts paths made absolute (relative to ``data_dir``)."""
        def absolute(path: Path) -> Path:
            path = path.expanduser()
            return path if path.is_absolute() else data_dir / path

        return replace(self, known_hosts=absolute(self.known_hosts),
                       key_file=absolute(self.key_file) if self.key_file else None)


@dataclass(frozen=True, slots=True)
class ClearinghouseTransport:
    """What the transport layer needs about one clearinghouse: its local drops and how to reach it."""

    clearinghouse: str
    kind: str  # "local" or "sftp"
    outbound: Path  # the local folder its 837s and 270s are written to
    inbound: Path  # the local folder its answers are read from
    sent: Path  # where files go once the clearinghouse has them (sftp only)
    lock_dir: Path  # one lock file per clearinghouse and direction: two runs never move the same files at once
    sftp: SftpSettings | None = None

    @property
    def host(self) -> str | None:
        """The server as messages name it (``host`` or ``host:port``)."""
        if self.sftp is None:
            return None
        return self.sftp.host if self.sftp.port == 22 else f"{self.sftp.host}:{self.sftp.port}"


def parse_transport_kind(value: Any, *, where: str) -> str:
    """``local`` (default) or ``sftp``."""
    kind = "local" if value is None else value
    if kind not in TRANSPORTS:
        raise ConfigError(f"{where}: transport must be one of {', '.join(TRANSPORTS)}, got {value!r}")
    return str(kind)


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ConfigError(f"{where}: sftp.{key} is missing")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise ConfigError(f"{where}: sftp.{key} must be a non-empty text")
    return str(value).strip()


def _env_name(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    name = _text(raw, key, where, required=False)
    if name is not None and not _ENV_NAME.match(name):
        # Most likely the secret itself was written here: say so without repeating it.
        raise ConfigError(f"{where}: sftp.{key} must name an environment variable (letters, digits, _), "
                          "not hold the secret itself")
    return name


def _number(raw: Mapping[str, Any], key: str, where: str, default: float, *, minimum: float) -> float:
    value = raw.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"{where}: {key} must be a number of at least {minimum}")
    return float(value)


def _remote_folder(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    folder = _text(raw, key, where, required=required)
    if folder is None:
        return None
    if "\\" in folder or "\0" in folder:
        raise ConfigError(f"{where}: sftp.{key} must be a remote folder path with / separators")
    normal = posixpath.normpath(folder)
    return normal


def _retry(raw: Any, where: str) -> RetryPolicy:
    if raw is None:
        return RetryPolicy()
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: sftp.retry must be a mapping (attempts, first_delay_seconds, max_delay_seconds)")
    unknown = sorted(set(map(str, raw)) - _RETRY_KEYS)
    if unknown:
        raise ConfigError(f"{where}: sftp.retry has unknown keys {unknown} (known: {sorted(_RETRY_KEYS)})")
    attempts = raw.get("attempts", _DEFAULT_ATTEMPTS)
    if not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 100:
        raise ConfigError(f"{where}: sftp.retry.attempts must be a whole number from 1 to 100")
    first = _number(raw, "first_delay_seconds", f"{where}: sftp.retry", _DEFAULT_FIRST_DELAY, minimum=0)
    most = _number(raw, "max_delay_seconds", f"{where}: sftp.retry", _DEFAULT_MAX_DELAY, minimum=0)
    if most < first:
        raise ConfigError(f"{where}: sftp.retry.max_delay_seconds must not be less than first_delay_seconds")
    return RetryPolicy(attempts=attempts, first_delay=first, max_delay=most)


def parse_sftp(raw: Any, *, where: str) -> SftpSettings:
    """Check an `sftp:` mapping and build its settings; every mistake is a ConfigError that names the key.

    ``where`` prefixes messages (``rules/clearinghouses.yaml: clearinghouse availity``).
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}: sftp must be a mapping (host, username, known_hosts, inbox, outbox, ...)")
    keys = set(map(str, raw))
    secrets = sorted(keys & _SECRET_KEYS)
    if secrets:
        raise ConfigError(f"{where}: sftp.{secrets[0]} is not allowed: secrets are never written in this file; "
                          "name an environment variable with password_env or key_passphrase_env")
    unknown = sorted(keys - _SFTP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: sftp has unknown keys {unknown} (known: {sorted(_SFTP_KEYS)})")
    host = _text(raw, "host", where)
    username = _text(raw, "username", where)
    known_hosts = _text(raw, "known_hosts", where)
    key_file = _text(raw, "key_file", where, required=False)
    passphrase_env = _env_name(raw, "key_passphrase_env", where)
    password_env = _env_name(raw, "password_env", where)
    if key_file is None and password_env is None:
        raise ConfigError(f"{where}: sftp needs key_file or password_env (how we prove who we are)")
    if passphrase_env is not None and key_file is None:
        raise ConfigError(f"{where}: sftp.key_passphrase_env is set but there is no key_file")
    port = raw.get("port", 22)
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise ConfigError(f"{where}: sftp.port must be a whole number from 1 to 65535")
    inbox = _remote_folder(raw, "inbox", where)
    outbox = _remote_folder(raw, "outbox", where)
    after_fetch = raw.get("after_fetch", "delete")
    if after_fetch not in AFTER_FETCH:
        raise ConfigError(f"{where}: sftp.after_fetch must be one of {', '.join(AFTER_FETCH)}, got {after_fetch!r}")
    archive = _remote_folder(raw, "archive", where, required=after_fetch == "archive")
    if archive is not None and after_fetch != "archive":
        raise ConfigError(f"{where}: sftp.archive is set but after_fetch is {after_fetch!r}, not 'archive'")
    if inbox == outbox:
        # We would fetch back every file we send.
        raise ConfigError(f"{where}: sftp.inbox and sftp.outbox must be different folders")
    if archive is not None and archive == outbox:
        raise ConfigError(f"{where}: sftp.archive must not be the outbox itself")
    timeout = _number(raw, "timeout_seconds", f"{where}: sftp", 30.0, minimum=0.01)
    assert host and username and known_hosts and inbox and outbox  # required above
    return SftpSettings(
        host=host, username=username, known_hosts=Path(known_hosts), inbox=inbox, outbox=outbox, port=port,
        key_file=Path(key_file) if key_file else None, key_passphrase_env=passphrase_env,
        password_env=password_env, after_fetch=str(after_fetch), archive=archive, timeout=timeout,
        retry=_retry(raw.get("retry"), where),
    )


def _local_folder(entry: Mapping[str, Any], key: str, data_dir: Path) -> Path:
    folder = Path(str(entry.get(key) or key)).expanduser()
    return folder if folder.is_absolute() else data_dir / folder


def transport_for(name: str, entry: Mapping[str, Any], settings: Settings) -> ClearinghouseTransport:
    """The transport view of one clearinghouse entry (as rcm.config read it)."""
    where = f"{settings.rules_dir / 'clearinghouses.yaml'}: clearinghouse {name}"
    kind = parse_transport_kind(entry.get("transport"), where=where)
    raw_sftp = entry.get("sftp")
    sftp = parse_sftp(raw_sftp, where=where) if raw_sftp is not None else None
    if kind == "sftp" and sftp is None:
        raise ConfigError(f"{where}: transport is sftp but there is no sftp: section")
    outbound = _local_folder(entry, "outbound", settings.data_dir)
    inbound = _local_folder(entry, "inbound", settings.data_dir)
    if kind == "sftp" and outbound.resolve() == inbound.resolve():
        raise ConfigError(f"{where}: outbound and inbound must be different folders")
    return ClearinghouseTransport(
        clearinghouse=name,
        kind=kind,
        outbound=outbound,
        inbound=inbound,
        sent=settings.archive_dir / "sent" / name,
        lock_dir=settings.data_dir / "locks",
        sftp=sftp.resolved(settings.data_dir) if kind == "sftp" and sftp is not None else None,
    )


def clearinghouse_transports(settings: Settings, clearinghouse: str | None = None) -> list[ClearinghouseTransport]:
    """Every configured clearinghouse's transport, in file order (or just the one named)."""
    entries = settings.clearinghouses
    if clearinghouse is not None:
        if clearinghouse not in entries:
            known = ", ".join(sorted(entries)) or "none"
            raise ConfigError(f"no clearinghouse named {clearinghouse!r} in "
                              f"{settings.rules_dir / 'clearinghouses.yaml'} (configured: {known})")
        return [transport_for(clearinghouse, entries[clearinghouse], settings)]
    return [transport_for(name, entry, settings) for name, entry in entries.items()]
