"""Pausing Python's cyclic garbage collector while a file's worth of small, acyclic objects is built.

Reading X12 (segments, loop trees, models), posting a remittance file and reading acknowledgments build hundreds
of thousands of objects that live until the file is done and hold no reference cycles; the collector would rescan
them again and again for nothing. Reference counting still frees everything dropped meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off inside the block, the caller's setting restored after it (a no-op when it is
    off already)."""
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
