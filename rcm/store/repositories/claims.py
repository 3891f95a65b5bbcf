"""Claims: built from encounter versions, moved through statuses with a recorded cause, read back as domain Claims.

The caller commits. Status changes are recorded as ClaimStatusChange rows (time, cause in a biller's words, source).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from rcm.domain import Claim, Coverage, CoveragePriority, Encounter, ServiceLine
from rcm.domain import Payer as PayerModel
from rcm.errors import StateError, StoreError
from rcm.store.repositories.audit import audit
from rcm.store.tables import (
    SUBMITTED_STATUSES,
    ClaimDiagnosisRecord,
    ClaimLineRecord,
    ClaimRecord,
    ClaimStatus,
    ClaimStatusChange,
    EncounterVersion,
    Payer,
    ScrubFinding,
    utcnow,
)

__all__ = [
    "CLAIM_NUMBER_SUFFIX",
    "SOURCE_KINDS",
    "claim_as_domain",
    "claim_timeline",
    "claims_for_encounter",
    "claims_with_status",
    "ensure_claims",
    "find_claim",
    "set_claim_status",
]

SOURCE_KINDS = frozenset({"intake", "scrub", "build", "ack", "remit", "staff", "model", "eligibility"})
# Patient control number of a claim = encounter id + this suffix for the coverage it bills.
CLAIM_NUMBER_SUFFIX = {CoveragePriority.primary: "", CoveragePriority.secondary: "-S", CoveragePriority.tertiary: "-T"}
CHANGED_AFTER_SUBMISSION = "encounter changed after submission"


def set_claim_status(
    session: Session,
    claim: ClaimRecord,
    to_status: ClaimStatus | str,
    *,
    cause: str,
    source_kind: str,
    source_file_id: int | None = None,
    actor: str | None = None,
    at: datetime | None = None,
) -> ClaimStatusChange | None:
    """Move a claim to ``to_status`` and record why; returns the change, or None when the status is unchanged.

    Moving to ``held`` keeps ``cause`` as the claim's hold reason; leaving ``held`` clears it.
    """
    target = ClaimStatus(to_status)
    if source_kind not in SOURCE_KINDS:
        raise ValueError(f"unknown status change source {source_kind!r}; expected one of {sorted(SOURCE_KINDS)}")
    if not cause.strip():
        raise ValueError("a status change needs a cause a biller can read")
    previous = claim.status
    if previous == target:
        return None
    when = at or utcnow()
    if claim.id is None:
        session.flush()
    claim.status = target
    claim.status_changed_at = when
    if target is ClaimStatus.held:
        claim.hold_reason = cause
    elif previous is ClaimStatus.held:
        claim.hold_reason = None
    change = ClaimStatusChange(
        claim_id=claim.id,
        from_status=previous,
        to_status=target,
        at=when,
        cause=cause,
        source_kind=source_kind,
        source_file_id=source_file_id,
        actor=actor,
    )
    session.add(change)
    return change


def find_claim(session: Session, claim_number: str) -> ClaimRecord | None:
    """The claim with this patient control number (CLM01 / CLP01), or None."""
    return session.scalars(select(ClaimRecord).where(ClaimRecord.claim_number == claim_number)).first()


def claim_timeline(session: Session, claim_number: str) -> list[ClaimStatusChange]:
    """Every status change of a claim, oldest first (empty when no such claim exists)."""
    return list(
        session.scalars(
            select(ClaimStatusChange)
            .join(ClaimRecord, ClaimRecord.id == ClaimStatusChange.claim_id)
            .where(ClaimRecord.claim_number == claim_number)
            .order_by(ClaimStatusChange.at, ClaimStatusChange.id)
        )
    )


def claims_with_status(session: Session, statuses: Iterable[ClaimStatus | str]) -> list[ClaimRecord]:
    """Claims currently in any of ``statuses``, in creation order."""
    wanted = [ClaimStatus(s) for s in ([statuses] if isinstance(statuses, str) else statuses)]
    if not wanted:
        return []
    return list(session.scalars(select(ClaimRecord).where(ClaimRecord.status.in_(wanted)).order_by(ClaimRecord.id)))


def claims_for_encounter(session: Session, encounter_id: str) -> list[ClaimRecord]:
    """All claims (primary, secondary, tertiary) billed for an EMR encounter."""
    return list(
        session.scalars(select(ClaimRecord).where(ClaimRecord.encounter_id == encounter_id).order_by(ClaimRecord.id))
    )


def _line_record(number: int, line: ServiceLine, encounter: Encounter) -> ClaimLineRecord:
    modifiers: list[str | None] = [*line.modifiers, None, None, None, None]
    return ClaimLineRecord(
        line_number=number,
        line_id=line.line_id,
        code=line.code,
        modifier1=modifiers[0],
        modifier2=modifiers[1],
        modifier3=modifiers[2],
        modifier4=modifiers[3],
        units=line.units,
        charge=line.charge,
        diagnosis_pointers=",".join(str(p) for p in line.diagnosis_pointers),
        date_from=line.date_of_service or encounter.date_of_service,
        date_to=line.date_of_service_end,
        revenue_code=line.revenue_code,
        pos=line.place_of_service or encounter.place_of_service,
        ndc=line.ndc,
        balance=line.charge,
    )


def _fill_from_encounter(claim: ClaimRecord, version: EncounterVersion, encounter: Encounter, cov: Coverage) -> None:
    """Point the claim at this version and rebuild its lines and diagnoses from it."""
    claim.encounter_version_id = version.id
    claim.encounter_id = encounter.encounter_id
    claim.payer_id = cov.payer_id
    claim.coverage_priority = cov.priority.value
    claim.claim_type = encounter.claim_type.value
    claim.frequency_code = encounter.frequency_code.value
    claim.payer_claim_number = encounter.payer_claim_number
    claim.total_charge = encounter.total_charge
    claim.balance = encounter.total_charge
    claim.lines = [_line_record(n, line, encounter) for n, line in enumerate(encounter.lines, start=1)]
    claim.diagnoses = [ClaimDiagnosisRecord(position=d.position, code=d.code) for d in encounter.diagnosis_list]


def _coverage_withdrawn(session: Session, claim: ClaimRecord, version: EncounterVersion) -> None:
    """The encounter's new version lists no insurance: a sent claim needs a correction, an unsent one is held."""
    if claim.status in SUBMITTED_STATUSES:
        set_claim_status(session, claim, ClaimStatus.corrected, cause=CHANGED_AFTER_SUBMISSION, source_kind="intake")
    else:
        set_claim_status(
            session,
            claim,
            ClaimStatus.held,
            cause=f"encounter version {version.version} lists no insurance: bill the patient or add the coverage",
            source_kind="intake",
        )
    audit(
        session,
        actor="intake",
        action="coverage_withdrawn",
        entity_type="claim",
        entity_id=claim.claim_number,
        detail={"claim_version_id": claim.encounter_version_id, "new_version_id": version.id},
    )


def ensure_claims(session: Session, encounter_version_id: int) -> list[ClaimRecord]:
    """Create or update the primary claim for an encounter version and return it (empty list for self-pay).

    - No claim yet: one is built from this version, status ``ingested``.
    - Not yet submitted: the claim is rebuilt from this version and goes back to ``ingested``; findings raised on
      earlier versions are no longer active.
    - Already submitted: the claim keeps what was sent (lines, version) and is marked ``corrected`` (a replacement
      is needed); the new version is the encounter's current one.
    - The version lists no insurance: no claim; an existing one is held (unsent) or marked ``corrected`` (sent).

    Secondary and tertiary claims are created by remittance posting, not here.
    """
    version = session.get(EncounterVersion, encounter_version_id)
    if version is None:
        raise StoreError(f"encounter version {encounter_version_id} does not exist")
    encounter = Encounter.model_validate(version.payload)
    coverage = encounter.primary_coverage
    claim_number = encounter.encounter_id + CLAIM_NUMBER_SUFFIX[CoveragePriority.primary]
    claim = find_claim(session, claim_number)
    if coverage is None:
        if claim is not None and claim.encounter_version_id != version.id:
            _coverage_withdrawn(session, claim, version)
            return [claim]
        return []  # self-pay: nothing to bill to a payer
    if claim is None:
        claim = ClaimRecord(claim_number=claim_number, status=ClaimStatus.ingested, status_changed_at=utcnow())
        _fill_from_encounter(claim, version, encounter, coverage)
        session.add(claim)
        session.flush()
        session.add(
            ClaimStatusChange(
                claim_id=claim.id,
                from_status=None,
                to_status=ClaimStatus.ingested,
                at=claim.status_changed_at,
                cause=f"claim created from encounter {encounter.encounter_id} version {version.version}",
                source_kind="intake",
            )
        )
        return [claim]
    if claim.encounter_version_id == version.id:
        return [claim]
    if claim.status in SUBMITTED_STATUSES:
        set_claim_status(session, claim, ClaimStatus.corrected, cause=CHANGED_AFTER_SUBMISSION, source_kind="intake")
        audit(
            session,
            actor="intake",
            action="correction_needed",
            entity_type="claim",
            entity_id=claim.claim_number,
            detail={"submitted_version_id": claim.encounter_version_id, "new_version_id": version.id},
        )
        return [claim]
    previous_version_id = claim.encounter_version_id
    # Delete the old lines first: the unit of work would insert the new ones before deleting (unique line numbers).
    claim.lines = []
    claim.diagnoses = []
    session.flush()
    _fill_from_encounter(claim, version, encounter, coverage)
    # Findings belong to the version they were raised on: the rebuilt claim waits for a fresh scrub.
    session.execute(
        update(ScrubFinding)
        .where(
            ScrubFinding.claim_id == claim.id,
            ScrubFinding.active.is_(True),
            ScrubFinding.encounter_version_id != version.id,
        )
        .values(active=False)
    )
    set_claim_status(
        session,
        claim,
        ClaimStatus.ingested,
        cause=f"encounter changed: claim rebuilt from version {version.version}",
        source_kind="intake",
    )
    audit(
        session,
        actor="intake",
        action="claim_rebuilt",
        entity_type="claim",
        entity_id=claim.claim_number,
        detail={"previous_version_id": previous_version_id, "new_version_id": version.id},
    )
    session.flush()
    return [claim]


def claim_as_domain(session: Session, claim: ClaimRecord) -> Claim:
    """The claim as the 837 builder and the scrubber see it: the encounter version it is built from plus payer."""
    version = session.get(EncounterVersion, claim.encounter_version_id)
    if version is None:  # pragma: no cover - guarded by the foreign key
        raise StoreError(f"claim {claim.claim_number}: encounter version {claim.encounter_version_id} is missing")
    encounter = Encounter.model_validate(version.payload)
    priority = CoveragePriority(claim.coverage_priority)
    billed = next((c for c in encounter.coverage if c.priority is priority and c.payer_id == claim.payer_id), None)
    billed = billed or next((c for c in encounter.coverage if c.payer_id == claim.payer_id), None)
    if billed is None:
        raise StateError(f"claim {claim.claim_number}: its encounter version lists no coverage for the billed payer")
    payer_row = session.scalars(select(Payer).where(Payer.payer_id == claim.payer_id)).first()
    payer = PayerModel(
        payer_id=claim.payer_id,
        name=payer_row.name if payer_row else (billed.payer_name or claim.payer_id),
        plan_type=(payer_row.plan_type if payer_row else None) or billed.plan_type,
    )
    try:
        return Claim(
            claim_id=claim.claim_number,
            encounter=encounter,
            payer=payer,
            coverage=billed,
            other_coverage=[c for c in encounter.coverage if c is not billed],
            frequency_code=claim.frequency_code,
            payer_claim_number=claim.payer_claim_number,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'claim'}: {e['msg']}" for e in exc.errors())
        raise StateError(f"claim {claim.claim_number} cannot be built: {problems}") from exc
