"""Streaming X12 tokenizer: bytes in any common encoding to positioned segments, delimiters read from each ISA.

Memory stays flat: the input is read in chunks and split with ``str.split``; only the unfinished tail of a
chunk is carried over.  Works on fixed- and non-fixed-width ISAs, prose before or between interchanges, bare
GS/ST files without an ISA (delimiters sniffed), BOMs, UTF-8/Latin-1/UTF-16, and any whitespace between segments.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from rcm.x12._speed import with_python_methods
from rcm.x12.delimiters import (
    Delimiters,
    delimiters_from_isa,
    find_start,
    holds_isa,
    stray_line_breaks,
)
from rcm.x12.delimiters import clean_separator as python_clean_separator
from rcm.x12.errors import NotX12Error

__all__ = [
    "ENVELOPE_IDS",
    "Delimiters",
    "Segment",
    "delimiters_from_isa",
    "iter_segment_batches",
    "iter_segments",
    "source_name",
]

CHUNK_SIZE = 1 << 20
# Segment by segment, small batches keep the few live segments in the CPU caches; readers that keep the
# segments of a whole transaction anyway take the big batches.
SEGMENT_CHUNK_SIZE = 1 << 14
# How much text we read looking for the first ISA/GS/ST before calling the input "not X12".
_SNIFF_LIMIT = 4 << 20
# Chunk size once interchanges change delimiters (or prose separates them) in mid-file: each change re-splits
# the text read but not yet turned into segments, so that text is kept short (a file of thousands of such
# interchanges would otherwise be re-split a megabyte at a time, quadratically).
_RESEEK_CHUNK = 1 << 12
# Text wanted after an envelope start before its delimiters are taken (the ISA, its terminator, the next segment).
_LOOKAHEAD = 1024
# Characters stripped around segments: indentation, line ends, NULs and the old DOS end-of-file mark.
_WS = " \t\r\n\x00\x1a\x0b\x0c"


_DEFAULT = Delimiters.default()
# The segments that open, close or interrupt an interchange, group or transaction set.
ENVELOPE_IDS = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})


class Segment:
    """One segment: ``id``, ``elements`` (after the id: ``elements[0]`` is XX01), ``number`` (1-based in the
    file) and ``offset`` (byte offset in the file); ``delimiters`` are the ones it was read with."""

    __slots__ = ("delimiters", "elements", "id", "number", "offset")

    def __init__(
        self,
        id: str,
        elements: list[str],
        number: int = 0,
        offset: int = 0,
        delimiters: Delimiters = _DEFAULT,
    ) -> None:
        self.id = id
        self.elements = elements
        self.number = number
        self.offset = offset
        self.delimiters = delimiters

    def get(self, n: int) -> str:
        """Element ``n`` (1-based, as in CLP04), "" when absent."""
        els = self.elements
        return els[n - 1] if 0 < n <= len(els) else ""

    def components(self, n: int) -> list[str]:
        """The components of composite element ``n`` (a plain element gives a one-item list)."""
        value = self.get(n)
        return value.split(self.delimiters.component) if value else []

    def component(self, n: int, k: int) -> str:
        """Component ``k`` (1-based) of element ``n``, "" when absent."""
        value = self.get(n)
        if not value:
            return ""
        parts = value.split(self.delimiters.component)
        return parts[k - 1] if 0 < k <= len(parts) else ""

    def repeats(self, n: int) -> list[str]:
        """The repetitions of element ``n`` (split on the repetition separator when there is one)."""
        value = self.get(n)
        if not value:
            return []
        rep = self.delimiters.repetition
        return value.split(rep) if rep else [value]

    def text(self, delimiters: Delimiters | None = None) -> str:
        """The segment as X12 text without terminator (with other delimiters when asked)."""
        d = delimiters or self.delimiters
        if d is self.delimiters or d == self.delimiters:
            return d.element.join([self.id, *self.elements])
        src = self.delimiters
        out = [self.id]
        for value in self.elements:
            if src.repetition and d.repetition and src.repetition in value and self.id != "ISA":
                value = value.replace(src.repetition, d.repetition)
            if src.component in value and self.id != "ISA":
                value = value.replace(src.component, d.component)
            out.append(value)
        return d.element.join(out)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self) and not isinstance(other, Segment):
            return NotImplemented
        return self.id == other.id and self.elements == other.elements

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __repr__(self) -> str:
        return f"Segment({self.id!r}, {self.elements!r}, number={self.number}, offset={self.offset})"

    def __reduce__(self) -> tuple[type[Segment], tuple[str, list[str], int, int, Delimiters]]:
        # rebuilt as the class in use (the compiled one when it was built)
        return Segment, (self.id, self.elements, self.number, self.offset, self.delimiters)


# Methods the compiled Segment takes from the class above (``get`` it has in C).
_PYTHON_METHODS = ("components", "component", "repeats", "text", "__eq__", "__repr__", "__reduce__")


def _compiled_segment_class(python_class: type[Segment]) -> type[Segment]:
    """The compiled Segment (rcm/x12/_segments.c: number and offset kept as C integers, not tracked by the
    cyclic collector) with the methods above, when it was built; else the Python class
    (RCM_PURE_PYTHON_TOKENIZER=1 keeps the Python class and loop).  Same attributes, same behaviour: the
    tests run both."""
    if os.environ.get("RCM_PURE_PYTHON_TOKENIZER"):
        return python_class
    try:
        from rcm.x12 import _segments  # type: ignore[attr-defined]
    except ImportError:
        return python_class
    compiled: type[Segment] = _segments.segment_class(f"{__name__}.Segment", _DEFAULT)
    compiled.__hash__ = None  # type: ignore[assignment]  # mutable, compared by content
    return with_python_methods(compiled, python_class, _PYTHON_METHODS)


if not TYPE_CHECKING:
    PythonSegment = Segment
    Segment = _compiled_segment_class(Segment)


def _compiled_loop() -> Callable[..., tuple[int, int, int]] | None:
    """The compiled inner loop (rcm/x12/_segments.c: ``split_text``) when it was built and agrees with
    ``Segment``; else None (RCM_PURE_PYTHON_TOKENIZER=1 forces the Python loop)."""
    if os.environ.get("RCM_PURE_PYTHON_TOKENIZER"):
        return None
    try:
        from rcm.x12 import _segments  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        _segments.configure(Segment, ENVELOPE_IDS)
    except TypeError:
        return None
    split: Callable[..., tuple[int, int, int]] = _segments.split_text
    return split


_split_text = _compiled_loop()


def _compiled_clean_separator() -> Callable[[str, str], str | None]:
    """``clean_separator`` in one compiled pass over the text (rcm/x12/_segments.c) when it was built, falling
    back to the Python function for what the compiled one leaves to it; else the Python function."""
    if _split_text is None:
        return python_clean_separator
    from rcm.x12 import _segments  # type: ignore[attr-defined]

    compiled = _segments.clean_separator

    def clean_separator(text: str, term: str) -> str | None:
        found = compiled(text, term)
        if found is NotImplemented:
            return python_clean_separator(text, term)
        return found  # type: ignore[no-any-return]

    return clean_separator


clean_separator = _compiled_clean_separator()


def _interchange_change(
    text: str, consumed: int, lead: int, piece: str, parts: list[str], delims: Delimiters, number: int
) -> Delimiters | bool | None:
    """At a segment that may open another interchange (an ISA, or prose hiding one): True when the text must
    be re-split from here, new delimiters when only the component/repetition separators change, else None."""
    if parts[0] == "ISA":
        isa = delimiters_from_isa(text, consumed + lead)
        if isa is None or isa[0] == delims:
            return None
        if isa[0].segment != delims.segment or isa[0].element != delims.element:
            return True
        return isa[0]
    if number and "ISA" in piece and holds_isa(text, consumed, piece):
        return True  # prose before another interchange
    return None


def source_name(source: str | Path | bytes | BinaryIO) -> str:
    """A name for messages: the path, the stream's name, or ``<bytes>``."""
    if isinstance(source, Path):
        return str(source)
    if isinstance(source, str):
        return "<text>" if _looks_like_text(source) else source
    if isinstance(source, bytes | bytearray | memoryview):
        return "<bytes>"
    return str(getattr(source, "name", "<stream>"))


def _looks_like_text(source: str) -> bool:
    """A ``str`` source is X12 text (not a path) when it is no existing file and looks like segments."""
    if len(source) < 4096 and "\n" not in source:
        try:
            if Path(source).exists():
                return False
        except (OSError, ValueError):
            pass
    head = source.lstrip(_WS)[:4]
    return "\n" in source or head[:3] in ("ISA", "GS*", "ST*") or source.count("~") > 1


class _Input:
    """A byte source read in chunks, whatever was passed in."""

    def __init__(self, source: str | Path | bytes | BinaryIO) -> None:
        self.name = source_name(source)
        self._data: bytes | None = None
        self._stream: BinaryIO | None = None
        self._close = False
        if isinstance(source, str) and _looks_like_text(source):
            self._data = source.encode("utf-8")
        elif isinstance(source, str | Path):
            try:
                self._stream = open(source, "rb")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise NotX12Error(self.name, f"cannot open file: {exc.strerror or type(exc).__name__}") from None
            self._close = True
        elif isinstance(source, bytes | bytearray | memoryview):
            self._data = bytes(source)
        else:
            self._stream = source
        self._pos = 0

    def read(self, size: int) -> bytes:
        if self._data is not None:
            chunk = self._data[self._pos : self._pos + size]
            self._pos += len(chunk)
            return chunk
        assert self._stream is not None
        try:
            return self._stream.read(size)
        except OSError as exc:
            raise NotX12Error(self.name, f"cannot read file: {exc.strerror or type(exc).__name__}") from None

    def close(self) -> None:
        if self._close and self._stream is not None:
            self._stream.close()


def _detect_encoding(head: bytes) -> tuple[str, int]:
    """(codec, BOM length) from the first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le", 0
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be", 0
    return "utf-8", 0


class _TextStream:
    """Decoded text in chunks, with the byte width bookkeeping needed for offsets."""

    def __init__(self, raw: _Input, chunk_size: int) -> None:
        self.raw = raw
        self.chunk_size = chunk_size
        first = raw.read(chunk_size)
        if not first:
            raise NotX12Error(raw.name, "the file is empty")
        self.encoding, self.bom = _detect_encoding(first)
        self.unit = 2 if self.encoding.startswith("utf-16") else 1
        self._decoder = codecs.getincrementaldecoder(self.encoding)("strict")
        self._pending: bytes | None = first[self.bom :]
        self._raw_eof = False
        # Text the tokenizer handed back (``unread``), returned again a chunk at a time before more is decoded.
        self._back = ""
        self._back_at = 0

    @property
    def eof(self) -> bool:
        return self._raw_eof and self._back_at >= len(self._back)

    def unread(self, text: str) -> None:
        """Hand back text to be read again, before anything handed back earlier and not yet read."""
        self._back, self._back_at = text + self._back[self._back_at :], 0

    def read(self) -> str:
        """The next chunk of text ("" at the end)."""
        if self._back_at < len(self._back):
            at = self._back_at
            piece = self._back[at : at + self.chunk_size]
            self._back_at = at + len(piece)
            if self._back_at >= len(self._back):
                self._back, self._back_at = "", 0
            return piece
        if self._raw_eof:
            return ""
        if self._pending is not None:
            data, self._pending = self._pending, None
        else:
            data = self.raw.read(self.chunk_size)
        final = not data
        try:
            text = self._decoder.decode(data, final=final)
        except UnicodeDecodeError:
            if self.encoding != "utf-8":
                raise NotX12Error(self.raw.name, f"not valid {self.encoding} text") from None
            # Not UTF-8 after all: Latin-1 decodes anything, byte for byte.
            buffered = self._decoder.getstate()[0]
            self.encoding = "latin-1"
            self._decoder = codecs.getincrementaldecoder("latin-1")("strict")
            text = self._decoder.decode(buffered + data, final=final)
        if final:
            self._raw_eof = True
        return text

    def byte_length(self, text: str) -> int:
        if self.encoding == "latin-1" or text.isascii():
            return len(text) * self.unit
        return len(text.encode(self.encoding, "replace"))


def iter_segments(
    source: str | Path | bytes | BinaryIO, *, chunk_size: int = SEGMENT_CHUNK_SIZE
) -> Iterator[Segment]:
    """Yield every segment of an X12 file in order, with its 1-based number and byte offset.

    A ``str`` is a path unless it plainly holds X12 text.  Raises ``NotX12Error`` when no ISA, GS or ST
    can be found (or the file cannot be opened/decoded); anything after that is yielded as segments.
    """
    for segments, _ in iter_segment_batches(source, chunk_size=chunk_size):
        yield from segments


def iter_segment_batches(
    source: str | Path | bytes | BinaryIO, *, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[list[Segment], list[int]]]:
    """The segments of ``iter_segments`` a chunk at a time: (segments in order, indices of the envelope
    segments among them: ISA, GS, ST, SE, GE, IEA), so that readers can take the runs between envelope
    segments as slices instead of one segment at a time.  Segment numbers within a batch are consecutive."""
    raw = _Input(source)
    try:
        yield from _tokenize(_TextStream(raw, chunk_size), raw.name)
    finally:
        raw.close()


def _tokenize(stream: _TextStream, name: str) -> Iterator[tuple[list[Segment], list[int]]]:
    out: list[Segment] = []
    marks: list[int] = []  # indices in ``out`` of envelope segments
    append = out.append
    text = ""
    base = stream.bom  # byte offset of text[0]
    number = 0
    delims: Delimiters | None = None
    seeking = True  # at the start, or after prose/changed delimiters: find the next envelope start
    while True:
        if not stream.eof:
            more = stream.read()
            text = text + more if text else more
            if not stream.eof and len(text) < 4096:
                continue
        if seeking:
            found = find_start(text)
            if found is None:
                if not stream.eof:
                    if len(text) < _SNIFF_LIMIT:
                        continue
                    if number == 0:
                        raise NotX12Error(name, "no ISA, GS or ST segment found at the start of the file")
                    keep = text[-400:]
                    base += stream.byte_length(text[: len(text) - len(keep)])
                    text = keep
                    continue
                if number == 0:
                    raise NotX12Error(name, "no ISA, GS or ST segment found")
                return
            start, found_delims = found
            if not stream.eof and len(text) - start < _LOOKAHEAD:
                continue  # an ISA at the end of what was read: its terminator and the next segment decide
            if delims is not None and not text.startswith("ISA", start) and found_delims.element == delims.element:
                found_delims = delims  # a GS/ST after prose, still in the same interchange's syntax
            if start:
                base += stream.byte_length(text[:start])
                text = text[start:]
            delims = found_delims
            seeking = False
        assert delims is not None
        e, term = delims.element, delims.segment
        ascii_text = stream.encoding == "latin-1" or text.isascii()
        unit = stream.unit
        consumed = 0  # characters of `text` already turned into segments
        sep = clean_separator(text, term) if ascii_text and unit == 1 else None
        if sep is not None:
            # Regular files (no stray whitespace; a line break after every terminator or none at all): the pieces
            # between separators (terminator + line break) are the segments as they are.  The compiled loop reads
            # them from the text itself; the pieces are made here only for what it leaves to this loop.
            slen = len(sep)
            last = text.rfind(sep)
            limit = last + slen if last >= 0 else 0  # every piece before limit ends with a separator
            tail = "" if stream.eof else text[limit:]
            start = base
            pos = 0
            final_done = not stream.eof  # at the end of the input, the piece after the last separator is read too
            while True:
                if _split_text is not None and pos < limit:
                    pos, number, base = _split_text(text, pos, limit, sep, e, number, base, delims, out, marks)
                if pos < limit:
                    end = text.find(sep, pos, limit)
                    p = text[pos:end]
                    pos = end + slen
                elif not final_done:
                    final_done = True
                    p = text[limit:]
                    if p.endswith(term):
                        p = p[: -len(term)]
                else:
                    break
                if not p:
                    base += slen
                    continue
                parts = p.split(e)
                sid = parts[0]
                if len(sid) > 3 or (sid == "ISA" and number):
                    change = _interchange_change(text, base - start, 0, p, parts, delims, number)
                    if change is True:
                        seeking = True
                        break
                    if isinstance(change, Delimiters):
                        delims = change
                number += 1
                if sid in ENVELOPE_IDS:
                    marks.append(len(out))
                del parts[0]  # the id: the rest are the elements (no copy)
                append(Segment(sid, parts, number, base, delims))
                base += len(p) + slen
            consumed = base - start
        else:
            pieces = text.split(term)
            tail = "" if stream.eof else pieces.pop()
            if ascii_text and unit == 1 and not stray_line_breaks(text, term):
                # The common case, kept lean: one byte per character, whitespace only around segments.
                start = base
                for p in pieces:
                    plen = len(p)
                    q = p.lstrip(_WS)
                    if not q:
                        base += plen + 1
                        continue
                    parts = q.rstrip(_WS).split(e)
                    sid = parts[0]
                    if len(sid) > 3 or (sid == "ISA" and number):
                        consumed = base - start
                        lead = plen - len(q)
                        change = _interchange_change(text, consumed, lead, p, parts, delims, number)
                        if change is True:
                            seeking = True
                            break
                        if isinstance(change, Delimiters):
                            delims = change
                    number += 1
                    if sid in ENVELOPE_IDS:
                        marks.append(len(out))
                    del parts[0]  # the id: the rest are the elements (no copy)
                    append(Segment(sid, parts, number, base + plen - len(q), delims))
                    base += plen + 1
                consumed = base - start
            else:
                messy = term not in "\r\n"
                tlen = len(term) * unit
                for p in pieces:
                    plen = len(p)
                    q = p.lstrip(_WS)
                    if not q:
                        base += (plen * unit if ascii_text else stream.byte_length(p)) + tlen
                        consumed += plen + 1
                        continue
                    lead = plen - len(q)
                    s = q.rstrip(_WS)
                    if messy and ("\n" in s or "\r" in s):
                        s = s.replace("\r", "").replace("\n", "")
                    parts = s.split(e)
                    sid = parts[0]
                    if len(sid) > 3 or (sid == "ISA" and number):
                        change = _interchange_change(text, consumed, lead, p, parts, delims, number)
                        if change is True:
                            seeking = True
                            break
                        if isinstance(change, Delimiters):
                            delims = change
                    number += 1
                    offset = base + (lead * unit if ascii_text else stream.byte_length(p[:lead]))
                    if sid in ENVELOPE_IDS:
                        marks.append(len(out))
                    del parts[0]  # the id: the rest are the elements (no copy)
                    append(Segment(sid, parts, number, offset, delims))
                    base += (plen * unit if ascii_text else stream.byte_length(p)) + tlen
                    consumed += plen + 1
        if out:
            yield out, marks
            out, marks = [], []
            append = out.append
        if seeking:
            text = text[consumed:]
            if number and len(text) > 2 * _RESEEK_CHUNK:
                # Interchanges changing delimiters in mid-file: go on a short stretch at a time (see _RESEEK_CHUNK).
                stream.chunk_size = min(stream.chunk_size, _RESEEK_CHUNK)
                stream.unread(text[_RESEEK_CHUNK:])
                text = text[:_RESEEK_CHUNK]
            continue
        text = tail
        if stream.eof:
            return
