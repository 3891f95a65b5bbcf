"""TA1 interchange acknowledgment (a lone segment beside or instead of groups): ``InterchangeAcknowledgment``."""

from rcm.x12.sets.ta1.parsing import interchange_acknowledgments
from rcm.x12.sets.ta1.segments import InterchangeAcknowledgment

__all__ = ["InterchangeAcknowledgment", "interchange_acknowledgments"]
