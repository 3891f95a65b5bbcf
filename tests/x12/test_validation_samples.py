"""Conformance over every public sample in ../shared/x12-samples: inspect never crashes; files marked
NEGATIVE-TEST produce the findings they were built to provoke; the others' counts come out as MANIFEST says."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import x12_samples
from x12_samples import SampleFile

from rcm.x12.inspect import inspect_or_report

pytestmark = pytest.mark.shared


@pytest.mark.parametrize("sample", x12_samples.sample_params())
def test_inspect_never_crashes_and_reports_file_positions(sample: SampleFile) -> None:
    report, code = inspect_or_report(sample.path)
    json.dumps(report)
    assert code in (0, 1, 2)
    assert list(report) == ["file", "transactions", "findings"]
    assert not [f for f in report["findings"] if f["code"] == "internal_error"]
    for f in report["findings"]:
        assert f["severity"] in ("error", "warning")
        assert f["segment"] is None or (isinstance(f["segment"], int) and f["segment"] >= 1)
    for tx in report["transactions"]:
        for key in ("payment", "claims_paid", "plb", "charges"):
            if tx.get(key) is not None:
                assert re.fullmatch(r"-?\d+\.\d\d", tx[key]), (key, tx[key])


# What each NEGATIVE-TEST file was built to provoke (from its name, its folder and, for pyx12's fixtures, the
# acknowledgment pyx12 expects), as finding codes that must all be among ours.
PROVOKED: dict[str, set[str]] = {
    "azoner+pyx12/test/files/bad_2010AA_bug.txt": {"missing_loop"},  # 997: AK3*NM1**3 (2010AA missing)
    "azoner+pyx12/test/files/bad_elements.txt": {"invalid_code", "element_too_long", "invalid_date", "se01_count"},
    "azoner+pyx12/test/files/bad_header_looping.txt": {"invalid_date", "loop_repeat_exceeded", "se01_count"},
    "azoner+pyx12/test/files/blank1.txt": {"invalid_code", "element_missing"},  # blank SV202/SVD03 composites
    "azoner+pyx12/test/files/ele.txt": {"isa_time"},  # TA1 note 015; ST02's trailing blank is read as whitespace
    "azoner+pyx12/test/files/explicit_missing.txt": {"missing_se", "missing_ge", "missing_iea"},
    "azoner+pyx12/test/files/fail_no_IEA.txt": {"missing_iea", "se01_count"},
    "azoner+pyx12/test/files/loop_counting.txt": {"loop_repeat_exceeded"},  # more than 50 service lines
    "azoner+pyx12/test/files/mult_isa.txt": {"missing_loop", "missing_segment"},
    "azoner+pyx12/test/files/mult_trn.txt": {"missing_loop", "missing_segment"},
    "azoner+pyx12/test/files/per_repeat.txt": {"segment_repeat_exceeded"},  # PER three times in 1000A
    "azoner+pyx12/test/files/simple1.txt": {"missing_segment", "missing_loop"},  # BHT and HL missing
    "azoner+pyx12/test/files/trailer_errors.txt": {"se01_count", "ge02_control", "iea01_count", "iea02_control"},
    "azoner+pyx12/test/files/trailing_terms.txt": {"trailing_separators"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_ambiguous_loop.txt": {"se01_count"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_bad_first_line.txt": {"isa_fixed_width"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_bad_segment_identifier.txt": {"unknown_segment"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_bad_valid_code.txt": {"unexpected_qualifier"},  # NM1*117
    "imsweb+x12-parser/src/test/resources/837_5010/x12_loop_errors1_exceeds_max_1_parent.txt": {"loop_repeat_exceeded"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt": {
        "loop_repeat_exceeded"
    },
    "imsweb+x12-parser/src/test/resources/837_5010/x12_loop_errors3_missing_loops.txt": {"missing_loop"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_missing_elements.txt": {"element_missing"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_missing_required_loop_in_one_repeat.txt": {"missing_loop"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_missing_required_loops_mult_repeats.txt": {"missing_loop"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_no_isa_line.txt": {"missing_isa"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_segment_errors.txt": {"missing_segment"},
    "imsweb+x12-parser/src/test/resources/837_5010/x12_segments_out_of_order.txt": {"segment_out_of_order"},
    "xlate+staedi/src/test/resources/x12/empty997.edi": {"missing_segment", "version_mismatch"},
    "xlate+staedi/src/test/resources/x12/extraDelimiter997.edi": {"too_many_repeats"},
    "xlate+staedi/src/test/resources/x12/invalid997.edi": {"element_too_long"},
    "xlate+staedi/src/test/resources/x12/invalid997_min.edi": {"element_too_long", "ge02_control"},
    "xlate+staedi/src/test/resources/x12/invalid999.edi": {"invalid_code", "segment_repeat_exceeded", "se01_count"},
}
# Negative files whose defect we do not detect, and why.
NOT_DETECTED = {
    # BIN01 (length of BIN02) against the embedded HL7: binary segments are not validated
    "xlate+staedi/src/test/resources/x12/sample275_with_HL7_invalid_BIN01.edi",
}


def _negatives() -> list[object]:
    files = [f for f in x12_samples.manifest() if f.negative]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="shared samples missing"))]
    return [pytest.param(f, id=f.local_path.rsplit("/", 1)[-1]) for f in files]


@pytest.mark.parametrize("sample", _negatives())
def test_negative_samples_provoke_their_findings(sample: SampleFile) -> None:
    if sample.local_path in NOT_DETECTED:
        pytest.skip("defect in a binary segment, which is not validated")
    assert sample.local_path in PROVOKED, "a new NEGATIVE-TEST sample needs its expected findings listed"
    report, code = inspect_or_report(sample.path)
    found = {f["code"] for f in report["findings"]}
    assert PROVOKED[sample.local_path] <= found, sorted(found)
    assert code == 1


def _positives() -> list[object]:
    files = [f for f in x12_samples.manifest() if not f.negative]
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="shared samples missing"))]
    return [pytest.param(f, id=f.local_path.rsplit("/", 1)[-1] + "@" + f.local_path.split("+")[0]) for f in files]


@pytest.mark.parametrize("sample", _positives())
def test_counts_come_out_as_the_manifest_says(sample: SampleFile) -> None:
    report, code = inspect_or_report(sample.path)
    assert code in (0, 1)
    transactions = report["transactions"]
    found = [f["code"] for f in report["findings"]]
    notes = sample.notes
    if m := re.search(r"(\d+) claims \(CLM\)", notes):
        assert sum(t.get("claims", 0) for t in transactions if t["set"] == "837") == int(m.group(1))
    if m := re.search(r"(\d+) claims \(CLP\)", notes):
        assert sum(t.get("claims", 0) for t in transactions if t["set"] == "835") == int(m.group(1))
    if m := re.search(r"(\d+) transaction sets", notes):
        assert len(transactions) == int(m.group(1))
    if m := re.search(r"SE01 count mismatch x(\d+)", notes):
        assert found.count("se01_count") == int(m.group(1))
    elif transactions:
        assert "se01_count" not in found


def _independent_reading(path: Path) -> list[dict[str, object]] | None:
    """A deliberately naive reading (fixed-width ISA only): per transaction, the figures inspect prints."""
    raw = path.read_bytes()
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        text = raw.decode("utf-16")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    text = text.lstrip("\ufeff")
    start = text.find("ISA")
    if start < 0 or len(text) < start + 106:
        return None
    element, terminator = text[start + 3], text[start + 105]
    out: list[dict[str, object]] = []
    for raw_segment in text[start:].split(terminator):
        fields = raw_segment.strip().split(element)
        if fields[0] == "ST":
            out.append(
                {
                    "set": fields[1],
                    "CLP": Decimal(0),
                    "clp": 0,
                    "CLM": Decimal(0),
                    "clm": 0,
                    "plb": Decimal(0),
                    "bpr": None,
                    "trn": None,
                }
            )
        elif not out:
            continue
        elif fields[0] == "CLP":
            out[-1]["CLP"] += Decimal(fields[4])  # type: ignore[operator]
            out[-1]["clp"] += 1  # type: ignore[operator]
        elif fields[0] == "CLM":
            out[-1]["CLM"] += Decimal(fields[2])  # type: ignore[operator]
            out[-1]["clm"] += 1  # type: ignore[operator]
        elif fields[0] == "BPR":
            out[-1]["bpr"] = Decimal(fields[2])
        elif fields[0] == "TRN" and out[-1]["trn"] is None:
            out[-1]["trn"] = fields[2]
        elif fields[0] == "PLB":
            out[-1]["plb"] += sum((Decimal(v) for v in fields[4::2] if v), Decimal(0))  # type: ignore[operator]
    return out


def _money(value: object) -> str | None:
    return None if value is None else str(Decimal(str(value)).quantize(Decimal("0.01")))


@pytest.mark.parametrize(
    "sample",
    [
        p
        for p in x12_samples.sample_params()
        if getattr(p, "values", (None,))[0] is None or p.values[0].transaction_set in ("835", "837P", "837I")
    ],  # type: ignore[attr-defined]
)
def test_figures_match_an_independent_reading(sample: SampleFile | None) -> None:
    assert sample is not None
    try:
        expected = _independent_reading(sample.path)
    except (InvalidOperation, IndexError):
        pytest.skip("the naive reading cannot read this file (non-numeric amounts or a short segment)")
    if expected is None or (expected == [] and sample.segment_count > 0):
        pytest.skip("the naive reading needs a fixed-width ISA")
    report, _ = inspect_or_report(sample.path)
    ours = report["transactions"]
    assert len(ours) == len(expected)
    for got, want in zip(ours, expected, strict=True):
        if got["set"] == "835":
            assert (got["trace"], got["payment"], got["claims"], got["claims_paid"], got["plb"]) == (
                want["trn"],
                _money(want["bpr"]),
                want["clp"],
                _money(want["CLP"]),
                _money(want["plb"]),
            )
        elif got["set"] == "837":
            assert (got["claims"], got["charges"]) == (want["clm"], _money(want["CLM"]))
