"""Helpers for the X12 tests: where the public sample files are, and their manifest (import as x12_samples)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
SAMPLES = REPO_ROOT.parent / "shared" / "x12-samples"


@dataclass(frozen=True)
class SampleFile:
    """One row of MANIFEST.tsv."""

    path: Path
    local_path: str
    transaction_set: str
    guide: str
    segment_count: int
    notes: str

    @property
    def negative(self) -> bool:
        return "NEGATIVE-TEST" in self.notes


def manifest() -> list[SampleFile]:
    """The sample files described by MANIFEST.tsv ([] when the shared folder is missing)."""
    index = SAMPLES / "MANIFEST.tsv"
    if not index.exists():
        return []
    with index.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        SampleFile(
            path=SAMPLES / r["local_path"],
            local_path=r["local_path"],
            transaction_set=r["transaction_set"],
            guide=r["implementation_guide"],
            segment_count=int(r["segment_count"]),
            notes=r["notes"],
        )
        for r in rows
    ]


def sample_params() -> list[object]:
    files = manifest()
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"shared samples missing: {SAMPLES}"))]
    return [pytest.param(f, id=f.local_path.split("/")[-1] + "@" + f.local_path.split("+")[0]) for f in files]


def sample(name: str) -> Path:
    """A sample by the end of its local path; skips the test when the shared folder is missing."""
    for f in manifest():
        if f.local_path.endswith(name):
            return f.path
    pytest.skip(f"shared sample {name} missing under {SAMPLES}")
