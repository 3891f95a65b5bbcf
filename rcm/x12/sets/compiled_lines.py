"""The compiled readers of the most numerous loops (rcm/x12/_lines.c: regular 837P service lines, 835 service
payments, name loops), configured with the record classes and the caches of converted amounts and dates they
share with the Python readers.  The line readers answer NotImplemented for a loop they do not take, and the Python
reader takes it; the name loop reader hands such loops to ``party_of`` itself."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from types import ModuleType
from typing import Any

from rcm.x12.engine import Loop
from rcm.x12.sets import common
from rcm.x12.sets.common import (
    ZERO,
    Address,
    Contact,
    DateValue,
    Party,
    Reference,
    date_of,
    money,
    money_or_zero,
    party_of,
)
from rcm.x12.sets.x835.segments import Procedure
from rcm.x12.tokenizer import Segment

__all__ = ["compiled_lines", "compiled_reader", "name_loop_reader"]


@functools.cache
def compiled_lines() -> ModuleType | None:
    """The configured module; None when it was not built, when segments are not of the compiled Segment class,
    or with RCM_PURE_PYTHON_MODELS=1 (the tests compare the models built both ways)."""
    if os.environ.get("RCM_PURE_PYTHON_MODELS"):
        return None
    try:
        from rcm.x12 import _lines  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        _lines.configure(
            Loop, Segment, Procedure, DateValue, Reference, ZERO,
            common._MONEY_CACHE, money, money_or_zero, common._DATE_CACHE, date_of,
        )
        _lines.configure_parties(Party, Address, Contact.of, party_of)
    except TypeError:
        return None
    module: ModuleType = _lines
    return module


def name_loop_reader() -> Callable[[Loop], Party | None]:
    """``party_of``, compiled where it was built (same parties: the tests compare both)."""
    lines = compiled_lines()
    reader: Callable[[Loop], Party | None] = lines.party if lines is not None else party_of
    return reader


def compiled_reader(configure: str, arguments: tuple[object, ...], reader: str) -> Callable[[Loop], Any] | None:
    """One compiled reader: ``configure(*arguments)`` (the classes and Python readers it hands back to), then the
    module's function ``reader``; None when the module is not in use."""
    lines = compiled_lines()
    if lines is None:
        return None
    getattr(lines, configure)(*arguments)
    found: Callable[[Loop], Any] = getattr(lines, reader)
    return found
