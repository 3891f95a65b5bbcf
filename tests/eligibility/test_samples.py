"""The public 270/271 samples (read in place from ../shared/x12-samples): every 271 counted and classified,
every 5010 270 read as inquiries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rcm.eligibility.interpretation import ACTIVE
from rcm.eligibility.responses import read_271_answers
from rcm.x12.reader import read_file
from rcm.x12.sets.eligibility279 import inquiry_from_tree

from .conftest import SAMPLES


def _manifest(set_id: str) -> list[Path]:
    manifest = SAMPLES / "MANIFEST.tsv"
    if not manifest.is_file():
        pytest.skip(f"shared samples not found at {SAMPLES}")
    with manifest.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return sorted({SAMPLES / r["local_path"] for r in rows if r["transaction_set"] == set_id})


def _counts(path: Path) -> dict[str, int]:
    counts = {"responses": 0, "active": 0, "inactive": 0, "rejected": 0}
    for _, _, members in read_271_answers(read_file(path)):
        for _, answer in members:
            if answer.is_response:
                counts["responses"] += 1
                if answer.status in counts:
                    counts[answer.status] += 1
    return counts


# file name -> (responses, active, inactive, rejected), by reading the files by hand
EXPECTED = {
    "demo.271": (1, 1, 0, 0),
    "dependent-health-benefit-check.271": (1, 1, 0, 0),  # the subscriber loop carries no EB/AAA
    "subscriber-health-benefit-check-error.271": (0, 0, 0, 0),  # AAA at the receiver level only
    "271.edi": (1, 1, 0, 0),
    "x271.txt": (1, 1, 0, 0),
}


def test_every_271_sample_is_counted_and_classified() -> None:
    paths = _manifest("271")
    assert paths
    seen = set()
    for path in paths:
        counts = _counts(path)
        expected = EXPECTED.get(path.name)
        if expected is not None:
            seen.add(path.name)
            assert tuple(counts.values()) == expected, path.name
    assert seen == set(EXPECTED)


def test_dependent_sample_answer_details() -> None:
    path = next(p for p in _manifest("271") if p.name == "dependent-health-benefit-check.271")
    (_, _, members), = read_271_answers(read_file(path))
    answer = next(a for _, a in members if a.is_response)
    assert answer.level == "dependent" and answer.status == ACTIVE
    assert answer.traces == ["93175-012547"]
    assert str(answer.plan_begin) == "2006-01-01"
    assert answer.copay is not None and str(answer.copay) == "10.00"  # in network before out of network
    copays = [b for b in answer.benefits if b.code == "B"]
    assert {b.in_network for b in copays} == {"Y", "N"}
    assert "98" in copays[0].service_types and copays[0].time_period == "27"


def test_receiver_level_rejection_is_reported_not_counted() -> None:
    path = next(p for p in _manifest("271") if p.name == "subscriber-health-benefit-check-error.271")
    (_, model, members), = read_271_answers(read_file(path))
    assert [r.reason for r in model.receiver_rejections] == ["50"]
    assert members == []


def test_5010_270_samples_read_as_inquiries() -> None:
    paths = [p for p in _manifest("270") if "4010" not in p.name]
    assert paths
    for path in paths:
        for tx in read_file(path).transactions:
            if tx.set_id != "270" or not tx.version.startswith("005010"):
                continue
            model = inquiry_from_tree(tx.tree)
            assert model.members, path.name
            assert all(m.inquiries or m.level == "subscriber" for m in model.members)
