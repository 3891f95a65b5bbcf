"""Why a claim could not be turned into an 837: the claim id and the missing or inconsistent field, no PHI."""

from __future__ import annotations

from rcm.errors import StateError

__all__ = ["ClaimBuildError", "required_identifier"]


class ClaimBuildError(StateError):
    """A claim lacks something the implementation guide requires (it goes back to the worklist, not out)."""

    def __init__(self, claim_id: str, field: str, detail: str) -> None:
        super().__init__(f"claim {claim_id}: cannot build the 837: {detail} ({field})")
        self.claim_id = claim_id
        self.field = field
        self.detail = detail


def required_identifier(claim_id: str, field: str, value: str | None, max_length: int) -> str:
    """``value`` as an identifier element, or ClaimBuildError saying why it cannot be sent unchanged."""
    from rcm.claims.elements import identifier

    if not value or not value.strip():
        raise ClaimBuildError(claim_id, field, f"{field} is missing")
    checked = identifier(value, max_length)
    if checked is None:
        raise ClaimBuildError(claim_id, field, f"{field} must be at most {max_length} plain characters without "
                                               "X12 delimiters (it has to come back unchanged)")
    return checked
