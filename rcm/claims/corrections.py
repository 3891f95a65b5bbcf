"""Corrected claims: a claim already sent whose encounter changed goes out again as a replacement (7) or void (8),
built from the encounter's current version and carrying the payer's claim number (REF*F8)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.claims.errors import ClaimBuildError
from rcm.domain import ClaimFrequency, Encounter, ServiceLine
from rcm.store import repositories
from rcm.store.tables import ClaimDiagnosisRecord, ClaimLineRecord, ClaimRecord, ServicePayment

__all__ = ["repoint_to_current_version"]


def _line(number: int, line: ServiceLine, encounter: Encounter) -> ClaimLineRecord:
    mods: list[str | None] = [*line.modifiers, None, None, None, None]
    return ClaimLineRecord(
        line_number=number, line_id=line.line_id, code=line.code, modifier1=mods[0], modifier2=mods[1],
        modifier3=mods[2], modifier4=mods[3], units=line.units, charge=line.charge,
        diagnosis_pointers=",".join(str(p) for p in line.diagnosis_pointers),
        date_from=line.date_of_service or encounter.date_of_service, date_to=line.date_of_service_end,
        revenue_code=line.revenue_code, pos=line.place_of_service or encounter.place_of_service, ndc=line.ndc,
        balance=line.charge,
    )


def repoint_to_current_version(session: Session, claim: ClaimRecord, *, never_adjudicated: bool = False) -> bool:
    """Point a sent claim at its encounter's current version as a replacement or void; False when it already is.

    The frequency is the encounter's when it says 7 or 8, otherwise 7 (a changed claim replaces the one sent).
    A claim whose last submission was rejected before adjudication (``never_adjudicated``) has nothing at the
    payer to replace: it goes out again as an original (1). Raises ClaimBuildError when a replacement or void
    lacks the payer's claim number (needed in REF*F8).
    """
    current = repositories.current_encounter_version(session, claim.encounter_id)
    if current is None or current.id == claim.encounter_version_id:
        return False
    encounter = Encounter.model_validate(current.payload)
    frequency = encounter.frequency_code
    if never_adjudicated:
        frequency = ClaimFrequency.original
    elif frequency is ClaimFrequency.original:
        frequency = ClaimFrequency.replacement
    payer_claim_number = encounter.payer_claim_number or claim.payer_claim_number
    if not payer_claim_number and frequency is not ClaimFrequency.original:
        raise ClaimBuildError(claim.claim_number, "payer_claim_number",
                              "a replacement or void needs the payer's claim number (from the 835 or 277CA)")
    claim.encounter_version_id = current.id
    claim.frequency_code = frequency.value
    claim.payer_claim_number = payer_claim_number
    claim.claim_type = encounter.claim_type.value
    claim.total_charge = encounter.total_charge
    claim.balance = encounter.total_charge - claim.paid_amount
    _replace_lines(session, claim, encounter)
    claim.diagnoses.clear()
    session.flush()
    claim.diagnoses.extend(ClaimDiagnosisRecord(position=d.position, code=d.code) for d in encounter.diagnosis_list)
    session.flush()
    return True


def _replace_lines(session: Session, claim: ClaimRecord, encounter: Encounter) -> None:
    """Update lines in place by line number (payments posted against them keep pointing at them)."""
    existing = {line.line_number: line for line in claim.lines}
    for number, line in enumerate(encounter.lines, start=1):
        fresh = _line(number, line, encounter)
        old = existing.pop(number, None)
        if old is None:
            claim.lines.append(fresh)
            continue
        for name in ("line_id", "code", "modifier1", "modifier2", "modifier3", "modifier4", "units", "charge",
                     "diagnosis_pointers", "date_from", "date_to", "revenue_code", "pos", "ndc"):
            setattr(old, name, getattr(fresh, name))
        old.balance = old.charge - old.paid - old.adjusted
    for number, old in existing.items():
        paid = session.scalars(select(ServicePayment.id).where(ServicePayment.claim_line_id == old.id)).first()
        if paid is not None:
            raise ClaimBuildError(claim.claim_number, f"line {number}",
                                  "a line the payer already adjudicated is missing from the corrected encounter")
        claim.lines.remove(old)
