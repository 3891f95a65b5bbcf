"""The tokenizer's compiled inner loop (rcm/x12/_segments.c) gives exactly what the Python loop gives.

Both loops run over every shared sample, the benchmark's generated files, and random texts built from X12
pieces (prose, several interchanges with other delimiters, empty segments, long ids), in chunks of several
sizes so that pieces straddle chunk ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from x12_samples import SampleFile, sample_params

from rcm.x12 import tokenizer
from rcm.x12.errors import NotX12Error

Row = tuple[str, list[str], int, int, str, str, str, str]


def _rows(data: bytes, *, compiled: bool, chunk_size: int = tokenizer.CHUNK_SIZE) -> list[Row] | str:
    saved, saved_clean = tokenizer._split_text, tokenizer.clean_separator
    if not compiled:
        tokenizer._split_text = None
        tokenizer.clean_separator = tokenizer.python_clean_separator
    try:
        return [
            (s.id, s.elements, s.number, s.offset, s.delimiters.element, s.delimiters.segment,
             s.delimiters.component, s.delimiters.repetition)
            for batch, _ in tokenizer.iter_segment_batches(data, chunk_size=chunk_size)
            for s in batch
        ]
    except NotX12Error as exc:
        return f"NotX12Error: {exc}"
    finally:
        tokenizer._split_text, tokenizer.clean_separator = saved, saved_clean


def _marks(data: bytes, *, compiled: bool) -> Iterator[tuple[int, str]]:
    saved = tokenizer._split_text
    if not compiled:
        tokenizer._split_text = None
    try:
        for batch, marks in tokenizer.iter_segment_batches(data):
            yield from ((batch[i].number, batch[i].id) for i in marks)
    finally:
        tokenizer._split_text = saved


compiled_only = pytest.mark.skipif(tokenizer._split_text is None, reason="compiled tokenizer loop not built")


def test_the_compiled_loop_is_built() -> None:
    """`make venv` builds it (gcc and the Python headers are part of the set-up); without it parsing is slower."""
    if os.environ.get("RCM_PURE_PYTHON_TOKENIZER"):
        pytest.skip("RCM_PURE_PYTHON_TOKENIZER is set")
    assert tokenizer._split_text is not None


@compiled_only
def test_segment_ids_are_shared_strings() -> None:
    """The compiled loop makes each distinct id once: every CLM segment's id is the same interned str."""
    isa = b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*T*:~"
    text = isa + (
        b"GS*HC*A*B*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~"
        + b"CLM*1*10***11:B:1~NTE*ADD*X~" * 50
        + b"SE*102*0001~GE*1*1~IEA*1*000000001~"
    )
    ids = [s for batch, _ in tokenizer.iter_segment_batches(text) for s in batch if s.id in ("CLM", "NTE")]
    assert len(ids) == 100
    assert len({id(s.id) for s in ids}) == 2
    assert ids[0].id is "CLM"  # noqa: F632 - interned, as the literal is


@compiled_only
def test_element_values_are_shared_strings() -> None:
    """Repeated short element values (qualifiers, codes, dates, amounts) are one string object each, within a
    file and across files; long or one-off values are their own strings, and every value reads as written."""
    isa = b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*T*:~"
    text = isa + (
        b"GS*HC*A*B*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~"
        + b"".join(b"DTP*472*D8*20260105~AMT*F5*%d.00~NTE*ADD*A NOTE LONGER THAN EIGHT~" % i for i in range(30))
        + b"SE*92*0001~GE*1*1~IEA*1*000000001~"
    )
    segments = [s for batch, _ in tokenizer.iter_segment_batches(text) for s in batch]
    dtp = [s for s in segments if s.id == "DTP"]
    assert len({id(s.elements[2]) for s in dtp}) == 1 and dtp[0].elements == ["472", "D8", "20260105"]
    assert len({id(s.elements[0]) for s in dtp}) == 1
    amounts = [s.elements[1] for s in segments if s.id == "AMT"]
    assert amounts == [f"{i}.00" for i in range(30)]
    notes = [s.elements[1] for s in segments if s.id == "NTE"]
    assert set(notes) == {"A NOTE LONGER THAN EIGHT"} and len({id(n) for n in notes}) == 30
    again = [s for batch, _ in tokenizer.iter_segment_batches(text) for s in batch if s.id == "DTP"]
    assert again[0].elements[2] is dtp[0].elements[2]


@compiled_only
@pytest.mark.shared
@pytest.mark.parametrize("sample", sample_params())
def test_same_clean_separator_on_every_sample(sample: SampleFile) -> None:
    """The compiled one-pass clean_separator answers as the Python one, on the whole text and on pieces."""
    text = sample.path.read_bytes().decode("latin-1")
    terms = {text[105]} if text.startswith("ISA") and len(text) > 105 else set()
    for term in terms | {"~", "\x1d", "'", "!"}:
        for piece in (text, text[7:], text[: len(text) // 2], text[len(text) // 3 :]):
            assert tokenizer.clean_separator(piece, term) == tokenizer.python_clean_separator(piece, term)


@compiled_only
@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet="~*\n\r \t\x00\x0b\x0c\x1a\x1d!ABé", max_size=60),
    term=st.sampled_from(["~", "\x1d", "!", "\n", "\r", "é"]),
)
def test_same_clean_separator_on_random_texts(text: str, term: str) -> None:
    assert tokenizer.clean_separator(text, term) == tokenizer.python_clean_separator(text, term)


@compiled_only
@pytest.mark.shared
@pytest.mark.parametrize("sample", sample_params())
def test_same_segments_on_every_sample(sample: SampleFile) -> None:
    data = sample.path.read_bytes()
    expected = _rows(data, compiled=False)
    assert _rows(data, compiled=True) == expected
    assert _rows(data, compiled=True, chunk_size=1000) == _rows(data, compiled=False, chunk_size=1000)
    assert list(_marks(data, compiled=True)) == list(_marks(data, compiled=False))


@compiled_only
@pytest.mark.parametrize("kind", ["837p", "835"])
def test_same_segments_on_generated_files(kind: str, tmp_path: Path) -> None:
    from bench.generate import generate_835, generate_837p

    path = tmp_path / f"generated.{kind}"
    (generate_837p if kind == "837p" else generate_835)(path, 300_000)
    data = path.read_bytes()
    rows = _rows(data, compiled=True)
    assert rows == _rows(data, compiled=False)
    assert isinstance(rows, list) and len(rows) > 5_000


ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*0*P*:~"
OTHER_ISA = "ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       |240101|1200|U|00401|000000002|0|P|>!"
PIECES = [
    "GS*HP*S*R*20240101*1200*1*X*005010X221A1~",
    "ST*835*0001~",
    "CLP*PCN1*1*150*100*50*12*PAYER1~",
    "SVC*HC:99213:25*150*100**1~",
    "NM1*QC*1*DOE*JANE~",
    "REF~",
    "~",
    "LQ*HE*N290**~",
    "AMT*AU*12.5*~",
    "SE*6*0001~",
    "GE*1*1~",
    "IEA*1*000000001~",
    "Some prose between interchanges, with * and ~ in it~",
    "PROSE*WITH*A*LONG*ID~",
    OTHER_ISA,
    "GS|HP|S|R|20240101|1200|2|X|004010X091A1!",
    "ST|835|0002!",
    "SVC|HC>99213|150|100!",
    "SE|3|0002!",
    "é*latin*1*text~",
    ISA,
]


@compiled_only
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.lists(st.sampled_from(PIECES), min_size=1, max_size=40),
    line_break=st.sampled_from(["", "\n", "\r\n"]),
    chunk_size=st.sampled_from([64, 333, 4096, tokenizer.CHUNK_SIZE]),
    encoding=st.sampled_from(["latin-1", "utf-8"]),
)
def test_same_segments_on_random_texts(body: list[str], line_break: str, chunk_size: int, encoding: str) -> None:
    text = ISA + line_break + line_break.join(body) + line_break
    data = text.encode(encoding)
    assert _rows(data, compiled=True, chunk_size=chunk_size) == _rows(data, compiled=False, chunk_size=chunk_size)


@pytest.mark.parametrize("kind", ["compiled", "python"])
def test_the_compiled_segment_class_behaves_as_the_python_one(kind: str) -> None:
    """Attributes, defaults, methods, equality, copying and pickling are the same for the compiled Segment
    (offset kept as a C integer, not tracked by the cyclic collector) and the Python class."""
    import copy
    import gc
    import pickle

    from rcm.x12.delimiters import Delimiters

    if kind == "compiled" and tokenizer.Segment is tokenizer.PythonSegment:
        pytest.skip("compiled Segment not built")
    cls = tokenizer.Segment if kind == "compiled" else tokenizer.PythonSegment
    delims = Delimiters(element="|", segment="~", component=">", repetition="!")
    seg = cls("SV1", ["HC>99213>25", "100", "UN"], 12, 3456, delims)
    assert (seg.id, seg.elements, seg.number, seg.offset, seg.delimiters) == (
        "SV1", ["HC>99213>25", "100", "UN"], 12, 3456, delims,
    )
    assert seg.get(1) == "HC>99213>25" and seg.get(3) == "UN" and seg.get(4) == "" and seg.get(0) == ""
    assert seg.get(-1) == ""
    assert seg.components(1) == ["HC", "99213", "25"] and seg.component(1, 2) == "99213"
    assert seg.text() == "SV1|HC>99213>25|100|UN"
    assert repr(seg) == "Segment('SV1', ['HC>99213>25', '100', 'UN'], number=12, offset=3456)"
    default = cls("REF", ["EI", "1"])
    assert (default.number, default.offset, default.delimiters) == (0, 0, Delimiters.default())
    assert cls(id="REF", elements=["EI", "1"], number=5).number == 5
    seg.number, seg.offset, seg.elements = 13, 99, ["HC>99214", "120"]
    assert (seg.number, seg.offset, seg.get(2)) == (13, 99, "120")
    assert seg == cls("SV1", ["HC>99214", "120"]) and seg != cls("SV2", ["HC>99214", "120"])
    with pytest.raises(TypeError):
        hash(seg)
    for twin in (copy.copy(seg), copy.deepcopy(seg), pickle.loads(pickle.dumps(seg))):
        assert type(twin) is tokenizer.Segment and twin == seg  # rebuilt as the class in use
        assert (twin.number, twin.offset, twin.delimiters) == (13, 99, delims)
    assert type(seg).__name__ == "Segment" and type(seg).__module__ == "rcm.x12.tokenizer"
    if kind == "compiled":
        assert not gc.is_tracked(seg)
        with pytest.raises(TypeError):
            seg.offset = "13"  # type: ignore[assignment]
        with pytest.raises(TypeError):
            seg.get("1")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            cls("REF")  # type: ignore[call-arg]


@compiled_only
def test_segments_read_from_a_file_are_of_the_compiled_class() -> None:
    if tokenizer.Segment is tokenizer.PythonSegment:
        pytest.skip("compiled Segment not built")
    data = (
        b"ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*P*:~"
        b"GS*HC*A*B*20260101*1200*1*X*005010X222A1~ST*837*0001~SE*2*0001~GE*1*1~IEA*1*000000001~"
    )
    segments = [s for batch, _ in tokenizer.iter_segment_batches(data) for s in batch]
    assert {type(s) for s in segments} == {tokenizer.Segment}
    assert [(s.id, s.number) for s in segments][-2:] == [("GE", 5), ("IEA", 6)]
    assert segments[1].offset == 106
