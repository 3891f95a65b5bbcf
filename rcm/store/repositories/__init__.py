"""Repository functions by topic; each takes a Session first and leaves committing to the caller."""

from __future__ import annotations

from rcm.store.repositories.audit import audit
from rcm.store.repositories.claims import (
    SOURCE_KINDS,
    claim_as_domain,
    claim_timeline,
    claims_for_encounter,
    claims_with_status,
    ensure_claims,
    find_claim,
    set_claim_status,
)
from rcm.store.repositories.encounters import (
    SaveResult,
    content_hash,
    current_encounter_version,
    encounter_from_version,
    save_encounter,
)
from rcm.store.repositories.files import next_control_number, next_submission_number, record_file, sha256_hex
from rcm.store.repositories.quarantine import open_quarantine, quarantine

__all__ = [
    "SOURCE_KINDS",
    "SaveResult",
    "audit",
    "claim_as_domain",
    "claim_timeline",
    "claims_for_encounter",
    "claims_with_status",
    "content_hash",
    "current_encounter_version",
    "encounter_from_version",
    "ensure_claims",
    "find_claim",
    "next_control_number",
    "next_submission_number",
    "open_quarantine",
    "quarantine",
    "record_file",
    "save_encounter",
    "set_claim_status",
    "sha256_hex",
]
