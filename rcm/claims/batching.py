"""Batching: claims of one clearinghouse run split into transactions by claim type, payer and billing provider,
each within the clearinghouse's claim limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rcm.claims.transaction import ClaimBlock
from rcm.domain import ClaimType

__all__ = ["TransactionPlan", "plan_transactions"]


@dataclass(frozen=True, slots=True)
class TransactionPlan:
    """The claims that go into one ST/SE: same guide, same payer, same billing provider level."""

    claim_type: ClaimType
    payer_id: str
    blocks: tuple[ClaimBlock, ...]


def plan_transactions(blocks: Sequence[ClaimBlock], *, max_claims_per_transaction: int) -> list[TransactionPlan]:
    """Group in order of first appearance, then cut each group into chunks of at most the limit."""
    if max_claims_per_transaction < 1:
        raise ValueError("max_claims_per_transaction must be at least 1")
    groups: dict[tuple[ClaimType, str, str], list[ClaimBlock]] = {}
    for block in blocks:
        key = (block.claim.claim_type, block.claim.payer.payer_id, block.billing_key)
        groups.setdefault(key, []).append(block)
    plans: list[TransactionPlan] = []
    for (claim_type, payer_id, _), members in groups.items():
        for start in range(0, len(members), max_claims_per_transaction):
            chunk = tuple(members[start:start + max_claims_per_transaction])
            plans.append(TransactionPlan(claim_type, payer_id, chunk))
    return plans
