"""Putting claims into the store the way intake and the scrubber leave them (ready), and posting a primary
payment the way remittance posting does, so the claims stage can be tested end to end."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from rcm.claims.transaction import OutgoingClaim
from rcm.domain import ClaimFrequency, Encounter
from rcm.store import repositories
from rcm.store.tables import (
    Adjustment,
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    Remittance,
    SecondaryClaimQueue,
    ServicePayment,
    X12FileRecord,
)

from .shapes import make_claim


def primary_encounter(i: int, *, frequency: ClaimFrequency = ClaimFrequency.original,
                      payer_claim_number: str | None = None) -> Encounter:
    """A generated encounter billed to its primary payer (the shapes' index picks the options)."""
    outgoing: OutgoingClaim = make_claim(i)
    enc = outgoing.claim.encounter.model_copy(deep=True)
    enc.frequency_code = frequency
    enc.payer_claim_number = payer_claim_number
    return enc


def ready_claim(session: Session, encounter: Encounter) -> ClaimRecord:
    """Ingest the encounter and mark its primary claim ready (what the scrubber does when it passes)."""
    repositories.save_encounter(session, encounter, source_file="test.jsonl", source_row=1)
    claim = repositories.find_claim(session, encounter.encounter_id)
    assert claim is not None
    repositories.set_claim_status(session, claim, ClaimStatus.ready, cause="scrubber: no findings",
                                  source_kind="scrub")
    session.commit()
    return claim


def post_primary_payment(session: Session, claim: ClaimRecord, *, paid_date: date = date(2024, 7, 1)) -> None:
    """An 835 posting for ``claim``: each line paid 70 %, 10 % coinsurance, the rest contractual."""
    file, _ = repositories.record_file(session, direction="in", kind="835", name="era.835", path="/nowhere/era.835",
                                       content=f"era for {claim.claim_number}".encode())
    remittance = Remittance(file_id=file.id, trace_number=f"T{claim.id}", payer_key=claim.payer_id,
                            payment_amount=Decimal("0"), payment_method="ACH", payment_date=paid_date)
    session.add(remittance)
    session.flush()
    payment = ClaimPayment(remittance_id=remittance.id, claim_id=claim.id, patient_control_number=claim.claim_number,
                           status_code="1", charge=claim.total_charge, paid=Decimal("0"),
                           patient_responsibility=Decimal("0"), payer_claim_number=f"ICN{claim.id}")
    session.add(payment)
    session.flush()
    total_paid = Decimal("0")
    total_patient = Decimal("0")
    for line in claim.lines:
        paid = (line.charge * Decimal("0.7")).quantize(Decimal("0.01"))
        coins = (line.charge * Decimal("0.1")).quantize(Decimal("0.01"))
        service = ServicePayment(claim_payment_id=payment.id, claim_line_id=line.id, code=line.code,
                                 modifiers=line.modifiers, charge=line.charge, paid=paid, allowed=paid + coins,
                                 units=line.units, service_date=line.date_from, line_id=line.line_id)
        session.add(service)
        session.flush()
        session.add(Adjustment(claim_payment_id=payment.id, service_payment_id=service.id, group_code="CO",
                               reason_code="45", amount=line.charge - paid - coins))
        session.add(Adjustment(claim_payment_id=payment.id, service_payment_id=service.id, group_code="PR",
                               reason_code="2", amount=coins))
        total_paid += paid
        total_patient += coins
    payment.paid = total_paid
    payment.patient_responsibility = total_patient
    remittance.payment_amount = total_paid
    session.flush()


def queue_next_payer(session: Session, primary: ClaimRecord) -> None:
    """What remittance posting does after paying the primary: mark it paid and queue the next payer's claim."""
    repositories.set_claim_status(session, primary, ClaimStatus.paid, cause="paid by the primary payer",
                                  source_kind="remit")
    session.add(SecondaryClaimQueue(claim_id=primary.id, reason="secondary coverage on file and a balance remains"))
    session.commit()


def sent_file(session: Session, path: str) -> X12FileRecord:
    from sqlalchemy import select

    record = session.scalars(select(X12FileRecord).where(X12FileRecord.path == path)).one()
    return record
