"""271 segment records: Benefit, AAA rejections and TRN traces (shared eligibility records)."""

from rcm.x12.sets.eligibility279 import Benefit, Rejection
from rcm.x12.sets.x835.segments import Trace

__all__ = ["Benefit", "Rejection", "Trace"]
