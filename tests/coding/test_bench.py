"""The benchmark runs end to end on a small batch and reports its figures (no timing is asserted)."""

from __future__ import annotations

import pytest

from rcm.coding import RuleBook
from rcm.coding.bench import make_claims, run_benchmark


def test_benchmark_reports_its_figures(request: pytest.FixtureRequest, book: RuleBook) -> None:
    cache = getattr(request.config, "cache", None)
    figures = run_benchmark(300, data_dir=cache.mkdir("rcm-coding-tables") if cache is not None else None)
    assert figures["claims"] == 300 and figures["rules"] == len(book.rules)
    assert figures["ncci_edit_rows"] > 1_000_000  # the full shipped NCCI table is loaded
    assert figures["findings"] > 0 and "icd10_not_billable" in figures["findings_by_category"]
    assert figures["steady_claims_per_cpu_second"] > 0


def test_benchmark_claims_are_seeded(book: RuleBook) -> None:
    first, second = make_claims(book, 50, seed=3), make_claims(book, 50, seed=3)
    assert [c.model_dump() for c in first] == [c.model_dump() for c in second]
