"""837P loop tree to ``ClaimBatch`` (kind "professional")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.engine import EarlyReading
from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.parse837 import early_837, parse_837

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["early_837p", "parse_837p"]


def parse_837p(tx: Transaction) -> ClaimBatch:
    """The typed professional claims of a transaction."""
    return parse_837(tx, "professional")


def early_837p(tx: Transaction) -> EarlyReading:
    """The professional claims of a transaction, read as its tree is built."""
    return early_837(tx, "professional")
