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
from rcm.coding.rulebook import RuleBook, default_rulebook, load_rulebook
from rcm.coding.service import ScrubSummary, override_finding, scrub_pending

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
    "ScrubSummary",
    "Scrubber",
    "Severity",
    "blocking",
    "default_rulebook",
    "load_rulebook",
    "override_finding",
    "scrub_claim",
    "scrub_pending",
]
