"""``read_transactions(models=True)``: every transaction's tree grown and its claims read while the segments are
read, a short stretch at a time; with ``keep_segments=False`` (835, 837) each claim's segments let go once read.

Held to the plain reading (``read_transactions(source)``, tree and model built after SE) on every sample and on
the benchmark's generated files, with the compiled and the Python engine loop and with stretches small enough
that loops and transactions straddle them: same models, same findings (envelope and structure, with their
segment numbers), same segment counts, and (segments kept) the same trees and validation findings.  And what is
promised about what is let go: no tree afterwards (a clear error, no partial tree), and memory that does not
grow with the transaction.
"""

from __future__ import annotations

import gc
import sys
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from x12_samples import REPO_ROOT, manifest

from rcm.x12 import engine, reader
from rcm.x12.engine import GrowingTree, Loop, build_tree
from rcm.x12.errors import NotX12Error, UnknownTransactionError, X12Error
from rcm.x12.reader import read_transactions
from rcm.x12.sets.registry import spec_for
from rcm.x12.validation import validate_transaction

if str(REPO_ROOT) not in sys.path:  # bench/ is a top-level folder of the repo, not part of the installed package
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from bench.generate import generate_835, generate_837p

    generated = tmp_path_factory.mktemp("generated")
    generate_837p(generated / "generated.837p", 150_000)
    generate_835(generated / "generated.835", 150_000)
    return [f.path for f in manifest()] + [generated / "generated.837p", generated / "generated.835"]


def _finding_keys(findings: list[Any]) -> list[tuple[Any, ...]]:
    return [(f.severity, f.code, f.message, f.segment, f.transaction) for f in findings]


def _reading(path: Path, **how: bool) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]] | None:
    """Per transaction: (set, control number, segment count, model or the error's type, findings, and with the
    segments kept the tree's shape and the validation findings); and the reader's envelope findings.  None for a
    file that is not X12."""
    out = []
    try:
        transactions = read_transactions(path, **how)
        for tx in transactions:
            try:
                model: Any = tx.model
            except (UnknownTransactionError, X12Error) as exc:
                model = type(exc).__name__
            # structure findings are on tx.findings once the tree was built (by the model, or when grown)
            row: tuple[Any, ...] = (tx.set_id, tx.control_number, tx.guide, tx.segment_count, model,
                                    _finding_keys(tx.findings))
            if how.get("keep_segments", True):
                try:
                    row += (_shape(tx.tree), _finding_keys(validate_transaction(tx)))
                except UnknownTransactionError:
                    row += ("unknown",)
            out.append(row)
        return out, _finding_keys(transactions.findings)
    except NotX12Error:
        return None


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled engine", "python engine"])
@pytest.mark.parametrize("chunk", [1 << 15, 700], ids=["32 KB stretches", "700-byte stretches"])
def test_models_read_as_segments_come_equal_the_plain_reading(
    files: list[Path], compiled: bool, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not compiled:
        monkeypatch.setattr(engine, "_grow", None)
    elif engine._grow is None:
        pytest.skip("compiled engine loop not built")
    monkeypatch.setattr(reader, "_GROWING_CHUNK", chunk)
    transactions = let_go = 0
    for path in files:
        plain = _reading(path)
        assert _reading(path, models=True) == plain, path.name
        plain_models = None if plain is None else ([row[:6] for row in plain[0]], plain[1])
        assert _reading(path, models=True, keep_segments=False) == plain_models, path.name
        if plain is not None:
            transactions += len(plain[0])
    for tx in read_transactions(files[-2], models=True, keep_segments=False):
        let_go += tx.segments_let_go
    assert transactions > 150
    assert let_go >= 1


def test_a_transaction_read_for_its_model_has_no_tree(files: list[Path]) -> None:
    generated_837 = files[-2]
    for tx in read_transactions(generated_837, models=True):  # segments kept: all there
        assert not tx.segments_let_go
        assert len(tx.segments) == tx.segment_count
        assert tx.tree.children
    for tx in read_transactions(generated_837, models=True, keep_segments=False):
        assert tx.segments_let_go
        assert [s.id for s in tx.segments] == ["ST", "SE"]
        assert tx.segment_count > 1000
        assert tx.model.claims
        with pytest.raises(X12Error, match="let go"):
            tx.tree  # noqa: B018 - the property raises
        with pytest.raises(X12Error, match="let go"):
            tx.tree_telling(lambda loop: None, frozenset({"2300"}))
    for tx in read_transactions(generated_837):  # the plain reading keeps everything
        assert not tx.segments_let_go
        assert len(tx.segments) == tx.segment_count
        assert tx.tree.children


def test_keep_segments_false_needs_models() -> None:
    with pytest.raises(ValueError, match="models=True"):
        read_transactions(b"ISA", keep_segments=False)


def test_sets_not_read_claim_by_claim_keep_their_tree() -> None:
    samples = [f.path for f in manifest() if f.transaction_set.startswith(("271", "999"))]
    assert samples
    for path in samples:
        try:
            for tx in read_transactions(path, models=True, keep_segments=False):
                assert not tx.segments_let_go
                if tx._tree is not None:
                    assert tx.tree is not None
        except NotX12Error:
            continue


@pytest.mark.parametrize("bad_claim", [7, 400], ids=["in the first stretch", "after segments were let go"])
def test_a_claim_the_model_cannot_read_is_raised_where_the_model_is_asked_for(
    tmp_path: Path, bad_claim: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.generate import generate_837p
    from rcm.x12.sets import parse837

    path = tmp_path / "two.837"
    generate_837p(path, 400_000)  # 500 claims per transaction: two transactions
    real = parse837._read_claim

    def failing(loop: Loop) -> Any:
        if loop.segments[0].get(1) == f"PCN{bad_claim:08d}":
            raise RuntimeError("a reader bug")
        return real(loop)

    monkeypatch.setattr(parse837, "_read_claim", failing)
    seen = []
    for tx in read_transactions(path, models=True, keep_segments=False):  # the reading itself goes on
        try:
            seen.append(len(tx.model.claims))
        except RuntimeError:
            seen.append(-1)
    assert len(seen) == 2 and seen[0] == -1 and seen[1] > 0


def test_memory_stays_flat_as_the_transaction_grows(tmp_path: Path) -> None:
    """Peak memory while reading one large 837 transaction for its model is the model, not the segments."""
    from bench.generate import generate_837p

    small, large = tmp_path / "small.837", tmp_path / "large.837"
    generate_837p(small, 60_000)
    generate_837p(large, 240_000)

    def peak(path: Path, models: bool) -> int:
        tracemalloc.start()
        try:
            for tx in read_transactions(path, models=models, keep_segments=not models):
                tx.model  # noqa: B018 - built and dropped
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # one 500-claim transaction in the large file: the plain reading holds every segment of it
    assert peak(large, models=True) < 0.6 * peak(large, models=False)


def test_growing_tree_fed_piece_by_piece_equals_build_tree(files: list[Path]) -> None:
    for path in files[-2:]:
        for tx in read_transactions(path):
            spec = spec_for(tx.set_id, tx.guide)
            whole, found = build_tree(spec, tx.segments)
            pieces: list[Any] = [tx.segments[0]]
            growing = GrowingTree(spec, pieces)
            for at in range(1, len(tx.segments), 37):
                pieces += tx.segments[at : at + 37]
                growing.feed()
            grown, grown_found = growing.finish()
            assert _shape(grown) == _shape(whole)
            assert _finding_keys(grown_found) == _finding_keys(found)


def _shape(loop: Loop) -> tuple[Any, ...]:
    return (loop.id, tuple(s.number for s in loop.segments), tuple(_shape(c) for c in loop.children))


@pytest.mark.parametrize("keep_segments", [True, False], ids=["segments kept", "segments let go"])
def test_transactions_read_with_models_hold_no_reference_cycle(files: list[Path], keep_segments: bool) -> None:
    """Reference counting frees each transaction as the caller drops it (the collector is paused meanwhile),
    whether or not its model was asked for: nothing of ours is left for the collector to find.  (Only our
    objects are looked at: other threads of the test process may leave cyclic garbage of their own meanwhile.)"""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for path in files[-2:]:
            for _tx in read_transactions(path, models=True, keep_segments=keep_segments):
                pass
            for tx in read_transactions(path, models=True, keep_segments=keep_segments):
                tx.model  # noqa: B018 - built and dropped
        del tx
        gc.collect()
        ours = [o for o in gc.garbage if _of_rcm(o)]
        assert ours == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def _of_rcm(o: object) -> bool:
    """An object of our making: an instance of one of our classes, or one of our functions (closures)."""
    module = getattr(o, "__module__", None) if callable(o) and not isinstance(o, type) else type(o).__module__
    return isinstance(module, str) and module.startswith("rcm.")
