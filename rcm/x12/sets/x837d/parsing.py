"""837D loop tree to ``ClaimBatch`` (kind "dental")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.engine import EarlyReading
from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.parse837 import early_837, parse_837

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["early_837d", "parse_837d"]


def parse_837d(tx: Transaction) -> ClaimBatch:
    """The typed dental claims of a transaction."""
    return parse_837(tx, "dental")


def early_837d(tx: Transaction) -> EarlyReading:
    """The dental claims of a transaction, read as its tree is built."""
    return early_837(tx, "dental")
