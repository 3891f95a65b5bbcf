"""Medically Unlikely Edits (MUE): the most units of a code one provider bills for a patient on one day.

Reads the CMS quarterly MUE files (copyright lines, then ``HCPCS/CPT Code``, ``... MUE Values``,
``MUE Adjudication Indicator``, ``MUE Rationale``; CSV or tab separated) and plain ``code,mue,mai`` CSV.
The adjudication indicator (MAI) says how units are counted: 1 per line, 2 and 3 per date of service
(2 = policy, absolute; 3 = clinical, payable on appeal with documentation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rcm.coding.ncci import read_text, split_fields
from rcm.errors import UnreadableFileError

__all__ = ["MueEntry", "read_mue_file"]

_CODE_RE = re.compile(r"^[0-9A-Z]{5}$")
_MAI_RE = re.compile(r"^([123])\b")


@dataclass(frozen=True, slots=True)
class MueEntry:
    max_units: int
    mai: int  # 1 line edit, 2 date-of-service edit (policy), 3 date-of-service edit (clinical)
    rationale: str


def read_mue_file(path: Path) -> dict[str, MueEntry]:
    """Read one MUE file in the CMS layout (or code,mue,mai CSV) into code -> entry."""
    entries: dict[str, MueEntry] = {}
    started = False
    for line, fields in split_fields(read_text(path)):
        if len(fields) < 3 or not _CODE_RE.match(fields[0]):
            if started and any(fields):
                raise UnreadableFileError(str(path), f"line {line}: not an MUE row (code, units, indicator)")
            continue  # copyright lines and header
        started = True
        code, units, indicator = fields[0], fields[1], fields[2]
        if not units.isdigit():
            raise UnreadableFileError(str(path), f"line {line}: MUE value {units!r} is not a whole number")
        m = _MAI_RE.match(indicator)
        if m is None:
            raise UnreadableFileError(str(path), f"line {line}: adjudication indicator {indicator!r} is not 1, 2 or 3")
        rationale = fields[3] if len(fields) > 3 else ""
        entries[code] = MueEntry(max_units=int(units), mai=int(m.group(1)), rationale=rationale)
    if not started:
        raise UnreadableFileError(str(path), "no MUE rows found (expected HCPCS/CPT Code, MUE value, MAI columns)")
    return entries
