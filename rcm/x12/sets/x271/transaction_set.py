"""The 271 eligibility benefit response (005010X279A1): its loop description and the ``EligibilityResponse`` model."""

from __future__ import annotations

from rcm.x12.sets.eligibility279 import EligibilityResponse, eligibility_spec

__all__ = ["SPEC", "EligibilityResponse"]

SPEC = eligibility_spec(response=True)
