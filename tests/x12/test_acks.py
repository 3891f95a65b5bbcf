"""999 and TA1 acknowledgments built from findings: positions, codes, statuses and envelopes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rcm.x12.acks import OurIds, acknowledge_file, build_999, build_ta1, interchange_note
from rcm.x12.reader import read_file
from rcm.x12.validation import validate_file

OURS = OurIds("ZZ", "OURCLINIC", "OURAPP")
NOW = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
ISA = "ISA*00*          *00*          *ZZ*CLEARING       *ZZ*OURCLINIC      *260101*1200*^*00501*000000042*{ack}*P*:"


def claim_file(
    tmp_path: Path,
    *,
    clm: str = "CLM*PCN1*100***11:B:1*Y*A*Y*Y",
    iea: str = "IEA*1*000000042",
    ack: str = "0",
    second_claim_ok: bool = True,
) -> Path:
    def tx(control: str, claim: str) -> list[str]:
        body = [
            f"ST*837*{control}*005010X222A1",
            "BHT*0019*00*B1*20260101*1200*CH",
            "NM1*41*2*BILLING*****46*S1",
            "PER*IC*DESK*TE*5555550100",
            "NM1*40*2*CH*****46*R1",
            "HL*1**20*1",
            "NM1*85*2*PRACTICE*****XX*1234567893",
            "N3*1 MAIN",
            "N4*CITY*IL*62701",
            "REF*EI*123456789",
            "HL*2*1*22*0",
            "SBR*P*18*******CI",
            "NM1*IL*1*DOE*JANE****MI*W1",
            "NM1*PR*2*PAYER*****PI*00590",
            claim,
            "HI*ABK:E119",
            "LX*1",
            "SV1*HC:99213*100*UN*1***1",
            "DTP*472*D8*20251001",
        ]
        return [*body, f"SE*{len(body) + 1}*{control}"]

    lines = [
        ISA.format(ack=ack),
        "GS*HC*CLEARING*OURCLINIC*20260101*1200*9*X*005010X222A1",
        *tx("0001", clm),
        *tx("0002", "CLM*PCN2*100***11:B:1*Y*A*Y*Y" if second_claim_ok else clm),
        "GE*2*9",
        iea,
    ]
    path = tmp_path / "claims.837"
    path.write_text("~\n".join(lines) + "~\n")
    return path


def segments(data: bytes) -> list[list[str]]:
    return [[s.id, *s.elements] for s in read_file(data).transactions[0].segments] if data else []


def all_segments(data: bytes) -> list[list[str]]:
    out: list[list[str]] = []
    for tx in read_file(data).transactions:
        out += [[s.id, *s.elements] for s in tx.segments]
    return out


def test_clean_file_is_accepted(tmp_path: Path) -> None:
    acks = acknowledge_file(claim_file(tmp_path), ours=OURS, control_number=100, now=NOW)
    assert acks.ta1 is None
    assert acks.ack_999 is not None
    seen = all_segments(acks.ack_999)
    assert ["AK1", "HC", "9", "005010X222A1"] in seen
    assert [s for s in seen if s[0] in ("AK2", "IK5", "AK9")] == [
        ["AK2", "837", "0001", "005010X222A1"],
        ["IK5", "A"],
        ["AK2", "837", "0002", "005010X222A1"],
        ["IK5", "A"],
        ["AK9", "A", "2", "2", "2"],
    ]
    envelope = read_file(acks.ack_999)
    assert envelope.findings == []  # our own 999 has right counts and control numbers
    header = envelope.interchanges[0].header
    assert header is not None and header.control_number == "000000100" and header.receiver_id == "CLEARING"
    assert envelope.transactions[0].group is not None and envelope.transactions[0].group.functional_id == "FA"


def test_element_error_rejects_its_transaction_with_ik3_ik4(tmp_path: Path) -> None:
    acks = acknowledge_file(
        claim_file(tmp_path, clm="CLM*PCN1*100***11:B:1*Y*Q*Y*Y"), ours=OURS, control_number=100, now=NOW
    )
    assert acks.ack_999 is not None
    seen = all_segments(acks.ack_999)
    # CLM is the 15th segment of the transaction (ST = 1); CLM07 is the bad code; loop 2300
    assert ["IK3", "CLM", "15", "2300", "8"] in seen
    assert ["IK4", "7", "", "7"] in seen
    assert [s for s in seen if s[0] in ("IK5", "AK9")] == [["IK5", "R", "5"], ["IK5", "A"], ["AK9", "P", "2", "2", "1"]]


def test_envelope_and_balancing_errors_map_to_ik5_codes(tmp_path: Path) -> None:
    path = claim_file(tmp_path, clm="CLM*PCN1*90***11:B:1*Y*A*Y*Y", second_claim_ok=False)
    text = path.read_text().replace("SE*20*0002", "SE*21*0002")
    path.write_text(text)
    acks = acknowledge_file(path, ours=OURS, control_number=7, now=NOW)
    assert acks.ack_999 is not None
    seen = all_segments(acks.ack_999)
    assert [s for s in seen if s[0] in ("IK5", "AK9")] == [
        ["IK5", "R", "I5"],
        ["IK5", "R", "I5", "4"],
        ["AK9", "R", "2", "2", "0"],
    ]


def test_bad_interchange_gets_a_ta1(tmp_path: Path) -> None:
    path = claim_file(tmp_path, iea="IEA*1*000000043")
    acks = acknowledge_file(path, ours=OURS, control_number=100, now=NOW)
    assert acks.ta1 is not None
    ta1 = read_file(acks.ta1)
    assert ta1.findings == []
    found = ta1.interchanges[0].acknowledgments
    assert [[s.id, *s.elements] for s in found] == [["TA1", "000000042", "260101", "1200", "E", "001"]]
    assert ta1.interchanges[0].header is not None and ta1.interchanges[0].header.control_number == "000000101"


def test_ta1_when_requested_even_if_clean(tmp_path: Path) -> None:
    acks = acknowledge_file(claim_file(tmp_path, ack="1"), ours=OURS, control_number=100, now=NOW)
    assert acks.ta1 is not None and b"TA1*000000042*260101*1200*A*000" in acks.ta1


def test_interchange_note_and_build_999_from_transactions(tmp_path: Path) -> None:
    path = claim_file(tmp_path)
    x12 = read_file(path)
    header = x12.interchanges[0].header
    assert header is not None
    assert interchange_note([], header) == ("A", "000")
    findings = validate_file(path)
    data = build_999(x12.transactions[:1], findings, ours=OURS, control_number=3, now=NOW)
    assert [s for s in all_segments(data) if s[0] == "AK9"] == [["AK9", "A", "1", "1", "1"]]
    assert build_ta1(header, "022", ack_code="R", ours=OURS, control_number=4, now=NOW).count(b"TA1*") == 1


def test_bare_transactions_are_answered_under_one_ak1() -> None:
    body = ["BHT*0019*00*B1*20260101*1200*CH", "HL*1**20*1"]
    text = ""
    for control in ("0001", "0002"):
        st = [f"ST*837*{control}*005010X222A1", *body]
        text += "~".join([*st, f"SE*{len(st) + 1}*{control}"]) + "~"
    x12 = read_file(text.encode())
    data = build_999(x12, [], ours=OURS, control_number=9, now=NOW, receiver_id="SENDER")
    seen = all_segments(data)
    assert [s for s in seen if s[0] == "AK1"] == [["AK1", "HC", "0"]]
    assert [s for s in seen if s[0] == "AK9"] == [["AK9", "A", "2", "2", "2"]]
