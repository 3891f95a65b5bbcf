"""``fast_constructor``: model records built by the compiled constructor (rcm/x12/_records.c) or the Python
``__init__`` are the same records, with the same defaults, the same errors and fresh mutable defaults."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from x12_samples import REPO_ROOT, manifest

from rcm.x12._speed import fast_constructor
from rcm.x12.sets import claim837, common
from rcm.x12.sets.claim837 import ServiceLine
from rcm.x12.sets.common import ZERO, Party
from rcm.x12.sets.x835 import loops, segments, transaction_set

try:
    from rcm.x12 import _records  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - the build makes it; test_the_compiled_constructors_are_built says so
    _records = None

MODULES = [common, claim837, loops, segments, transaction_set]
RECORDS = sorted(
    {
        obj
        for module in MODULES
        for obj in vars(module).values()
        if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == module.__name__
    },
    key=lambda cls: cls.__qualname__,
)


@fast_constructor
@dataclass(slots=True)
class _Sample:
    name: str
    count: int = 3
    tags: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    pair: tuple[int, int] = field(default_factory=lambda: (1, 2))


def test_defaults_are_fresh_per_instance_and_overridable() -> None:
    a, b = _Sample("a"), _Sample("b", 5)
    a.tags.append("x")
    a.index["k"] = 1
    assert b.tags == [] and b.index == {} and a.tags is not b.tags
    assert (a.count, b.count, a.pair) == (3, 5, (1, 2))
    given = ["t"]
    c = _Sample(name="c", tags=given, pair=(3, 4))
    assert c.tags is given and c.pair == (3, 4)
    assert _Sample("a") == _Sample("a") and _Sample("a") != _Sample("a", 4)


def test_missing_or_extra_arguments_are_still_errors() -> None:
    with pytest.raises(TypeError):
        _Sample()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        ServiceLine("1")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Party("85", "2", "X", "", "", "", "XX", "1", 3, None, [], [], "extra")  # type: ignore[call-arg]


def test_keyword_only_fields_are_refused() -> None:
    @dataclass
    class KeywordOnly:
        a: int = dataclasses.field(kw_only=True)

    with pytest.raises(TypeError, match="positional"):
        fast_constructor(KeywordOnly)


def test_the_compiled_constructors_are_built() -> None:
    if os.environ.get("RCM_PURE_PYTHON_MODELS"):
        pytest.skip("RCM_PURE_PYTHON_MODELS is set")
    assert _records is not None
    assert _records.installed(ServiceLine) and _records.installed(Party)


def _arguments(cls: type) -> dict[str, Any]:
    """A value for every required field, each distinct, so that a field set in the wrong slot shows."""
    return {
        f.name: f"value-{i}"
        for i, f in enumerate(dataclasses.fields(cls))
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }


@pytest.mark.parametrize("cls", RECORDS, ids=lambda cls: cls.__qualname__)
def test_every_record_class_builds_the_same_both_ways(cls: type) -> None:
    given = _arguments(cls)
    positional = cls(*given.values())  # the compiled constructor when installed
    by_keyword = cls(**given)  # always the Python __init__
    assert positional == by_keyword
    for f in dataclasses.fields(cls):
        a, b = getattr(positional, f.name), getattr(by_keyword, f.name)
        assert a == b, f.name
        if isinstance(a, list | dict):
            assert a is not b and a is not getattr(cls(*given.values()), f.name), f"{f.name} shared between records"
    assert repr(positional) == repr(by_keyword)


def test_empty_containers_are_made_when_first_read() -> None:
    """A list or dict default of a compiled record is made on first read and kept: appending to it, replacing
    it, deleting it (read again: a new empty one), copying and pickling behave as with one made up front."""
    import copy
    import pickle

    line = ServiceLine("1", None, ZERO, "UN", None, "11", [1], "", None, 7)
    lazy = _records is not None and _records.installed(ServiceLine)
    if lazy:
        assert type(ServiceLine.__dict__["dates"]).__name__ == "LazyField"
        assert ServiceLine.__dict__["dates"] is ServiceLine.dates  # read on the class: the descriptor
    first = line.dates
    assert first == [] and line.dates is first
    line.dates.append("d")
    line.providers["82"] = "x"  # type: ignore[assignment]
    assert line.dates == ["d"] and line.providers == {"82": "x"}
    line.notes = ["n"]
    assert line.notes == ["n"]
    if lazy:  # (a plain slot would raise AttributeError until set again)
        del line.notes
        assert line.notes == []
        line.notes = ["n"]
    copied = copy.deepcopy(line)
    assert copied == line and copied.dates is not line.dates
    assert pickle.loads(pickle.dumps(line)) == line
    other = ServiceLine("1", None, ZERO, "UN", None, "11", [1], "", None, 7)
    assert other.dates == [] and other.dates is not first
    assert other != line and dataclasses.replace(line).dates == ["d"]
    with pytest.raises(TypeError):
        ServiceLine.__dict__["dates"].__get__(Party("85", "2", "X", "", "", "", "XX", "1", 3), Party)


def test_models_keep_their_signature() -> None:
    line = ServiceLine("1", None, ZERO, "UN", None, "11", [1], "", None, 7, emergency="Y")
    assert line.dates == [] and line.providers == {} and line.emergency == "Y" and line.drug is None
    party = Party("85", "2", "CLINIC", "", "", "", "XX", "1234567893", 3)
    assert party.references == [] and party.contacts == [] and party.address is None


_DUMP = """
import dataclasses, json, sys
from pathlib import Path
from rcm.x12.errors import NotX12Error
from rcm.x12.reader import read_file
from rcm.x12.sets.registry import lookup
out = {}
for name in sys.argv[1:]:
    try:
        x12 = read_file(Path(name))
    except NotX12Error:
        continue
    out[name] = [dataclasses.asdict(tx.model) for tx in x12.transactions
                 if tx.set_id in ("835", "837") and lookup(tx.set_id, tx.version) is not None]
print(json.dumps(out, default=str, sort_keys=True))
"""


@pytest.mark.shared
def test_every_835_and_837_sample_gives_the_same_models_both_ways(tmp_path: Path) -> None:
    files = [str(f.path) for f in manifest() if "835" in f.transaction_set or "837" in f.transaction_set]
    if not files:
        pytest.skip("shared samples missing")
    from bench.generate import generate_835, generate_837p

    generate_837p(tmp_path / "generated.837p", 150_000)
    generate_835(tmp_path / "generated.835", 150_000)
    files += [str(tmp_path / "generated.837p"), str(tmp_path / "generated.835")]

    def dump(pure: bool) -> dict[str, Any]:
        env = {**os.environ, "RCM_PURE_PYTHON_MODELS": "1" if pure else ""}
        done = subprocess.run(
            [sys.executable, "-c", _DUMP, *files], capture_output=True, text=True, env=env, cwd=REPO_ROOT, check=True
        )
        result: dict[str, Any] = json.loads(done.stdout)
        return result

    compiled, pure = dump(pure=False), dump(pure=True)
    assert len(compiled) > 80
    assert compiled == pure
