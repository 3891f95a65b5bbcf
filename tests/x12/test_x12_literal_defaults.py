"""``literal_defaults``: the faster constructor behaves like the dataclass one it replaces."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import pytest

from rcm.x12._speed import literal_defaults
from rcm.x12.sets.claim837 import ServiceLine
from rcm.x12.sets.common import ZERO, Party


@literal_defaults
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


def test_missing_required_argument_is_still_an_error() -> None:
    with pytest.raises(TypeError):
        _Sample()  # type: ignore[call-arg]


def test_keyword_only_fields_are_refused() -> None:
    @dataclass
    class KeywordOnly:
        a: int = dataclasses.field(kw_only=True)

    with pytest.raises(TypeError, match="positional"):
        literal_defaults(KeywordOnly)


def test_models_keep_their_signature() -> None:
    line = ServiceLine("1", None, ZERO, "UN", None, "11", [1], "", None, 7, emergency="Y")
    assert line.dates == [] and line.providers == {} and line.emergency == "Y" and line.drug is None
    party = Party("85", "2", "CLINIC", "", "", "", "XX", "1234567893", 3)
    assert party.references == [] and party.contacts == [] and party.address is None
