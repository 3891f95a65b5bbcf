"""``read_acks`` reads through the X12 core's typed models (rcm.x12.reader, x999, status277, ta1); it must say what
the flat reader it replaced said (tests/claims/flat_ack_reading.py, the reference) on every public sample and on
every acknowledgment our simulated clearinghouse writes, or fail the same way.  Where the two were found to differ
on hand-made files, the tests at the end pin the reading decided on (and why)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from rcm.claims.ack_reading import read_acks
from rcm.claims.batching import plan_transactions
from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.transaction import batch_reference, build_claim_block, transaction_segments, version_for
from rcm.domain import ClaimType
from rcm.payer_sim.clearinghouse import respond_to_837
from rcm.x12.acks import OurIds, acknowledge_file
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange
from tests.x12.x12_samples import SAMPLES, manifest

from . import flat_ack_reading as flat
from .shapes import make_claim

TODAY = date(2026, 3, 10)
ISA = "ISA*00*          *00*          *ZZ*CLEARINGHOUSE  *ZZ*RCMSUBMITTER   *240802*1200*^*00501*{icn}*0*P*:~\n"


def _plain(value: Any) -> Any:
    """Records as (type name, fields) trees: the reference has record types of its own."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__, tuple((f.name, _plain(getattr(value, f.name))) for f in dataclasses.fields(value))
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(value)
    return value


def _reading(read: Any, source: str | Path | bytes) -> tuple[str, Any]:
    try:
        acks = read(source)
    except Exception as exc:  # the same error type is the same answer
        return "raises", type(exc).__name__
    return "reads", (_plain(acks), acks.kind)


def assert_same_as_flat(source: str | Path | bytes) -> None:
    assert _reading(read_acks, source) == _reading(flat.read_acks, source)


def _sample_params() -> list[Any]:
    files = manifest()
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"shared samples missing: {SAMPLES}"))]
    return [pytest.param(f.path, id=f.local_path) for f in files]


@pytest.mark.shared
@pytest.mark.parametrize("path", _sample_params())
def test_every_public_sample_reads_as_the_flat_reader_read_it(path: Path) -> None:
    assert_same_as_flat(path)
    assert_same_as_flat(path.read_bytes())


# ------------------------------------------------------------------ the simulated clearinghouse's answers


def _837(ch: Clearinghouse, claim_type: ClaimType, *, count: int, icn: int, ack_requested: str = "0",
         seed: int = 0) -> bytes:
    """Our own 837 of ``count`` generated claims of one type, in transactions of up to 15 claims."""
    blocks = [b for b in (build_claim_block(make_claim(i, seed=seed)) for i in range(count * 3))
              if b.claim.claim_type is claim_type][:count]
    created = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    txs = [
        TransactionOut("837", f"{n:04d}", cast("list[list[ElementValue]]", transaction_segments(
            plan.blocks, clearinghouse=ch, reference=batch_reference(icn, f"{n:04d}"), created=created)))
        for n, plan in enumerate(plan_transactions(blocks, max_claims_per_transaction=15), start=1)
    ]
    return write_interchange(
        sender_qualifier=ch.sender_qualifier, sender_id=ch.sender_id, receiver_qualifier=ch.receiver_qualifier,
        receiver_id=ch.receiver_id, control_number=icn, date=created.date(), time="0930", usage="T",
        ack_requested=ack_requested,
        groups=[GroupOut("HC", ch.sender_id, ch.receiver_id, icn, version_for(claim_type), created.date(), "0930",
                         txs)],
    )


def _broken_count(content: bytes) -> bytes:
    """The last transaction's SE01 off by five: the 999 rejects that set."""
    head, _, tail = content.decode().rpartition("SE*")
    count, _, rest = tail.partition("*")
    return (head + f"SE*{int(count) + 5}*" + rest).encode()


def _without_claim_total(content: bytes) -> bytes:
    """The first claim without CLM02: an IK3/IK4 with CTX*CLM01 in the 999."""
    text = content.decode()
    start = text.index("CLM*")
    end = text.index("~", start)
    elements = text[start:end].split("*")
    elements[2] = ""
    return (text[:start] + "*".join(elements) + text[end:]).encode()


def _answers(ch: Clearinghouse) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    professional = _837(ch, ClaimType.professional, count=40, icn=4711)
    institutional = _837(ch, ClaimType.institutional, count=20, icn=4712)
    variants: Sequence[tuple[str, bytes]] = (
        ("professional", professional),
        ("institutional", institutional),
        ("ta1-asked", _837(ch, ClaimType.professional, count=8, icn=4713, ack_requested="1", seed=2)),
        ("se-count", _broken_count(professional)),
        ("no-clm02", _without_claim_total(professional)),
        ("no-iea", professional.decode().rpartition("IEA*")[0].encode()),
    )
    for name, content in variants:
        for seed in (0, 1, 2):
            for file_name, answer in respond_to_837(content, seed=seed, today=TODAY).items():
                if not file_name.startswith("835_"):
                    out[f"{name}/seed{seed}/{file_name.split('_')[0]}"] = answer
    return out


@pytest.fixture(scope="module")
def answers(clearinghouse: Clearinghouse) -> dict[str, bytes]:
    return _answers(clearinghouse)


def test_the_simulated_clearinghouse_answers_read_as_the_flat_reader_read_them(answers: dict[str, bytes]) -> None:
    kinds = {name.rsplit("/", 1)[1] for name in answers}
    assert kinds == {"999", "277CA", "TA1"}
    for name, content in answers.items():
        assert _reading(read_acks, content) == _reading(flat.read_acks, content), name
    # what the variants are there for was produced: a rejected set, a segment error with its element, a TA1
    acks = [read_acks(c) for c in answers.values()]
    assert any(t.status == "R" for a in acks for g in a.group_acks for t in g.transactions)
    assert any(e.elements for a in acks for g in a.group_acks for t in g.transactions for e in t.errors)
    assert any(a.interchange_acks for a in acks)
    assert any(c.level == "batch" for a in acks for c in a.claim_acks)
    assert any(c.payer_claim_number for a in acks for c in a.claim_acks)


def test_the_999_our_x12_core_writes_for_a_received_file_reads_the_same(clearinghouse: Clearinghouse,
                                                                        tmp_path: Path) -> None:
    them = OurIds(qualifier="ZZ", interchange_id="CLEARINGHOUSE", application_id="CLEARINGHOUSE")
    sent = _837(clearinghouse, ClaimType.professional, count=20, icn=4720)
    for n, content in enumerate((sent, _without_claim_total(sent), _broken_count(sent))):
        path = tmp_path / f"sent{n}.x12"
        path.write_bytes(content)
        answer = acknowledge_file(path, ours=them, control_number=600 + n)
        for ack in (answer.ack_999, answer.ta1):
            if ack is not None:
                assert_same_as_flat(ack)


# ------------------------------------------------------------------ where they differed, and the reading kept


def _277ca(body: str) -> bytes:
    return (ISA.format(icn="000000903") + "GS*HN*CLEARINGHOUSE*RCMSUBMITTER*20240802*1200*903*X*005010X214~\n"
            "ST*277*0001*005010X214~\nBHT*0085*08*1*20240802*1200*TH~\nHL*1**20*1~\nNM1*PR*2*PAYER*****PI*X~\n"
            "TRN*1*1~\nDTP*050*D8*20240802~\nDTP*009*D8*20240802~\nHL*2*1*21*1~\nNM1*41*2*US*****46*RCM~\n"
            "TRN*2*BATCH~\nSTC*A1:19*20240802*WQ*10~\nHL*3*2*19*1~\nNM1*85*2*CLINIC*****XX*1234567893~\n"
            + body + "SE*99*0001~\nGE*1*903~\nIEA*1*000000903~\n").encode()


def _999(body: str, *, set_id: str = "999", version: str = "005010X231A1") -> bytes:
    st = f"ST*{set_id}*0001*{version}~\n" if set_id == "999" else f"ST*{set_id}*0001~\n"
    return (ISA.format(icn="000000900") + f"GS*FA*CLEARINGHOUSE*RCMSUBMITTER*20240802*1200*900*X*{version}~\n"
            + st + body + "SE*99*0001~\nGE*1*900~\nIEA*1*000000900~\n").encode()


def test_a_second_claim_under_one_patient_keeps_its_own_statuses() -> None:
    """X214 repeats loop 2200D under one patient: the second TRN*2 starts a claim with its own STC and REF*1K.
    The flat reader put them on the first claim's last service line (and left the second claim empty)."""
    content = _277ca("HL*4*3*PT~\nNM1*QC*1*DOE*J~\nTRN*2*C1~\nSTC*A3:21*20240802*U*10~\n"
                     "SVC*HC:87880:QW*25*****1~\nSTC*A3:454*20240802*U~\nREF*FJ*LINE-2~\nDTP*472*D8*20240801~\n"
                     "TRN*2*C2~\nSTC*A2:20*20240802*WQ*10~\nREF*1K*PAYER-9~\n")
    first, second = [c for c in read_acks(content).claim_acks if c.level == "claim"]
    assert [(s.category, s.code) for s in first.lines[0].statuses] == [("A3", "454")]
    assert (second.reference, second.payer_claim_number, second.amount) == ("C2", "PAYER-9", "10")
    assert [(s.category, s.code) for s in second.statuses] == [("A2", "20")]
    flat_second = flat.read_acks(content).claim_acks[-1]
    assert flat_second.statuses == [] and flat_second.payer_claim_number is None  # what the flat reader said


def test_a_999_repeating_ak1_keeps_each_set_under_its_own_group() -> None:
    """X231 allows one AK1 per 999; a set that repeats it is read as one group per AK1 (as the flat reader did),
    never with the second group's responses under the first group's control number."""
    content = _999("AK1*HC*12*005010X222A1~\nAK2*837*0001*005010X222A1~\nIK5*A~\nAK9*A*1*1*1~\n"
                   "AK1*HC*13*005010X222A1~\nAK2*837*0001*005010X222A1~\nIK5*R*5~\nAK9*R*1*1*0~\n")
    groups = read_acks(content).group_acks
    assert [(g.group_control_number, g.status, [t.status for t in g.transactions]) for g in groups] == [
        ("12", "A", ["A"]), ("13", "R", ["R"])]
    assert_same_as_flat(content)


@pytest.mark.parametrize(("set_id", "version", "notes"), [
    ("999", "005010X231A1", "AK3*CLM*22*2300*8~\nCTX*CLM01:P-1~\nAK4*5:3*1325*7~\n"),  # 997 spelling in a 999
    ("997", "004010", "IK3*CLM*22*2300*8~\nCTX*CLM01:P-1~\nIK4*5:3*1325*7~\n"),  # 999 spelling in a 997
])
def test_segment_notes_in_the_other_spelling_are_read(set_id: str, version: str, notes: str) -> None:
    content = _999(f"AK1*HC*12*005010X222A1~\nAK2*837*0001~\n{notes}{'IK5' if set_id == '999' else 'AK5'}*R*5~\n"
                   "AK9*R*1*1*0~\n", set_id=set_id, version=version)
    ((tx,),) = [g.transactions for g in read_acks(content).group_acks]
    ((error,),) = [tx.errors]
    assert (error.segment_id, error.position, error.code, error.claim_id) == ("CLM", 22, "8", "P-1")
    assert [(e.position, e.component, e.code) for e in error.elements] == [(5, 3, "7")]
    assert_same_as_flat(content)


def test_the_claim_named_by_an_element_context() -> None:
    """CTX*CLM01 after an IK4 (loop 2110) names the claim too, the last one winning, as before."""
    content = _999("AK1*HC*12*005010X222A1~\nAK2*837*0001*005010X222A1~\nIK3*CLM*22*2300*8~\nCTX*CLM01:P-1~\n"
                   "IK4*2*782*1~\nCTX*CLM01:P-2~\nIK5*R*5~\nAK9*R*1*1*0~\n")
    ((tx,),) = [g.transactions for g in read_acks(content).group_acks]
    assert tx.errors[0].claim_id == "P-2"
    assert_same_as_flat(content)


def test_a_277_is_told_from_a_277ca_by_its_guide_as_the_x12_core_reads_it() -> None:
    """The kind follows the guide the X12 core reads the set by (ST03, else GS08): a 277 naming X212 only in GS08,
    or a 4010 X093 277, is a claim status response ("277"); the flat reader looked at ST03 for X212 only and
    called both "277CA".  Their claims are read alike."""
    body = ("BHT*0010*08*1*20240802*1200*DG~\nHL*1**20*1~\nNM1*PR*2*PAYER*****PI*X~\nHL*2*1*21*1~\n"
            "NM1*41*2*US*****46*RCM~\nHL*3*2*19*1~\nNM1*1P*2*CLINIC*****XX*1234567893~\nHL*4*3*22*0~\n"
            "NM1*IL*1*DOE*J~\nTRN*2*C1~\nSTC*A2:20*20240802*WQ*10~\n")
    for st, gs08 in (("ST*277*0001~\n", "005010X212"), ("ST*277*0001*004010X093A1~\n", "004010X093A1")):
        content = (ISA.format(icn="000000900") + f"GS*HN*A*B*20240802*1200*900*X*{gs08}~\n" + st + body
                   + "SE*99*0001~\nGE*1*900~\nIEA*1*000000900~\n").encode()
        acks = read_acks(content)
        assert acks.kind == "277" and flat.read_acks(content).kind == "277CA"
        assert _plain(acks.claim_acks) == _plain(flat.read_acks(content).claim_acks)


def test_a_ta1_inside_a_functional_group_is_no_interchange_acknowledgment() -> None:
    """TA1 sits between ISA and GS (or alone in its interchange); the X12 core reads one inside GS..GE as a
    segment outside any transaction set (an error finding), not as an acknowledgment.  The flat reader took it."""
    content = (ISA.format(icn="000000905") + "GS*FA*A*B*20240802*1200*1*X*005010X231A1~\n"
               "TA1*000000001*240802*1200*A*000~\nGE*0*1~\nIEA*1*000000905~\n").encode()
    assert read_acks(content).kinds == set()
    assert flat.read_acks(content).kinds == {"TA1"}
    between = (ISA.format(icn="000000905") + "TA1*000000001*240802*1200*R*006~\nIEA*0*000000905~\n").encode()
    assert [(a.interchange_control_number, a.status, a.note_code) for a in read_acks(between).interchange_acks] == [
        ("000000001", "R", "006")]
    assert_same_as_flat(between)


def test_positions_are_read_as_x12_numbers() -> None:
    """IK302 and IK401 are X12 N0 numbers: " 22" or "+3" are no position (None), as the x999 model reads them;
    the flat reader let Python's int() take them."""
    content = _999("AK1*HC*12*005010X222A1~\nAK2*837*0001*005010X222A1~\nIK3*CLM* 22*2300*8~\nIK4* 5:+3*1325*7~\n"
                   "IK5*R*5~\nAK9*R*1*1*0~\n")
    ((tx,),) = [g.transactions for g in read_acks(content).group_acks]
    assert tx.errors[0].position is None
    assert [(e.position, e.component) for e in tx.errors[0].elements] == [(None, None)]


def test_not_x12_fails_as_before(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("this is not an X12 file at all")
    assert _reading(read_acks, path)[0] == "raises"
    assert_same_as_flat(path)
    assert_same_as_flat(b"")
