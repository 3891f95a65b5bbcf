"""NCCI procedure-to-procedure (PTP) edits: read CMS-layout files, compile them, look up a pair for a date.

Two layouts are read. The CMS quarterly practitioner and hospital files (``ccipra-*``, ``ccioph-*``; tab
separated text, CSV, or the zip CMS publishes) start with a copyright line and a header that may span several
lines; their Deletion Date is the first day the edit no longer applies. The rules/codesets CSV (from the I/OCE)
has one header line and a Deletion Date that is the *last* day the edit applied. ``deletion="auto"`` tells them
apart; both are stored as an inclusive last day.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from rcm.errors import UnreadableFileError

__all__ = [
    "NO_END",
    "DeletionConvention",
    "PtpRows",
    "PtpTable",
    "code_key",
    "code_of_key",
    "day_number",
    "read_ptp_file",
    "read_text",
    "split_fields",
]

DeletionConvention = Literal["auto", "first_day_after", "last_day"]
_EPOCH = date(1970, 1, 1)
NO_END = 65535  # day number meaning "not deleted" (year 2149)
_CODE_RE = re.compile(r"^[0-9A-Z]{5}$")
_DATE_RE = re.compile(r"^[0-9]{8}$")
_CODESETS_HEADER = "column 1,column 2,"


def day_number(day: date) -> int:
    """Days since 1970-01-01: how dates are compared inside the compiled tables."""
    return (day - _EPOCH).days


def code_key(code: str) -> int:
    """A five-character code as a number (base 36); two of them make one pair key."""
    return int(code, 36)


@dataclass(slots=True)
class PtpRows:
    """Edits read from one or more files, as parallel arrays (one element per edit row)."""

    keys: npt.NDArray[np.int64]
    first_day: npt.NDArray[np.int32]
    last_day: npt.NDArray[np.int32]
    indicator: npt.NDArray[np.int8]

    @staticmethod
    def concat(parts: list[PtpRows]) -> PtpRows:
        if not parts:
            return PtpRows(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.int8))
        return PtpRows(
            np.concatenate([p.keys for p in parts]),
            np.concatenate([p.first_day for p in parts]),
            np.concatenate([p.last_day for p in parts]),
            np.concatenate([p.indicator for p in parts]),
        )

    def __len__(self) -> int:
        return len(self.keys)


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(str(path), f"cannot read ({exc.strerror or type(exc).__name__})") from exc
    if path.suffix.lower() == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise UnreadableFileError(str(path), "not a readable gzip file") from exc
    elif path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                members = [n for n in zf.namelist() if n.lower().endswith((".txt", ".csv"))]
                if len(members) != 1:
                    raise UnreadableFileError(str(path), "expected one .txt or .csv edit file in the zip")
                raw = zf.read(members[0])
        except zipfile.BadZipFile as exc:
            raise UnreadableFileError(str(path), "not a readable zip file") from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFileError(str(path), "cannot decode the text")  # pragma: no cover - cp1252 decodes most bytes


def split_fields(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for every line; tab-separated when the line has tabs, else CSV."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "\t" in line:
            yield number, [f.strip().strip('"') for f in line.split("\t")]
        else:
            yield number, [f.strip() for f in next(csv.reader([line]))]


def _is_edit_row(fields: list[str]) -> bool:
    return len(fields) >= 6 and bool(_CODE_RE.match(fields[0]) and _CODE_RE.match(fields[1]))


def read_ptp_file(path: Path, *, deletion: DeletionConvention = "auto") -> tuple[PtpRows, DeletionConvention]:
    """Read one PTP file in either layout; returns the rows and the deletion-date convention used."""
    text = read_text(path)
    if deletion == "auto":
        first = text.lstrip().split("\n", 1)[0].lower()
        deletion = "last_day" if first.startswith(_CODESETS_HEADER) else "first_day_after"
    fast = _read_vectorized(text, deletion)
    if fast is not None:
        return fast, deletion
    # The careful reader: slower, and says which line is wrong.
    day_cache: dict[str, int] = {}

    def day(value: str, line: int, column: str) -> int:
        n = day_cache.get(value)
        if n is None:
            if not _DATE_RE.match(value):
                raise UnreadableFileError(str(path), f"line {line}: {column} {value!r} is not a YYYYMMDD date")
            try:
                n = day_number(date(int(value[:4]), int(value[4:6]), int(value[6:])))
            except ValueError:
                raise UnreadableFileError(str(path), f"line {line}: {column} {value!r} is not a date") from None
            day_cache[value] = n
        return n

    keys: list[int] = []
    firsts: list[int] = []
    lasts: list[int] = []
    indicators: list[int] = []
    started = False
    for line, fields in split_fields(text):
        if not _is_edit_row(fields):
            if started:
                raise UnreadableFileError(str(path), f"line {line}: not an edit row (expected 7 columns)")
            continue  # copyright line and (multi-line) header
        started = True
        col1, col2, _, effective, deleted, indicator = fields[:6]
        first_day = day(effective, line, "Effective Date")
        if deleted in ("*", ""):
            last_day = NO_END
        else:
            last_day = day(deleted, line, "Deletion Date")
            if deletion == "first_day_after":
                last_day -= 1
        if indicator not in ("0", "1", "9"):
            raise UnreadableFileError(str(path), f"line {line}: modifier indicator {indicator!r} is not 0, 1 or 9")
        keys.append((code_key(col1) << 26) | code_key(col2))
        firsts.append(first_day)
        lasts.append(last_day)
        indicators.append(int(indicator))
    if not started:
        raise UnreadableFileError(str(path), "no NCCI edit rows found (expected Column 1, Column 2, ... columns)")
    rows = PtpRows(
        np.asarray(keys, dtype=np.int64),
        np.asarray(firsts, dtype=np.int32),
        np.asarray(lasts, dtype=np.int32),
        np.asarray(indicators, dtype=np.int8),
    )
    return rows, deletion


def _read_vectorized(text: str, deletion: DeletionConvention) -> PtpRows | None:
    """Read a well-formed file in one go with pandas/numpy; None when anything looks off (the careful reader
    then finds and names the bad line)."""
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    start = 0
    while True:  # skip the copyright line and the header, however many lines it takes
        if start >= len(text):
            return None
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        line = text[start:end].rstrip("\r\n")
        fields = line.split("\t") if "\t" in line else line.split(",")
        if _is_edit_row([f.strip().strip('"') for f in fields]):
            break
        start = end
    body = text[start:]
    try:
        frame = pd.read_csv(
            io.StringIO(body),
            sep="\t" if "\t" in body.split("\n", 1)[0] else ",",
            header=None,
            dtype=str,
            keep_default_na=False,
            usecols=range(6),
            quotechar='"',
        )
    except (ValueError, pd.errors.ParserError):
        return None
    try:
        col1, col2 = (_fixed(frame[i], 6) for i in (0, 1))
        effective, deleted = (_fixed(frame[i], 9) for i in (3, 4))
        indicator = _fixed(frame[5], 2)
    except (UnicodeEncodeError, ValueError):
        return None
    codes1, codes2 = col1.view(np.uint8).reshape(-1, 6), col2.view(np.uint8).reshape(-1, 6)
    if not (_all_codes(codes1) and _all_codes(codes2)):
        return None
    open_ended = (deleted == b"*") | (deleted == b"")
    first_day = _day_numbers(effective)
    last_day = _day_numbers(np.where(open_ended, b"21491231", deleted))
    if first_day is None or last_day is None or not np.isin(indicator, [b"0", b"1", b"9"]).all():
        return None
    if deletion == "first_day_after":
        last_day = last_day - 1
    last_day = np.where(open_ended, NO_END, last_day)
    keys = (_code_numbers(codes1) << 26) | _code_numbers(codes2)
    return PtpRows(
        keys.astype(np.int64),
        first_day.astype(np.int32),
        last_day.astype(np.int32),
        (indicator.astype("S1").view(np.uint8) - ord("0")).astype(np.int8),
    )


def _fixed(column: Any, width: int) -> npt.NDArray[np.bytes_]:
    """A text column as fixed-width ASCII bytes (one byte wider than allowed, to see values that are too long)."""
    values: npt.NDArray[np.bytes_] = np.char.strip(column.to_numpy().astype(f"S{width}"))
    return values.astype(f"S{width}")


_CODE_CHAR = np.zeros(256, dtype=bool)
_DIGIT_CHAR = np.zeros(256, dtype=bool)
_LOOKUP = np.zeros(256, dtype=np.int64)
for _i, _c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
    _LOOKUP[ord(_c)] = _i
    _CODE_CHAR[ord(_c)] = True
    _DIGIT_CHAR[ord(_c)] = _i < 10
_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
_POWERS = np.array([36**4, 36**3, 36**2, 36, 1], dtype=np.int64)


def _all_codes(raw: npt.NDArray[np.uint8]) -> bool:
    """Every row is exactly five letters or digits (the sixth byte is padding)."""
    return bool(_CODE_CHAR[raw[:, :5]].all() and (raw[:, 5] == 0).all())


def _code_numbers(raw: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """``code_key`` for a whole column of five-character codes at once."""
    result: npt.NDArray[np.int64] = _LOOKUP[raw[:, :5]] @ _POWERS
    return result


def _day_numbers(values: npt.NDArray[np.bytes_]) -> npt.NDArray[np.int64] | None:
    """YYYYMMDD byte strings as day numbers; None if any is not a real date."""
    raw = values.astype("S9").view(np.uint8).reshape(-1, 9)
    if not (_DIGIT_CHAR[raw[:, :8]].all() and (raw[:, 8] == 0).all()):
        return None
    digits = (raw[:, :8] - ord("0")).astype(np.int64)
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    if ((month < 1) | (month > 12) | (day < 1) | (year < 1970)).any():
        return None
    months = (year - 1970) * 12 + (month - 1)
    first_of_month = months.astype("datetime64[M]").astype("datetime64[D]")
    dates = first_of_month + (day - 1).astype("timedelta64[D]")
    if (dates.astype("datetime64[M]") != first_of_month.astype("datetime64[M]")).any():
        return None  # e.g. February 30
    result: npt.NDArray[np.int64] = dates.astype(np.int64)
    return result


_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOW26 = (1 << 26) - 1


def _decode_codes(numbers: npt.NDArray[np.int64]) -> npt.NDArray[np.str_]:
    """``code_of_key`` for a whole array at once (as a numpy array of five-character strings)."""
    chars = np.empty((len(numbers), 5), dtype=np.uint8)
    rest = numbers.copy()
    for position in range(4, -1, -1):
        rest, digit = np.divmod(rest, 36)
        chars[:, position] = _ALPHABET[digit]
    return chars.view("S5").ravel().astype("U5")


def code_of_key(key: int) -> str:
    """The five-character code back from its base-36 number."""
    chars = []
    for _ in range(5):
        key, digit = divmod(key, 36)
        chars.append(_DIGITS[digit])
    return "".join(reversed(chars))


class PtpTable:
    """Compiled PTP edits: ``indicator(col1, col2, day)`` answers with two dictionary look-ups.

    The rows stay in sorted numpy arrays (loading takes a fraction of a second); the edits of one column 1
    code become a small dictionary the first time a claim carries that code.
    """

    __slots__ = ("_by_column1", "_column2", "_keys", "_packed", "_ranges", "rows")

    def __init__(self, rows: PtpRows) -> None:
        self.rows = rows
        order = np.lexsort((rows.first_day, rows.keys))
        self._keys = rows.keys[order]
        self._packed = (
            (rows.first_day[order].astype(np.int64) << 20)
            | (rows.last_day[order].astype(np.int64) << 4)
            | rows.indicator[order].astype(np.int64)
        )
        self._column2 = _decode_codes(self._keys & _LOW26)
        column1 = self._keys >> 26
        codes, starts = np.unique(column1, return_index=True)
        ends = np.append(starts[1:], len(column1))
        self._ranges: dict[str, tuple[int, int]] = {
            code_of_key(c): (s, e) for c, s, e in zip(codes.tolist(), starts.tolist(), ends.tolist(), strict=True)
        }
        self._by_column1: dict[str, dict[str, int | tuple[int, ...]]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def column1_codes(self) -> int:
        return len(self._ranges)

    def column1_list(self) -> list[str]:
        """Every column 1 code with at least one edit, sorted."""
        return sorted(self._ranges)

    def edits_of(self, column1: str) -> dict[str, int | tuple[int, ...]]:
        """The edits with this column 1 code: column 2 code -> packed row(s) (see ``in_force``)."""
        edits = self._by_column1.get(column1)
        if edits is None:
            edits = {}
            span = self._ranges.get(column1)
            if span is not None:
                lo, hi = span
                column2: list[str] = self._column2[lo:hi].tolist()
                packed: list[int] = self._packed[lo:hi].tolist()
                edits = dict(zip(column2, packed, strict=True))
                if len(edits) != len(column2):
                    # A pair with several rows (deleted and re-added, indicator changed): keep all, in date order.
                    edits = {}
                    for code, value in zip(column2, packed, strict=True):
                        found = edits.get(code)
                        if found is None:
                            edits[code] = value
                        else:
                            edits[code] = (*((found,) if isinstance(found, int) else found), value)
            self._by_column1[column1] = edits
        return edits

    @staticmethod
    def in_force(found: int | tuple[int, ...], day: int) -> int | None:
        """The indicator of the row of ``found`` (from ``edits_of``) in force on ``day``, or None."""
        for packed in (found,) if isinstance(found, int) else found:
            if (packed >> 20) <= day <= ((packed >> 4) & 0xFFFF):
                return packed & 0xF
        return None

    def indicator(self, column1: str, column2: str, day: int) -> int | None:
        """The modifier indicator (0, 1 or 9) of the edit in force on ``day`` for the pair, or None."""
        edits = self._by_column1.get(column1)
        if edits is None:
            edits = self.edits_of(column1)
        found = edits.get(column2)
        if found is None:
            return None
        for packed in (found,) if isinstance(found, int) else found:
            if (packed >> 20) <= day <= ((packed >> 4) & 0xFFFF):
                return packed & 0xF
        return None

    def window(self, column1: str, column2: str) -> list[tuple[date, date | None, int]]:
        """Every row of a pair as (effective, last day or None, indicator): for messages and tests."""
        found = self.edits_of(column1).get(column2)
        if found is None:
            return []
        out: list[tuple[date, date | None, int]] = []
        for packed in (found,) if isinstance(found, int) else found:
            last = (packed >> 4) & 0xFFFF
            out.append(
                (
                    _EPOCH + timedelta(days=packed >> 20),
                    None if last == NO_END else _EPOCH + timedelta(days=last),
                    packed & 0xF,
                )
            )
        return out
