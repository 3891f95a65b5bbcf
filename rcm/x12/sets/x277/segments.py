"""277 segment records: STC status information (shared claim status records)."""

from rcm.x12.sets.status277 import StatusInfo

__all__ = ["StatusInfo"]
