"""271 loop tree to ``EligibilityResponse``."""

from rcm.x12.sets.eligibility279 import parse_271

__all__ = ["parse_271"]
