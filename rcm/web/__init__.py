"""The web pages billing staff and analysts use: the scrubber worklist, claims (override, fix, timeline, audit
trail) and the denial dashboard, served by FastAPI to signed-in users (`rcm web`)."""

from __future__ import annotations

from rcm.web.app import create_app
from rcm.web.config import WebConfig
from rcm.web.users import UserStore

__all__ = ["UserStore", "WebConfig", "create_app"]
