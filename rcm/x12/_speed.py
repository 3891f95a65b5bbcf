"""Garbage-collector pausing while many small, acyclic objects (segments, model rows) are being built.

CPython's cyclic collector rescans every young container; building a few hundred thousand segments that
all stay alive triggers it thousands of times for nothing (segments hold no cycles).  Pausing it for the
duration of a build and restoring the caller's setting afterwards keeps parsing linear.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic GC inside the block (no-op when it is already disabled)."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
