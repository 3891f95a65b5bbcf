"""Staff sign-ins to the web pages, kept on the server: each signed-in session (so signing out, or ending a
user's sessions, makes a copied cookie worthless) and recent failed sign-ins (so the lockout holds across
restarts and worker processes). User names only: nothing here names a patient."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from rcm.store.tables.base import Base, utcnow

__all__ = ["SignInFailure", "WebSession"]


class WebSession(Base):
    """One signed-in session. ``id`` is the SHA-256 of the random key the session cookie carries (the key itself
    is never stored); the session is live until ``ended_at`` is set (signed out, user removed, ended by an admin)."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index(None, "user_name"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(20))


class SignInFailure(Base):
    """One failed sign-in for a user name (names that are no user count too: guessing is throttled alike)."""

    __tablename__ = "web_sign_in_failures"
    __table_args__ = (Index(None, "user_name", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_name: Mapped[str] = mapped_column(String(40))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow)
