"""Typed models: 835 Remittance, 837 ClaimBatch, 999, TA1, 277CA and 271 read from hand-made and sample files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from x12_samples import sample

from rcm.x12.errors import UnknownTransactionError
from rcm.x12.reader import read_file
from rcm.x12.sets import registry, x835, x837p, x999
from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.eligibility279 import EligibilityResponse
from rcm.x12.sets.status277 import ClaimStatusReport
from rcm.x12.sets.ta1 import interchange_acknowledgments

ISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *240105*0930*^*00501*000000042*0*P*:~"

REMIT = ISA + "GS*HP*PAYER*PRACTICE*20240105*0930*7*X*005010X221A1~" + "~".join([
    "ST*835*0001*005010X221A1",
    "BPR*I*125.00*C*ACH*CCP*01*111000025*DA*123456*1512345678**01*222000111*DA*987*20240110",
    "TRN*1*EFT12345*1512345678", "REF*EV*RECEIVER1", "DTM*405*20240105",
    "N1*PR*ACME HEALTH PLAN", "N3*1 MAIN ST", "N4*SPRINGFIELD*IL*62701", "PER*BL*EDI*TE*8005551212",
    "N1*PE*FAMILY PRACTICE*XX*1234567893", "REF*TJ*987654321",
    "LX*1",
    "CLP*PCN001*1*200.00*130.00*20.00*12*PAYERCLAIM1*11*1", "CAS*OA*23*10.00",
    "NM1*QC*1*DOE*JANE****MI*MEMBER1", "DTM*232*20231201", "DTM*233*20231201",
    "SVC*HC:99213:25*200.00*140.00**1", "DTM*472*20231201", "CAS*CO*45*40.00", "CAS*PR*3*20.00*1",
    "REF*6R*LINE1", "AMT*B6*160.00", "LQ*HE*N130",
    "CLP*PCN002*22*-50.00*-50.00**12*PAYERCLAIM0", "NM1*QC*1*ROE*RICH****MI*MEMBER2",
    "PLB*1234567893*20241231*WO:RECOUP1*-55.00*L6*10.00", "SE*28*0001",
]) + "~GE*1*7~IEA*1*000000042~"


def test_835_remittance_model() -> None:
    tx = read_file(REMIT.encode()).transactions[0]
    r = tx.model
    assert isinstance(r, x835.Remittance)
    assert tx.findings == []
    assert r.payment is not None and r.payment.amount == Decimal("125.00") and r.payment.method == "ACH"
    assert r.payment.credit_debit == "C" and r.payment.date == date(2024, 1, 10)
    assert r.trace is not None and (r.trace.number, r.trace.originator) == ("EFT12345", "1512345678")
    assert r.production_date == date(2024, 1, 5)
    assert r.payer is not None and r.payer.name == "ACME HEALTH PLAN" and r.payer.address is not None
    assert r.payer.address.city == "SPRINGFIELD"
    assert r.payee is not None and r.payee.npi == "1234567893" and r.payee.tax_id == "987654321"
    first, reversal = r.claims
    assert (first.patient_control_number, first.status, first.payer_claim_control_number) == (
        "PCN001", "1", "PAYERCLAIM1")
    assert (first.charge, first.paid, first.patient_responsibility) == (
        Decimal("200.00"), Decimal("130.00"), Decimal("20.00"))
    assert first.filing_indicator == "12" and first.header_number == "1"
    assert [(a.group, a.reason, a.amount) for a in first.adjustments] == [("OA", "23", Decimal("10.00"))]
    assert first.patient is not None and first.patient.id == "MEMBER1"
    assert first.statement_start == date(2023, 12, 1)
    line = first.services[0]
    assert (line.procedure.qualifier, line.procedure.code, line.procedure.modifiers) == ("HC", "99213", ["25"])
    assert (line.charge, line.paid, line.units) == (Decimal("200.00"), Decimal("140.00"), Decimal("1"))
    assert line.line_item_control_number == "LINE1" and line.allowed == Decimal("160.00")
    assert line.service_date == date(2023, 12, 1)
    assert [(a.group, a.reason, a.amount, a.quantity) for a in line.adjustments] == [
        ("CO", "45", Decimal("40.00"), None), ("PR", "3", Decimal("20.00"), Decimal("1"))]
    assert [(m.qualifier, m.code) for m in line.remarks] == [("HE", "N130")]
    assert line.balanced and first.balanced
    assert reversal.is_reversal and reversal.paid == Decimal("-50.00") and reversal.services == []
    plb = r.provider_adjustments[0]
    assert plb.provider_id == "1234567893" and plb.fiscal_date == date(2024, 12, 31)
    assert [(a.reason, a.reference, a.amount) for a in plb.adjustments] == [
        ("WO", "RECOUP1", Decimal("-55.00")), ("L6", "", Decimal("10.00"))]
    # BPR02 = Σ CLP04 − Σ PLB
    assert r.paid_amount == r.claims_paid - r.provider_adjustment_total
    assert all(isinstance(x.segment, int) and x.segment > 0 for x in (r, first, line, plb))


def test_835_malformed_amounts_do_not_raise() -> None:
    tx = read_file(REMIT.replace("CLP*PCN001*1*200.00", "CLP*PCN001*1*2O0.OO").encode()).transactions[0]
    assert tx.model.claims[0].charge == Decimal("0.00")


def test_837p_model_from_sample() -> None:
    x = read_file(sample("LinuxForHealth+x12/src/tests/resources/837_005010X222A2/demo.cob.example3.B.837"))
    batch = x.transactions[0].model
    assert isinstance(batch, x837p.ClaimBatch) and batch.kind == "professional"
    assert batch.submitter is not None and batch.receiver is not None
    claim = batch.claims[0]
    assert claim.charge == claim.line_total == batch.charges
    assert claim.billing_provider is not None and claim.billing_provider.party is not None
    assert claim.billing_provider.party.npi
    assert claim.subscriber is not None and claim.subscriber.payer is not None
    assert claim.principal_diagnosis and claim.diagnoses[0].qualifier in ("ABK", "BK")
    assert claim.other_payers and claim.other_payers[0].payer is not None
    line = claim.lines[0]
    assert line.procedure is not None and line.procedure.code and line.charge > 0
    assert line.diagnosis_pointers and line.service_date is not None
    assert any(ln.adjudications for ln in claim.lines)
    adj = next(a for ln in claim.lines for a in ln.adjudications)
    assert adj.paid >= 0 and adj.adjudication_date is not None


def test_837_guides_are_told_apart() -> None:
    inst = read_file(sample("837_005010X223A3/two-claims-single-provider.837i")).transactions[0].model
    assert isinstance(inst, ClaimBatch) and inst.kind == "institutional"
    assert len(inst.claims) == 2
    assert all(c.type_of_bill and c.lines[0].revenue_code for c in inst.claims)
    assert registry.lookup("837", "005010X224A2") is not None
    assert registry.lookup("837", "005010X224A2").name == "837D"  # type: ignore[union-attr]


def test_999_model() -> None:
    ack = read_file(sample("xlate+staedi/src/test/resources/x12/simple999.edi")).transactions[0].model
    assert isinstance(ack, x999.ImplementationAcknowledgment)
    assert ack.group_status == "P" and [r.status for r in ack.responses] == ["A", "R", "R"]
    rejected = ack.response_for("0002")
    assert rejected is not None and not rejected.accepted and rejected.errors
    assert rejected.errors[0].elements and rejected.errors[0].elements[0].code


def test_ta1() -> None:
    acks = interchange_acknowledgments(read_file(sample("UHIN+x12-parser-library/tests/test-files/TA1.edi")))
    assert [(a.status, a.note_code, a.accepted) for a in acks] == [("R", "024", False)]


def test_277ca_model() -> None:
    report = read_file(sample("277_5010/x12_277CA_rejected.txt")).transactions[0].model
    assert isinstance(report, ClaimStatusReport) and report.kind == "277CA"
    claim = report.claims[0]
    assert claim.rejected and not claim.accepted
    assert claim.payer_claim_control_number and claim.statuses[0].category == "A7"
    accepted = read_file(sample("277_5010/x12_277CA_accepted.txt")).transactions[0].model.claims[0]
    assert accepted.accepted and not accepted.rejected


def test_271_model() -> None:
    resp = read_file(sample("LinuxForHealth+x12/demo-file/demo.271")).transactions[0].model
    assert isinstance(resp, EligibilityResponse)
    member = resp.members[0]
    assert member.level == "subscriber" and member.traces and member.member_id
    assert member.benefits and member.benefits[0].code
    assert any(b.service_types for b in member.benefits)
    error = read_file(sample("subscriber-health-benefit-check-error.271")).transactions[0].model
    assert [r.reason for r in error.receiver_rejections] == ["50"]


def test_unknown_set_raises_a_typed_error() -> None:
    tx = read_file(sample("LinuxForHealth+x12/demo-file/demo.834")).transactions[0]
    with pytest.raises(UnknownTransactionError, match="834"):
        _ = tx.model


def test_270_model() -> None:
    from rcm.x12.sets.eligibility279 import EligibilityInquiry

    inq = read_file(sample("270_005010X279A1/dependent-health-benefit-check.270")).transactions[0].model
    assert isinstance(inq, EligibilityInquiry)
    levels = [m.level for m in inq.members]
    assert levels == ["subscriber", "dependent"]
    dependent = inq.members[1]
    assert dependent.inquiries and dependent.inquiries[0].service_types
    assert dependent.traces and dependent.traces[0].number
    assert dependent.source is not None and dependent.receiver is not None


def test_276_and_277_models() -> None:
    request = read_file(sample("LinuxForHealth+x12/demo-file/demo.276")).transactions[0].model
    assert isinstance(request, ClaimStatusReport) and request.kind == "276"
    assert [c.patient_control_number for c in request.claims] == ["ABCXYZ1", "ABCXYZ2", "ABCXYZ3"]
    assert request.claims[2].lines and request.claims[0].provider is not None
    response = read_file(sample("LinuxForHealth+x12/demo-file/demo.277")).transactions[0].model
    assert response.kind == "277"
    first = response.claims[0]
    assert (first.statuses[0].category, first.statuses[0].code) == ("P3", "317")
    assert first.payer_claim_control_number == "05347006051"
    receiver_level = read_file(sample("277_005010X212/information-receiver-level-status.277")).transactions[0]
    assert receiver_level.model.receiver_statuses[0].category == "E0"
