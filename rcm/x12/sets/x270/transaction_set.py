"""The 270 eligibility benefit inquiry (005010X279A1): its loop description and the ``EligibilityInquiry`` model."""

from __future__ import annotations

from rcm.x12.sets.eligibility279 import EligibilityInquiry, eligibility_spec

__all__ = ["SPEC", "EligibilityInquiry"]

SPEC = eligibility_spec(response=False)
