"""270 segment records: Inquiry, AAA rejections and TRN traces (shared eligibility records)."""

from rcm.x12.sets.eligibility279 import Inquiry, Rejection
from rcm.x12.sets.x835.segments import Trace

__all__ = ["Inquiry", "Rejection", "Trace"]
