"""X12 validation (SNIP levels 1-2 plus balancing) for every transaction set we read, as Findings.

validate_transaction(tx)   envelope + loop structure + elements + guide rules + balancing of one set
validate_file(source)      every transaction of a file, plus the envelope findings outside them;
                           with ``pyx12=True`` pyx12's own findings are merged in where it has a map
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rcm.collector import collector_paused
from rcm.x12.balancing import check_835, check_837
from rcm.x12.errors import UnknownTransactionError
from rcm.x12.findings import Finding
from rcm.x12.validation.elements import ElementProblem, SegmentChecker, checker_for, describe
from rcm.x12.validation.guide import check_envelope_elements, check_guide_rules
from rcm.x12.validation.usage import check_required_usage

if TYPE_CHECKING:
    from rcm.x12.engine import Loop
    from rcm.x12.reader import Transaction

__all__ = ["CODE_CHECKED_SETS", "sort_findings", "validate_file", "validate_transaction"]

# Sets whose guides' code lists the dictionary carries (other sets get type and length checks only).
CODE_CHECKED_SETS = frozenset({"837", "835", "270", "271", "276", "277", "999", "997"})

_ELEMENT_CODES = {
    "1": "element_missing",
    "2": "conditional_element_missing",
    "3": "too_many_elements",
    "4": "element_too_short",
    "5": "element_too_long",
    "6": "invalid_character",
    "7": "invalid_code",
    "8": "invalid_date",
    "9": "invalid_time",
    "10": "exclusion_violated",
    "12": "too_many_repeats",
    "13": "too_many_components",
}


def _loop_index(tree: Loop) -> dict[int, str]:
    index: dict[int, str] = {}
    stack = [tree]
    while stack:
        loop = stack.pop()
        for seg in loop.segments:
            index[seg.number] = loop.id
        stack.extend(loop.children)
    return index


_CLEAN: list[ElementProblem] = []  # shared, never appended to


def _element_findings(tx: Transaction, codes: int) -> list[Finding]:
    problems: list[tuple[int, str, ElementProblem]] = []
    trailing: dict[str, int] = {}  # first segment of each id that ends with empty elements
    if not tx.segments:
        return []
    d = tx.segments[0].delimiters
    element, component, repetition = d.element, d.component, d.repetition
    # per segment id: (checker, fast pattern, whether anything remains after a fast match, memo by text)
    plans: dict[str, tuple[SegmentChecker, re.Pattern[str] | None, bool, dict[str, list[ElementProblem]]] | None] = {}
    for seg in tx.segments:
        sid = seg.id
        try:
            plan = plans[sid]
        except KeyError:
            checker = checker_for(sid)
            plan = plans[sid] = (
                None
                if checker is None
                else (
                    checker,
                    checker.fast_pattern(element, component, repetition, codes),
                    bool(checker.rules) or checker.period is not None,
                    {},
                )
            )
        if plan is None:
            continue
        els = seg.elements
        if els and not els[-1] and sid not in trailing:
            trailing[sid] = seg.number
        checker, fast, more, memo = plan
        found: list[ElementProblem] | None
        if seg.delimiters is not d:  # another interchange's delimiters inside one transaction: no shortcuts
            sd = seg.delimiters
            found = checker.check_fast(els, sd.element, sd.component, sd.repetition, codes)
        else:
            # Every check depends on the segment's text only, and texts repeat (dates, qualifier pairs, line
            # numbers, common procedures): each distinct text is checked once per transaction.
            text = element.join(els)
            found = memo.get(text)
            if found is None:
                if fast is not None and fast.fullmatch(text) is not None:
                    found = checker.post_checks(els) if more else _CLEAN
                else:
                    found = checker.check(els, component, repetition, codes)
                if len(memo) > 8192:
                    memo.clear()
                memo[text] = found
        if found:
            problems.extend((seg.number, sid, p) for p in found)
    notes = [
        Finding(
            "warning",
            "trailing_separators",
            f"{sid} ends with empty elements (trailing element separators should be suppressed)",
            number,
            transaction=tx.control_number,
            segment_id=sid,
        )
        for sid, number in trailing.items()
    ]
    if not problems:
        return notes
    loops: dict[int, str] = {}
    with contextlib.suppress(UnknownTransactionError):
        loops = _loop_index(tx.tree)
    return notes + [
        Finding(
            "error",
            _ELEMENT_CODES.get(p.ik4_code, "element_error"),
            describe(sid, p),
            number,
            transaction=tx.control_number,
            segment_id=sid,
            loop=loops.get(number),
            element=p.element,
            component=p.component,
            ik3_code="8",
            ik4_code=p.ik4_code,
        )
        for number, sid, p in problems
    ]


def _before_4010(version: str) -> bool:
    """Whether a version (ST03/GS08: 002001, 003050...) predates 004010, whose element dictionary we check
    against: earlier versions wrote dates as YYMMDD and sized many elements differently, so the element
    checks would report valid data."""
    head = version.strip()[:6]
    return len(head) == 6 and head.isdigit() and head < "004010"


def _version_head(version: str) -> str | None:
    """The six-digit version/release of ST03/GS08 (004010, 005010...), also from the short forms senders write
    ("4010", "00401"); None when the version does not start with digits."""
    v = version.strip()
    digits = len(v) - len(v.lstrip("0123456789"))
    head = v[:digits]
    if digits >= 6:
        return head[:6]
    if digits == 5:  # ISA12 style: 00401, 00501
        return head + "0"
    if digits == 4:  # 4010, 5010
        return "00" + head
    return None


def _checked_against_later_guide(tx: Transaction) -> bool:
    """Whether this transaction's loops would be checked against the map of a 5010 guide although it says it
    follows an earlier version (a 4010 837 read with the X222 map reports 4010's DMG in 2320 or PRV in 2310A
    as unexpected).  Only loop maps written for a 5010 guide count: a 4010 997 has its own map."""
    from rcm.x12.sets.registry import lookup

    head = _version_head(tx.version)
    if head is None or head >= "005010":
        return False
    entry = lookup(tx.set_id, tx.guide)
    return entry is not None and entry.guide.startswith("005010")


# What a 5010 loop map reports about a 4010 transaction only because the guides differ: segments 4010 had where
# 5010 dropped them (DMG in 837 2320, PRV in 2310A, REF*87 in the header...), segments 5010 no longer uses at all,
# qualifiers 5010 narrowed, and 4010's segment order.  A required segment or loop that is missing, or too many
# repeats, were errors under 4010 too and stay errors.
_LENIENT_4010 = frozenset({"unexpected_segment", "unknown_segment", "unexpected_qualifier", "segment_out_of_order"})
_REPEATS = frozenset({"loop_repeat_exceeded", "segment_repeat_exceeded"})


def _leniently(tx: Transaction) -> list[Finding]:
    """The envelope and structure findings of a pre-5010 transaction read with a 5010 loop map: what only the
    newer guide rules out becomes a warning, and one warning says whose loop map it was.

    Leniency stops where the 5010 map could not tell the loop: a segment whose qualifier 5010 does not list
    (4010's NM1*FA service facility in an 837I) opens the first loop of its id, and segments found unexpected
    in that guessed loop stay errors; only the repeat count that opening exceeded is excused."""
    structural = set(tx.structure_findings)
    openers = {f.segment for f in structural if f.code == "unexpected_qualifier"}
    guessed: set[int] = set()
    if openers:
        stack = [tx.tree]
        while stack:
            loop = stack.pop()
            if loop.segments and loop.segments[0].number in openers:
                inner = [loop]
                while inner:
                    sub = inner.pop()
                    guessed.update(seg.number for seg in sub.segments)
                    inner.extend(sub.children)
            else:
                stack.extend(loop.children)

    def excused(f: Finding) -> bool:
        if f.severity != "error" or f not in structural:
            return False
        if f.code in _REPEATS:
            return f.segment in openers
        return f.code in _LENIENT_4010 and f.segment not in guessed

    out = [
        dataclasses.replace(f, severity="warning", message=f"{f.message} (5010 loop map)") if excused(f) else f
        for f in tx.findings
    ]
    out.append(
        Finding(
            "warning",
            "older_guide_version",
            f"version {tx.version.strip()[:12]} is older than the 5010 implementation guide whose loop map "
            "checked it: segments only 5010 rules out are warnings",
            tx.first_segment,
            transaction=tx.control_number,
            segment_id="ST",
        )
    )
    return out


def validate_transaction(tx: Transaction) -> list[Finding]:
    """Every finding about one transaction set: envelope (SE), structure (loop engine), elements, guide rules
    and balancing, in segment order.

    A transaction of a version before 5010 whose set we only have 5010 loop maps for (4010 837, 835, 270/271,
    276/277) is matched leniently against the 5010 map (see ``_leniently``)."""
    out: list[Finding] = []
    older = _checked_against_later_guide(tx)
    try:
        tx.tree  # noqa: B018 - building the tree adds the structure findings to tx.findings
    except UnknownTransactionError:
        out.append(
            Finding(
                "warning",
                "unknown_transaction_set",
                f"no loop description for transaction set {tx.set_id[:6]} {tx.version[:12]}: "
                "loop structure not checked",
                tx.first_segment,
                transaction=tx.control_number,
                segment_id="ST",
            )
        )
    if older:
        out.extend(_leniently(tx))
    else:
        out.extend(tx.findings)
    codes = 0 if tx.set_id not in CODE_CHECKED_SETS else 2 if _version_head(tx.version) == "005010" else 1
    if not _before_4010(tx.version):
        out.extend(_element_findings(tx, codes))
    group = tx.group
    rules = check_guide_rules(
        tx.set_id,
        tx.guide,
        tx.control_number,
        tx.segments,
        group.functional_id if group is not None else None,
    )
    rules.extend(check_required_usage(tx.guide, tx.control_number, tx.segments))
    if tx.set_id == "837":
        rules.extend(check_837(tx))
    elif tx.set_id == "835":
        rules.extend(check_835(tx))
    out.extend(_with_loops(tx, rules))
    return sort_findings(out)


def _with_loops(tx: Transaction, findings: list[Finding]) -> list[Finding]:
    """Guide-rule findings located in their loop (a 999's IK303 names it)."""
    if not findings:
        return findings
    try:
        loops = _loop_index(tx.tree)
    except UnknownTransactionError:
        return findings
    return [
        dataclasses.replace(f, loop=loops.get(f.segment)) if f.loop is None and f.segment is not None else f
        for f in findings
    ]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in file order (those without a segment last), duplicates dropped."""
    unique = list(dict.fromkeys(findings))
    return sorted(unique, key=lambda f: (f.segment is None, f.segment or 0))


def validate_file(source: str | Path | bytes | BinaryIO, *, pyx12: bool = False) -> list[Finding]:
    """Validate every transaction of a file.  Raises NotX12Error when the file cannot be read as X12."""
    from rcm.x12.reader import read_transactions

    if pyx12 and not isinstance(source, str | Path | bytes):
        source = source.read()
    reader = read_transactions(source)
    out: list[Finding] = []
    # Segments, loop trees and findings hold no reference cycles: reference counting frees them, and the cyclic
    # collector would only rescan millions of live young objects.
    with collector_paused():
        for tx in reader:
            out.extend(validate_transaction(tx))
    out.extend(reader.findings)  # envelope findings (those on transactions are dropped as duplicates)
    out.extend(check_envelope_elements(reader.interchanges))
    if pyx12:
        out.extend(_pyx12(source))
    return sort_findings(out)


def _pyx12(source: str | Path | bytes | BinaryIO) -> list[Finding]:
    from rcm.x12.pyx12_oracle import pyx12_findings

    assert isinstance(source, str | Path | bytes)
    if isinstance(source, str):  # a str is a path unless it holds the X12 text itself
        try:
            is_file = Path(source).is_file()
        except (OSError, ValueError):
            is_file = False
        if not is_file:
            source = source.encode("utf-8")
    report = pyx12_findings(source)
    if report.failed:
        return [Finding("warning", "pyx12_failed", f"pyx12 could not validate this file ({report.failed})")]
    if not report.mapped:
        return [Finding("warning", "pyx12_no_map", "pyx12 has no map for this file's implementation guide")]
    return report.findings
