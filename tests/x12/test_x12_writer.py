"""The writer: envelopes with right counts and control numbers, delimiter checks, and round trips of samples."""

from __future__ import annotations

from datetime import date, time

import pytest
from x12_samples import SampleFile, sample_params

from rcm.x12.errors import NotX12Error, X12WriteError
from rcm.x12.reader import read_file
from rcm.x12.tokenizer import Delimiters, iter_segments
from rcm.x12.writer import GroupOut, Repeats, TransactionOut, write_file, write_interchange


def _interchange(**overrides: object) -> bytes:
    tx1 = TransactionOut("835", "0001", [
        ["BPR", "I", "100.00", "C", "CHK", "", "", "", "", "", "", "", "", "", "", "", "20240105"],
        ["TRN", "1", "T1", "1234567890"],
        ["SVC", ["HC", "99213", "25"], "150", "100", "", "1"],
    ])
    tx2 = TransactionOut("835", "0002", [["BPR", "H", "0", "C", "NON"], ["TRN", "1", "T2", "1234567890"]])
    args: dict[str, object] = dict(
        sender_qualifier="ZZ", sender_id="PAYER", receiver_qualifier="ZZ", receiver_id="PRACTICE",
        control_number=42, date=date(2024, 1, 5), time=time(9, 30),
        groups=[GroupOut("HP", "PAYER", "PRACTICE", 7, "005010X221A1", date(2024, 1, 5), "0930", [tx1, tx2])],
    )
    args.update(overrides)
    return write_interchange(**args)  # type: ignore[arg-type]


def test_interchange_counts_and_control_numbers() -> None:
    data = _interchange()
    x = read_file(data)
    assert x.findings == []  # ISA width, SE01, SE02, GE01, GE02, IEA01, IEA02 all right
    isa = x.interchanges[0].isa
    assert isa is not None and len(data.split(b"~")[0]) == 105  # 106 with the terminator
    assert isa.get(13) == "000000042" and isa.get(6) == "PAYER          "
    assert isa.get(11) == "^" and isa.get(12) == "00501" and isa.get(16) == ":"
    assert [t.control_number for t in x.transactions] == ["0001", "0002"]
    t = x.transactions[0]
    assert [s.id for s in t.segments] == ["ST", "BPR", "TRN", "SVC", "SE"]
    assert t.segments[0].elements == ["835", "0001", "005010X221A1"]
    assert t.segments[-1].elements == ["5", "0001"]
    assert t.segments[1].get(16) == "20240105"
    assert t.segments[3].components(1) == ["HC", "99213", "25"]
    assert x.interchanges[0].groups[0].trailer is not None
    assert x.interchanges[0].groups[0].trailer.elements == ["2", "7"]


def test_other_delimiters_and_newlines() -> None:
    d = Delimiters("|", "!", ">", "'")
    data = _interchange(delimiters=d, newline=True)
    assert b"'\n" in data
    x = read_file(data)
    assert x.findings == [] and x.delimiters == d
    assert x.transactions[0].segments[3].components(1) == ["HC", "99213", "25"]


def test_repeats_and_trailing_empties() -> None:
    tx = TransactionOut("271", "0001", [["EB", "1", "IND", Repeats(("30", "98")), "", ""]])
    data = _interchange(groups=[GroupOut("HB", "A", "B", 1, "005010X279A1", date(2024, 1, 1), "1200", [tx])])
    eb = read_file(data).transactions[0].segments[1]
    assert eb.elements == ["1", "IND", "30^98"]
    assert eb.repeats(3) == ["30", "98"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"control_number": 0}, "ISA13"),
        ({"control_number": 1_000_000_000}, "ISA13"),
        ({"sender_id": "X" * 16}, "ISA06"),
        ({"usage": "X"}, "ISA15"),
        ({"delimiters": Delimiters("*", "^", "*", "~")}, "distinct"),
        ({"groups": [GroupOut("HP", "A", "B", 1, "005010X221A1", date(2024, 1, 1), "1200",
                              [TransactionOut("835", "0001", [["NTE", "a*b"]])])]}, "NTE01"),
        ({"groups": [GroupOut("HP", "A", "B", 1, "005010X221A1", date(2024, 1, 1), "1200",
                              [TransactionOut("835", "01", [])])]}, "ST02"),
        ({"groups": [GroupOut("HP", "A", "B", 1, "005010X221A1", date(2024, 1, 1), "1200",
                              [TransactionOut("835", "0001", []), TransactionOut("835", "0001", [])])]}, "twice"),
    ],
)
def test_refuses_what_cannot_be_x12(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(X12WriteError, match=message):
        _interchange(**overrides)


def _content(data: bytes) -> list[tuple[str, list[list[list[str]]]]]:
    """Segments with every element split into repeats and components: delimiter-independent content."""
    out = []
    for s in iter_segments(data):
        d = s.delimiters
        if s.id == "ISA":
            els = [[[e]] for i, e in enumerate(s.elements) if i not in (10, 15)]
        else:
            els = [[r.split(d.component) for r in (e.split(d.repetition) if d.repetition else [e])]
                   for e in s.elements]
        out.append((s.id, els))
    return out


def _unused_delimiters(data: bytes) -> Delimiters:
    text = data.decode("latin-1")
    free = [c for c in "|!>\\{}+'`@" if c not in text]
    return Delimiters(free[0], free[1], free[2], "\n")


@pytest.mark.parametrize("sample", sample_params())
def test_round_trip(sample: SampleFile) -> None:
    try:
        x = read_file(sample.path)
    except NotX12Error:
        pytest.skip("not readable as X12 (covered by the conformance tests)")
    # Promised for files that read without errors; files with envelope errors are rewritten as read too.
    original = _content(sample.path.read_bytes())
    assert _content(write_file(x)) == original
    other = _unused_delimiters(sample.path.read_bytes())
    assert _content(write_file(x, other)) == original
    again = read_file(write_file(x, other))
    assert [(t.set_id, t.control_number, len(t.segments)) for t in again.transactions] == [
        (t.set_id, t.control_number, len(t.segments)) for t in x.transactions
    ]
    assert [f.code for f in again.findings] == [f.code for f in x.findings]


def test_write_bare_transactions() -> None:
    x = read_file(_interchange())
    data = write_file(x.transactions)
    assert data.startswith(b"ST*835*0001*005010X221A1~BPR")
    assert [s.id for s in iter_segments(data)].count("SE") == 2
