"""SNIP 1-2 element checks of one segment against the dictionary: element count, required and conditional
elements (syntax rules), lengths, data types, dates and times, repeats, composites and guide code values.

Each segment id is compiled once into a ``SegmentChecker``; ``check`` returns ``ElementProblem``s (no Findings,
no strings built) so that the clean path costs a few comparisons per element.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import NamedTuple

from rcm.x12.dictionary import ElementDef, SegmentDef, segment_def
from rcm.x12.validation.fastpath import segment_pattern
from rcm.x12.validation.values import check_period, check_value

__all__ = ["ElementProblem", "SegmentChecker", "checker_for", "describe"]

# Segments whose date/time value element is written in the format its qualifier element names.
_PERIODS: dict[str, tuple[int, int]] = {"DTP": (2, 3), "DMG": (1, 2), "DTM": (5, 6), "PAT": (5, 6)}

_PROBLEMS = {
    "1": "required data element missing",
    "2": "conditional required data element missing",
    "3": "too many data elements",
    "4": "data element too short",
    "5": "data element too long",
    "6": "invalid character in data element",
    "7": "invalid code value",
    "8": "invalid date",
    "9": "invalid time",
    "10": "exclusion condition violated",
    "12": "too many repetitions",
    "13": "too many components",
}


class ElementProblem(NamedTuple):
    """One element error: position (1-based), component (1-based or None), IK403 code, code value shown."""

    element: int
    component: int | None
    ik4_code: str
    shown: str | None = None


def describe(segment_id: str, problem: ElementProblem) -> str:
    """A PHI-free sentence for a problem: the element reference, its name and what is wrong."""
    sdef = segment_def(segment_id)
    where = f"{segment_id}{problem.element:02d}"
    name = ""
    if sdef is not None:
        edef = _element_at(sdef, problem.element)
        if edef is not None:
            name = edef.name
            if problem.component is not None:
                part = next((c for c in edef.components if c.position == problem.component), None)
                name = part.name if part is not None else name
    if problem.component is not None:
        where += f"-{problem.component}"
    text = f"{where}{' (' + name + ')' if name else ''}: {_PROBLEMS.get(problem.ik4_code, 'element error')}"
    if problem.shown is not None:
        text += f" {problem.shown!r}"
    return text


def _element_at(sdef: SegmentDef, position: int) -> ElementDef | None:
    return next((e for e in sdef.elements if e.position == position), None)


class SegmentChecker:
    """The compiled checks for one segment id."""

    __slots__ = (
        "_fast",
        "by_index",
        "definition",
        "last",
        "period",
        "required",
        "rules",
        "rules_check",
        "segment_id",
    )

    def __init__(self, sdef: SegmentDef) -> None:
        self.segment_id = sdef.id
        self.last = max(e.position for e in sdef.elements)
        by_index: list[ElementDef | None] = [None] * self.last
        for e in sdef.elements:
            by_index[e.position - 1] = e
        self.by_index = tuple(by_index)
        self.required = tuple(e.position for e in sdef.elements if e.usage == "M")
        self.rules = tuple((r.kind, r.positions) for r in sdef.rules)
        self.rules_check = _compile_rules(self.rules)
        self.period = _PERIODS.get(sdef.id)
        self.definition = sdef
        self._fast: dict[tuple[str, str, str | None, int], re.Pattern[str] | None] = {}

    def fast_pattern(self, element: str, component: str, repetition: str | None, codes: int) -> re.Pattern[str] | None:
        """The fast-path pattern for these delimiters (None: this segment has no fast path)."""
        key = (element, component, repetition, codes)
        try:
            return self._fast[key]
        except KeyError:
            fast = self._fast[key] = segment_pattern(self.definition, element, component, repetition, codes)
            return fast

    def check_fast(
        self, els: list[str], element: str, component: str, repetition: str | None, codes: int
    ) -> list[ElementProblem]:
        """``check``, trying the segment's fast-path pattern first (clean segments cost one regex match)."""
        fast = self.fast_pattern(element, component, repetition, codes)
        if fast is None or fast.fullmatch(element.join(els)) is None:
            return self.check(els, component, repetition, codes)
        return self.post_checks(els)

    def check(self, els: list[str], component: str, repetition: str | None, codes: int) -> list[ElementProblem]:
        """Problems of one segment's elements.  ``codes``: 0 no code values, 1 the lists every version
        shares, 2 also the lists only the 5010 guides use."""
        out: list[ElementProblem] = []
        n = len(els)
        if n > self.last and any(els[self.last :]):
            out.append(ElementProblem(self.last + 1, None, "3"))
        for pos in self.required:
            if pos > n or not els[pos - 1]:
                out.append(ElementProblem(pos, None, "1"))
        for edef, value in zip(self.by_index, els, strict=False):
            if not value or edef is None:
                continue
            if edef.components:
                self._composite(edef, value, component, codes, out)
                continue
            if repetition is not None and repetition in value:
                values = value.split(repetition)
                if len(values) > edef.max_repeats:
                    out.append(ElementProblem(edef.position, None, "12"))
                    continue
            else:
                values = [value]
            for v in values:
                if not v:
                    continue
                problem = check_value(edef.data_type, v, edef.min_length, edef.max_length)
                if problem is not None:
                    out.append(ElementProblem(edef.position, None, problem))
                elif (
                    codes
                    and edef.codes is not None
                    and v not in edef.codes
                    and (codes == 2 or not edef.codes_5010_only)
                ):
                    out.append(ElementProblem(edef.position, None, "7", v[:5]))
        if self.rules:
            self._syntax(els, out)
        if self.period is not None:
            q_at, v_at = self.period
            if n >= v_at and els[v_at - 1] and els[q_at - 1]:
                problem = check_period(els[q_at - 1], els[v_at - 1])
                if problem is not None:
                    out.append(ElementProblem(v_at, None, problem))
        return out

    def _composite(self, edef: ElementDef, value: str, separator: str, codes: int, out: list[ElementProblem]) -> None:
        parts = value.split(separator) if separator in value else [value]
        last = edef.components[-1].position
        if len(parts) > last and any(parts[last:]):
            out.append(ElementProblem(edef.position, last + 1, "13"))
        for part in edef.components:
            v = parts[part.position - 1] if part.position <= len(parts) else ""
            if not v:
                if part.usage == "M":
                    out.append(ElementProblem(edef.position, part.position, "1"))
                continue
            problem = check_value(part.data_type, v, part.min_length, part.max_length)
            if problem is not None:
                out.append(ElementProblem(edef.position, part.position, problem))
            elif codes and part.codes is not None and v not in part.codes and (codes > 1 or not part.codes_5010_only):
                out.append(ElementProblem(edef.position, part.position, "7", v[:5]))
        # a date qualifier and its date inside the composite (HI: D8/RD8 then the date)
        if len(parts) >= 4 and parts[2] and parts[3] and edef.components[2].name.startswith("date time period"):
            problem = check_period(parts[2], parts[3])
            if problem is not None:
                out.append(ElementProblem(edef.position, 4, problem))

    def _syntax(self, els: list[str], out: list[ElementProblem]) -> None:
        self.rules_check(els, out)

    def post_checks(self, els: list[str]) -> list[ElementProblem]:
        """What the fast-path pattern cannot see: syntax rules and a date written in its qualifier's format."""
        out: list[ElementProblem] = []
        if self.rules:
            self.rules_check(els, out)
        if self.period is not None:
            q_at, v_at = self.period
            if len(els) >= v_at and els[v_at - 1] and els[q_at - 1]:
                problem = check_period(els[q_at - 1], els[v_at - 1])
                if problem is not None:
                    out.append(ElementProblem(v_at, None, problem))
        return out


def _compile_rules(rules: tuple[tuple[str, tuple[int, ...]], ...]) -> Callable[[list[str], list[ElementProblem]], None]:
    """The syntax rules of one segment as one straight-line function (built once per segment id; the generic
    loop over rules cost more than the rest of a clean segment's checks)."""
    lines = ["def rules_check(els, out):", "    n = len(els)"]

    def present(p: int) -> str:
        return f"(n >= {p} and els[{p - 1}] != '')"

    for kind, ps in rules:
        if kind == "P":
            lines.append(f"    flags = ({', '.join(present(p) for p in ps)},)")
            lines.append("    if True in flags and False in flags:")
            lines += [f"        if not flags[{i}]: out.append(EP({p}, None, '2'))" for i, p in enumerate(ps)]
        elif kind == "R":
            lines.append(f"    if not ({' or '.join(present(p) for p in ps)}): out.append(EP({ps[0]}, None, '2'))")
        elif kind == "E":
            lines.append(f"    if ({' + '.join(present(p) for p in ps)}) > 1: out.append(EP({ps[1]}, None, '10'))")
        elif kind == "C":
            lines.append(f"    if {present(ps[0])}:")
            lines += [f"        if not {present(p)}: out.append(EP({p}, None, '2'))" for p in ps[1:]]
        elif kind == "L":
            lines.append(f"    if {present(ps[0])} and not ({' or '.join(present(p) for p in ps[1:])}):")
            lines.append(f"        out.append(EP({ps[1]}, None, '2'))")
    if len(lines) == 2:
        lines.append("    return None")
    namespace: dict[str, Callable[[list[str], list[ElementProblem]], None] | type[ElementProblem]] = {
        "EP": ElementProblem
    }
    exec("\n".join(lines), namespace)  # source built above from the dictionary's rule table only
    function = namespace["rules_check"]
    assert not isinstance(function, type)
    return function


@functools.cache
def checker_for(segment_id: str) -> SegmentChecker | None:
    """The compiled checker of a segment id, None for segments the dictionary does not describe."""
    sdef = segment_def(segment_id)
    return SegmentChecker(sdef) if sdef is not None else None
