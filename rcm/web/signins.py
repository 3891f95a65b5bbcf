"""Sign-ins kept on the server, beside the signed session cookie.

Every signed-in session has a row (``web_sessions``) keyed by the SHA-256 of a random key the cookie carries: a
cookie is only good while its row is live, so signing out ends the session for good (a copy of the cookie taken
before is worthless too), and an administrator can end all of a user's sessions (`rcm web sign-out NAME`).
Failed sign-ins are rows too (``web_sign_in_failures``): the lockout (``MAX_FAILURES`` within ``FAILURE_WINDOW``)
holds across restarts and across worker processes. User names only; the key itself is never stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from rcm.store import SignInFailure, WebSession

__all__ = ["FAILURE_WINDOW", "MAX_FAILURES", "SESSION_RETENTION", "LiveSession", "SignIns"]

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
# Ended and expired sessions are kept this long (who was signed in when), then deleted.
SESSION_RETENTION = timedelta(days=90)
# Names longer than any user name are throttled by their first characters.
_NAME_LENGTH = 40


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class LiveSession:
    """A session not ended (it may still have expired by the cookie's lifetime or idle limit)."""

    user: str
    started_at: datetime


class SignIns:
    """The sessions and failed sign-ins of the web pages, in the store (``sessions`` makes database sessions)."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def start(self, user: str, *, now: datetime | None = None) -> str:
        """Record a new session for ``user``; returns the key for its cookie.  Sessions past their retention go."""
        at = _now(now)
        key = secrets.token_urlsafe(32)
        with self._sessions.begin() as db:
            db.add(WebSession(id=_digest(key), user_name=user, started_at=at))
            db.execute(delete(WebSession).where(WebSession.started_at < at - SESSION_RETENTION))
        return key

    def is_live(self, key: str | None, user: str) -> bool:
        """Whether the session with this key belongs to ``user`` and has not been ended."""
        if not key:
            return False
        with self._sessions() as db:
            row = db.execute(
                select(WebSession.user_name, WebSession.ended_at).where(WebSession.id == _digest(key))
            ).first()
        return row is not None and row.user_name == user and row.ended_at is None

    def end(self, key: str | None, *, reason: str = "signed out", now: datetime | None = None) -> bool:
        """End one session (signing out); True when a live session was ended."""
        if not key:
            return False
        with self._sessions.begin() as db:
            done = cast(CursorResult[Any], db.execute(
                update(WebSession)
                .where(WebSession.id == _digest(key), WebSession.ended_at.is_(None))
                .values(ended_at=_now(now), end_reason=reason)
            ))
        return bool(done.rowcount)

    def end_all(self, user: str, *, reason: str = "ended by admin", now: datetime | None = None) -> int:
        """End every live session of ``user``; returns how many were ended."""
        with self._sessions.begin() as db:
            done = cast(CursorResult[Any], db.execute(
                update(WebSession)
                .where(WebSession.user_name == user, WebSession.ended_at.is_(None))
                .values(ended_at=_now(now), end_reason=reason)
            ))
        return int(done.rowcount or 0)

    def live(self) -> list[LiveSession]:
        """The sessions not ended, oldest first."""
        with self._sessions() as db:
            rows = db.execute(
                select(WebSession.user_name, WebSession.started_at)
                .where(WebSession.ended_at.is_(None))
                .order_by(WebSession.started_at, WebSession.user_name)
            ).all()
        return [LiveSession(user=r.user_name, started_at=r.started_at) for r in rows]

    def blocked(self, name: str, *, now: datetime | None = None) -> bool:
        """Whether ``name`` has failed ``MAX_FAILURES`` times within the last ``FAILURE_WINDOW``."""
        with self._sessions() as db:
            count = db.execute(
                select(func.count())
                .select_from(SignInFailure)
                .where(SignInFailure.user_name == name[:_NAME_LENGTH],
                       SignInFailure.failed_at > _now(now) - FAILURE_WINDOW)
            ).scalar_one()
        return int(count) >= MAX_FAILURES

    def failed(self, name: str, *, now: datetime | None = None) -> None:
        """Record a failed sign-in for ``name``; failures older than the window (any name) go."""
        at = _now(now)
        with self._sessions.begin() as db:
            db.add(SignInFailure(user_name=name[:_NAME_LENGTH], failed_at=at))
            db.execute(delete(SignInFailure).where(SignInFailure.failed_at <= at - FAILURE_WINDOW))

    def succeeded(self, name: str) -> None:
        """Forget ``name``'s failures after a successful sign-in."""
        with self._sessions.begin() as db:
            db.execute(delete(SignInFailure).where(SignInFailure.user_name == name[:_NAME_LENGTH]))
