"""The loop engine: one declarative description per transaction set, one algorithm that builds the loop tree.

A ``LoopSpec`` lists a loop's segments in guide order (the first one starts the loop, identified by its id and,
where the guide needs it, qualifier values), its trailing segments and its child loops.  ``build_tree`` walks
the segments once, innermost loop outward, and never raises: unknown, misplaced, repeated-too-often and
missing segments or loops become ``Finding``s (with the IK3 code a 999 would use) and every segment is kept.
"""

from __future__ import annotations

import contextlib
import heapq
import os
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rcm.x12._speed import with_python_methods
from rcm.x12.findings import Finding
from rcm.x12.tokenizer import Segment

__all__ = ["EarlyReading", "GrowingTree", "Loop", "LoopSpec", "SegmentSpec", "build_tree", "seg"]


@dataclass(frozen=True, slots=True, eq=False)  # identity equality: specs are dict keys in the hot loop
class SegmentSpec:
    """One segment position in a loop: id, usage (R required, S situational), max use (None: unbounded),
    and optionally the element (1-based) whose values identify it (NM1*85 vs NM1*87)."""

    id: str
    name: str = ""
    usage: str = "S"
    max_use: int | None = 1
    qualifier: tuple[int, frozenset[str]] | None = None

    def matches(self, segment: Segment) -> bool:
        q = self.qualifier
        if q is None:
            return True
        els = segment.elements
        i = q[0] - 1
        return i < len(els) and els[i] in q[1]


def seg(
    id: str,
    name: str = "",
    usage: str = "S",
    max_use: int | None = 1,
    *,
    q: tuple[int, Sequence[str]] | None = None,
) -> SegmentSpec:
    """Shorthand for the set descriptions: ``seg("NM1", "billing provider", "R", q=(1, ["85"]))``."""
    return SegmentSpec(id, name, usage, max_use, (q[0], frozenset(q[1])) if q else None)


@dataclass(eq=False)
class LoopSpec:
    """A loop: ``segments[0]`` starts it; ``children`` follow its segments; ``trailer`` comes after the
    children (the 835 PLB, the SE).  ``max_repeat`` None means unbounded."""

    id: str
    name: str
    segments: tuple[SegmentSpec, ...]
    usage: str = "S"
    max_repeat: int | None = 1
    children: tuple[LoopSpec, ...] = ()
    trailer: tuple[SegmentSpec, ...] = ()
    _own: dict[str, list[tuple[int, SegmentSpec]]] = field(default_factory=dict, repr=False)
    _tail: dict[str, list[SegmentSpec]] = field(default_factory=dict, repr=False)
    _kids: dict[str, list[LoopSpec]] = field(default_factory=dict, repr=False)
    _deep: dict[str, list[tuple[LoopSpec, tuple[LoopSpec, ...]]]] = field(default_factory=dict, repr=False)
    _ids: frozenset[str] = field(default=frozenset(), repr=False)
    _required: tuple[SegmentSpec, ...] = field(default=(), repr=False)
    _required_kids: tuple[LoopSpec, ...] = field(default=(), repr=False)
    _start_q: tuple[int, frozenset[str]] | None = field(default=None, repr=False)
    _compiled: bool = field(default=False, repr=False)
    # The same indexes as plain tuples for the compiled loop (rcm/x12/_loops.c), which reads no attributes:
    # (own: sid -> [(order, spec, qualifier, max_use)], kids: sid -> [(child, start qualifier, id, max_repeat,
    #  name, first segment spec, child's _flat)], trailer: sid -> [spec], required specs, required child loop ids)
    _flat: tuple[Any, ...] = field(default=(), repr=False)

    @property
    def start(self) -> SegmentSpec:
        return self.segments[0]

    def compile(self) -> None:
        """Index segments and child triggers by segment id (done once, on first use)."""
        if self._compiled:
            return
        own: dict[str, list[tuple[int, SegmentSpec]]] = {}
        first_order: dict[str, int] = {}
        for i, s in enumerate(self.segments[1:], start=1):
            order = first_order.setdefault(s.id, i)  # same-id segments share one position
            own.setdefault(s.id, []).append((order, s))
        tail: dict[str, list[SegmentSpec]] = {}
        for s in self.trailer:
            tail.setdefault(s.id, []).append(s)
        kids: dict[str, list[LoopSpec]] = {}
        ids = {s.id for s in self.segments} | {s.id for s in self.trailer}
        for child in self.children:
            kids.setdefault(child.start.id, []).append(child)
            child.compile()
            ids |= child._ids
        # Loops further down, reachable only by skipping a loop level (a CLP without its LX): tolerated.
        deep: dict[str, list[tuple[LoopSpec, tuple[LoopSpec, ...]]]] = {}
        for child in self.children:
            for sid, found in child._kids.items():
                for grandchild in found:
                    deep.setdefault(sid, []).append((grandchild, (child,)))
            for sid, chains in child._deep.items():
                for target, skipped in chains:
                    deep.setdefault(sid, []).append((target, (child, *skipped)))
        self._own, self._tail, self._kids, self._deep = own, tail, kids, deep
        self._required = tuple(x for x in self.segments[1:] + self.trailer if x.usage == "R")
        self._required_kids = tuple(c for c in self.children if c.usage == "R")
        self._start_q = self.segments[0].qualifier
        self._ids = frozenset(ids)
        self._flat = (
            {sid: [(order, s, s.qualifier, s.max_use) for order, s in found] for sid, found in own.items()},
            {
                sid: [(c, c._start_q, c.id, c.max_repeat, c.name, c.segments[0], c._flat) for c in found]
                for sid, found in kids.items()
            },
            tail,
            self._required,
            tuple(c.id for c in self._required_kids),
        )
        self._compiled = True

    def find(self, loop_id: str) -> LoopSpec | None:
        """The descendant (or self) with this loop id."""
        if self.id == loop_id:
            return self
        for child in self.children:
            found = child.find(loop_id)
            if found is not None:
                return found
        return None


class Loop:
    """One loop instance in a transaction: its own segments (the first starts it) and child loops in order."""

    __slots__ = ("children", "id", "name", "segments")

    def __init__(self, id: str, name: str, segments: list[Segment] | None = None,
                 children: list[Loop] | None = None) -> None:
        self.id = id
        self.name = name
        self.segments: list[Segment] = segments if segments is not None else []
        self.children: list[Loop] = children if children is not None else []

    @property
    def start(self) -> Segment:
        return self.segments[0]

    def first(self, segment_id: str, qualifier: str | None = None, element: int = 1) -> Segment | None:
        """This loop's first own segment with that id (and qualifier in ``element``)."""
        for s in self.segments:
            if s.id == segment_id and (qualifier is None or s.get(element) == qualifier):
                return s
        return None

    def all(self, segment_id: str) -> list[Segment]:
        """This loop's own segments with that id."""
        return [s for s in self.segments if s.id == segment_id]

    def loops(self, loop_id: str) -> list[Loop]:
        """Direct children with that loop id."""
        return [c for c in self.children if c.id == loop_id]

    def loop(self, loop_id: str) -> Loop | None:
        for c in self.children:
            if c.id == loop_id:
                return c
        return None

    def walk(self) -> Iterator[Loop]:
        """This loop and every loop below it, depth first, in file order."""
        yield self
        for c in self.children:
            yield from c.walk()

    def iter_segments(self) -> Iterator[Segment]:
        """Every segment of the loop and its children in file order."""
        if not self.children:
            return iter(self.segments)
        return heapq.merge(self.segments, *(c.iter_segments() for c in self.children), key=_number)

    def __repr__(self) -> str:
        return f"Loop({self.id}, {len(self.segments)} segments, {len(self.children)} children)"

    def __reduce__(self) -> tuple[type[Loop], tuple[str, str, list[Segment], list[Loop]]]:
        # rebuilt as the class in use (the compiled one when it was built)
        return Loop, (self.id, self.name, self.segments, self.children)


# Methods the compiled Loop takes from the class above.
_PYTHON_METHODS = ("start", "first", "all", "loops", "loop", "walk", "iter_segments", "__repr__", "__reduce__")


def _compiled_loop_class(python_class: type[Loop]) -> type[Loop]:
    """The compiled Loop (rcm/x12/_loops.c: not tracked by the cyclic collector) with the methods above, when it
    was built; else the Python class (RCM_PURE_PYTHON_ENGINE=1 keeps the Python class and loop).  Same
    attributes, same behaviour: the tests run both."""
    if os.environ.get("RCM_PURE_PYTHON_ENGINE"):
        return python_class
    try:
        from rcm.x12 import _loops  # type: ignore[attr-defined]
    except ImportError:
        return python_class
    compiled: type[Loop] = _loops.loop_class(f"{__name__}.Loop")
    return with_python_methods(compiled, python_class, _PYTHON_METHODS)


if not TYPE_CHECKING:
    PythonLoop = Loop
    Loop = _compiled_loop_class(Loop)


# The engine keeps one frame per open loop as a plain list (cheaper to make than an object, and the engine
# opens one per loop instance), indexed in the hot loop as
#   [0] the LoopSpec, [1] the Loop being built, [2] the guide position reached, [3] segment counts by
#   SegmentSpec, [4] child loop counts by loop id, [5] whether child loops (or the trailer) have started,
#   [6] the LoopSpec's _flat indexes (for the compiled loop).


def _compiled_loop() -> Callable[..., int] | None:
    """The compiled inner loop (rcm/x12/_loops.c) when it was built; else None (RCM_PURE_PYTHON_ENGINE=1
    forces the Python loop)."""
    if os.environ.get("RCM_PURE_PYTHON_ENGINE"):
        return None
    try:
        from rcm.x12 import _loops  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        _loops.configure(Loop, Segment)
    except TypeError:
        return None
    grow: Callable[..., int] = _loops.grow
    return grow


_grow = _compiled_loop()


def _finding(code: str, message: str, segment: Segment | None, *, loop: str, ik3: str, transaction: str | None,
             segment_id: str | None = None, severity: str = "error") -> Finding:
    return Finding(
        severity="error" if severity == "error" else "warning",
        code=code,
        message=message,
        segment=segment.number if segment is not None else None,
        transaction=transaction,
        segment_id=segment_id or (segment.id if segment is not None else None),
        loop=loop,
        ik3_code=ik3,
    )


def build_tree(
    spec: LoopSpec,
    segments: Sequence[Segment],
    *,
    transaction: str | None = None,
    on_close: Callable[[Loop], None] | None = None,
    watch: frozenset[str] = frozenset(),
) -> tuple[Loop, list[Finding]]:
    """Build the loop tree of one transaction set (ST..SE) from its description.

    Returns the root loop (``spec.id``, holding ST and SE) and the structure findings.  ``on_close``, when
    given, is called with every loop whose id is in ``watch`` as soon as that loop is closed (nothing is added
    to it afterwards), in file order: model builders read each claim then, while its segments are still in
    the CPU caches, instead of walking the whole tree again afterwards.
    """
    if not segments:
        spec.compile()
        return Loop(spec.id, spec.name), []
    growing = GrowingTree(
        spec, segments if isinstance(segments, list) else list(segments), transaction=transaction,
        on_close=on_close, watch=watch,
    )
    return growing.finish()


@dataclass(frozen=True, slots=True)
class EarlyReading:
    """How a model builder reads a transaction set while its tree is built: ``on_close`` is told of each loop
    whose id is in ``watch`` as the engine closes it (a claim, read while its segments are in the CPU caches),
    and ``finish`` makes the model from the finished tree (reading from the tree whatever it was not told of)."""

    on_close: Callable[[Loop], None]
    watch: frozenset[str]
    finish: Callable[[Loop], Any]


class GrowingTree:
    """A loop tree built while its transaction set is still being read: the reader appends segments to the
    list it gave, calls ``feed()`` after each batch and ``finish()`` once the transaction has ended (after SE,
    or where it was cut short).  Each batch goes through the engine while the tokenizer has just made it (in
    the CPU caches), and ``on_close`` hears of each watched loop then.  The tree and findings are exactly those
    ``build_tree`` makes from the whole list (it is this, fed once).  An exception from ``on_close`` leaves the
    tree unusable: the caller drops it.

    ``forget=True`` is for a reader that wants the model, not the segments: once ``on_close`` has read a
    watched loop, the loop's own segments and its child loops that are not watched are let go, and after each
    ``feed()`` the segments taken are removed from the list (``forgotten`` counts them; the list keeps its first
    segment and what is still to come).  The tree then keeps the watched loops, emptied, for placing what was
    read, and everything outside them."""

    __slots__ = ("_forgotten", "_steps", "findings", "root")

    def __init__(
        self,
        spec: LoopSpec,
        segments: list[Segment],
        *,
        transaction: str | None = None,
        on_close: Callable[[Loop], None] | None = None,
        watch: frozenset[str] = frozenset(),
        forget: bool = False,
    ) -> None:
        if not segments:
            raise ValueError("a growing tree starts from the transaction's first segment (ST)")
        self.findings: list[Finding] = []
        self._forgotten = [0] if forget else None
        self._steps = _tree_steps(spec, segments, self.findings, transaction, on_close, watch, self._forgotten)
        root = next(self._steps)
        assert root is not None
        self.root: Loop = root

    @property
    def forgotten(self) -> int:
        """How many segments were removed from the list (``forget=True``)."""
        return self._forgotten[0] if self._forgotten is not None else 0

    def feed(self) -> None:
        """Take the segments appended since the last call (the last segment may still be followed by more)."""
        self._steps.send(False)

    def finish(self) -> tuple[Loop, list[Finding]]:
        """Take the rest, close every open loop; the root and the structure findings."""
        with contextlib.suppress(StopIteration):
            self._steps.send(True)
        return self.root, self.findings


def _let_go(loop: Loop, watch: frozenset[str]) -> None:
    """A loop the listener has read: its own segments and unwatched child loops are let go."""
    loop.segments.clear()
    kids = loop.children
    if kids:
        kids[:] = [k for k in kids if not isinstance(k, Loop) or k.id in watch]


def _tree_steps(
    spec: LoopSpec,
    segments: list[Segment],
    findings: list[Finding],
    transaction: str | None,
    on_close: Callable[[Loop], None] | None,
    watch: frozenset[str],
    forgotten: list[int] | None = None,
) -> Generator[Loop | None, bool, None]:
    """The engine as a generator: yields the root, then takes the segments appended to ``segments`` each time it
    is sent False (more may follow) and, when sent True (the transaction has ended), the rest and closes.
    ``forgotten`` (a one-item counter) is given for ``GrowingTree(forget=True)``."""
    forget = forgotten is not None
    spec.compile()
    root = Loop(spec.id, spec.name, [segments[0]])
    stack: list[list[Any]] = [[spec, root, 0, {spec.start: 1}, {}, False, spec._flat]]
    all_ids = spec._ids

    def close(frame: list[Any], at: Segment) -> None:
        loop_spec: LoopSpec = frame[0]
        if not loop_spec._required and not loop_spec._required_kids:
            return
        loop: Loop = frame[1]
        start = loop.segments[0] if loop.segments else at
        counts = frame[3]
        for s in loop_spec._required:
            if s not in counts:
                findings.append(_finding(
                    "missing_segment",
                    f"required {s.id}{_qual(s)} ({s.name or 'segment'}) missing in loop {loop_spec.id} "
                    f"starting at segment {start.number}",
                    start, loop=loop_spec.id, ik3="3", transaction=transaction, segment_id=s.id,
                ))
        for child in loop_spec._required_kids:
            if child.id not in frame[4]:
                findings.append(_finding(
                    "missing_loop",
                    f"required loop {child.id} ({child.name}) missing in loop {loop_spec.id} "
                    f"starting at segment {start.number}",
                    start, loop=child.id, ik3="3", transaction=transaction, segment_id=child.start.id,
                ))

    def unwind(level: int, at: Segment) -> None:
        while len(stack) > level + 1:
            done = stack.pop()
            if done[0]._required or done[0]._required_kids:
                close(done, at)
            if on_close is not None and done[1].id in watch:
                on_close(done[1])
                if forget:
                    _let_go(done[1], watch)

    def count(frame: list[Any], s: SegmentSpec, segment: Segment) -> None:
        n = frame[3].get(s, 0) + 1
        frame[3][s] = n
        if s.max_use is not None and n > s.max_use:
            findings.append(_finding(
                "segment_repeat_exceeded",
                f"{segment.id}{_qual(s)} appears {n} times in loop {frame[0].id}, at most {s.max_use} allowed",
                segment, loop=frame[0].id, ik3="5", transaction=transaction,
            ))

    def open_child(level: int, child: LoopSpec, segment: Segment) -> None:
        unwind(level, segment)
        parent = stack[level]
        child_counts = parent[4]
        cid = child.id
        n = child_counts.get(cid, 0) + 1
        child_counts[cid] = n
        parent[5] = True
        if child.max_repeat is not None and n > child.max_repeat:
            findings.append(_finding(
                "loop_repeat_exceeded",
                f"loop {cid} ({child.name}) repeats {n} times under loop {parent[0].id}, "
                f"at most {child.max_repeat} allowed",
                segment, loop=cid, ik3="4", transaction=transaction,
            ))
        node = Loop(cid, child.name, [segment], [])
        parent[1].children.append(node)
        stack.append([child, node, 0, {child.segments[0]: 1}, {}, False, child._flat])

    def accept(level: int, s: SegmentSpec, segment: Segment, order: int | None) -> None:
        if len(stack) > level + 1:
            unwind(level, segment)
        frame = stack[level]
        frame[1].segments.append(segment)
        if order is not None:
            frame[2] = order
        count(frame, s, segment)

    grow = _grow
    following = 1
    final = yield root
    while True:
        total = len(segments)
        last = total - 1  # SE closes the set as its trailer only as its last segment
        if not final:
            last = -1  # (not known yet: a trailing SE waits for the end)
            if segments[-1].id == "SE":
                total -= 1
        while following < total:
            if grow is not None:
                # The compiled loop takes the regular moves and stops, changing nothing, at the first segment
                # that needs the rules below.
                following = grow(stack, segments, following, on_close, watch, forget)
                if following >= total:
                    break
            idx = following
            following += 1
            segment = segments[idx]
            sid = segment.id
            # Fast path (most segments): the next segment of the loop we are in, in guide order.
            top = stack[-1]
            own = top[0]._own.get(sid)
            if own is not None and not top[5]:
                hit: SegmentSpec | None = None
                for order, s in own:
                    q = s.qualifier
                    if q is None or (q[0] <= len(segment.elements) and segment.elements[q[0] - 1] in q[1]):
                        if order >= top[2]:
                            hit = s
                            top[2] = order
                        break
                if hit is not None:
                    top[1].segments.append(segment)
                    counts = top[3]
                    n = counts.get(hit, 0) + 1
                    counts[hit] = n
                    if hit.max_use is not None and n > hit.max_use:
                        counts[hit] = n - 1
                        count(top, hit, segment)
                    continue
            matched = False
            fallback: tuple[int, SegmentSpec] | None = None
            level = len(stack) - 1
            # Strict pass: innermost loop outward, qualifiers must match.
            while level >= 0:
                frame = stack[level]
                fspec = frame[0]
                own = fspec._own.get(sid)
                if own:
                    for order, s in own:
                        if s.matches(segment):
                            if order >= frame[2] and not frame[5]:
                                accept(level, s, segment, order)
                                matched = True
                            elif fallback is None and level == len(stack) - 1:
                                fallback = (level, s)  # out of order, but only in the loop we are in
                            break
                    if matched:
                        break
                kids = fspec._kids.get(sid)
                if kids:
                    els = segment.elements
                    for child in kids:
                        q = child._start_q
                        if q is None or (q[0] <= len(els) and els[q[0] - 1] in q[1]):
                            open_child(level, child, segment)
                            matched = True
                            break
                    if matched:
                        break
                tail = fspec._tail.get(sid)
                if tail and (idx == last or sid != "SE"):
                    for s in tail:
                        if s.matches(segment):
                            accept(level, s, segment, None)
                            frame[5] = True
                            matched = True
                            break
                    if matched:
                        break
                level -= 1
            if matched:
                continue
            if fallback is not None:
                level, s = fallback
                findings.append(_finding(
                    "segment_out_of_order",
                    f"{sid}{_qual(s)} is out of order in loop {stack[level][0].id}",
                    segment, loop=stack[level][0].id, ik3="7", transaction=transaction, severity="warning",
                ))
                accept(level, s, segment, None)
                continue
            # A loop one or more levels down whose own header loop is missing (CLP without LX): open it here.
            level = len(stack) - 1
            while level >= 0 and not matched:
                frame = stack[level]
                for target, skipped in frame[0]._deep.get(sid, ()):
                    if target.start.matches(segment):
                        child_counts = frame[4]
                        for missing in skipped:
                            key = "implied:" + missing.id
                            if not child_counts.get(key):
                                findings.append(_finding(
                                    "missing_loop",
                                    f"loop {target.id} ({target.name}) found without its enclosing loop {missing.id} "
                                    f"({missing.name})",
                                    segment, loop=missing.id, ik3="3", transaction=transaction,
                                    segment_id=missing.start.id,
                                ))
                            child_counts[key] = 1
                            child_counts[missing.id] = child_counts.get(missing.id, 0) or 1
                        open_child(level, target, segment)
                        matched = True
                        break
                level -= 1
            if matched:
                continue
            # Lenient pass: same segment id with a qualifier value the guide does not list.
            level = len(stack) - 1
            while level >= 0 and not matched:
                frame = stack[level]
                own = frame[0]._own.get(sid) if level == len(stack) - 1 else None
                if own:
                    findings.append(_finding(
                        "unexpected_qualifier",
                        f"{sid} in loop {frame[0].id} has a qualifier the guide does not list here",
                        segment, loop=frame[0].id, ik3="2", transaction=transaction, severity="warning",
                    ))
                    accept(level, own[0][1], segment, None)
                    matched = True
                    break
                kids = frame[0]._kids.get(sid)
                if kids:
                    findings.append(_finding(
                        "unexpected_qualifier",
                        f"{sid} opens loop {kids[0].id} with a qualifier the guide does not list",
                        segment, loop=kids[0].id, ik3="2", transaction=transaction, severity="warning",
                    ))
                    open_child(level, kids[0], segment)
                    matched = True
                    break
                level -= 1
            if matched:
                continue
            top = stack[-1]
            known = sid in all_ids
            findings.append(_finding(
                "unexpected_segment" if known else "unknown_segment",
                f"{sid[:3]!r} segment not expected in loop {top[0].id}" if known
                else f"segment id {sid[:3]!r} is not part of this transaction set",
                segment, loop=top[0].id, ik3="2" if known else "1", transaction=transaction,
            ))
            top[1].segments.append(segment)
        if final:
            break
        if forgotten is not None and total > 1:  # (forget)
            # Everything taken is held by the tree (or was read and let go): the list keeps ST and what is to come.
            forgotten[0] += total - 1
            del segments[1:total]
            following = 1
        final = yield None
    for fr in reversed(stack):
        close(fr, segments[-1])
        if on_close is not None and fr[1].id in watch:
            on_close(fr[1])
            if forget:
                _let_go(fr[1], watch)


def _number(segment: Segment) -> int:
    return segment.number


def _qual(s: SegmentSpec) -> str:
    if s.qualifier is None:
        return ""
    values = sorted(s.qualifier[1])
    return "*" + values[0] + ("..." if len(values) > 1 else "")
