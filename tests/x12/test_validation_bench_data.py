"""The benchmark's generated files are deterministic, valid for us and for pyx12, and balanced."""

from __future__ import annotations

import sys
from pathlib import Path

from x12_samples import REPO_ROOT

if str(REPO_ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the installed package
    sys.path.insert(0, str(REPO_ROOT))

from bench.generate import generate_835, generate_837p
from rcm.x12.inspect import inspect_file
from rcm.x12.pyx12_oracle import pyx12_findings
from rcm.x12.validation import validate_file


def test_generated_837p_is_deterministic_clean_and_counted(tmp_path: Path) -> None:
    first, second = tmp_path / "a.837", tmp_path / "b.837"
    claims = generate_837p(first, 60_000, seed=7)
    assert generate_837p(second, 60_000, seed=7) == claims
    assert first.read_bytes() == second.read_bytes()
    assert 55_000 <= first.stat().st_size <= 70_000
    assert validate_file(first) == []
    assert pyx12_findings(first).findings == []
    report = inspect_file(first)
    assert sum(t["claims"] for t in report["transactions"]) == claims


def test_generated_835_balances_at_every_level(tmp_path: Path) -> None:
    path = tmp_path / "r.835"
    claims = generate_835(path, 280_000, seed=3)
    assert validate_file(path) == []
    assert pyx12_findings(path).findings == []
    report = inspect_file(path)
    assert sum(t["claims"] for t in report["transactions"]) == claims
    assert all(t["balanced"] for t in report["transactions"])
    assert any(t["plb"] != "0.00" for t in report["transactions"])  # provider adjustments are exercised
