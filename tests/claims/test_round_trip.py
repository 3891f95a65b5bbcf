"""What we meant is what we wrote: generated claims written with rcm.x12.writer and read back with the X12
core's 837 model (ClaimBatch / SubmittedClaim) carry the same ids, amounts, codes, pointers, line ids and COB."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import cast

import pytest

from rcm.claims.batching import plan_transactions
from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.institutional import institutional_codes_segment
from rcm.claims.transaction import build_claim_block, transaction_segments, version_for
from rcm.domain import ClaimType
from rcm.x12.reader import read_transactions
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange

from .shapes import make_claim


@pytest.mark.parametrize("claim_type", [ClaimType.professional, ClaimType.institutional])
def test_written_claims_read_back_the_same(clearinghouse: Clearinghouse, claim_type: ClaimType) -> None:
    outgoing = {o.claim.claim_id: o for o in (make_claim(i, seed=7) for i in range(160))
                if o.claim.claim_type is claim_type}
    blocks = [build_claim_block(o) for o in outgoing.values()]
    plans = plan_transactions(blocks, max_claims_per_transaction=25)
    created = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    txs = [TransactionOut("837", f"{n:04d}", cast("list[list[ElementValue]]", transaction_segments(
        p.blocks, clearinghouse=clearinghouse, reference=f"R{n}", created=created))) for n, p in enumerate(plans, 1)]
    data = write_interchange(
        sender_qualifier="ZZ", sender_id="RCMSUBMITTER", receiver_qualifier="ZZ", receiver_id="CLEARINGHOUSE",
        control_number=7, date=date(2024, 6, 1), time=time(12, 0), usage="T",
        groups=[GroupOut("HC", "RCMSUBMITTER", "CLEARINGHOUSE", 7, version_for(claim_type), date(2024, 6, 1),
                         time(12, 0), txs)],
    )
    seen = 0
    for tx in read_transactions(data):
        for read in tx.model.claims:
            sent = outgoing[read.patient_control_number].claim
            adjudications = outgoing[read.patient_control_number].adjudications
            seen += 1
            assert read.charge == sent.total_charge == read.line_total
            assert read.frequency == sent.frequency_code.value
            assert [d.code for d in read.diagnoses if d.qualifier in ("ABK", "ABF")] == list(sent.encounter.diagnoses)
            assert read.prior_authorization == sent.encounter.prior_authorization
            assert read.payer_claim_control_number == sent.payer_claim_number
            assert read.subscriber is not None and read.subscriber.responsibility == sent.coverage.priority.sbr01
            assert (read.patient is not None) == (sent.coverage.relationship.value != "self")
            assert len(read.lines) == len(sent.lines)
            for got, want in zip(read.lines, sent.lines, strict=True):
                assert got.charge == want.charge and got.units == want.units
                assert got.procedure is not None and got.procedure.code == want.code
                assert got.procedure.modifiers == want.modifiers
                assert [r.value for r in got.references if r.qualifier == "6R"] == [want.line_id]
                if claim_type is ClaimType.professional:
                    assert got.diagnosis_pointers == want.diagnosis_pointers
                else:
                    assert got.revenue_code == (want.revenue_code or "").zfill(4)
                adjudicated = [a.line(want.line_id) for a in adjudications]
                assert [a.paid for a in got.adjudications] == [a.paid for a in adjudicated if a is not None]
            if claim_type is ClaimType.institutional:  # CL1: admission type, point of origin, patient status
                enc = sent.encounter
                assert read.institutional == institutional_codes_segment(sent, inpatient=enc.is_inpatient)[1:]
                assert read.institutional[2] == (enc.patient_status or read.institutional[2])
                assert read.institutional[:2] == [enc.admission_type or read.institutional[0],
                                                  enc.point_of_origin or read.institutional[1]]
            assert [p.payer.id if p.payer else None for p in read.other_payers] == [
                a.payer_id for a in adjudications]
            for other, adjudication in zip(read.other_payers, adjudications, strict=True):
                paid = [a.amount for a in other.amounts if a.qualifier == "D"]
                assert paid == [adjudication.paid]
                assert sum((a.amount for a in other.adjustments), Decimal("0")) == sum(
                    (a.amount for a in adjudication.claim_adjustments), Decimal("0"))
    assert seen == len(outgoing)
