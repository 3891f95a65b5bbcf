"""4010 files read with the 5010 loop maps, as public 4010 samples showed: what only 5010 rules out (DMG in 837
2320, PRV in 2310A, 4010's segment order and qualifiers) is a warning, what 4010 required too stays an error,
and the same text labelled 5010 keeps every error.  All X12 here is synthetic, written for these tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rcm.x12.inspect import inspect_or_report

ISA = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *040101*1200*U*00401*000000101*0*P*:"


def _interchange(gs08: str, functional_id: str, body: list[str], st03: str = "") -> str:
    st = f"ST*{body[0]}*0001" + (f"*{st03}" if st03 else "")
    segments = [st, *body[1:]]
    se = f"SE*{len(segments) + 1}*0001"
    return (
        "~\n".join(
            [
                ISA,
                f"GS*{functional_id}*SUBMITTER*RECEIVER*20040101*1200*101*X*{gs08}",
                *segments,
                se,
                "GE*1*101",
                "IEA*1*000000101",
            ]
        )
        + "~\n"
    )


# A 4010 professional claim: referring provider with PRV (2310A) and the other subscriber's DMG (2320), both
# where 004010X098A1 has them and 005010X222A1 does not.
CLAIM_4010 = [
    "837",
    "BHT*0019*00*B1*20040101*1200*CH",
    "REF*87*004010X098A1",
    "NM1*41*2*BILLING SERVICE*****46*S1",
    "PER*IC*DESK*TE*5555550100",
    "NM1*40*2*PAYER ONE*****46*P1",
    "HL*1**20*1",
    "NM1*85*2*CLINIC*****XX*1234567893",
    "N3*1 MAIN ST",
    "N4*TOWN*ST*12345",
    "REF*EI*123456789",
    "HL*2*1*22*0",
    "SBR*P*18*******CI",
    "NM1*IL*1*DOE*JANE****MI*M1",
    "N3*2 MAIN ST",
    "N4*TOWN*ST*12345",
    "DMG*D8*19700101*F",
    "NM1*PR*2*PAYER ONE*****PI*P1",
    "CLM*PCN1*100***11::1*Y*A*Y*Y",
    "HI*BK:4019",
    "NM1*DN*1*REFERRER*RON****XX*1234567893",
    "PRV*RF*ZZ*207Q00000X",
    "SBR*S*01*******CI",
    "DMG*D8*19690101*M",
    "OI***Y***Y",
    "NM1*IL*1*DOE*JOHN****MI*M2",
    "NM1*PR*2*PAYER TWO*****PI*P2",
    "LX*1",
    "SV1*HC:99213*100*UN*1***1",
    "DTP*472*D8*20040101",
]


def _inspect(tmp_path: Path, text: str) -> tuple[dict[str, Any], int]:
    path = tmp_path / "file.x12"
    path.write_text(text)
    return inspect_or_report(path)


def _by_code(report: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["code"] == code]


def test_4010_claim_with_segments_5010_dropped_is_not_an_error(tmp_path: Path) -> None:
    report, code = _inspect(tmp_path, _interchange("004010X098A1", "HC", CLAIM_4010))
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == []
    assert code == 0
    unexpected = _by_code(report, "unexpected_segment")
    assert {f["segment"] for f in unexpected} == {24, 26}  # PRV in 2310A, DMG in 2320
    assert all(f["severity"] == "warning" for f in unexpected)
    [note] = _by_code(report, "older_guide_version")
    assert note["severity"] == "warning" and note["segment"] == 3
    [tx] = report["transactions"]
    assert (tx["version"], tx["claims"], tx["charges"], tx["segment_count"]) == ("004010X098A1", 1, "100.00", 31)


def test_the_same_segments_in_a_5010_claim_stay_errors(tmp_path: Path) -> None:
    body = [s.replace("REF*87*004010X098A1", "REF*87*005010X222A1") for s in CLAIM_4010]
    report, code = _inspect(tmp_path, _interchange("005010X222A1", "HC", body, st03="005010X222A1"))
    unexpected = _by_code(report, "unexpected_segment")
    assert {f["segment"] for f in unexpected} >= {24, 26}
    assert all(f["severity"] == "error" for f in unexpected)
    assert _by_code(report, "older_guide_version") == []
    assert code == 1


def test_a_4010_claim_missing_what_4010_required_too_is_still_an_error(tmp_path: Path) -> None:
    # no billing provider name (2010AA) under HL*20: required by 004010X098A1 as by 005010X222A1
    body = [s for s in CLAIM_4010 if not s.startswith(("NM1*85", "N3*1 MAIN", "N4*TOWN*ST*12345", "REF*EI"))]
    body = [*body[:12], "N4*TOWN*ST*12345", *body[12:]]  # the subscriber keeps its N4
    report, code = _inspect(tmp_path, _interchange("004010X098A1", "HC", body))
    missing = _by_code(report, "missing_loop")
    assert missing and all(f["severity"] == "error" for f in missing)
    assert code == 1


def test_4010_gs08_without_st03_is_the_version_that_counts(tmp_path: Path) -> None:
    # ST03 saying 5010 wins over a 4010 GS08: the 5010 rules apply in full
    report, code = _inspect(tmp_path, _interchange("004010X098A1", "HC", CLAIM_4010, st03="005010X222A1"))
    assert _by_code(report, "older_guide_version") == []
    assert any(f["severity"] == "error" for f in _by_code(report, "unexpected_segment"))
    assert code == 1


# 4010 institutional claim: NM1*FA (4010's service facility) is a qualifier the 5010 map does not list, so it
# opens the first NM1 loop (2310A); the repeat that opening exceeds is excused, segments in the guessed loop
# are not (leniency stops where the 5010 map cannot tell the loop).
INSTITUTIONAL_4010 = [
    "837",
    "BHT*0019*00*B2*20040101*1200*CH",
    "REF*87*004010X096A1",
    "NM1*41*2*HOSPITAL*****46*S1",
    "PER*IC*DESK*TE*5555550100",
    "NM1*40*2*PAYER ONE*****46*P1",
    "HL*1**20*1",
    "NM1*85*2*HOSPITAL*****XX*1234567893",
    "N3*1 MAIN ST",
    "N4*TOWN*ST*12345",
    "REF*EI*123456789",
    "HL*2*1*22*0",
    "SBR*P*18*******MB",
    "NM1*IL*1*DOE*JANE****MI*M1",
    "N3*2 MAIN ST",
    "N4*TOWN*ST*12345",
    "DMG*D8*19700101*F",
    "NM1*PR*2*PAYER ONE*****PI*P1",
    "CLM*PCN2*50***13:A:1**A*Y*Y",
    "DTP*434*RD8*20040101-20040102",
    "CL1*1*1*01",
    "HI*BK:4019",
    "NM1*71*1*ATTENDING*AL****XX*1234567893",
    "NM1*FA*2*HOSPITAL",
    "N3*1 MAIN ST",
    "N4*TOWN*ST*12345",
    "LX*1",
    "SV2*0300*HC:85025*50*UN*1",
    "DTP*472*D8*20040101",
]


def test_4010_segments_in_a_loop_the_5010_map_had_to_guess_stay_errors(tmp_path: Path) -> None:
    report, code = _inspect(tmp_path, _interchange("004010X096A1", "HC", INSTITUTIONAL_4010))
    repeats = _by_code(report, "loop_repeat_exceeded")
    assert repeats and all(f["severity"] == "warning" for f in repeats)
    guessed = {f["segment"]: f["severity"] for f in _by_code(report, "unexpected_segment")}
    assert guessed == {27: "error", 28: "error"}  # N3, N4 after NM1*FA
    assert code == 1


def _remit(gs08: str, st03: str = "", svc_qualifier: str = "ZZ", filing: str = "MC") -> str:
    body = [
        "835",
        "BPR*I*80*C*CHK************20040110",
        "TRN*1*CHK1*1512345678",
        "N1*PR*PAYER ONE",
        "N3*1 PAYER WAY",
        "N4*TOWN*ST*12345",
        "N1*PE*CLINIC*XX*1234567893",
        "LX*1",
        f"CLP*PCN1*1*100*80*20*{filing}*ICN1",
        "NM1*QC*1*DOE*JANE****MI*M1",
        f"SVC*{svc_qualifier}:M2200*100*80**1",
        "CAS*PR*2*20",
    ]
    return _interchange(gs08, "HP", body, st03=st03)


@pytest.mark.parametrize(
    ("gs08", "st03", "rejected"),
    [
        ("004010X091A1", "", False),  # ZZ (mutually defined: HIPPS rate codes) was a 4010 SVC01-1 qualifier
        ("005010X221A1", "005010X221A1", True),  # 5010 replaced it with HP
        ("5010", "", True),  # a short "5010" in GS08 is still 5010
    ],
)
def test_svc_qualifier_zz_is_4010_only(tmp_path: Path, gs08: str, st03: str, rejected: bool) -> None:
    report, _ = _inspect(tmp_path, _remit(gs08, st03))
    flagged = [f for f in _by_code(report, "invalid_code") if "SVC01-1" in f["message"]]
    assert bool(flagged) is rejected
    [tx] = report["transactions"]
    assert (tx["payment"], tx["claims_paid"], tx["plb"], tx["balanced"]) == ("80.00", "80.00", "0.00", True)


@pytest.mark.parametrize(
    ("gs08", "st03", "rejected"), [("004010X091A1", "", False), ("005010X221A1", "005010X221A1", True)]
)
def test_claim_filing_indicator_li_is_4010_only(tmp_path: Path, gs08: str, st03: str, rejected: bool) -> None:
    # LI (liability) left the claim filing indicator list in 5010
    report, _ = _inspect(tmp_path, _remit(gs08, st03, svc_qualifier="HC", filing="LI"))
    flagged = [f for f in _by_code(report, "invalid_code") if "CLP06" in f["message"]]
    assert bool(flagged) is rejected
