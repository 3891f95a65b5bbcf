"""A 4010 837 is read by the guide its header REF*87 names when GS08 names another 837 guide (4010 had no ST03;
some submitters send dental claims under an institutional GS08).  ``version`` stays ST03/GS08 as sent."""

from __future__ import annotations

from rcm.x12.reader import read_transactions
from rcm.x12.validation import validate_file

_ISA = "ISA*00*          *00*          *01*SENDER         *01*RECEIVER       *020816*1144*U*00401*000000031*1*T*:~"


def _file(gs08: str, ref87: str | None) -> str:
    header = f"REF*87*{ref87}~" if ref87 else ""
    body = (
        f"ST*837*0123~BHT*0019*00*0123*19990210*1023*CH~{header}NM1*41*2*BILLING SERVICE*****46*567890~"
        "PER*IC*DESK*TE*7175550100~NM1*40*2*PAYER*****46*123456789~HL*1**20*1~"
        "NM1*85*2*DENTAL ASSOCIATES*****24*587654321~N3*1 MAIN ST~N4*CITY*FL*33111~HL*2*1*22*0~"
        "SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~NM1*PR*2*PAYER*****PI*123456789~"
        "CLM*A1*200***11::1*Y**Y*Y~DTP*472*D8*19990209~LX*1~SV3*AD:D2150*200****1~TOO*JP*12*M:O~"
    )
    count = body.count("~") + 1
    return f"{_ISA}GS*HC*SENDER*RECEIVER*20070816*1615*31*X*{gs08}~{body}SE*{count}*0123~GE*1*31~IEA*1*000000031~"


def test_the_guide_named_by_ref87_decides_the_loop_map_and_the_model() -> None:
    tx = next(iter(read_transactions(_file("004010X096A1", "004010X097"))))
    assert tx.version == "004010X096A1" and tx.guide == "004010X097"
    assert tx.model.kind == "dental"
    assert tx.model.claims[0].lines[0].procedure.code == "D2150"
    errors = [f for f in validate_file(_file("004010X096A1", "004010X097")) if f.severity == "error"]
    assert errors == []


def test_otherwise_the_version_is_the_guide() -> None:
    same = next(iter(read_transactions(_file("004010X097A1", "004010X097A1"))))
    assert same.guide == "004010X097A1" and same.model.kind == "dental"
    none = next(iter(read_transactions(_file("004010X097A1", None))))
    assert none.guide == "004010X097A1"
    other = next(iter(read_transactions(_file("004010X096A1", "SOMETHING ELSE"))))
    assert other.guide == "004010X096A1" and other.model.kind == "institutional"
    institutional = [f for f in validate_file(_file("004010X096A1", None)) if f.code == "missing_segment"]
    assert institutional  # read as institutional: its lines lack SV2, as they should be reported


def test_read_for_the_model_only_the_guide_stays_the_one_ref87_named() -> None:
    """Reading for the models lets the header segments go from ``segments``: the guide was decided before."""
    tx = next(iter(read_transactions(_file("004010X096A1", "004010X097"), models=True, keep_segments=False)))
    assert tx.segments_let_go
    assert tx.guide == "004010X097" and tx.model.kind == "dental"
    assert tx.model.claims[0].lines[0].procedure.code == "D2150"
