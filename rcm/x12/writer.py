"""The X12 writer: transaction sets wrapped in GS/GE and ISA/IEA with right counts and control numbers, and
whole files written back out (with other delimiters if asked) for round trips.

Element values are checked: a value holding a delimiter, an over-long ISA field or a control number out of
range raises ``X12WriteError`` naming the segment and element (never the value: it may be PHI).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import time as Time

from rcm.x12.errors import X12WriteError
from rcm.x12.reader import Transaction, X12File
from rcm.x12.tokenizer import Delimiters, Segment

__all__ = [
    "GroupOut",
    "Repeats",
    "TransactionOut",
    "render_segment",
    "write_file",
    "write_interchange",
    "write_transaction_segments",
]

class Repeats(tuple[str | list[str], ...]):
    """A repeated element (joined with the repetition separator); each repeat a value or a composite."""

    __slots__ = ()


ElementValue = str | list[str] | Repeats


@dataclass(slots=True)
class TransactionOut:
    """A transaction set to write: ST01, ST02 and the segments between ST and SE, each ``[id, el1, el2...]``
    (a composite element as ``list[str]``, a repeated element as ``Repeats``).  ST and SE are added."""

    set_id: str
    control_number: str
    segments: list[list[ElementValue]]
    implementation: str | None = None  # ST03; defaults to the group's version


@dataclass(slots=True)
class GroupOut:
    """A functional group: GS01 functional id (HC, HP, FA, HS...), parties, GS06 control number, version."""

    functional_id: str
    sender_id: str
    receiver_id: str
    control_number: int
    version: str
    date: Date
    time: Time | str
    transactions: list[TransactionOut] = field(default_factory=list)


def _check(value: str, delims: Delimiters, where: str, *, allow_component: bool = False,
           allow_repetition: bool = False) -> None:
    bad = [delims.element, delims.segment]
    if not allow_component:
        bad.append(delims.component)
    if delims.repetition and not allow_repetition:
        bad.append(delims.repetition)
    for ch in bad:
        if ch and ch in value:
            raise X12WriteError(f"{where}: value contains a delimiter character ({ch!r})")


def _element(value: ElementValue, delims: Delimiters, where: str) -> str:
    if isinstance(value, Repeats):
        if not delims.repetition:
            raise X12WriteError(f"{where}: repeated element but no repetition separator")
        return delims.repetition.join(_element(v, delims, where) for v in value)
    if isinstance(value, list):
        for v in value:
            _check(v, delims, where)
        return delims.component.join(value).rstrip(delims.component)
    _check(value, delims, where)
    return value


def render_segment(segment: Sequence[ElementValue], delims: Delimiters, *, number: int | None = None) -> str:
    """One segment as text (without terminator); trailing empty elements are dropped."""
    if not segment or not isinstance(segment[0], str) or not segment[0]:
        raise X12WriteError(f"segment {number or '?'}: a segment starts with its id")
    sid = segment[0]
    parts = [sid]
    for i, value in enumerate(segment[1:], start=1):
        parts.append(_element(value, delims, f"segment {number or '?'} {sid}{i:02d}"))
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return delims.element.join(parts)


def _date8(d: Date) -> str:
    return d.strftime("%Y%m%d")


def _hhmm(t: Time | str) -> str:
    if isinstance(t, Time):
        return t.strftime("%H%M")
    if not (t.isdecimal() and len(t) in (4, 6, 8)):
        raise X12WriteError("time must be HHMM, HHMMSS or HHMMSSDD")
    return t


def _fixed(value: str, width: int, name: str, delims: Delimiters) -> str:
    if len(value) > width:
        raise X12WriteError(f"{name} is longer than its fixed width {width}")
    _check(value, delims, name)
    return value.ljust(width)


def _delimiters_distinct(delims: Delimiters) -> None:
    chars = [delims.element, delims.component, delims.segment] + ([delims.repetition] if delims.repetition else [])
    if any(len(c) != 1 for c in chars) or len(set(chars)) != len(chars):
        raise X12WriteError("delimiters must be four (or three) distinct single characters")
    if any(c.isalnum() or c == " " for c in chars):
        raise X12WriteError("delimiters cannot be letters, digits or spaces")


def write_interchange(
    *,
    sender_qualifier: str,
    sender_id: str,
    receiver_qualifier: str,
    receiver_id: str,
    control_number: int,
    date: Date,
    time: Time | str,
    usage: str = "P",
    ack_requested: str = "0",
    groups: Sequence[GroupOut],
    delimiters: Delimiters | None = None,
    newline: bool = False,
) -> bytes:
    """One ISA..IEA interchange with its groups and transaction sets, counts and control numbers filled in."""
    d = delimiters or Delimiters.default()
    _delimiters_distinct(d)
    if not 0 < control_number <= 999_999_999:
        raise X12WriteError(f"ISA13 control number {control_number} is outside 1..999999999")
    if usage not in ("P", "T", "I"):
        raise X12WriteError("ISA15 usage must be P, T or I")
    if ack_requested not in ("0", "1"):
        raise X12WriteError("ISA14 acknowledgment requested must be 0 or 1")
    isa13 = f"{control_number:09d}"
    isa = [
        "ISA", "00", " " * 10, "00", " " * 10,
        _fixed(sender_qualifier, 2, "ISA05", d), _fixed(sender_id, 15, "ISA06", d),
        _fixed(receiver_qualifier, 2, "ISA07", d), _fixed(receiver_id, 15, "ISA08", d),
        date.strftime("%y%m%d"), _hhmm(time)[:4], d.repetition or "U", "00501" if d.repetition else "00401",
        isa13, ack_requested, usage, d.component,
    ]
    term = d.segment + ("\n" if newline and d.segment != "\n" else "")
    out: list[str] = [d.element.join(isa)]
    for g in groups:
        out.extend(_group_lines(g, d))
    out.append(d.element.join(["IEA", str(len(groups)), isa13]))
    return (term.join(out) + term).encode("utf-8")


def _group_lines(g: GroupOut, d: Delimiters) -> list[str]:
    if not 0 < g.control_number <= 999_999_999:
        raise X12WriteError(f"GS06 control number {g.control_number} is outside 1..999999999")
    lines = [render_segment(
        ["GS", g.functional_id, g.sender_id, g.receiver_id, _date8(g.date), _hhmm(g.time), str(g.control_number),
         "X", g.version], d,
    )]
    seen: set[str] = set()
    for t in g.transactions:
        if t.control_number in seen:
            raise X12WriteError(f"ST02 control number {t.control_number} used twice in group {g.control_number}")
        seen.add(t.control_number)
        lines.extend(write_transaction_segments(t, d, version=g.version))
    lines.append(d.element.join(["GE", str(len(g.transactions)), str(g.control_number)]))
    return lines


def write_transaction_segments(t: TransactionOut, delimiters: Delimiters, *, version: str = "") -> list[str]:
    """ST, the transaction's segments and SE (with SE01 counted) as text lines without terminators."""
    cn = t.control_number
    if not (4 <= len(cn) <= 9 and cn.isalnum()):
        raise X12WriteError(f"ST02 control number {cn!r} must be 4 to 9 letters or digits")
    st: list[ElementValue] = ["ST", t.set_id, cn]
    implementation = t.implementation if t.implementation is not None else version
    if implementation:
        st.append(implementation)
    lines = [render_segment(st, delimiters, number=1)]
    for i, s in enumerate(t.segments, start=2):
        if s and s[0] in ("ST", "SE"):
            raise X12WriteError(f"segment {i}: ST and SE are added by the writer")
        lines.append(render_segment(s, delimiters, number=i))
    lines.append(delimiters.element.join(["SE", str(len(lines) + 1), cn]))
    return lines


# ------------------------------------------------------------------------------- round trips


def _rewrite(seg: Segment, d: Delimiters) -> str:
    if seg.id == "ISA":
        els = list(seg.elements)
        if len(els) >= 16:
            els[10] = d.repetition or (els[10] if els[10].isalnum() else "U")
            els[15] = d.component
        for i, v in enumerate(els, start=1):
            if i not in (11, 16):
                _check(v, d, f"segment {seg.number} ISA{i:02d}")
        return d.element.join(["ISA", *els])
    src = seg.delimiters
    out = [seg.id]
    for i, value in enumerate(seg.elements, start=1):
        where = f"segment {seg.number} {seg.id}{i:02d}"
        if src != d:
            reps = value.split(src.repetition) if src.repetition and src.repetition in value else [value]
            rendered = []
            for r in reps:
                comps = r.split(src.component) if src.component in r else [r]
                for c in comps:
                    _check(c, d, where)
                rendered.append(d.component.join(comps))
            if len(rendered) > 1 and not d.repetition:
                raise X12WriteError(f"{where}: repeated element but no repetition separator")
            value = (d.repetition or "").join(rendered)
        else:
            _check(value, d, where, allow_component=True, allow_repetition=True)
        out.append(value)
    return d.element.join(out)


def _file_segments(source: X12File) -> list[Segment]:
    """Every segment the file's interchanges hold, back in file order (TA1s may sit before or after groups)."""
    out: list[Segment] = list(source.stray)
    for ic in source.interchanges:
        out.extend(s for s in (ic.isa, ic.trailer) if s is not None)
        out.extend(ic.services)
        out.extend(ic.acknowledgments)
        for g in ic.groups:
            out.extend(s for s in (g.gs, g.trailer) if s is not None)
            for t in g.transactions:
                out.extend(t.segments)
    out.sort(key=_number)
    return out


def _number(seg: Segment) -> int:
    return seg.number


def write_file(
    source: X12File | Iterable[Transaction],
    delimiters: Delimiters | None = None,
    *,
    newline: bool = False,
) -> bytes:
    """Write a file read with ``read_file`` (envelopes included) or bare transactions back out as X12.

    With ``delimiters`` the content is re-delimited (components and repetitions too); the ISA's
    ISA11/ISA16 follow.  Counts and control numbers are written as they were read.
    """
    if isinstance(source, X12File):
        d = delimiters or source.delimiters
        segments: Iterable[Segment] = _file_segments(source)
    else:
        txs = list(source)
        d = delimiters or (txs[0].delimiters if txs else Delimiters.default())
        segments = (s for t in txs for s in t.segments)
    _delimiters_distinct(d)
    term = d.segment + ("\n" if newline and d.segment != "\n" else "")
    return "".join(_rewrite(s, d) + term for s in segments).encode("utf-8")
