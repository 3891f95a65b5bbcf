"""Delimiters: the four X12 separators, read from an ISA (fixed width or not, wrapped or not) or sniffed
from a bare GS/ST, and the layout checks the tokenizer uses to pick its fast path."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Delimiters", "clean_separator", "delimiters_from_isa", "find_start", "holds_isa", "stray_line_breaks"]


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The four X12 separators of one interchange (repetition is None before 5010)."""

    element: str
    repetition: str | None
    component: str
    segment: str

    @classmethod
    def default(cls) -> Delimiters:
        return cls("*", "^", ":", "~")


# --------------------------------------------------------------------------------------------- sniffing

# A separator is any character but a letter, a digit, a blank, a line end or the padding the tokenizer strips:
# control characters (0x1C-0x1F, BEL, TAB) serve as separators in some senders' files.
_NOT_SEPARATOR = " \r\n\x00\x0b\x0c\x1a"
_SEP = r"[^A-Za-z0-9 \r\n\x00\x0b\x0c\x1a]"
_ENVELOPE_START = re.compile(r"(?:^|(?<=[^A-Za-z0-9]))(ISA|GS|ST)(" + _SEP + ")")
_COMPOSITE_HINT = r"(?:HC|AD|ER|IV|N4|NU|WK|ABK|ABF|ABJ|APR|BK|BF|BJ|BE|BG|BH|BI|BN|BP|BR|DR|ZZ|LOI)"
_SAFE_IN_ENVELOPE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-_/()&,@#+")


def _is_separator(c: str) -> bool:
    return not c.isalnum() and c not in _NOT_SEPARATOR


def delimiters_from_isa(text: str, start: int) -> tuple[Delimiters, int] | None:
    """Delimiters of the ISA beginning at ``text[start]``, and the index just past its terminator.

    The ISA is located by counting its 16 element separators, so non-fixed-width ISAs read too.
    Returns None when the text is not a (complete) ISA.
    """
    e = text[start + 3 : start + 4]
    if not e or not _is_separator(e):
        return None
    j = start + 3
    for _ in range(15):
        j = text.find(e, j + 1, start + 400)
        if j < 0:
            return None
    if j + 2 >= len(text):
        return None
    if "\n" in text[start:j] or "\r" in text[start:j]:
        # An ISA wrapped across lines (fixed-width line files): read it with the line breaks taken out.
        cleaned = text[start : start + 400].replace("\r", "").replace("\n", "")
        if "\n" in cleaned or "\r" in cleaned:
            return None
        found = delimiters_from_isa(cleaned, 0)
        if found is None or found[0].segment in "\r\n":
            return None
        after = text.find(found[0].segment, j)
        return (found[0], after + 1) if after >= 0 else None
    component, term = text[j + 1], text[j + 2]
    end = j + 3
    if component in "\r\n":  # ISA16 missing: the line end terminates
        component, term, end = ":", component, j + 2
    elif _isa16_left_out(text, j, e):
        component, term, end = (":" if component != ":" else ">"), component, j + 2
    if term in " \t":
        # Blanks after ISA16 ("...*P*: ~", "...*P*: " then a line end): padding before the real terminator, when
        # a separator or a line end follows them (a blank terminating the segments is followed by the next id).
        k = end
        while text[k : k + 1] in (" ", "\t"):
            k += 1
        c = text[k : k + 1]
        if c and (c in "\r\n" or (_is_separator(c) and c not in (e, component))):
            term, end = c, k + 1
    if term == "\r" and text[end : end + 1] == "\n":
        term = "\n"
        end += 1
    if term in (e, component):
        return None
    fields = text[start:j].split(e)
    if not _isa_shaped(fields, j - start):
        return None
    rep_field = fields[11] if len(fields) > 12 else ""
    version = fields[12] if len(fields) > 12 else ""
    repetition: str | None = None
    usable = len(rep_field) == 1 and _is_separator(rep_field)
    if usable and version >= "00402" and rep_field not in (e, component, term):
        repetition = rep_field
    return Delimiters(e, repetition, component, term), end


_NEXT_SEGMENT = re.compile(r"[A-Z][A-Z0-9]{1,2}")


def _isa16_left_out(text: str, j: int, e: str) -> bool:
    """Whether the character after the ISA's 16th separator (``text[j]``) is the segment terminator, ISA16
    having been left out ("...*P*~GS*..."): the next segment starts right after it, or, with a line break
    after it, the next line ends with it too (as every segment does)."""
    c1 = text[j + 1]
    if c1 == e or not _is_separator(c1):
        return False
    rest = text[j + 2 : j + 2 + 400]
    if rest[:1].isalnum():
        m = _NEXT_SEGMENT.match(rest)
        return m is not None and rest[m.end() : m.end() + 1] == e
    if rest[:1] not in ("\r", "\n"):
        return False
    line = rest.lstrip("\r\n").split("\n", 1)[0].rstrip("\r \t")
    m = _NEXT_SEGMENT.match(line)
    return m is not None and line[m.end() : m.end() + 1] == e and line.endswith(c1)


# An ISA is 106 characters; senders that pad nothing or too much stay well under this.
_ISA_MAX_WIDTH = 250


def _isa_shaped(fields: list[str], width: int) -> bool:
    """Whether the 16 elements found after an "ISA" can be one: not longer than any ISA, ISA01 an
    authorization qualifier (two characters at most), ISA14 and ISA15 one character each, so prose or a
    table row naming "ISA," is not one."""
    if width > _ISA_MAX_WIDTH or len(fields) < 16:
        return False
    qualifier = fields[1].strip()
    if len(qualifier) > 2 or (qualifier and not qualifier.isalnum()):
        return False
    return len(fields[14].strip()) <= 1 and len(fields[15].strip()) <= 1


def _sniff_bare(text: str, start: int, e: str) -> Delimiters | None:
    """Guess delimiters for a GS or ST segment that has no ISA before it."""
    i = start + 3
    n = len(text)
    while i < n and (text[i] == e or text[i] in _SAFE_IN_ENVELOPE):
        i += 1
    if i >= n:
        return None
    term = text[i]
    if term in "\r\n":
        term = "\n"
    window = text[start : start + 20000]
    component = ":"
    excluded = re.escape(e + term)
    hint = re.search(re.escape(e) + _COMPOSITE_HINT + r"([^A-Za-z0-9 \r\n" + excluded + "])", window)
    if hint:
        component = hint.group(1)
    repetition: str | None = None
    if "00501" in window and component != "^" and term != "^" and e != "^":
        repetition = "^"
    return Delimiters(e, repetition, component, term)


# A bare GS or ST must look like one before its delimiters are guessed: GS01 a two-letter functional identifier,
# ST01 a three-character set identifier and ST02 a control number.  Prose ("ST. LOUIS", "GS-1 barcode") and
# other formats (HL7's "ST|", CSV) are not X12.
_BARE_GS = re.compile(r"GS(?P<e>" + _SEP + r")[A-Z]{2}(?P=e)")
_BARE_ST = re.compile(r"ST(?P<e>" + _SEP + r")[A-Z0-9]{3}(?P=e)[A-Za-z0-9]{1,20}(?![A-Za-z0-9])")


def _bare_header(text: str, start: int, group: str) -> bool:
    pattern = _BARE_GS if group == "GS" else _BARE_ST
    return pattern.match(text, start) is not None


def find_start(text: str) -> tuple[int, Delimiters] | None:
    """Where the next interchange (or bare group/transaction) starts, and its delimiters."""
    for m in _ENVELOPE_START.finditer(text):
        if m.group(1) == "ISA":
            found = delimiters_from_isa(text, m.start())
            if found is not None:
                return m.start(), found[0]
        elif _bare_header(text, m.start(), m.group(1)):
            d = _sniff_bare(text, m.start(), m.group(2))
            if d is not None:
                return m.start(), d
    return None


# Control characters the tokenizer strips around segments besides blanks and line ends (see tokenizer._WS).
_STRIPPED_CONTROLS = ("\x00", "\x0b", "\x0c", "\x1a")


def clean_separator(text: str, term: str) -> str | None:
    """The separator to split ``text`` on without stripping anything, or None when the text needs care:
    ``term`` when there are no line breaks, ``term`` + line break when one follows every terminator."""
    if "\t" in text or text[:1] in (" ", "\n", "\r") or (" " + term) in text:
        return None
    if any(c in text for c in _STRIPPED_CONTROLS):
        return None  # form feeds (printed pages), NUL or ^Z padding: stripped on the careful path
    if term in ("\n", "\r"):
        if term == "\n" and "\r" not in text and "\n\n" not in text and "\n " not in text:
            return term
        return None
    lf = text.count("\n")
    if not lf:
        return None if "\r" in text or (term + " ") in text else term
    terms = text.count(term)
    if terms != lf and not (terms == lf + 1 and text.endswith(term)):
        return None  # some terminators are not followed by a line break
    for sep in (term + "\r\n", term + "\n"):
        if text.count(sep) == lf:
            cr = text.count("\r")
            if cr == (lf if sep.endswith("\r\n") else 0) and (sep + " ") not in text:
                return sep
            return None
    return None


def stray_line_breaks(text: str, term: str) -> bool:
    """Whether line breaks occur anywhere but right after a segment terminator (wrapped or odd files)."""
    if term in "\r\n":
        return False
    lf = text.count("\n")
    cr = text.count("\r")
    if not lf and not cr:
        return False
    return lf != text.count(term + "\n") + text.count(term + "\r\n") or cr != text.count(term + "\r")


def holds_isa(text: str, at: int, piece: str) -> bool:
    """Whether a real ISA starts somewhere in ``piece`` (which begins at ``text[at]``)."""
    k = piece.find("ISA")
    while k >= 0:
        if delimiters_from_isa(text, at + k) is not None:
            return True
        k = piece.find("ISA", k + 1)
    return False
