"""270 loop tree to ``EligibilityInquiry``."""

from rcm.x12.sets.eligibility279 import parse_270

__all__ = ["parse_270"]
