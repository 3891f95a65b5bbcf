"""277CA loop tree to ``ClaimStatusReport`` (kind "277CA")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.sets.status277 import ClaimStatusReport, parse_status

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["parse_277ca"]


def parse_277ca(tx: Transaction) -> ClaimStatusReport:
    """The typed 277CA of a transaction."""
    return parse_status(tx, "277CA")
