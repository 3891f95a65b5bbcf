"""276 loop models: a claim's status (2200) and its service lines (shared claim status models)."""

from rcm.x12.sets.status277 import ClaimStatus, LineStatus

__all__ = ["ClaimStatus", "LineStatus"]
