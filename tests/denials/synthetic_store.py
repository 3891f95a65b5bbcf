"""A synthetic practice history stored the way the pipeline would have stored it (rows written directly, fast):
claims sent before a cutoff with their eligibility answers, scrubber warnings and overrides, and the 835 results
posted before it; the later ones left ready to send."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.payer_sim import SynthHistory, load_payer_rules
from rcm.store import (
    ClaimPayment,
    ClaimStatus,
    ClaimSubmission,
    CoverageSnapshot,
    DenialRecord,
    EncounterVersion,
    FindingOverride,
    Payer,
    Remittance,
    ScrubFinding,
    find_claim,
    record_file,
    save_encounter,
    set_claim_status,
)


def at_noon(d: date) -> datetime:
    return datetime.combine(d, time(12, 0), tzinfo=UTC)


def load_into_store(session: Session, history: SynthHistory, cutoff: date) -> None:
    """What the pipeline would have stored: claims sent before ``cutoff`` with their remits; later ones ready."""
    rules = load_payer_rules()
    adjudications = history.adjudications
    files: dict[str, int] = {}
    remits: dict[tuple[str, date], Remittance] = {}
    for n, claim in enumerate(history.claims):
        save_encounter(session, claim.encounter, source_file="synth.jsonl", source_row=n)
        record = find_claim(session, claim.claim_id)
        assert record is not None
        version = session.get(EncounterVersion, record.encounter_version_id)
        assert version is not None
        if claim.eligibility_checked_on is not None:
            session.add(CoverageSnapshot(patient_id=version.patient_id, payer_id=claim.payer_id,
                                         as_of=claim.eligibility_checked_on, status=claim.eligibility_status,
                                         received_at=at_noon(claim.eligibility_checked_on)))
        for rule in claim.warnings:
            session.add(ScrubFinding(claim_id=record.id, encounter_version_id=version.id, rule_id=rule,
                                     category="edit", severity="warning", message=f"{rule} on the claim",
                                     created_at=at_noon(claim.submitted_on) - timedelta(hours=2)))
            session.add(FindingOverride(claim_id=record.id, encounter_version_id=version.id, rule_id=rule,
                                        actor="biller", reason="sent anyway",
                                        at=at_noon(claim.submitted_on) - timedelta(hours=1)))
        if claim.submitted_on >= cutoff:
            set_claim_status(session, record, ClaimStatus.ready, cause="scrubbed clean", source_kind="scrub")
            continue
        month = f"{claim.submitted_on:%Y-%m}"
        if month not in files:
            rec, _ = record_file(session, direction="out", kind="837P", name=f"837_{month}.x12", path="/x",
                                 content=month.encode())
            files[month] = rec.id
        session.add(ClaimSubmission(claim_id=record.id, file_id=files[month], submission_number=1,
                                    submitted_at=at_noon(claim.submitted_on)))
        set_claim_status(session, record, ClaimStatus.submitted, cause="sent", source_kind="build")
        adj = adjudications[claim.claim_id]
        if adj.adjudicated_on >= cutoff:
            continue
        key = (adj.payer_id, adj.adjudicated_on)
        if key not in remits:
            rec, _ = record_file(session, direction="in", kind="835", name=f"835_{key}.x12", path="/y",
                                 content=repr(key).encode())
            remits[key] = Remittance(file_id=rec.id, trace_number=f"{adj.payer_id}{adj.adjudicated_on:%Y%m%d}",
                                     payer_key=adj.payer_id, payment_amount=0, posted_at=at_noon(adj.adjudicated_on))
            session.add(remits[key])
            session.flush()
        payment = ClaimPayment(remittance_id=remits[key].id, claim_id=record.id,
                               patient_control_number=claim.claim_id, status_code=adj.status_code,
                               charge=adj.charge, paid=adj.paid, patient_responsibility=adj.patient_responsibility,
                               payer_claim_number=adj.payer_claim_number)
        session.add(payment)
        session.flush()
        for line in adj.lines:
            if line.denied:
                cas = line.adjustments[0]
                session.add(DenialRecord(claim_id=record.id, claim_payment_id=payment.id, line_id=line.line_id,
                                         group_code=cas.group, reason_code=cas.reason, remark_codes=line.remarks,
                                         amount=cas.amount, denied_at=at_noon(adj.adjudicated_on)))
    for payer in session.scalars(select(Payer)):
        if payer.payer_id in rules:
            payer.timely_filing_days = rules[payer.payer_id].timely_filing_days
    session.flush()
