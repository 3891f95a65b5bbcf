"""The compiled readers of per-line loops (rcm/x12/_lines.c: regular 837P service lines and 835 service payments),
configured with the record classes and the caches of converted amounts and dates they share with the Python
readers.  Each reader answers NotImplemented for a loop it does not take, and the Python reader takes it."""

from __future__ import annotations

import functools
import os
from types import ModuleType

from rcm.x12.engine import Loop
from rcm.x12.sets import common
from rcm.x12.sets.common import ZERO, DateValue, Reference, date_of, money, money_or_zero
from rcm.x12.sets.x835.segments import Procedure
from rcm.x12.tokenizer import Segment

__all__ = ["compiled_lines"]


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
    except TypeError:
        return None
    module: ModuleType = _lines
    return module
