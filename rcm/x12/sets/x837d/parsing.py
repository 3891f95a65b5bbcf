"""837D loop tree to ``ClaimBatch`` (kind "dental")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.parse837 import parse_837

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["parse_837d"]


def parse_837d(tx: Transaction) -> ClaimBatch:
    """The typed dental claims of a transaction."""
    return parse_837(tx, "dental")
