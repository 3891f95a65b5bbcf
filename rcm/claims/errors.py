"""Why a claim could not be turned into an 837: the claim id and the missing or inconsistent field, no PHI."""

from __future__ import annotations

from rcm.errors import StateError

__all__ = ["ClaimBuildError"]


class ClaimBuildError(StateError):
    """A claim lacks something the implementation guide requires (it goes back to the worklist, not out)."""

    def __init__(self, claim_id: str, field: str, detail: str) -> None:
        super().__init__(f"claim {claim_id}: cannot build the 837: {detail} ({field})")
        self.claim_id = claim_id
        self.field = field
        self.detail = detail
