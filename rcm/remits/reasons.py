"""Adjustment reasons in words: CARC and RARC texts from the rules folder's code sets, group codes spelled out.

The code lists are X12's (rules/codesets/carc.csv and rarc.csv, see their provenance there). An unknown code
still reads as itself, so a new code never stops posting.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from rcm.config import get_settings

__all__ = ["GROUP_NAMES", "adjustment_words", "carc_text", "code_texts", "rarc_text"]

GROUP_NAMES = {
    "CO": "contractual obligation",
    "PR": "patient responsibility",
    "OA": "other adjustment",
    "PI": "payer initiated reduction",
    "CR": "correction and reversal",  # 4010 only
}

_SHORT = 90


def _codeset_path(name: str) -> Path:
    return get_settings().rules_dir / "codesets" / name


@functools.cache
def code_texts(path: Path) -> dict[str, str]:
    """code -> description from a code list CSV (columns code, status, description); empty when missing."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["code"].strip(): (row.get("description") or "").strip() for row in csv.DictReader(handle)}


def _short(text: str) -> str:
    # The published texts carry long "Usage:" notes; a cause line needs only the reason itself.
    text = text.split(" Usage:", 1)[0].strip()
    return text if len(text) <= _SHORT else text[: _SHORT - 1].rstrip() + "…"


def carc_text(code: str) -> str:
    """The CARC's published reason (short form), or "" when the code is unknown."""
    return _short(code_texts(_codeset_path("carc.csv")).get(code, ""))


def rarc_text(code: str) -> str:
    """The RARC's published remark (short form), or "" when the code is unknown."""
    return _short(code_texts(_codeset_path("rarc.csv")).get(code, ""))


def adjustment_words(group: str, reason: str) -> str:
    """``CO-97 (The benefit for this service is included in the payment...)`` for a cause line."""
    text = carc_text(reason)
    return f"{group}-{reason} ({text})" if text else f"{group}-{reason}"
