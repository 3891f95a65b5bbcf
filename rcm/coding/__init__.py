"""Coding validation (the scrubber): rule files and CMS tables in, findings billing staff can act on out."""

from __future__ import annotations

from rcm.coding.engine import Scrubber, ScrubContext, scrub_claim
from rcm.coding.findings import CATEGORIES, ScrubFinding, Severity, blocking
from rcm.coding.history import (
    ClaimHistory,
    CoverageFact,
    EligibilityFacts,
    InMemoryEligibility,
    InMemoryHistory,
    PastService,
)
from rcm.coding.rulebook import RuleBook, load_rulebook

__all__ = [
    "CATEGORIES",
    "ClaimHistory",
    "CoverageFact",
    "EligibilityFacts",
    "InMemoryEligibility",
    "InMemoryHistory",
    "PastService",
    "RuleBook",
    "ScrubContext",
    "ScrubFinding",
    "Scrubber",
    "Severity",
    "blocking",
    "load_rulebook",
    "scrub_claim",
]
