"""Balancing: 837 claim charge = Σ line charges; 835 line, claim and payment balancing exact in cents."""

from __future__ import annotations

from decimal import Decimal

from rcm.x12.balancing import cas_total, check_835, check_837, summarize_835
from rcm.x12.reader import read_file
from rcm.x12.tokenizer import Segment


def transaction(body: list[str], *, set_id: str, version: str) -> object:
    st = [f"ST*{set_id}*0001*{version}", *body]
    text = "~".join([*st, f"SE*{len(st) + 1}*0001"]) + "~"
    return read_file(text.encode()).transactions[0]


def remittance(
    *claims: list[str], bpr: str = "BPR*I*100*C*CHK************20260106", plb: tuple[str, ...] = ()
) -> object:
    body = [bpr, "TRN*1*CHK123*1512345678", "N1*PR*PAYER", "N1*PE*PRACTICE*XX*1234567893", "LX*1"]
    for c in claims:
        body += c
    body += plb
    return transaction(body, set_id="835", version="005010X221A1")


PAID_CLAIM = [
    "CLP*PCN1*1*150*100*20*12*PAYER1",
    "SVC*HC:99213*100*70**1",
    "CAS*CO*45*10",
    "CAS*PR*3*20",
    "SVC*HC:36415*50*30**1",
    "CAS*CO*45*20",
]


def test_cas_total_sums_every_triple() -> None:
    seg = Segment("CAS", ["CO", "45", "10.50", "", "253", "1.25", "1", "97", "3"])
    assert cas_total(seg) == Decimal("14.75")
    assert cas_total(Segment("CAS", ["CO", "45", "1O"])) is None


def test_balanced_remittance_has_no_findings_and_summarizes() -> None:
    tx = remittance(PAID_CLAIM)
    assert check_835(tx) == []  # type: ignore[arg-type]
    s = summarize_835(tx)  # type: ignore[arg-type]
    assert (s.trace, s.payment, s.claims, s.claims_paid, s.plb, s.balanced) == (
        "CHK123",
        Decimal("100"),
        1,
        Decimal("100"),
        Decimal("0.00"),
        True,
    )


def test_line_claim_and_payment_imbalances_are_each_reported() -> None:
    claim = list(PAID_CLAIM)
    claim[2] = "CAS*CO*45*11"  # line 1: 100 - 31 != 70, and the claim is off by the same cent amount
    found = check_835(remittance(claim, bpr="BPR*I*99.99*C*CHK************20260106"))  # type: ignore[arg-type]
    assert sorted(f.code for f in found) == ["claim_unbalanced", "line_unbalanced", "payment_unbalanced"]
    line = next(f for f in found if f.code == "line_unbalanced")
    assert line.segment_id == "SVC" and line.extra["paid"] == "70"
    assert all("PCN1" in f.message for f in found if f.code != "payment_unbalanced")


def test_claim_level_adjustments_count_toward_the_claim() -> None:
    claim = ["CLP*PCN2*1*200*150*0*12*P2", "CAS*OA*23*50"]  # no lines: claim CAS only
    assert check_835(remittance(claim, bpr="BPR*I*150*C*CHK************20260106")) == []  # type: ignore[arg-type]


def test_plb_reduces_the_payment_and_negative_plb_adds_to_it() -> None:
    plb = ("PLB*1234567893*20261231*WO:RECOUP1*30*L6:INT*-2.50",)
    tx = remittance(PAID_CLAIM, bpr="BPR*I*72.50*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20260106", plb=plb)
    assert check_835(tx) == []  # type: ignore[arg-type]
    assert summarize_835(tx).plb == Decimal("27.50")  # type: ignore[arg-type]
    unbalanced = remittance(PAID_CLAIM, bpr="BPR*I*100*C*CHK************20260106", plb=plb)
    assert [f.code for f in check_835(unbalanced)] == ["payment_unbalanced"]  # type: ignore[arg-type]


def test_reversal_with_negative_amounts_balances() -> None:
    reversal = [
        "CLP*PCN1*22*-150*-100*-20*12*PAYER1",
        "SVC*HC:99213*-100*-70**-1",
        "CAS*CO*45*-10",
        "CAS*PR*3*-20",
        "SVC*HC:36415*-50*-30**-1",
        "CAS*CO*45*-20",
    ]
    tx = remittance(PAID_CLAIM, reversal, bpr="BPR*H*0*C*NON************20260106")
    assert check_835(tx) == []  # type: ignore[arg-type]
    assert summarize_835(tx).claims == 2  # type: ignore[arg-type]


def test_debit_payment_is_negative() -> None:
    reversal = ["CLP*PCN1*22*-150*-100*0*12*PAYER1", "CAS*CO*45*-50"]
    tx = remittance(reversal, bpr="BPR*D*100*D*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20260106")
    assert check_835(tx) == []  # type: ignore[arg-type]


def test_malformed_amount_is_not_balanced_but_does_not_crash() -> None:
    claim = ["CLP*PCN3*1*1OO*100*0*12*P3"]
    tx = remittance(claim)
    assert check_835(tx) == []  # type: ignore[arg-type]  # left to element validation
    assert summarize_835(tx).balanced is False  # type: ignore[arg-type]  # a charge that cannot be read
    claim = ["CLP*PCN3*1*100*1OO*0*12*P3"]
    assert summarize_835(remittance(claim)).balanced is False  # type: ignore[arg-type]


def test_837_claim_charge_against_professional_and_institutional_lines() -> None:
    body = [
        "BHT*0019*00*1*20260101*1200*CH",
        "HL*1**20*1",
        "HL*2*1*22*0",
        "CLM*PCN1*150***11:B:1",
        "LX*1",
        "SV1*HC:99213*100*UN*1",
        "LX*2",
        "SV1*HC:36415*50*UN*1",
        "CLM*PCN2*99***11:B:1",
        "LX*1",
        "SV1*HC:99213*100*UN*1",
    ]
    found = check_837(transaction(body, set_id="837", version="005010X222A1"))  # type: ignore[arg-type]
    assert [(f.code, f.extra["difference"]) for f in found] == [("claim_charge_unbalanced", "-1.00")]
    assert "PCN2" in found[0].message and "100" not in found[0].message
    inst = [
        "BHT*0019*00*1*20260101*1200*CH",
        "HL*1**20*1",
        "HL*2*1*22*0",
        "CLM*PCN9*300***13:A:1",
        "LX*1",
        "SV2*0450*HC:99284*200*UN*1",
        "LX*2",
        "SV2*0300**100*UN*1",
    ]
    assert check_837(transaction(inst, set_id="837", version="005010X223A2")) == []  # type: ignore[arg-type]
