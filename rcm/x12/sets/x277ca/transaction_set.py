"""The 277CA health care claim acknowledgment (005010X214): its loop description; the model is ``ClaimStatusReport``."""

from __future__ import annotations

from rcm.x12.sets.status277 import ClaimStatusReport, status_spec

__all__ = ["SPEC", "ClaimStatusReport"]

SPEC = status_spec("277CA")
