"""Conformance over every public sample in ../shared/x12-samples: never a crash, and the counts, envelopes
and structure findings come out as MANIFEST.tsv describes each file."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from x12_samples import SampleFile, sample_params

from rcm.x12.errors import NotX12Error, UnknownTransactionError
from rcm.x12.reader import read_file
from rcm.x12.sets.registry import lookup


def _note_count(notes: str, pattern: str) -> int | None:
    m = re.search(pattern, notes)
    return int(m.group(1)) if m else None


@pytest.mark.parametrize("sample", sample_params())
def test_sample_reads_as_the_manifest_says(sample: SampleFile) -> None:
    try:
        x = read_file(sample.path)
    except NotX12Error:
        pytest.fail("every shared sample holds X12 that can be read")
    notes = sample.notes
    assert x.segment_count == sample.segment_count
    codes = Counter(f.code for f in x.findings)
    sets = [t.set_id for t in x.transactions]

    expected_sets = _note_count(notes, r"(\d+) transaction sets")
    if expected_sets is not None:
        assert len(sets) == expected_sets
    elif sample.transaction_set not in ("TA1",):
        assert len(sets) >= 1
    if sample.transaction_set == "TA1":
        assert sets == [] and any(ic.acknowledgments for ic in x.interchanges)

    interchanges = _note_count(notes, r"(\d+) interchanges \(ISA\)")
    if interchanges is not None:
        assert sum(1 for ic in x.interchanges if ic.header is not None) == interchanges
    groups = _note_count(notes, r"(\d+) functional groups")
    if groups is not None:
        assert sum(1 for ic in x.interchanges for g in ic.groups if g.header is not None) == groups

    for seg_id in ("CLP", "CLM"):
        claims = _note_count(notes, rf"(\d+) claims \({seg_id}\)")
        if claims is not None:
            assert sum(1 for t in x.transactions for s in t.segments if s.id == seg_id) == claims

    mismatches = _note_count(notes, r"SE01 count mismatch x(\d+)")
    assert codes.get("se01_count", 0) == (mismatches or 0)
    if re.search(r"ISA length \d+ \(not fixed-width", notes):
        assert codes["isa_fixed_width"] >= 1
    if "GS/GE unbalanced" in notes:
        assert codes["missing_ge"] or codes["unexpected_ge"]
    if "ISA/IEA unbalanced" in notes:
        assert codes["missing_iea"] or codes["unexpected_iea"]
    if "ST/SE unbalanced" in notes:
        assert codes["missing_se"]
    if "bare ST..SE" in notes:
        assert codes["no_envelope"] or codes["missing_isa"]
    if "version conflict" in notes:
        assert codes["version_mismatch"]


@pytest.mark.parametrize("sample", sample_params())
def test_every_registered_transaction_builds_its_tree_and_model(sample: SampleFile) -> None:
    x = read_file(sample.path)
    for t in x.transactions:
        if lookup(t.set_id, t.version) is None:
            with pytest.raises(UnknownTransactionError):
                _ = t.tree
            continue
        tree = t.tree
        # every segment of the transaction lands somewhere in the tree, in order
        assert [s.number for s in tree.iter_segments()] == [s.number for s in t.segments]
        model = t.model
        if t.set_id in ("835", "837"):
            seg_id = "CLP" if t.set_id == "835" else "CLM"
            assert len(model.claims) == sum(1 for s in t.segments if s.id == seg_id)
        for f in t.structure_findings:
            assert f.segment is not None and t.segments[0].number <= f.segment <= t.segments[-1].number
            assert f.transaction == t.control_number


# Negative samples whose defect is structural (envelope, loop or segment placement): the reader and loop
# engine must report it.  Element-level defects (bad codes, missing elements) are the validator's.
STRUCTURAL_NEGATIVES = {
    "x12_bad_first_line.txt": "isa_fixed_width",
    "x12_bad_segment_identifier.txt": "unknown_segment",
    "x12_loop_errors1_exceeds_max_1_parent.txt": "loop_repeat_exceeded",
    "x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt": "loop_repeat_exceeded",
    "x12_loop_errors3_missing_loops.txt": "missing_loop",
    "x12_missing_required_loop_in_one_repeat.txt": "missing_loop",
    "x12_missing_required_loops_mult_repeats.txt": "missing_loop",
    "x12_no_isa_line.txt": "missing_isa",
    "x12_segment_errors.txt": "missing_segment",
    "x12_segments_out_of_order.txt": "segment_out_of_order",
    "trailer_errors.txt": "ge02_control",
    "explicit_missing.txt": "missing_se",
    "fail_no_IEA.txt": "missing_iea",
    "loop_counting.txt": "loop_repeat_exceeded",
    "per_repeat.txt": "segment_repeat_exceeded",
    "bad_header_looping.txt": "loop_repeat_exceeded",
    "simple1.txt": "missing_loop",
    "invalid999.edi": "unexpected_segment",
    "empty997.edi": "missing_segment",
}


@pytest.mark.parametrize("name", sorted(STRUCTURAL_NEGATIVES))
def test_structural_negative_samples_are_reported(name: str) -> None:
    from x12_samples import sample

    x = read_file(sample(name))
    codes = {f.code for f in x.findings}
    for t in x.transactions:
        if lookup(t.set_id, t.version) is not None:
            codes |= {f.code for f in t.structure_findings}
    assert STRUCTURAL_NEGATIVES[name] in codes


def test_clean_samples_have_no_structure_errors() -> None:
    """Guide-conformant 5010 samples build their trees without structure errors."""
    from x12_samples import sample

    for name in (
        "LinuxForHealth+x12/demo-file/demo.835",
        "LinuxForHealth+x12/demo-file/demo.271",
        "LinuxForHealth+x12/src/tests/resources/837_005010X222A2/demo.cob.example3.B.837",
        "LinuxForHealth+x12/src/tests/resources/837_005010X223A3/two-claims-single-provider.837i",
        "imsweb+x12-parser/src/test/resources/277_5010/x12_277CA_rejected.txt",
        "xlate+staedi/src/test/resources/x12/simple999.edi",
        "LinuxForHealth+x12/demo-file/demo.276",
    ):
        for t in read_file(sample(name)).transactions:
            assert [f.code for f in t.structure_findings if f.severity == "error"] == [], name
