"""The next payer's claim: when remittance posting queues a paid claim (SecondaryClaimQueue), the claims stage
creates the secondary or tertiary claim for the same encounter version, ready to be built with COB loops."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.domain import CoveragePriority, Encounter
from rcm.store import repositories
from rcm.store.tables import ClaimLineRecord, ClaimRecord, ClaimStatus, EncounterVersion, SecondaryClaimQueue

__all__ = ["create_next_payer_claims"]

_NEXT = {"primary": CoveragePriority.secondary, "secondary": CoveragePriority.tertiary}
_SUFFIX = {CoveragePriority.secondary: "-S", CoveragePriority.tertiary: "-T"}
_FORWARDED = ("CLP02 19", "CLP02 20", "CLP02 21")


def _copy_line(line: ClaimLineRecord) -> ClaimLineRecord:
    return ClaimLineRecord(
        line_number=line.line_number, line_id=line.line_id, code=line.code, modifier1=line.modifier1,
        modifier2=line.modifier2, modifier3=line.modifier3, modifier4=line.modifier4, units=line.units,
        charge=line.charge, diagnosis_pointers=line.diagnosis_pointers, date_from=line.date_from,
        date_to=line.date_to, revenue_code=line.revenue_code, pos=line.pos, ndc=line.ndc, balance=line.balance,
    )


def create_next_payer_claims(session: Session) -> list[ClaimRecord]:
    """Turn every unbuilt queue entry into the next payer's claim (once); the caller commits.

    The new claim is `ready` (its encounter already passed the scrubber for the primary claim), except when the
    earlier payer forwarded the claim itself (crossover, CLP02 19/20/21): then it is `held` so that a biller
    decides, since sending it too would be a duplicate at the next payer.
    """
    created: list[ClaimRecord] = []
    queue = session.scalars(
        select(SecondaryClaimQueue).where(SecondaryClaimQueue.built.is_(False)).order_by(SecondaryClaimQueue.id)
    ).all()
    for entry in queue:
        source = session.get(ClaimRecord, entry.claim_id)
        if source is None:
            continue
        priority = _NEXT.get(source.coverage_priority)
        version = session.get(EncounterVersion, source.encounter_version_id)
        if priority is None or version is None:
            entry.built = True
            continue
        encounter = Encounter.model_validate(version.payload)
        coverage = next((c for c in encounter.coverage if c.priority is priority), None)
        number = source.encounter_id + _SUFFIX[priority]
        if coverage is None or repositories.find_claim(session, number) is not None:
            entry.built = True
            continue
        primary_id = source.primary_claim_id or source.id
        claim = ClaimRecord(
            claim_number=number, encounter_id=source.encounter_id, encounter_version_id=source.encounter_version_id,
            primary_claim_id=primary_id, payer_id=coverage.payer_id, coverage_priority=priority.value,
            claim_type=source.claim_type, frequency_code="1", payer_claim_number=None,
            total_charge=source.total_charge, balance=source.balance, status=ClaimStatus.ingested,
        )
        claim.lines = [_copy_line(line) for line in source.lines]
        session.add(claim)
        session.flush()
        forwarded = any(marker in entry.reason for marker in _FORWARDED)
        if forwarded:
            repositories.set_claim_status(
                session, claim, ClaimStatus.held, source_kind="build",
                cause=f"{source.payer_id} forwarded claim {source.claim_number} to the next payer itself (crossover);"
                      " send this claim only if the next payer does not receive it",
            )
        else:
            repositories.set_claim_status(
                session, claim, ClaimStatus.ready, source_kind="build",
                cause=f"{priority.value} claim created: {entry.reason}",
            )
        entry.built = True
        created.append(claim)
    session.flush()
    return created
