"""Claims read as the loop engine closes their loops give the same models as a walk over the finished tree.

``Transaction.model`` for 837 and 835 reads each claim (2300 / 2100) when the engine closes its loop, while its
segments are still in the CPU caches, then places the claims by walking the finished tree.  These tests hold
that to the plain walk (``batch_from_tree`` / ``remittance_from_tree`` with nothing read early) on every 835 and
837 sample and on the benchmark's generated files, with the compiled and with the Python engine loop; and they
check what the engine tells ``on_close``: every watched loop once, in file order, already complete.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from x12_samples import REPO_ROOT, manifest

from rcm.x12 import engine
from rcm.x12.engine import Loop, build_tree
from rcm.x12.errors import NotX12Error, UnknownTransactionError
from rcm.x12.reader import read_transactions
from rcm.x12.sets.parse837 import batch_from_tree
from rcm.x12.sets.registry import spec_for
from rcm.x12.sets.x835.parsing import remittance_from_tree

if str(REPO_ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the installed package
    sys.path.insert(0, str(REPO_ROOT))

_KINDS = {"005010X222A1": "professional", "005010X223A2": "institutional", "005010X224A2": "dental"}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from bench.generate import generate_835, generate_837p

    found = [f.path for f in manifest() if "835" in f.transaction_set or "837" in f.transaction_set]
    generated = tmp_path_factory.mktemp("generated")
    generate_837p(generated / "generated.837p", 120_000)
    generate_835(generated / "generated.835", 120_000)
    return [*found, generated / "generated.837p", generated / "generated.835"]


def _walked(tx: Any) -> Any:
    """The model from the finished tree, nothing read early (the reference)."""
    if tx.set_id == "835":
        return remittance_from_tree(tx.tree, control_number=tx.control_number, version=tx.version)
    model = tx.model  # only for its kind: the 837 kind comes from the registry
    return batch_from_tree(tx.tree, kind=model.kind, control_number=tx.control_number, version=tx.version)


def _pairs(path: Path) -> list[tuple[Any, Any]]:
    pairs = []
    try:
        for early_tx, plain_tx in zip(read_transactions(path), read_transactions(path), strict=True):
            if early_tx.set_id not in ("835", "837"):
                continue
            try:
                early = early_tx.model  # tree built now: claims read as their loops close
            except UnknownTransactionError:
                continue
            assert plain_tx.tree is not None  # tree built first: nothing read early
            pairs.append((early, _walked(plain_tx)))
    except NotX12Error:
        pass
    return pairs


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled engine", "python engine"])
def test_claims_read_early_equal_the_walk_over_the_finished_tree(
    files: list[Path], compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not compiled:
        monkeypatch.setattr(engine, "_grow", None)
    elif engine._grow is None:
        pytest.skip("compiled engine loop not built")
    compared = claims = 0
    for path in files:
        for early, walked in _pairs(path):
            assert early == walked, path.name
            assert len(early.claims) == len(walked.claims)
            for a, b in zip(early.claims, walked.claims, strict=True):
                assert a == b, f"{path.name}: claim at segment {b.segment}"
                if hasattr(b, "subscriber"):  # 837: placed under the same hierarchy
                    hierarchy = (b.billing_provider, b.subscriber, b.patient)
                    assert (a.billing_provider, a.subscriber, a.patient) == hierarchy
                else:
                    assert a.header_number == b.header_number
            compared += 1
            claims += len(walked.claims)
    assert compared >= 2 and claims > 100


def _segments_of(text: str) -> list[Any]:
    txs = list(read_transactions(text))
    assert len(txs) == 1
    return txs[0].segments


_837 = (
    "ST*837*0001*005010X222A1~BHT*0019*00*1*20260101*1200*CH~NM1*41*2*SUBMITTER*****46*S1~PER*IC*DESK*TE*5550100~"
    "NM1*40*2*RECEIVER*****46*R1~HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~N3*1 MAIN ST~N4*CITY*WI*53703~"
    "REF*EI*123456789~HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~NM1*PR*2*PAYER*****PI*P1~"
    "CLM*A1*100***11:B:1*Y*A*Y*Y~HI*ABK:Z0000~LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20260101~"
    "CLM*A2*50***11:B:1*Y*A*Y*Y~HI*ABK:Z0000~LX*1~SV1*HC:99212*50*UN*1***1~DTP*472*D8*20260102~"
    "HL*3*1*22*0~SBR*P*18*******CI~NM1*IL*1*ROE*JOHN****MI*M2~NM1*PR*2*PAYER*****PI*P1~"
    "CLM*A3*75***11:B:1*Y*A*Y*Y~HI*ABK:Z0000~LX*1~SV1*HC:99211*75*UN*1***1~DTP*472*D8*20260103~SE*33*0001~"
)


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled engine", "python engine"])
def test_on_close_hears_each_watched_loop_once_in_order_and_complete(
    compiled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not compiled:
        monkeypatch.setattr(engine, "_grow", None)
    segments = _segments_of(_837)
    heard: list[tuple[str, int, int, int]] = []

    def on_close(loop: Loop) -> None:
        heard.append((loop.id, loop.segments[0].number, len(loop.segments), len(loop.children)))

    spec = spec_for("837", "005010X222A1")
    tree, findings = build_tree(spec, segments, on_close=on_close, watch=frozenset({"2300", "2000B"}))
    assert not [f for f in findings if f.severity == "error"]
    # each claim once, complete (its line loop included), in file order; the subscriber loops as they close
    assert heard == [
        ("2300", 15, 2, 1),
        ("2300", 20, 2, 1),
        ("2000B", 11, 2, 4),
        ("2300", 29, 2, 1),
        ("2000B", 25, 2, 3),
    ]
    plain, _ = build_tree(spec, segments)
    assert [(s.id, s.number) for s in tree.iter_segments()] == [(s.id, s.number) for s in plain.iter_segments()]


def test_a_failing_listener_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    segments = _segments_of(_837)

    def on_close(loop: Loop) -> None:
        raise RuntimeError("listener failed")

    with pytest.raises(RuntimeError, match="listener failed"):
        build_tree(spec_for("837", "005010X222A1"), segments, on_close=on_close, watch=frozenset({"2300"}))


def test_the_model_after_the_tree_and_the_tree_after_the_model_agree() -> None:
    first_model = next(iter(read_transactions(_837)))
    model = first_model.model
    first_tree = next(iter(read_transactions(_837)))
    assert first_tree.tree is not None
    assert first_tree.model == model
    assert [c.patient_control_number for c in model.claims] == ["A1", "A2", "A3"]
    assert [c.subscriber.person.last_name if c.subscriber and c.subscriber.person else None for c in model.claims] \
        == ["DOE", "DOE", "ROE"]
    assert first_model.tree is first_model.tree  # built once
