"""TA1 segments of a file to ``InterchangeAcknowledgment``s."""

from __future__ import annotations

from rcm.x12.reader import X12File
from rcm.x12.sets.ta1.segments import InterchangeAcknowledgment

__all__ = ["interchange_acknowledgments"]


def interchange_acknowledgments(x12: X12File) -> list[InterchangeAcknowledgment]:
    """Every TA1 in the file, in order."""
    return [InterchangeAcknowledgment.of(s) for ic in x12.interchanges for s in ic.acknowledgments]
