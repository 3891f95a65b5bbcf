"""The 277 health care claim status response (005010X212): its loop description; the model is ``ClaimStatusReport``."""

from __future__ import annotations

from rcm.x12.sets.status277 import ClaimStatusReport, status_spec

__all__ = ["SPEC", "ClaimStatusReport"]

SPEC = status_spec("277")
