"""Pausing Python's cyclic garbage collector while a file's worth of small, acyclic objects is built and written."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading and posting build hundreds of thousands of objects that live until the file is done; the
    collector would rescan them again and again (they hold no cycles), so it waits until the block ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
