"""The people who may sign in to the web pages: a users file of names and scrypt password hashes.

The file (``RCM_DATA_DIR/web-users.json`` unless ``RCM_WEB_USERS_FILE`` says otherwise) is written whole through a
temporary file and a rename, readable by its owner only. Passwords are never stored or logged; a hash is
``scrypt$<n>$<r>$<p>$<salt>$<key>`` (base64), checked in constant time.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rcm.errors import ConfigError, InputError

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "USERNAME_PATTERN",
    "User",
    "UserStore",
    "hash_password",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
# scrypt cost: 2**15 * 8 * 128 bytes = 32 MiB and a few tenths of a second per check, as recommended for logins.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P, _KEY_LENGTH = 2**15, 8, 1, 32
_MAX_MEMORY = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, n: int = _SCRYPT_N) -> str:
    """A salted scrypt hash of ``password`` in the users file's format."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=_SCRYPT_R, p=_SCRYPT_P, dklen=_KEY_LENGTH,
                         maxmem=_MAX_MEMORY)
    return f"scrypt${n}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches the stored hash; a malformed hash never matches."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key, validate=True)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt, validate=True), n=int(n),
                                r=int(r), p=int(p), dklen=len(expected), maxmem=_MAX_MEMORY)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True, slots=True)
class User:
    name: str
    password_hash: str
    created_at: str

    @property
    def session_stamp(self) -> str:
        """Changes when the password changes, so sessions signed before a password change stop working."""
        return hashlib.sha256(self.password_hash.encode("ascii")).hexdigest()[:16]


def check_username(name: str) -> str:
    if not USERNAME_PATTERN.match(name):
        raise InputError(
            f"user name {name!r}: 2 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


class UserStore:
    """The users file: read on every look-up (so a user added from the command line can sign in at once)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read the users file ({exc.strerror})") from exc
        try:
            loaded = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{self.path}: the users file is not JSON (line {exc.lineno})") from exc
        users = loaded.get("users") if isinstance(loaded, dict) else None
        if not isinstance(users, dict):
            raise ConfigError(f"{self.path}: the users file has no `users` mapping")
        return users

    def _write(self, users: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".users-", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"users": users}, out, indent=2, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, name: str) -> User | None:
        entry = self._read().get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("password"), str):
            return None
        return User(name, entry["password"], str(entry.get("created_at", "")))

    def names(self) -> list[str]:
        return sorted(self._read())

    def set_password(self, name: str, password: str, *, replace: bool = False) -> User:
        """Add a user (or, with ``replace``, give an existing one a new password)."""
        check_username(name)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise InputError(f"a password has at least {MIN_PASSWORD_LENGTH} characters")
        users = self._read()
        if name in users and not replace:
            raise InputError(f"user {name} already exists (use --replace to set a new password)")
        created = users.get(name, {}).get("created_at") or datetime.now(UTC).isoformat(timespec="seconds")
        users[name] = {"password": hash_password(password), "created_at": created}
        self._write(users)
        return User(name, users[name]["password"], created)

    def remove(self, name: str) -> bool:
        users = self._read()
        if name not in users:
            return False
        del users[name]
        self._write(users)
        return True

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the password is theirs; None otherwise (the same work is done for unknown names)."""
        user = self.get(name) if USERNAME_PATTERN.match(name) else None
        if user is None:
            verify_password(password, _decoy_hash())  # unknown names take as long as wrong passwords
            return None
        return user if verify_password(password, user.password_hash) else None


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_hex(16))
