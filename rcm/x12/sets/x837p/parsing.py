"""837P loop tree to ``ClaimBatch`` (kind "professional")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.parse837 import parse_837

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["parse_837p"]


def parse_837p(tx: Transaction) -> ClaimBatch:
    """The typed professional claims of a transaction."""
    return parse_837(tx, "professional")
