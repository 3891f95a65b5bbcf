"""The loop engine on small hand-made descriptions: nesting, qualifiers, repeats, order, missing and
unknown segments, loops found without their parent; never an exception."""

from __future__ import annotations

from rcm.x12.engine import Loop, LoopSpec, build_tree, seg
from rcm.x12.tokenizer import Segment

LINE = LoopSpec("L2", "line", (seg("LX", "line", "R"), seg("SV", "service", "R"), seg("DT", "date", "S", 2)),
                usage="R", max_repeat=2)
PARTY = LoopSpec("P1", "rendering", (seg("NM", "name", "R", q=(1, ["82"])), seg("RF", "ref", "S")), usage="S")
CLAIM = LoopSpec("C1", "claim", (seg("CL", "claim", "R"), seg("RF", "claim ref", "S", 3), seg("HI", "codes", "R")),
                 usage="R", max_repeat=None, children=(PARTY, LINE))
HEAD = LoopSpec("H1", "header", (seg("HD", "header", "R"), seg("TX", "text", "S")), usage="S", max_repeat=None,
                children=(CLAIM,))
SPEC = LoopSpec("ST", "test set", (seg("ST", "", "R"), seg("BG", "begin", "R")), usage="R",
                children=(HEAD,), trailer=(seg("TT", "total", "S", None), seg("SE", "", "R")))


def segs(text: str) -> list[Segment]:
    out = []
    for i, raw in enumerate(t for t in text.split("~") if t):
        parts = raw.split("*")
        out.append(Segment(parts[0], parts[1:], i + 1, i * 10))
    return out


def shape(loop: Loop, depth: int = 0) -> list[str]:
    lines = ["  " * depth + loop.id + " " + " ".join(s.id for s in loop.segments)]
    for c in loop.children:
        lines += shape(c, depth + 1)
    return lines


def build(text: str) -> tuple[Loop, list[str]]:
    tree, findings = build_tree(SPEC, segs(text), transaction="0001")
    return tree, [f.code for f in findings]


def test_well_formed_nesting() -> None:
    tree, codes = build("ST~BG~HD~CL~RF~HI~NM*82~RF~LX~SV~DT~LX~SV~CL~HI~LX~SV~TT~TT~SE")
    assert codes == []
    assert shape(tree) == [
        "ST ST BG TT TT SE",
        "  H1 HD",
        "    C1 CL RF HI",
        "      P1 NM RF",
        "      L2 LX SV DT",
        "      L2 LX SV",
        "    C1 CL HI",
        "      L2 LX SV",
    ]
    assert [s.number for s in tree.iter_segments()] == list(range(1, 21))
    claim = tree.children[0].children[0]
    assert claim.first("RF") is not None and claim.loop("P1") is not None
    assert [c.id for c in tree.walk()] == ["ST", "H1", "C1", "P1", "L2", "L2", "C1", "L2"]


def test_repeats_over_the_limit() -> None:
    _, codes = build("ST~BG~HD~CL~HI~LX~SV~DT~DT~DT~LX~SV~LX~SV~SE")
    assert codes == ["segment_repeat_exceeded", "loop_repeat_exceeded"]


def test_missing_required_segment_and_loop() -> None:
    _, codes = build("ST~BG~HD~CL~RF~SE")
    assert sorted(codes) == ["missing_loop", "missing_segment"]
    _, codes = build("ST~HD~CL~HI~LX~SE")
    assert sorted(codes) == ["missing_segment", "missing_segment"]  # BG in the header, SV in the line


def test_unknown_and_unexpected_segments_are_kept() -> None:
    tree, codes = build("ST~BG~HD~CL~HI~ZZ*1~LX~SV~BG~SE")
    assert codes == ["unknown_segment", "unexpected_segment"]
    assert [s.number for s in tree.iter_segments()] == list(range(1, 11))
    _, findings = build_tree(SPEC, segs("ST~BG~HD~CL~HI~ZZ*1~LX~SV~SE"), transaction="0001")
    f = findings[0]
    assert (f.segment, f.segment_id, f.loop, f.ik3_code, f.transaction) == (6, "ZZ", "C1", "1", "0001")


def test_out_of_order_within_a_loop() -> None:
    tree, codes = build("ST~BG~HD~CL~HI~RF~LX~SV~SE")
    assert codes == ["segment_out_of_order"]
    assert tree.children[0].children[0].all("RF")


def test_unlisted_qualifier_opens_the_loop_with_a_warning() -> None:
    tree, findings = build_tree(SPEC, segs("ST~BG~HD~CL~HI~NM*99~LX~SV~SE"))
    assert [(f.code, f.severity) for f in findings] == [("unexpected_qualifier", "warning")]
    assert tree.children[0].children[0].loop("P1") is not None


def test_loop_without_its_parent_is_placed_and_reported() -> None:
    tree, codes = build("ST~BG~CL~HI~LX~SV~CL~HI~LX~SV~SE")
    assert codes == ["missing_loop"]  # reported once for the missing H1
    assert [c.id for c in tree.children] == ["C1", "C1"]


def test_empty_and_truncated_input() -> None:
    tree, codes = build_tree(SPEC, [])
    assert tree.id == "ST" and codes == []
    tree, codes = build("ST~BG~HD~CL")
    assert "missing_segment" in codes and "missing_loop" in codes
