"""How the web app is set up: database, users file, session secret and lifetimes, the day it judges by."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rcm.config import Settings, get_settings
from rcm.web.sessions import load_secret

__all__ = ["USERS_FILE_ENV", "WebConfig", "users_file_for"]

USERS_FILE_ENV = "RCM_WEB_USERS_FILE"
USERS_FILE = "web-users.json"


def users_file_for(settings: Settings) -> Path:
    """``RCM_WEB_USERS_FILE`` when set, else ``web-users.json`` in the data directory."""
    configured = os.environ.get(USERS_FILE_ENV)
    return Path(configured).expanduser().resolve() if configured else settings.data_dir / USERS_FILE


@dataclass(frozen=True, slots=True)
class WebConfig:
    """``as_of`` fixes the day ages, filing limits and A/R are judged by (None: the current day), for replaying an
    old export as the demo does. Lifetimes are seconds; ``secure_cookies`` when served over HTTPS."""

    database_url: str
    data_dir: Path
    rules_dir: Path
    users_file: Path
    secret: bytes
    as_of: date | None = None
    session_lifetime: int = 10 * 3600
    session_idle: int = 30 * 60
    secure_cookies: bool = False

    @classmethod
    def from_settings(
        cls, settings: Settings | None = None, *, as_of: date | None = None, secure_cookies: bool = False
    ) -> WebConfig:
        settings = settings or get_settings()
        return cls(
            database_url=settings.database_url,
            data_dir=settings.data_dir,
            rules_dir=settings.rules_dir,
            users_file=users_file_for(settings),
            secret=load_secret(settings.data_dir),
            as_of=as_of,
            secure_cookies=secure_cookies,
        )

    def today(self) -> date:
        return self.as_of or date.today()
