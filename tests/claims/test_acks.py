"""Acknowledgments in: TA1, 999 and 277CA matched to the interchanges, transactions and claims we sent; the
reason in words; rejected claims back on the worklist; unmatched acks reported; the same file twice is a no-op."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.claims.ack_ingest import ingest_ack_file
from rcm.claims.ack_reading import read_acks
from rcm.claims.submission import build_claims
from rcm.config import Settings
from rcm.errors import InputError
from rcm.store import repositories
from rcm.store.tables import ClaimRecord, ClaimStatus, ClaimSubmission, X12FileRecord, X12TransactionRecord
from rcm.x12.tokenizer import iter_segments

from .store_helpers import primary_encounter, ready_claim

NOW = datetime(2024, 8, 1, 9, 30, tzinfo=UTC)
ISA = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*RCMSUBMITTER   *240802*1200*^*00501*{icn}*0*P*:~\n"


def _write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(body)
    return path


def _sent(session: Session, settings: Settings, indexes: list[int]) -> list[ClaimRecord]:
    # even indexes are professional claims: one guide, fewer groups to reason about
    claims = [ready_claim(session, primary_encounter(i)) for i in indexes]
    report = build_claims(session, settings, now=NOW)
    assert len(report.files) == 1
    return claims


def _tx_of(session: Session, claim: ClaimRecord) -> X12TransactionRecord:
    sub = session.scalars(select(ClaimSubmission).where(ClaimSubmission.claim_id == claim.id)).one()
    tx = session.get(X12TransactionRecord, sub.transaction_record_id)
    assert tx is not None
    return tx


def _999(groups: list[tuple[str, list[tuple[str, str, str]]]], icn: str = "000000900") -> str:
    lines = [ISA.format(icn=icn).strip("\n"), "GS*FA*CLEARINGHOUSE*RCMSUBMITTER*20240802*1200*900*X*005010X231A1~"]
    body = ["ST*999*0001*005010X231A1~"]
    for gs06, txs in groups:
        body.append(f"AK1*HC*{gs06}*005010X222A1~")
        for st02, status, extra in txs:
            body.append(f"AK2*837*{st02}*005010X222A1~")
            if extra:
                body.append(extra)
            body.append(f"IK5*{status}" + ("*5~" if status == "R" else "~"))
        body.append(f"AK9*A*{len(txs)}*{len(txs)}*{len(txs)}~")
    body.append(f"SE*{len(body) + 1}*0001~")
    return "\n".join([*lines, *body, "GE*1*900~", f"IEA*1*{icn}~"]) + "\n"


def test_999_accepts_and_rejects_transactions_with_reasons(session: Session, settings: Settings,
                                                           tmp_path: Path) -> None:
    a, b = _sent(session, settings, [30, 32])
    tx_a, tx_b = _tx_of(session, a), _tx_of(session, b)
    assert tx_a.id != tx_b.id  # different billing providers: different transactions
    # an element error on the CLM of claim b: position of its CLM segment in its transaction
    sent = session.get(X12FileRecord, tx_b.file_id)
    assert sent is not None
    position, inside = 0, False
    for seg in iter_segments(Path(sent.path)):
        if seg.id == "ST":
            inside, position = seg.get(2) == tx_b.transaction_control_number, 0
        if inside:
            position += 1
            if seg.id == "CLM":
                break
    error = f"IK3*CLM*{position}*2300*8~\nIK4*5:3*1325*7~"
    ack = _write(tmp_path, "ack.999", _999([(tx_a.group_control_number, [
        (tx_a.transaction_control_number, "A", ""), (tx_b.transaction_control_number, "R", error)])]))
    report = ingest_ack_file(session, ack)
    session.commit()
    assert (report.kind, report.accepted, report.accepted_with_errors, report.rejected) == ("999", 1, 0, 1)
    assert report.unmatched == []
    session.refresh(a)
    session.refresh(b)
    assert a.status is ClaimStatus.acknowledged and b.status is ClaimStatus.rejected
    cause = repositories.claim_timeline(session, b.claim_number)[-1].cause
    assert "CLM05-3" in cause and "invalid code value" in cause and "2300" in cause
    assert ClaimStatus.rejected in {c.status for c in repositories.claims_with_status(session, ["rejected"])}
    assert session.get(X12TransactionRecord, tx_b.id).ack_status == "R"  # type: ignore[union-attr]


def test_the_same_ack_twice_changes_nothing(session: Session, settings: Settings, tmp_path: Path) -> None:
    (a,) = _sent(session, settings, [34])
    tx = _tx_of(session, a)
    ack = _write(tmp_path, "ack.999", _999([(tx.group_control_number, [(tx.transaction_control_number, "R", "")])]))
    first = ingest_ack_file(session, ack)
    session.commit()
    steps = len(repositories.claim_timeline(session, a.claim_number))
    second = ingest_ack_file(session, ack)
    session.commit()
    assert second.duplicate and not first.duplicate
    assert (second.accepted, second.rejected) == (first.accepted, first.rejected)
    assert len(repositories.claim_timeline(session, a.claim_number)) == steps


def test_ta1_rejection_rejects_every_claim_in_the_interchange(session: Session, settings: Settings,
                                                              tmp_path: Path) -> None:
    claims = _sent(session, settings, [36, 38, 40])
    sent = session.scalars(select(X12FileRecord).where(X12FileRecord.direction == "out")).one()
    ack = _write(tmp_path, "ack.ta1", ISA.format(icn="000000901") + f"TA1*{sent.interchange_control_number}"
                 "*240802*1200*R*006~\nIEA*0*000000901~\n")
    report = ingest_ack_file(session, ack)
    session.commit()
    assert (report.kind, report.rejected, report.unmatched) == ("TA1", 1, [])
    for claim in claims:
        session.refresh(claim)
        assert claim.status is ClaimStatus.rejected
        assert "invalid interchange sender ID" in (repositories.claim_timeline(session, claim.claim_number)[-1].cause)


def test_277ca_moves_claims_and_reports_strangers(session: Session, settings: Settings, tmp_path: Path) -> None:
    a, b = _sent(session, settings, [42, 44])
    body = (ISA.format(icn="000000902") + "GS*HN*CLEARINGHOUSE*RCMSUBMITTER*20240802*1200*902*X*005010X214~\n"
            "ST*277*0001*005010X214~\nBHT*0085*08*1*20240802*1200*TH~\nHL*1**20*1~\nNM1*PR*2*PAYER*****PI*X~\n"
            "TRN*1*1~\nDTP*050*D8*20240802~\nDTP*009*D8*20240802~\nHL*2*1*21*1~\nNM1*41*2*US*****46*RCM~\n"
            "TRN*2*NOT-OURS~\nSTC*A1:19*20240802*WQ*10~\nHL*3*2*19*1~\nNM1*85*2*CLINIC*****XX*1234567893~\n"
            f"HL*4*3*PT~\nNM1*QC*1*DOE*J~\nTRN*2*{a.claim_number}~\nSTC*A2:20*20240802*WQ*10~\nREF*1K*PAYER-77~\n"
            f"HL*5*3*PT~\nNM1*QC*1*DOE*K~\nTRN*2*{b.claim_number}~\nSTC*A7:562:85*20240802*U*10~\n"
            "HL*6*3*PT~\nNM1*QC*1*DOE*L~\nTRN*2*NEVER-SENT~\nSTC*A2:20*20240802*WQ*10~\n"
            "SE*27*0001~\nGE*1*902~\nIEA*1*000000902~\n")
    report = ingest_ack_file(session, _write(tmp_path, "ack.277", body))
    session.commit()
    assert report.kind == "277CA" and (report.accepted, report.rejected) == (2, 1)
    assert {u.get("claim") or u.get("batch") for u in report.unmatched} == {"NEVER-SENT", "NOT-OURS"}
    session.refresh(a)
    session.refresh(b)
    assert a.status is ClaimStatus.acknowledged and a.payer_claim_number == "PAYER-77"
    assert b.status is ClaimStatus.rejected
    cause = repositories.claim_timeline(session, b.claim_number)[-1].cause
    assert "rejected for invalid information" in cause and "National Provider Identifier" in cause
    assert "billing provider" in cause


@pytest.mark.shared
def test_public_ack_samples_are_read_and_reported_unmatched(session: Session, samples: Path) -> None:
    files = {
        "imsweb+x12-parser/src/test/resources/837_5010/x12_999_accepted.txt": ("999", 1, 0, 0),
        "imsweb+x12-parser/src/test/resources/837_5010/x12_999_rejected.txt": ("999", 0, 0, 1),
        "xlate+staedi/src/test/resources/x12/simple999.edi": ("999", 1, 0, 2),
        "azoner+pyx12/pyx12/tests/834_lui_id_5010.999.txt": ("999", 4, 0, 0),
        "UHIN+x12-parser-library/tests/test-files/TA1.edi": ("TA1", 0, 0, 1),
        "xlate+staedi/src/test/resources/wiki/x12_interchange_ack.txt": ("TA1", 1, 0, 0),
        "imsweb+x12-parser/src/test/resources/277_5010/x12_277CA_accepted.txt": ("277CA", 1, 0, 0),
        "imsweb+x12-parser/src/test/resources/277_5010/x12_277CA_rejected.txt": ("277CA", 0, 0, 1),
        "azoner+pyx12/test/files/mult_trn.997.base": ("997", 0, 0, 5),
        "xlate+staedi/src/test/resources/x12/invalid999.edi": ("999", 0, 0, 3),  # IK5*Q is no acceptance
        "azoner+pyx12/test/files/835_simple.997.base": ("TA1+997", 2, 0, 0),
    }
    for name, (kind, accepted, with_errors, rejected) in files.items():
        report = ingest_ack_file(session, samples / name)
        assert (report.kind, report.accepted, report.accepted_with_errors, report.rejected) == (
            kind, accepted, with_errors, rejected), name
        assert report.unmatched and report.claims == [], name
    session.commit()
    kinds = session.scalars(select(X12FileRecord.kind).where(X12FileRecord.direction == "in")).all()
    assert sorted(kinds) == sorted(k for k, *_ in files.values())


@pytest.mark.shared
def test_reader_keeps_ik3_ik4_and_ctx(samples: Path) -> None:
    acks = read_acks(samples / "xlate+staedi/src/test/resources/x12/simple999.edi")
    (group,) = acks.group_acks
    assert [t.status for t in group.transactions] == ["A", "R", "R"]
    err = group.transactions[1].errors[0]
    assert (err.segment_id, err.position, err.code, err.claim_id) == ("CLM", 22, "8", "123456789")
    assert [(e.position, e.code) for e in err.elements] == [(2, "1")]


def test_a_file_without_acknowledgments_is_refused(session: Session, tmp_path: Path) -> None:
    path = _write(tmp_path, "not-an-ack.x12", ISA.format(icn="000000903") + "GS*HC*A*B*20240802*1200*1*X*005010X222A1~"
                  "\nST*837*0001*005010X222A1~\nSE*2*0001~\nGE*1*1~\nIEA*1*000000903~\n")
    with pytest.raises(InputError):
        ingest_ack_file(session, path)


def test_a_999_from_the_clearinghouse_side_round_trips(session: Session, settings: Settings, tmp_path: Path) -> None:
    """The clearinghouse reads our file (here: rcm.x12.acks playing its part) and answers with a 999: a clean file
    is accepted; a copy without CLM02 (the claim's total) is rejected and the claim's reason names the element."""
    from rcm.x12.acks import OurIds, acknowledge_file

    a, b = _sent(session, settings, [46, 48])
    sent = session.scalars(select(X12FileRecord).where(X12FileRecord.direction == "out")).one()
    them = OurIds(qualifier="ZZ", interchange_id="CLEARINGHOUSE", application_id="CLEARINGHOUSE")
    clean = acknowledge_file(sent.path, ours=them, control_number=500)
    assert clean.ack_999 is not None
    report = ingest_ack_file(session, _write(tmp_path, "clean.999", clean.ack_999.decode()))
    session.commit()
    assert (report.accepted, report.rejected, report.unmatched) == (2, 0, [])
    session.refresh(a)
    assert a.status is ClaimStatus.acknowledged

    text = Path(sent.path).read_text()
    broken_clm = next(line for line in text.splitlines() if line.startswith(f"CLM*{b.claim_number}*"))
    elements = broken_clm.split("*")
    elements[2] = ""
    tampered = _write(tmp_path, "tampered.837", text.replace(broken_clm, "*".join(elements)))
    answer = acknowledge_file(tampered, ours=them, control_number=501)
    assert answer.ack_999 is not None
    report = ingest_ack_file(session, _write(tmp_path, "reject.999", answer.ack_999.decode()))
    session.commit()
    assert report.rejected == 1 and report.accepted == 1
    session.refresh(b)
    assert b.status is ClaimStatus.rejected
    cause = repositories.claim_timeline(session, b.claim_number)[-1].cause
    assert "CLM02" in cause and "CLM (Health Claim)" in cause and "missing" in cause


def test_277ca_batch_rejection_rejects_the_transaction(session: Session, settings: Settings, tmp_path: Path) -> None:
    (a,) = _sent(session, settings, [54])
    tx = _tx_of(session, a)
    sent = session.get(X12FileRecord, tx.file_id)
    assert sent is not None and sent.interchange_control_number is not None
    reference = f"{int(sent.interchange_control_number)}-{tx.transaction_control_number}"
    bht03 = next(s.get(3) for s in iter_segments(Path(sent.path)) if s.id == "BHT")
    assert bht03 == reference
    body = (ISA.format(icn="000000904") + "GS*HN*CLEARINGHOUSE*RCMSUBMITTER*20240802*1200*904*X*005010X214~\n"
            "ST*277*0001*005010X214~\nBHT*0085*08*1*20240802*1200*TH~\nHL*1**20*1~\nNM1*PR*2*PAYER*****PI*X~\n"
            "TRN*1*1~\nDTP*050*D8*20240802~\nDTP*009*D8*20240802~\nHL*2*1*21*0~\nNM1*41*2*US*****46*RCM~\n"
            f"TRN*2*{reference}~\nSTC*A3:24:41*20240802*U*10~\nSE*12*0001~\nGE*1*904~\nIEA*1*000000904~\n")
    report = ingest_ack_file(session, _write(tmp_path, "batch.277", body))
    session.commit()
    assert report.unmatched == []
    session.refresh(a)
    assert a.status is ClaimStatus.rejected
    cause = repositories.claim_timeline(session, a.claim_number)[-1].cause
    assert "returned as unprocessable" in cause and "not approved as an electronic submitter" in cause


def test_a_rejected_claim_fixed_goes_out_again_as_an_original(session: Session, settings: Settings,
                                                              tmp_path: Path) -> None:
    from rcm.domain import ClaimFrequency

    (a,) = _sent(session, settings, [56])
    tx = _tx_of(session, a)
    ingest_ack_file(session, _write(tmp_path, "r.999", _999([(tx.group_control_number, [
        (tx.transaction_control_number, "R", "")])])))
    session.commit()
    fixed = primary_encounter(56)
    fixed.lines[0].charge = fixed.lines[0].charge + 5
    repositories.save_encounter(session, fixed, source_file="fix.jsonl", source_row=1)
    session.commit()
    session.refresh(a)
    repositories.set_claim_status(session, a, ClaimStatus.ready, cause="fixed and re-scrubbed", source_kind="scrub")
    session.commit()
    report = build_claims(session, settings, now=NOW)
    assert len(report.files) == 1 and report.skipped == []
    segs = [(s.id, s.elements) for s in iter_segments(Path(report.files[0].path))]
    clm = next(e for i, e in segs if i == "CLM")
    assert clm[4].endswith(":" + ClaimFrequency.original.value) and not any(
        i == "REF" and e[0] == "F8" for i, e in segs)
    assert clm[1] == str(fixed.total_charge).rstrip("0").rstrip(".")
    subs = session.scalars(select(ClaimSubmission.submission_number).where(ClaimSubmission.claim_id == a.id)).all()
    assert sorted(subs) == [1, 2]


def test_277ca_service_line_rejection_names_the_line(session: Session, settings: Settings, tmp_path: Path) -> None:
    """A rejected service line (loop 2220D) rejects the claim, and the cause says which line and why; the line's
    STC is not taken for the claim's own status."""
    a, b = _sent(session, settings, [42, 44])
    body = (ISA.format(icn="000000903") + "GS*HN*CLEARINGHOUSE*RCMSUBMITTER*20240802*1200*903*X*005010X214~\n"
            "ST*277*0001*005010X214~\nBHT*0085*08*1*20240802*1200*TH~\nHL*1**20*1~\nNM1*PR*2*PAYER*****PI*X~\n"
            "TRN*1*1~\nDTP*050*D8*20240802~\nDTP*009*D8*20240802~\nHL*2*1*21*1~\nNM1*41*2*US*****46*RCM~\n"
            "TRN*2*BATCH~\nSTC*A1:19*20240802*WQ*10~\nHL*3*2*19*1~\nNM1*85*2*CLINIC*****XX*1234567893~\n"
            f"HL*4*3*PT~\nNM1*QC*1*DOE*J~\nTRN*2*{a.claim_number}~\nSTC*A3:21*20240802*U*10~\n"
            "SVC*HC:87880:QW*25*****1~\nSTC*A3:454*20240802*U~\nREF*FJ*LINE-2~\nDTP*472*D8*20240801~\n"
            f"HL*5*3*PT~\nNM1*QC*1*DOE*K~\nTRN*2*{b.claim_number}~\nSTC*A2:20*20240802*WQ*10~\n"
            "SVC*HC:99213*100*****1~\nSTC*A2:20*20240802*WQ~\nREF*FJ*LINE-1~\n"
            "SE*27*0001~\nGE*1*903~\nIEA*1*000000903~\n")
    path = _write(tmp_path, "lines.277", body)
    acks = read_acks(path.read_bytes())
    first = next(c for c in acks.claim_acks if c.reference == a.claim_number)
    assert [(s.category, s.code) for s in first.statuses] == [("A3", "21")]
    assert len(first.lines) == 1
    line = first.lines[0]
    assert (line.procedure, line.charge, line.line_control_number, line.service_date) == (
        "HC:87880:QW", "25", "LINE-2", "20240801")
    assert [(s.category, s.code) for s in line.statuses] == [("A3", "454")]

    report = ingest_ack_file(session, path)
    session.commit()
    assert (report.accepted, report.rejected) == (1, 1)
    session.refresh(a)
    session.refresh(b)
    assert a.status is ClaimStatus.rejected and b.status is ClaimStatus.acknowledged
    cause = repositories.claim_timeline(session, a.claim_number)[-1].cause
    assert "line LINE-2 (87880-QW, 20240801)" in cause and "[A3:454]" in cause and "[A3:21]" in cause


def test_277ca_line_rejection_under_an_accepted_claim_still_rejects(
    session: Session, settings: Settings, tmp_path: Path
) -> None:
    (a,) = _sent(session, settings, [42])
    body = (ISA.format(icn="000000904") + "GS*HN*CLEARINGHOUSE*RCMSUBMITTER*20240802*1200*904*X*005010X214~\n"
            "ST*277*0001*005010X214~\nBHT*0085*08*1*20240802*1200*TH~\nHL*1**20*1~\nNM1*PR*2*PAYER*****PI*X~\n"
            f"HL*2*1*PT~\nNM1*QC*1*DOE*J~\nTRN*2*{a.claim_number}~\nSTC*A1:20*20240802*WQ*10~\n"
            "SVC*HC:87880*25*****1~\nSTC*A7:454*20240802*U~\n"
            "SE*10*0001~\nGE*1*904~\nIEA*1*000000904~\n")
    report = ingest_ack_file(session, _write(tmp_path, "line-only.277", body))
    session.commit()
    session.refresh(a)
    assert report.rejected == 1 and a.status is ClaimStatus.rejected
    cause = repositories.claim_timeline(session, a.claim_number)[-1].cause
    assert "a service line (87880)" in cause and "[A7:454]" in cause
