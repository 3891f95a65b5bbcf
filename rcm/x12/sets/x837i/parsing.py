"""837I loop tree to ``ClaimBatch`` (kind "institutional")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.engine import EarlyReading
from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.parse837 import early_837, parse_837

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["early_837i", "parse_837i"]


def parse_837i(tx: Transaction) -> ClaimBatch:
    """The typed institutional claims of a transaction."""
    return parse_837(tx, "institutional")


def early_837i(tx: Transaction) -> EarlyReading:
    """The institutional claims of a transaction, read as its tree is built."""
    return early_837(tx, "institutional")
