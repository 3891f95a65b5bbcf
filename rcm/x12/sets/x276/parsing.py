"""276 loop tree to ``ClaimStatusReport`` (kind "276")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.sets.status277 import ClaimStatusReport, parse_status

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["parse_276"]


def parse_276(tx: Transaction) -> ClaimStatusReport:
    """The typed 276 of a transaction."""
    return parse_status(tx, "276")
