"""The loop engine's compiled inner loop (rcm/x12/_loops.c) builds exactly the tree and findings of the Python loop.

Compared on every transaction of every shared sample, on the benchmark's generated files, and on random
sequences of real segments (shuffled, repeated, dropped) so that every rule (out of order, repeats, missing
segments and loops, loops without their parent, unexpected qualifiers, unknown segments) is reached.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from x12_samples import SampleFile, sample_params

from rcm.x12 import engine
from rcm.x12.engine import Loop
from rcm.x12.errors import NotX12Error
from rcm.x12.reader import Transaction, read_file
from rcm.x12.sets.registry import lookup, spec_for
from rcm.x12.tokenizer import Segment, iter_segments

compiled_only = pytest.mark.skipif(engine._grow is None, reason="compiled engine loop not built")


def _shape(loop: Loop) -> tuple[Any, ...]:
    return (
        loop.id,
        loop.name,
        [(s.number, s.id) for s in loop.segments],
        [_shape(c) for c in loop.children],
    )


def _build(tx_set: str, version: str, segments: list[Segment], *, compiled: bool) -> tuple[Any, ...]:
    saved = engine._grow
    if not compiled:
        engine._grow = None
    try:
        tree, findings = engine.build_tree(spec_for(tx_set, version), segments, transaction="0001")
    finally:
        engine._grow = saved
    return _shape(tree), findings


def _same(tx: Transaction) -> None:
    if lookup(tx.set_id, tx.version) is None:
        return
    assert _build(tx.set_id, tx.version, tx.segments, compiled=True) == _build(
        tx.set_id, tx.version, tx.segments, compiled=False
    )


def test_the_compiled_loop_is_built() -> None:
    if os.environ.get("RCM_PURE_PYTHON_ENGINE"):
        pytest.skip("RCM_PURE_PYTHON_ENGINE is set")
    assert engine._grow is not None


@compiled_only
@pytest.mark.shared
@pytest.mark.parametrize("sample", sample_params())
def test_same_tree_on_every_sample(sample: SampleFile) -> None:
    try:
        x12 = read_file(sample.path)
    except NotX12Error:
        return
    for tx in x12.transactions:
        _same(tx)


@compiled_only
@pytest.mark.parametrize("kind", ["837p", "835"])
def test_same_tree_on_generated_files(kind: str, tmp_path: Path) -> None:
    from bench.generate import generate_835, generate_837p

    path = tmp_path / f"generated.{kind}"
    (generate_837p if kind == "837p" else generate_835)(path, 200_000)
    transactions = read_file(path).transactions
    assert transactions
    for tx in transactions:
        _same(tx)


CLAIM_837P = (
    "ST*837*0001*005010X222A1~BHT*0019*00*1*20240105*0930*CH~NM1*41*2*SUB*****46*S1~PER*IC*X*TE*5555550100~"
    "NM1*40*2*REC*****46*R1~HL*1**20*1~NM1*85*2*PRACTICE*****XX*1234567893~N3*1 MAIN~N4*CITY*IL*62701~"
    "REF*EI*123456789~HL*2*1*22*0~SBR*P*18*******MC~NM1*IL*1*DOE*J****MI*M1~NM1*PR*2*PLAN*****PI*P1~"
    "CLM*PCN1*100***11:B:1*Y*A*Y*Y~DTP*431*D8*20231130~REF*G1*AUTH~HI*ABK:Z0000~NM1*82*1*DOC*A****XX*1234567893~"
    "PRV*PE*PXC*207Q00000X~LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20231201~REF*6R*L1~LX*2~"
    "SV1*HC:87880*50*UN*1***1~DTP*472*D8*20231201~NM1*82*1*DOC*B****XX*1234567893~HL*3*1*22*0~"
    "SBR*P*18*******MC~NM1*IL*1*ROE*R****MI*M2~NM1*PR*2*PLAN*****PI*P1~CLM*PCN2*40***11:B:1*Y*A*Y*Y~"
    "HI*ABK:Z0000~LX*1~SV1*HC:99212*40*UN*1***1~DTP*472*D8*20231201~SE*44*0001~"
)
REMIT_835 = (
    "ST*835*0001*005010X221A1~BPR*I*80*C*CHK************20240110~TRN*1*CHK1*1512345678~N1*PR*PLAN~N3*1 MAIN~"
    "N4*CITY*IL*62701~N1*PE*PRACTICE*XX*1234567893~LX*1~CLP*PCN1*1*100*80*20*12*PC1~NM1*QC*1*DOE*J****MI*M1~"
    "DTM*232*20231201~SVC*HC:99213*100*80**1~DTM*472*20231201~CAS*PR*2*20~REF*6R*L1~LQ*HE*N290~"
    "CLP*PCN2*4*50*0*0*12*PC2~NM1*QC*1*ROE*R****MI*M2~SVC*HC:87880*50*0**1~CAS*CO*16*50~"
    "PLB*1234567893*20241231*WO*0~SE*22*0001~"
)


ISA = "ISA*00*          *00*          *ZZ*A*ZZ*B*240101*1200*^*00501*1*0*P*:~"


def _segments(text: str) -> list[Segment]:
    return list(iter_segments((ISA + text).encode()))[1:]


def _mutations() -> st.SearchStrategy[tuple[str, list[int]]]:
    return st.tuples(
        st.sampled_from(["837", "835"]),
        st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=80),
    )


@compiled_only
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_same_tree_on_shuffled_segments(case: tuple[str, list[int]]) -> None:
    kind, picks = case
    source = _segments(CLAIM_837P if kind == "837" else REMIT_835)
    st_segment, body = source[0], source[1:]
    chosen = [body[i % len(body)] for i in picks]
    renumbered = [Segment(s.id, list(s.elements), n, 0, s.delimiters) for n, s in enumerate([st_segment, *chosen], 1)]
    version = "005010X222A1" if kind == "837" else "005010X221A1"
    assert _build(kind, version, renumbered, compiled=True) == _build(kind, version, renumbered, compiled=False)


@compiled_only
def test_whole_examples_agree_and_read_cleanly() -> None:
    for kind, text, version in (("837", CLAIM_837P, "005010X222A1"), ("835", REMIT_835, "005010X221A1")):
        segments = _segments(text)
        shape, findings = _build(kind, version, segments, compiled=True)
        assert (shape, findings) == _build(kind, version, segments, compiled=False)
        assert [f.code for f in findings if f.severity == "error"] == []


@pytest.mark.parametrize("kind", ["compiled", "python"])
def test_the_compiled_loop_class_behaves_as_the_python_one(kind: str) -> None:
    """Attributes, defaults, methods, repr, copying and pickling are the same for the compiled Loop (not tracked by
    the cyclic collector) and the Python class."""
    import copy
    import gc
    import pickle

    from rcm.x12 import engine
    from rcm.x12.delimiters import Delimiters
    from rcm.x12.tokenizer import Segment

    if kind == "compiled" and engine.Loop is engine.PythonLoop:
        pytest.skip("compiled Loop not built")
    cls = engine.Loop if kind == "compiled" else engine.PythonLoop
    d = Delimiters.default()
    lx, sv1 = Segment("LX", ["1"], 10, 0, d), Segment("SV1", ["HC:99213", "100"], 11, 5, d)
    dtp = Segment("DTP", ["472", "D8", "20260101"], 13, 20, d)
    child = cls("2420A", "rendering provider", [Segment("NM1", ["82", "1"], 12, 12, d)])
    loop = cls("2400", "service line", [lx, sv1, dtp], [child])
    assert (loop.id, loop.name, loop.segments, loop.children) == ("2400", "service line", [lx, sv1, dtp], [child])
    assert child.children == [] and cls("2300", "claim").segments == []
    assert cls(id="2300", name="claim", children=[child]).children == [child]
    assert loop.start is lx and loop.first("SV1") is sv1 and loop.first("DTP", "472") is dtp
    assert loop.first("DTP", "999") is None and loop.all("SV1") == [sv1]
    assert loop.loops("2420A") == [child] and loop.loop("2420A") is child and loop.loop("2430") is None
    assert [x.id for x in loop.walk()] == ["2400", "2420A"]
    assert [s.number for s in loop.iter_segments()] == [10, 11, 12, 13]
    assert repr(loop) == "Loop(2400, 3 segments, 1 children)"
    for twin in (copy.copy(loop), copy.deepcopy(loop), pickle.loads(pickle.dumps(loop))):
        assert type(twin) is engine.Loop  # rebuilt as the class in use
        assert (twin.id, twin.name, [s.number for s in twin.iter_segments()]) == ("2400", "service line",
                                                                                   [10, 11, 12, 13])
    loop.segments = [lx]
    assert loop.segments == [lx]
    if kind == "compiled":
        assert not gc.is_tracked(loop)
        with pytest.raises(TypeError):
            cls("2300")  # type: ignore[call-arg]
