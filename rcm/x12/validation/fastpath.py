"""A fast path for element validation: one compiled regular expression per segment id (and delimiters) that
only clean segments match.  It is stricter than the full checks (a day after the 28th, a decimal at its
longest, a separator inside free text all fall through; quantifiers are possessive, so the engine never
backtracks), so a match proves the segment clean of everything
but syntax rules and date periods, which the caller still checks; a miss sends the segment to the full checks.
"""

from __future__ import annotations

import re

from rcm.x12.dictionary import ElementDef, SegmentDef

__all__ = ["segment_pattern"]

_DATE8 = r"(?:1[89]|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|1\d|2[0-8])"
_TIME = r"(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d\d{0,2})?"


def _value(e: ElementDef, forbidden: str, codes: int) -> str | None:
    """The pattern of one non-empty value of ``e``; None when it cannot be expressed (then: never fast)."""
    if e.codes is not None and codes and (codes > 1 or not e.codes_5010_only):
        return "(?:" + "|".join(re.escape(c) for c in sorted(e.codes, key=len, reverse=True)) + ")"
    t = e.data_type
    if t in ("AN", "ID"):
        return f"[^{forbidden}]{{{max(e.min_length, 1)},{e.max_length}}}+"
    if t == "R":
        return rf"-?(?=[\d.]{{1,{e.max_length}}}(?![\d.]))(?:\d+\.?\d*|\.\d+)"
    if t[0] == "N":
        return rf"-?\d{{{max(e.min_length, 1)},{e.max_length}}}+"
    if t == "DT":
        return _DATE8 if e.min_length == 8 else None
    if t == "TM":
        return _TIME
    return None


def _element(e: ElementDef | None, element: str, component: str, repetition: str | None, codes: int) -> str | None:
    """The pattern of one element (empty allowed unless mandatory)."""
    if e is None:
        return f"[^{re.escape(element)}]*+"
    forbidden = re.escape(element + component + (repetition or ""))
    if e.components:
        if any(c.name.startswith("date time period") for c in e.components):
            parts = [c for c in e.components if not c.name.startswith("date time period")]
            last = parts[-1].position if parts else 0
            comps = [c for c in e.components if c.position <= last]
        else:
            comps = list(e.components)
        pattern = _chain([(c, _value(c, forbidden, codes)) for c in comps], re.escape(component), comps[-1].position)
        if pattern is None:
            return None
    else:
        pattern = _value(e, forbidden, codes)
        if pattern is None:
            return None
        if e.max_repeats > 1 and repetition:
            pattern = f"{pattern}(?:{re.escape(repetition)}{pattern}){{0,{e.max_repeats - 1}}}"
    return pattern if e.usage == "M" else f"(?:{pattern})?+"


def _chain(parts: list[tuple[ElementDef, str | None]], separator: str, last: int) -> str | None:
    """Composite components in order: the mandatory ones present, trailing optional ones may be cut off."""
    by_position = {c.position: (c, p) for c, p in parts}
    required_until = max((c.position for c, _ in parts if c.usage == "M"), default=1)
    pieces: list[str] = []
    for position in range(1, last + 1):
        c, p = by_position.get(position, (None, None))
        if c is None:
            piece = f"[^{separator}]{{0}}"  # an undescribed component must be empty
        elif p is None:
            return None
        else:
            piece = p if c.usage == "M" else f"(?:{p})?+"
        pieces.append(piece)
    head = separator.join(pieces[:required_until])
    tail = ""
    for piece in reversed(pieces[required_until:]):
        tail = f"(?:{separator}{piece}{tail})?+"
    return head + tail


def segment_pattern(
    sdef: SegmentDef, element: str, component: str, repetition: str | None, codes: int
) -> re.Pattern[str] | None:
    """The fast-path pattern of a segment's elements joined by ``element`` (None: no fast path)."""
    by_position = {e.position: e for e in sdef.elements}
    last = max(by_position)
    pieces: list[str] = []
    for position in range(1, last + 1):
        piece = _element(by_position.get(position), element, component, repetition, codes)
        if piece is None:
            return None
        pieces.append(piece)
    required_until = max((e.position for e in sdef.elements if e.usage == "M"), default=1)
    sep = re.escape(element)
    head = sep.join(pieces[:required_until])
    tail = ""
    for piece in reversed(pieces[required_until:]):
        tail = f"(?:{sep}{piece}{tail})?+"
    try:
        return re.compile(head + tail)
    except (re.error, RecursionError):
        return None
