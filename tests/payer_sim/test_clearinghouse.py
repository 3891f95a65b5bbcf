"""The clearinghouse simulator answers our own 837Ps: a 999 and a 277CA naming our control numbers and claims,
835s that validate and balance for the claims accepted, and a drop that is answered once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import cast

import pytest

from rcm.claims.ack_reading import read_acks
from rcm.claims.clearinghouses import Clearinghouse, load_clearinghouses
from rcm.claims.transaction import OutgoingClaim, batch_reference, build_claim_block, transaction_segments
from rcm.codes import npi_with_check_digit
from rcm.domain import Address, Claim, ClaimType, Coverage, Encounter, Patient, Provider, ServiceLine
from rcm.errors import InputError
from rcm.payer_sim.clearinghouse import LEDGER_NAME, respond_to_837, respond_to_outbound
from rcm.x12.balancing import check_835
from rcm.x12.errors import NotX12Error
from rcm.x12.reader import X12File, read_file
from rcm.x12.sets.x277ca import ClaimStatusReport
from rcm.x12.validation import validate_file
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange

REPO_ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
TODAY = date(2026, 3, 10)
ICN = 4711
GS06 = 815

BILLING = Provider(npi=npi_with_check_digit("145678900"), name="Harbor Family Practice", tax_id="041234567",
                   address=Address(line1="1 Harbor Way", city="Salem", state="MA", zip="01970"))
RENDERING = Provider(npi=npi_with_check_digit("189012340"), first_name="Tomas", last_name="Reyes")

Lines = list[tuple[str, str, list[str], int, str]]  # (line id, code, modifiers, units, charge)
ClaimRow = tuple[str, str, str, date, Lines, list[str]]  # claim id, payer, plan, date of service, lines, diagnoses

CLAIMS: list[ClaimRow] = [
    ("CLM1001", "MCR01", "MB", date(2026, 2, 2),
     [("L1-1", "99214", [], 1, "185.00"), ("L1-2", "36415", [], 1, "12.00")], ["I10"]),
    ("CLM1002", "BCBS1", "BL", date(2026, 2, 3), [("L2-1", "99213", [], 1, "140.00")], ["J020"]),
    # NCCI: 80048 is bundled into 80053 (modifier indicator 0): CO-97 on the second line, always
    ("CLM1003", "UHC01", "CI", date(2026, 2, 4),
     [("L3-1", "80053", [], 1, "40.00"), ("L3-2", "80048", [], 1, "30.00")], ["E119"]),
    ("CLM1004", "AET01", "CI", date(2026, 2, 5),
     [("L4-1", "99213", [], 1, "140.00"), ("L4-2", "93000", [], 1, "60.00")], ["I10", "R079"]),
    ("CLM1005", "MCR01", "MB", date(2026, 4, 20), [("L5-1", "99213", [], 1, "140.00")], ["I10"]),  # future: A7:510
    ("CLM1006", "ZZZ99", "CI", date(2026, 2, 6), [("L6-1", "99213", [], 1, "140.00")], ["I10"]),  # payer unknown
    ("CLM1007", "HUM01", "HM", date(2026, 2, 9), [("L7-1", "97110", ["GP"], 2, "90.00")], ["M5450"]),
]


def _claim(n: int, claim_id: str, payer: str, plan: str, dos: date, lines: Lines, dx: list[str]) -> Claim:
    coverage = Coverage(payer_id=payer, payer_name=f"Payer {payer}", plan_type=plan, member_id=f"MEM{n:06d}")
    encounter = Encounter(
        encounter_id=f"ENC{n:04d}", date_of_service=dos, place_of_service="11",
        patient=Patient(id=f"P{n}", first_name="Ann", last_name=f"Testcase{chr(65 + n)}", birth_date=date(1950, 1, n),
                        sex="F", address=Address(line1="2 Elm St", city="Lowell", state="MA", zip="01852")),
        coverage=[coverage], billing_provider=BILLING, rendering_provider=RENDERING, diagnoses=dx,
        lines=[ServiceLine(line_id=lid, code=code, modifiers=mods, units=Decimal(units), charge=Decimal(charge),
                           diagnosis_pointers=[1]) for lid, code, mods, units, charge in lines],
    )
    return Claim(claim_id=claim_id, encounter=encounter, payer=coverage.payer, coverage=coverage)


@pytest.fixture(scope="module")
def clearinghouse() -> Clearinghouse:
    return load_clearinghouses(REPO_ROOT / "rules")["default"]


def build_837(ch: Clearinghouse, *, icn: int = ICN, gs06: int = GS06, split: int = 4, ack_requested: str = "0",
              claims: Sequence[ClaimRow] = CLAIMS) -> bytes:
    """Our own 837P (built by rcm.claims), in two transaction sets: claims[:split] and claims[split:]."""
    blocks = [build_claim_block(OutgoingClaim(_claim(n, *c), filing_indicator=c[2])) for n, c in enumerate(claims, 1)]
    created = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    txs = [
        TransactionOut("837", f"{n:04d}", cast("list[list[ElementValue]]", transaction_segments(
            part, clearinghouse=ch, reference=batch_reference(icn, f"{n:04d}"), created=created)))
        for n, part in enumerate((blocks[:split], blocks[split:]), start=1) if part
    ]
    return write_interchange(
        sender_qualifier=ch.sender_qualifier, sender_id=ch.sender_id, receiver_qualifier=ch.receiver_qualifier,
        receiver_id=ch.receiver_id, control_number=icn, date=created.date(), time="0930", usage="T",
        ack_requested=ack_requested,
        groups=[GroupOut("HC", ch.sender_id, ch.receiver_id, gs06, "005010X222A1", created.date(), "0930", txs)],
    )


@pytest.fixture(scope="module")
def answers(clearinghouse: Clearinghouse) -> dict[str, bytes]:
    return respond_to_837(build_837(clearinghouse), seed=3, today=TODAY)


def _one(answers: dict[str, bytes], prefix: str) -> X12File:
    found = [content for name, content in answers.items() if name.startswith(prefix)]
    assert len(found) == 1, sorted(answers)
    return read_file(found[0])


def _errors(content: bytes, *, pyx12: bool = False) -> list[str]:
    return [f"{f.code}: {f.message}" for f in validate_file(content, pyx12=pyx12) if f.severity == "error"]


def _status_report(answers: dict[str, bytes]) -> list[ClaimStatusReport]:
    return [cast("ClaimStatusReport", tx.model) for tx in _one(answers, "277CA_").transactions]


def test_our_837_is_clean_to_begin_with(clearinghouse: Clearinghouse) -> None:
    assert _errors(build_837(clearinghouse)) == []


def test_999_accepts_our_group_and_transactions_by_their_control_numbers(answers: dict[str, bytes]) -> None:
    ack = _one(answers, "999_")
    assert _errors(answers[next(n for n in answers if n.startswith("999_"))]) == []
    header = ack.interchanges[0].header
    assert header is not None and header.receiver_id == "RCMSUBMITTER" and header.sender_id == "CLEARINGHOUSE"
    acks = read_acks(next(c for n, c in answers.items() if n.startswith("999_")))
    (group,) = acks.group_acks
    assert (group.functional_id, group.group_control_number, group.status) == ("HC", str(GS06), "A")
    assert [(t.set_id, t.control_number, t.status) for t in group.transactions] == [("837", "0001", "A"),
                                                                                   ("837", "0002", "A")]
    assert not any(name.startswith("TA1_") for name in answers)  # a clean interchange that asked for none


def test_277ca_names_our_batches_and_claims_with_realistic_statuses(answers: dict[str, bytes]) -> None:
    content = answers[next(n for n in answers if n.startswith("277CA_"))]
    assert _errors(content, pyx12=True) == []  # our checks and pyx12's X214 map
    reports = _status_report(answers)
    assert [r.kind for r in reports] == ["277CA", "277CA"]
    statuses = {c.patient_control_number: c for r in reports for c in r.claims}
    assert set(statuses) == {c[0] for c in CLAIMS}
    acks = read_acks(content)
    batches = [a.reference for a in acks.claim_acks if a.level == "batch"]
    assert batches == [f"{ICN}-0001", f"{ICN}-0002"]  # HL 21 TRN*2 echoes our BHT03 (ISA13-ST02)
    future, unknown = statuses["CLM1005"], statuses["CLM1006"]
    assert future.rejected and (future.statuses[0].category, future.statuses[0].code) == ("A7", "510")
    assert unknown.rejected and (unknown.statuses[0].category, unknown.statuses[0].code,
                                 unknown.statuses[0].entity) == ("A3", "26", "PR")
    assert future.payer_claim_control_number is None
    for claim_id in ("CLM1001", "CLM1002", "CLM1003", "CLM1004", "CLM1007"):
        status = statuses[claim_id]
        if status.rejected:  # the payer's seeded intake rejections: member id or birth date not on file
            assert (status.statuses[0].category, status.statuses[0].code, status.statuses[0].entity) in {
                ("A7", "33", "IL"), ("A7", "164", "IL"), ("A7", "85", "IL")}
            continue
        assert status.accepted and status.statuses[0].category == "A2"
        assert status.payer_claim_control_number
        charge = sum((Decimal(ln[4]) for c in CLAIMS if c[0] == claim_id for ln in c[4]), Decimal("0.00"))
        assert status.statuses[0].charge == charge


def test_835s_validate_balance_and_pay_only_the_accepted_claims(answers: dict[str, bytes]) -> None:
    statuses = {c.patient_control_number: c for r in _status_report(answers) for c in r.claims}
    accepted = {pcn for pcn, s in statuses.items() if s.accepted}
    remits = {name: content for name, content in answers.items() if name.startswith("835_")}
    assert remits
    paid: dict[str, str] = {}
    traces: set[str] = set()
    line_ids = {c[0]: [ln[0] for ln in c[4]] for c in CLAIMS}
    for name, content in remits.items():
        assert _errors(content, pyx12=True) == [], name
        x12 = read_file(content)
        (tx,) = x12.transactions
        assert check_835(tx) == []
        segments = tx.segments
        bpr = next(s for s in segments if s.id == "BPR")
        trn = next(s for s in segments if s.id == "TRN")
        clps = [s for s in segments if s.id == "CLP"]
        plbs = [s for s in segments if s.id == "PLB"]
        assert plbs == []
        assert Decimal(bpr.get(2)) == sum((Decimal(c.get(4)) for c in clps), Decimal("0.00"))
        traces.add(trn.get(2))
        for clp in clps:
            paid[clp.get(1)] = clp.get(7)
        remittance = tx.model
        for claim in remittance.claims:
            assert [svc.line_item_control_number for svc in claim.services] == line_ids[claim.patient_control_number]
    assert len(traces) == len(remits)  # one payment, one trace number
    assert set(paid) == accepted
    for pcn, payer_number in paid.items():
        assert payer_number == statuses[pcn].payer_claim_control_number  # CLP07 = the 277CA's REF*1K


def test_bundled_line_is_denied_with_co_97(clearinghouse: Clearinghouse) -> None:
    only = [c for c in CLAIMS if c[0] == "CLM1003"]
    for seed in range(4):
        answers = respond_to_837(build_837(clearinghouse, claims=only, split=1), seed=seed, today=TODAY)
        remits = [c for n, c in answers.items() if n.startswith("835_")]
        if not remits:  # the seeded intake rejected it: try the next seed
            continue
        (remit,) = remits
        (tx,) = read_file(remit).transactions
        (claim,) = tx.model.claims
        bundled = next(s for s in claim.services if s.line_item_control_number == "L3-2")
        assert bundled.paid == Decimal("0.00")
        assert [(a.group, a.reason, a.amount) for a in bundled.adjustments] == [("CO", "97", Decimal("30.00"))]
        return
    pytest.fail("every seed rejected the claim at intake")


def test_answers_are_deterministic_and_carry_no_phi_in_names(clearinghouse: Clearinghouse,
                                                               answers: dict[str, bytes]) -> None:
    again = respond_to_837(build_837(clearinghouse), seed=3, today=TODAY)
    assert again == answers
    for name in answers:
        assert "Testcase" not in name and "MEM" not in name and name.endswith(".x12")


def test_a_transaction_the_999_rejects_gets_no_277ca_or_835(clearinghouse: Clearinghouse) -> None:
    content = build_837(clearinghouse).decode()
    # break the second transaction's SE01 count
    head, _, tail = content.rpartition("SE*")
    count, _, rest = tail.partition("*")
    broken = (head + f"SE*{int(count) + 5}*" + rest).encode()
    answers = respond_to_837(broken, seed=3, today=TODAY)
    acks = read_acks(answers[next(n for n in answers if n.startswith("999_"))])
    (group,) = acks.group_acks
    assert [t.status for t in group.transactions] == ["A", "R"] and group.status == "P"
    named = {a.reference for a in read_acks(answers[next(n for n in answers if n.startswith("277CA_"))]).claim_acks}
    second = {c[0] for c in CLAIMS[4:]}
    assert not named & second and {c[0] for c in CLAIMS[:4]} <= named
    for name, remit in answers.items():
        if name.startswith("835_"):
            assert not {c.get(1) for c in read_file(remit).transactions[0].segments if c.id == "CLP"} & second


def test_ta1_when_asked_for_and_refusals(clearinghouse: Clearinghouse) -> None:
    answers = respond_to_837(build_837(clearinghouse, ack_requested="1"), seed=3, today=TODAY)
    acks = read_acks(answers[next(n for n in answers if n.startswith("TA1_"))])
    assert [(a.interchange_control_number, a.status) for a in acks.interchange_acks] == [(f"{ICN:09d}", "A")]
    with pytest.raises(NotX12Error):
        respond_to_837(b"this is not an X12 file at all", today=TODAY)
    with pytest.raises(InputError):  # an acknowledgment is no claim file
        respond_to_837(answers[next(n for n in answers if n.startswith("999_"))], today=TODAY)


def test_outbound_drop_is_answered_once(clearinghouse: Clearinghouse, tmp_path: Path) -> None:
    outbound = tmp_path / "outbound" / "default"
    inbound = tmp_path / "inbound" / "default"
    outbound.mkdir(parents=True)
    (outbound / f"837P_20260301_{ICN:09d}.x12").write_bytes(build_837(clearinghouse))
    ack = next(c for n, c in respond_to_837(build_837(clearinghouse), today=TODAY).items() if n.startswith("999_"))
    (outbound / "999_20260301_RCMSUBMITTER_000000001.x12").write_bytes(ack)  # our 999 for an 835: not a claim file
    (outbound / "notes.txt").write_text("not X12")
    written = respond_to_outbound(outbound, inbound, seed=3, today=TODAY)
    assert written and all(p.parent == inbound and p.is_file() for p in written)
    kinds = sorted({p.name.split("_")[0] for p in written})
    assert kinds == ["277CA", "835", "999"]
    assert not [p for p in inbound.iterdir() if p.name.startswith(".")]  # no temporary files left
    ledger = json.loads((tmp_path / LEDGER_NAME).read_text())
    assert len(ledger["answered"]) == 1
    assert respond_to_outbound(outbound, inbound, seed=3, today=TODAY) == []
    # a new claim file is answered, with interchange control numbers of its own
    (outbound / f"837P_20260302_{ICN + 1:09d}.x12").write_bytes(build_837(clearinghouse, icn=ICN + 1, gs06=GS06 + 1))
    more = respond_to_outbound(outbound, inbound, seed=3, today=TODAY)
    assert more and not {p.name for p in more} & {p.name for p in written}

    def isa13s(paths: list[Path]) -> set[str]:
        out = set()
        for p in paths:
            header = read_file(p).interchanges[0].header
            assert header is not None
            out.add(header.control_number)
        return out

    assert not isa13s(more) & isa13s(written)
    assert respond_to_outbound(outbound, inbound, seed=3, today=TODAY) == []


def test_institutional_claim_is_answered_with_its_facility_code(clearinghouse: Clearinghouse) -> None:
    claim = _claim(1, "CLMI2001", "MCR01", "MB", date(2026, 2, 2),
                   [("I1-1", "99283", [], 1, "420.00"), ("I1-2", "80053", [], 1, "55.00")], ["R079"])
    claim.encounter.claim_type = ClaimType.institutional
    claim.encounter.type_of_bill = "131"
    claim.encounter.place_of_service = "22"
    claim.encounter.attending_provider = RENDERING
    claim.encounter.billing_provider = BILLING.model_copy(
        update={"address": Address(line1="1 Harbor Way", city="Salem", state="MA", zip="01970-1234")})
    for line, revenue in zip(claim.encounter.lines, ("0450", "0300"), strict=True):
        line.revenue_code = revenue
    block = build_claim_block(OutgoingClaim(claim, filing_indicator="MB"))
    created = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    body = cast("list[list[ElementValue]]", transaction_segments(
        [block], clearinghouse=clearinghouse, reference=batch_reference(ICN, "0001"), created=created))
    content = write_interchange(
        sender_qualifier="ZZ", sender_id=clearinghouse.sender_id, receiver_qualifier="ZZ",
        receiver_id=clearinghouse.receiver_id, control_number=ICN, date=created.date(), time="0930", usage="T",
        groups=[GroupOut("HC", clearinghouse.sender_id, clearinghouse.receiver_id, GS06, "005010X223A2",
                         created.date(), "0930", [TransactionOut("837", "0001", body)])],
    )
    assert _errors(content) == []
    for seed in range(4):
        answers = respond_to_837(content, seed=seed, today=TODAY)
        remits = [c for n, c in answers.items() if n.startswith("835_")]
        if not remits:  # the seeded intake rejected it: try the next seed
            continue
        (remit,) = remits
        assert _errors(remit) == []
        (clp,) = [s for s in read_file(remit).transactions[0].segments if s.id == "CLP"]
        assert (clp.get(1), clp.get(8), clp.get(9)) == ("CLMI2001", "13", "1")
        return
    pytest.fail("every seed rejected the claim at intake")
