"""The pyx12 oracle: its findings as PHI-free Findings with file segment numbers; no map, no crash."""

from __future__ import annotations

import pytest
import x12_samples

from rcm.x12.pyx12_oracle import pyx12_findings
from rcm.x12.validation import validate_file

pytestmark = pytest.mark.shared


def test_negative_file_findings_are_positioned_and_free_of_segment_contents() -> None:
    path = x12_samples.sample("azoner+pyx12/test/files/bad_elements.txt")
    report = pyx12_findings(path)
    assert report.mapped and report.failed is None
    by_segment = {(f.segment, f.segment_id, f.element, f.ik4_code) for f in report.findings}
    # pyx12's own expected 997 names these: PER03 bad code (segment 7 of the file), DMG02 bad date (20)
    assert (7, "PER", 3, "7") in by_segment
    assert (20, "DMG", 2, "8") in by_segment
    text = path.read_text()
    names = ["GAIMAN", "NEIL", "OAKLAND", "19461301", "101911111"]
    assert all(name in text for name in names)
    for f in report.findings:
        assert f.code.startswith("pyx12_")
        assert not any(name in f.message for name in names), f.message


def test_bytes_input_and_clean_file() -> None:
    path = x12_samples.sample("tastypackets+x12-parser/test/test-files/835/profee.edi")
    report = pyx12_findings(path.read_bytes())
    assert report.mapped and report.findings == []


def test_no_map_for_5010_eligibility() -> None:
    path = x12_samples.sample("LinuxForHealth+x12/demo-file/demo.270")
    report = pyx12_findings(path)
    assert report.mapped is False and report.findings == []
    merged = validate_file(path, pyx12=True)
    assert [f.code for f in merged if f.code.startswith("pyx12")] == ["pyx12_no_map"]


def test_validate_file_merges_pyx12_findings() -> None:
    path = x12_samples.sample("azoner+pyx12/test/files/bad_elements.txt")
    merged = validate_file(path, pyx12=True)
    ours = validate_file(path)
    assert len(merged) > len(ours)
    assert [f.segment for f in merged] == sorted(f.segment for f in merged if f.segment is not None) + [
        None for f in merged if f.segment is None
    ]


def test_x12_text_given_as_str_reaches_pyx12() -> None:
    path = x12_samples.sample("tastypackets+x12-parser/test/test-files/835/profee.edi")
    merged = validate_file(path.read_text(encoding="latin-1"), pyx12=True)
    assert not [f for f in merged if f.code in ("pyx12_failed", "pyx12_unreadable")]
