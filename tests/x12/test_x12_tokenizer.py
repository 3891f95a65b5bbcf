"""The tokenizer: delimiters from the ISA, encodings, whitespace, prose, several interchanges, bare files."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest
from x12_samples import manifest, sample_params

from rcm.errors import UnreadableFileError
from rcm.x12.errors import NotX12Error
from rcm.x12.tokenizer import Delimiters, Segment, delimiters_from_isa, iter_segments

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:~"
BODY = (
    "GS*HP*SENDER*RECEIVER*20240101*1200*1*X*005010X221A1~ST*835*0001~BPR*I*100*C*CHK************20240105~"
    "TRN*1*TRACE1*1234567890~CLP*PCN1*1*150*100*50*12*PAYER1~SVC*HC:99213:25*150*100**1~SE*6*0001~GE*1*1~"
    "IEA*1*000000001~"
)
FILE = ISA + BODY


def ids(data: bytes | str) -> list[str]:
    return [s.id for s in iter_segments(data.encode() if isinstance(data, str) else data)]


def test_delimiters_and_positions() -> None:
    segs = list(iter_segments(FILE.encode()))
    assert [s.id for s in segs] == ["ISA", "GS", "ST", "BPR", "TRN", "CLP", "SVC", "SE", "GE", "IEA"]
    assert segs[0].delimiters == Delimiters("*", "^", ":", "~")
    assert [s.number for s in segs] == list(range(1, 11))
    for s in segs:
        assert FILE.encode()[s.offset : s.offset + len(s.id)] == s.id.encode()
    svc = segs[6]
    assert svc.get(1) == "HC:99213:25"
    assert svc.components(1) == ["HC", "99213", "25"]
    assert svc.component(1, 2) == "99213"
    assert svc.component(1, 9) == ""
    assert svc.get(99) == ""
    assert segs[5].get(7) == "PAYER1"


def test_other_separators_read_from_isa() -> None:
    other = FILE.replace("*", "|").replace(":", ">").replace("~", "\x1d").replace("^", "!")
    segs = list(iter_segments(other.encode()))
    assert segs[0].delimiters == Delimiters("|", "!", ">", "\x1d")
    assert segs[6].components(1) == ["HC", "99213", "25"]
    assert [s.id for s in segs] == ids(FILE)
    assert segs[5].elements == next(s for s in iter_segments(FILE.encode()) if s.id == "CLP").elements


def test_non_fixed_width_isa() -> None:
    short = (
        "ISA*00* *00* *30*560891234 *30*566012345*030813*1505*U*00401*000000007*1*P*:~"
        "TA1*1*030809*0823*R*024~IEA*1*7~"
    )
    segs = list(iter_segments(short.encode()))
    assert [s.id for s in segs] == ["ISA", "TA1", "IEA"]
    assert segs[0].delimiters.repetition is None  # 4010: ISA11 is U
    assert delimiters_from_isa(short, 0) is not None


@pytest.mark.parametrize(
    "variant",
    [
        FILE.replace("~", "~\n"),
        FILE.replace("~", "~\r\n"),
        FILE.replace("~", "~\r"),
        FILE.replace("~", "~\n    "),
        "Here is your remittance.\nThanks!\n\n" + FILE,
        FILE + "\n\n\x1a",
        FILE.replace("~", "\n"),  # line ends as terminators: the character after ISA16
        FILE.replace("~", "\n").rstrip("\n"),
        FILE.replace("~", "~\n").rstrip("\n"),
        FILE.replace("~", "~\r\n").rstrip(),
        FILE + "\n",
        FILE.replace("~", "~\n", 3),  # line breaks after some terminators only
        FILE.replace("~", " ~\n").replace(": ~", ":~", 1),  # trailing blanks before the terminator
    ],
)
def test_whitespace_prose_and_line_terminators(variant: str) -> None:
    assert ids(variant) == ids(FILE)


def test_encodings_and_bom() -> None:
    plain = FILE.replace("SENDER*", "SÉNDER*")
    expected = [(s.id, s.elements) for s in iter_segments(plain.encode("utf-8"))]
    for data in (
        codecs.BOM_UTF8 + plain.encode("utf-8"),
        plain.encode("latin-1"),
        plain.encode("utf-16"),
        plain.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + plain.encode("utf-16-be"),
    ):
        assert [(s.id, s.elements) for s in iter_segments(data)] == expected
    # byte offsets count bytes, not characters, after a multibyte character
    data = plain.encode("utf-8")
    for s in iter_segments(data):
        assert data[s.offset : s.offset + len(s.id)] == s.id.encode()


def test_several_interchanges_with_different_delimiters() -> None:
    second = FILE.replace("*", "|").replace("~", "'\n")
    text = FILE + "\n" + second + "\nsome trailing note ISA mention\n" + FILE
    segs = list(iter_segments(text.encode()))
    assert [s.id for s in segs].count("ISA") == 3
    assert len(segs) == 30
    assert segs[10].delimiters.element == "|"
    assert segs[20].delimiters.element == "*"
    assert segs[16].get(1) == "HC:99213:25"


def test_bare_transaction_without_envelope() -> None:
    bare = BODY.split("ST*", 1)[1].split("GE*")[0]
    segs = list(iter_segments(("ST*" + bare).encode()))
    assert [s.id for s in segs] == ["ST", "BPR", "TRN", "CLP", "SVC", "SE"]
    assert segs[4].components(1) == ["HC", "99213", "25"]
    line_based = ("ST*" + bare).replace("~", "\n").replace(":", ">")
    segs = list(iter_segments(line_based.encode()))
    assert segs[0].delimiters.segment == "\n"
    assert segs[4].components(1) == ["HC", "99213", "25"]


def test_chunked_streaming_gives_the_same_segments() -> None:
    data = (FILE.replace("~", "~\r\n") * 3).encode()
    ref = [(s.id, s.elements, s.number, s.offset) for s in iter_segments(data)]
    for size in (1, 5, 64, 1000):
        got = [(s.id, s.elements, s.number, s.offset) for s in iter_segments(io.BytesIO(data), chunk_size=size)]
        assert got == ref


def test_wrapped_lines_are_joined() -> None:
    wrapped = "\n".join(FILE[i : i + 80] for i in range(0, len(FILE), 80))
    assert [(s.id, s.elements) for s in iter_segments(wrapped.encode())] == [
        (s.id, s.elements) for s in iter_segments(FILE.encode())
    ]


@pytest.mark.parametrize("data", [b"", b"   \n", b"hello world, not a claim file\n" * 10, bytes(range(256)) * 4])
def test_not_x12(data: bytes) -> None:
    with pytest.raises(NotX12Error) as info:
        list(iter_segments(data))
    assert isinstance(info.value, UnreadableFileError)


def test_missing_file(tmp_path: object) -> None:
    with pytest.raises(NotX12Error, match="cannot open"):
        list(iter_segments(str(tmp_path) + "/nope.edi"))


def test_segment_helpers() -> None:
    seg = Segment("EB", ["1", "IND", "30^98^MH"], 4, 0, Delimiters.default())
    assert seg.repeats(3) == ["30", "98", "MH"]
    assert seg.repeats(9) == []
    assert seg.text() == "EB*1*IND*30^98^MH"
    assert seg.text(Delimiters("|", "!", ">", "\n")) == "EB|1|IND|30!98!MH"


@pytest.mark.parametrize("sample", sample_params())
def test_every_sample_tokenizes_to_its_manifest_segment_count(sample: object) -> None:
    from x12_samples import SampleFile

    assert isinstance(sample, SampleFile)
    segs = list(iter_segments(sample.path))
    assert len(segs) == sample.segment_count
    assert all(s.number == i for i, s in enumerate(segs, start=1))


def test_manifest_is_not_empty_when_present() -> None:
    files = manifest()
    if not files:
        pytest.skip("shared samples missing")
    assert len(files) > 100


def test_str_sources_are_paths_unless_they_hold_x12(tmp_path: Path) -> None:
    odd = tmp_path / "a~b.edi"
    odd.write_text(FILE)
    assert ids(FILE) == [s.id for s in iter_segments(str(odd))] == [s.id for s in iter_segments(FILE)]
    assert [s.id for s in iter_segments(odd)] == ids(FILE)


def test_isa_wrapped_across_lines() -> None:
    wrapped = "\n".join(FILE[i : i + 60] for i in range(0, len(FILE), 60))
    assert "\n" in wrapped[:106]
    assert [(s.id, s.elements) for s in iter_segments(wrapped.encode())] == [
        (s.id, s.elements) for s in iter_segments(FILE.encode())
    ]
    assert next(iter_segments(wrapped.encode())).delimiters == Delimiters.default()
