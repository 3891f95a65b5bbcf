"""Sessions in a signed cookie, and the CSRF token every form carries.

The cookie holds who is signed in, the session's CSRF token, when it was issued and last used, the user's
password stamp and, once signed in, the key of the session's record on the server (rcm/web/signins.py: a signed-in
cookie is only good while that record is live, so signing out ends it for good); it is signed with HMAC-SHA256
under the secret from ``RCM_WEB_SECRET`` or a file generated in the data directory. A cookie that is unsigned,
tampered with, older than its lifetime, idle too long, or signed before the user's password changed is worth
nothing. Visitors who have not signed in get a session too (no user), so the sign-in form has its CSRF token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rcm.errors import ConfigError

__all__ = ["SECRET_ENV", "SessionCodec", "SessionData", "load_secret", "new_session", "tokens_match"]

SECRET_ENV = "RCM_WEB_SECRET"
SECRET_FILE = "web-secret.key"
MIN_SECRET_BYTES = 32


@dataclass(frozen=True, slots=True)
class SessionData:
    csrf: str
    user: str | None = None
    stamp: str | None = None  # the user's password stamp when they signed in
    issued: float = 0.0
    seen: float = 0.0
    key: str | None = None  # the server-side session record's key (signed-in sessions only)


def new_session(
    *, user: str | None = None, stamp: str | None = None, key: str | None = None, now: float | None = None
) -> SessionData:
    """A fresh session with a new CSRF token (signing in always starts one: no session fixation)."""
    at = time.time() if now is None else now
    return SessionData(csrf=secrets.token_urlsafe(32), user=user, stamp=stamp, issued=at, seen=at, key=key)


def tokens_match(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given).encode("utf-8"), expected.encode("utf-8"))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SessionCodec:
    """Signs and reads session cookies; ``lifetime`` and ``idle`` are seconds."""

    def __init__(self, secret: bytes, *, lifetime: int, idle: int) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(f"the web session secret must be at least {MIN_SECRET_BYTES} bytes")
        self._key = hashlib.sha256(b"rcm-web-session\x00" + secret).digest()
        self.lifetime = lifetime
        self.idle = idle

    def _sign(self, payload: bytes) -> str:
        return _b64encode(hmac.new(self._key, payload, hashlib.sha256).digest())

    def dumps(self, session: SessionData, *, now: float | None = None) -> str:
        stamped = replace(session, seen=time.time() if now is None else now)
        payload = json.dumps(
            {"c": stamped.csrf, "u": stamped.user, "s": stamped.stamp, "i": stamped.issued, "t": stamped.seen,
             "k": stamped.key},
            separators=(",", ":"),
        ).encode("utf-8")
        return f"{_b64encode(payload)}.{self._sign(payload)}"

    def loads(self, cookie: str | None, *, now: float | None = None) -> SessionData | None:
        """The session in a cookie, or None when it is missing, forged, expired or idle too long."""
        if not cookie or "." not in cookie:
            return None
        body, signature = cookie.rsplit(".", 1)
        try:
            payload = _b64decode(body)
        except (binascii.Error, ValueError):
            return None
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        try:
            data: Any = json.loads(payload)
            session = SessionData(
                csrf=str(data["c"]),
                user=data["u"] if isinstance(data["u"], str) else None,
                stamp=data["s"] if isinstance(data["s"], str) else None,
                issued=float(data["i"]),
                seen=float(data["t"]),
                key=data["k"] if isinstance(data.get("k"), str) else None,
            )
        except (ValueError, KeyError, TypeError):
            return None
        at = time.time() if now is None else now
        if at - session.issued > self.lifetime or at - session.seen > self.idle or not session.csrf:
            return None
        return session


def load_secret(data_dir: Path, environ: dict[str, str] | None = None) -> bytes:
    """The signing secret: ``RCM_WEB_SECRET`` when set, else the data directory's secret file (made on first use,
    readable by its owner only). Changing it signs everybody out."""
    env = os.environ if environ is None else environ
    configured = env.get(SECRET_ENV)
    if configured:
        secret = configured.encode("utf-8")
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(f"{SECRET_ENV} must be at least {MIN_SECRET_BYTES} characters")
        return secret
    path = data_dir / SECRET_FILE
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        text = secrets.token_hex(MIN_SECRET_BYTES)
        handle, temporary = tempfile.mkstemp(prefix=".web-secret-", dir=data_dir)  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(text + "\n")
                out.flush()
                os.fsync(out.fileno())
            # A hard link appears whole or not at all and never replaces: two processes starting together agree.
            os.link(temporary, path)
        except FileExistsError:
            return load_secret(data_dir, {})
        finally:
            Path(temporary).unlink(missing_ok=True)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the web session secret ({type(exc).__name__})") from exc
    if len(text) < MIN_SECRET_BYTES:
        raise ConfigError(f"{path}: the web session secret is too short; delete the file to make a new one")
    return text.encode("ascii")
