"""SFTP to a clearinghouse (paramiko): host key checked against the configured known_hosts, key or password from
the configured sources, every fault turned into a TransferError that says which clearinghouse, host and file.

Unknown or changed host keys and refused credentials are final (never retried); a refused, reset, silent or
dropped connection is a TransferConnectionError, which the caller retries. Secrets are read from the environment
when the connection is prepared and are never logged or put in a message.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import posixpath
import socket
import stat
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import paramiko

from rcm.errors import (
    ConfigError,
    HostKeyError,
    RemoteFileError,
    TransferAuthenticationError,
    TransferConnectionError,
    TransferError,
)
from rcm.transport.remote import Connector, RemoteEntry, Sink, Source
from rcm.transport.settings import ClearinghouseTransport, SftpSettings

__all__ = ["SftpRemote", "sftp_connector"]

log = logging.getLogger(__name__)

_CHUNK = 32768
_REFUSALS = {
    errno.ENOENT: "no such file or folder",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EEXIST: "a file of that name already exists",
}


class _RejectUnknownHost(paramiko.MissingHostKeyPolicy):
    """A server whose key is not in our known_hosts is refused, with the fingerprint to check with the clearinghouse."""

    def __init__(self, clearinghouse: str, host: str, known_hosts: Path) -> None:  # host as shown in messages
        self._clearinghouse = clearinghouse
        self._host = host
        self._known_hosts = known_hosts

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey) -> None:
        raise HostKeyError(
            f"the server's host key ({key.get_name()} {key.fingerprint}) is not in {self._known_hosts}: confirm "
            f"the fingerprint with the clearinghouse, then add the key for {hostname} to that file",
            clearinghouse=self._clearinghouse, host=self._host,
        )


def _secret(environ: Mapping[str, str], variable: str | None, *, what: str, where: str) -> str | None:
    if variable is None:
        return None
    value = environ.get(variable)
    if not value:
        raise ConfigError(f"{where}: the {what} is read from the environment variable {variable}, which is not set")
    return value


def _load_key(settings: SftpSettings, passphrase: str | None, *, where: str) -> paramiko.PKey | None:
    if settings.key_file is None:
        return None
    path = settings.key_file
    secret = passphrase.encode() if passphrase is not None else None
    try:
        try:
            return paramiko.PKey.from_path(path, passphrase=secret)  # type: ignore[call-arg]
        except TypeError:
            if secret is None:
                raise ConfigError(f"{where}: the key file {path} is protected by a passphrase; name the environment "
                                  "variable that holds it with sftp.key_passphrase_env") from None
            # A passphrase was configured for a key that has none: use the key as it is, as ssh does.
            return paramiko.PKey.from_path(path)
    except ConfigError:
        raise
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"{where}: the key file {path} cannot be read ({reason})") from None
    except (ValueError, paramiko.SSHException) as exc:
        hint = "wrong passphrase, or not a private key" if secret is not None else "not a private key we can read"
        raise ConfigError(f"{where}: the key file {path} cannot be opened ({hint}; {type(exc).__name__})") from None


def sftp_connector(transport: ClearinghouseTransport, *, environ: Mapping[str, str] | None = None) -> Connector:
    """A function that opens a new SFTP connection to the clearinghouse each time it is called.

    Everything that cannot get better by retrying is checked here, once: the secrets named in the settings are
    set, the key opens, the known_hosts file is readable. Raises ConfigError otherwise.
    """
    if transport.sftp is None:
        raise ConfigError(f"clearinghouse {transport.clearinghouse}: transport is {transport.kind}, not sftp")
    settings = transport.sftp
    env = os.environ if environ is None else environ
    where = f"clearinghouse {transport.clearinghouse}"
    password = _secret(env, settings.password_env, what="password", where=where)
    passphrase = _secret(env, settings.key_passphrase_env, what="key passphrase", where=where)
    key = _load_key(settings, passphrase, where=where)
    try:
        paramiko.HostKeys().load(str(settings.known_hosts))
    except OSError as exc:
        raise ConfigError(f"{where}: the known_hosts file {settings.known_hosts} cannot be read "
                          f"({exc.strerror or type(exc).__name__})") from None
    except paramiko.SSHException as exc:
        raise ConfigError(f"{where}: the known_hosts file {settings.known_hosts} is not valid "
                          f"({type(exc).__name__})") from None

    def connect() -> SftpRemote:
        return SftpRemote.open(transport.clearinghouse, settings, key=key, password=password)

    return connect


class SftpRemote:
    """One SSH connection and its SFTP channel; every call times out after the configured seconds."""

    def __init__(self, clearinghouse: str, settings: SftpSettings, client: paramiko.SSHClient,
                 sftp: paramiko.SFTPClient) -> None:
        self._clearinghouse = clearinghouse
        self._settings = settings
        self._client = client
        self._sftp = sftp

    @classmethod
    def open(cls, clearinghouse: str, settings: SftpSettings, *, key: paramiko.PKey | None,
             password: str | None) -> SftpRemote:
        client = paramiko.SSHClient()
        client.load_host_keys(str(settings.known_hosts))  # only this file: never ~/.ssh or the system's
        host = _host_label(settings)
        client.set_missing_host_key_policy(_RejectUnknownHost(clearinghouse, host, settings.known_hosts))
        try:
            client.connect(
                settings.host, port=settings.port, username=settings.username, pkey=key, password=password,
                sock=_open_socket(settings),
                timeout=settings.timeout, banner_timeout=settings.timeout, auth_timeout=settings.timeout,
                channel_timeout=settings.timeout, look_for_keys=False, allow_agent=False,
            )
            sftp = client.open_sftp()
            sftp.get_channel().settimeout(settings.timeout)  # type: ignore[union-attr]
        except TransferError:
            client.close()
            raise
        except paramiko.BadHostKeyException as exc:
            client.close()
            raise HostKeyError(
                f"the server's host key ({exc.key.get_name()} {exc.key.fingerprint}) differs from the one in "
                f"{settings.known_hosts} ({exc.expected_key.fingerprint}): the server may not be the "
                "clearinghouse's; confirm with them before changing known_hosts",
                clearinghouse=clearinghouse, host=host,
            ) from None
        except paramiko.AuthenticationException as exc:
            client.close()
            raise TransferAuthenticationError(
                f"the server refused user {settings.username} ({type(exc).__name__}): check the key or password "
                "registered with the clearinghouse", clearinghouse=clearinghouse, host=host,
            ) from None
        except TimeoutError:
            client.close()
            raise TransferConnectionError(f"no answer within {settings.timeout:g} s", clearinghouse=clearinghouse,
                                          host=host) from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            client.close()
            raise TransferConnectionError(f"cannot connect ({_describe(exc)})", clearinghouse=clearinghouse,
                                          host=host) from None
        log.info("connected to %s for clearinghouse %s", _host_label(settings), clearinghouse)
        return cls(clearinghouse, settings, client, sftp)

    def _alive(self) -> bool:
        transport = self._client.get_transport()
        return transport is not None and transport.is_active()

    @contextmanager
    def _faults(self, action: str, path: str) -> Iterator[None]:
        try:
            yield
        except TransferError:
            raise
        except TimeoutError:
            raise self._error(TransferConnectionError, f"{action}: no answer within {self._settings.timeout:g} s",
                              path) from None
        except (EOFError, paramiko.SSHException) as exc:
            raise self._error(TransferConnectionError, f"{action}: the connection was lost ({_describe(exc)})",
                              path) from None
        except OSError as exc:
            if not self._alive() or isinstance(exc, ConnectionError):
                raise self._error(TransferConnectionError, f"{action}: the connection was lost ({_describe(exc)})",
                                  path) from None
            raise self._error(RemoteFileError, f"{action} {path}: the server refused ({_describe(exc)})",
                              path) from None

    def _error(self, kind: type[TransferError], reason: str, path: str) -> TransferError:
        return kind(reason, clearinghouse=self._clearinghouse, host=_host_label(self._settings),
                    file=posixpath.basename(path) or path)

    def list_files(self, folder: str) -> list[RemoteEntry]:
        with self._faults("list", folder):
            entries = self._sftp.listdir_attr(folder)
        return [
            RemoteEntry(e.filename, int(e.st_size or 0), int(e.st_mtime) if e.st_mtime is not None else None)
            for e in entries
            if e.st_mode is not None and stat.S_ISREG(e.st_mode)
        ]

    def stat(self, path: str) -> RemoteEntry | None:
        with self._faults("stat", path):
            try:
                attrs = self._sftp.stat(path)
            except FileNotFoundError:
                return None
        if attrs.st_mode is not None and not stat.S_ISREG(attrs.st_mode):
            raise self._error(RemoteFileError, f"{path} is not a regular file", path)
        return RemoteEntry(posixpath.basename(path), int(attrs.st_size or 0),
                           int(attrs.st_mtime) if attrs.st_mtime is not None else None)

    def upload(self, source: Source, path: str) -> int:
        total = 0
        with self._faults("upload", path), self._sftp.open(path, "wb") as remote:
            remote.set_pipelined(True)
            while chunk := source.read(_CHUNK):
                remote.write(chunk)
                total += len(chunk)
        return total

    def download(self, path: str, target: Sink, *, size: int | None = None) -> int:
        total = 0
        with self._faults("download", path), self._sftp.open(path, "rb") as remote:
            remote.prefetch(size)
            while chunk := remote.read(_CHUNK):
                target.write(chunk)
                total += len(chunk)
        return total

    def rename(self, source: str, target: str) -> None:
        # Plain SFTP rename (not posix-rename): the server refuses rather than replace a file already there.
        with self._faults("rename", source):
            self._sftp.rename(source, target)

    def remove(self, path: str) -> None:
        with self._faults("remove", path):
            self._sftp.remove(path)

    def close(self) -> None:
        # Closing a broken link must not hide the error that broke it.
        with contextlib.suppress(Exception):
            self._sftp.close()
        with contextlib.suppress(Exception):
            self._client.close()


def _open_socket(settings: SftpSettings) -> socket.socket:
    sock = socket.create_connection((settings.host, settings.port), timeout=settings.timeout)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        # Data the server stops acknowledging ends the connection after the timeout, not after the kernel's
        # quarter of an hour of retransmissions (paramiko itself would wait on a blocked send for that long).
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(max(settings.timeout, 1.0) * 1000))
    return sock


def _host_label(settings: SftpSettings) -> str:
    return settings.host if settings.port == 22 else f"{settings.host}:{settings.port}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno in _REFUSALS:
        return _REFUSALS[exc.errno]
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip()
    # Server texts are short status words ("Failure", "Permission denied"); keep them, bounded.
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__
