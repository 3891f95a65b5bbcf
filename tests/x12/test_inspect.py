"""`inspect`: the exact JSON shape, two-place amounts, file segment numbers, exit codes 0/1/2, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rcm.cli.x12 import x12_app
from rcm.x12.inspect import exit_code, inspect_file, inspect_or_report, money_text

ISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260101*1200*^*00501*000000007*0*P*:"


def write(tmp_path: Path, name: str, transactions: list[list[str]], *, fid: str, version: str) -> Path:
    lines = [ISA, f"GS*{fid}*PAYER*PRACTICE*20260101*1200*7*X*{version}"]
    for n, body in enumerate(transactions, start=1):
        st = [f"ST*{body[0]}*{n:04d}*{version}", *body[1:]]
        lines += [*st, f"SE*{len(st) + 1}*{n:04d}"]
    lines += [f"GE*{len(transactions)}*7", "IEA*1*000000007"]
    path = tmp_path / name
    path.write_text("~\n".join(lines) + "~\n")
    return path


REMIT = [
    "835",
    "BPR*I*95.5*C*CHK************20260106",
    "TRN*1*CHK-77*1512345678",
    "N1*PR*PAYER",
    "N3*PO BOX 1",
    "N4*DALLAS*TX*75201",
    "N1*PE*PRACTICE*XX*1234567893",
    "LX*1",
    "CLP*PCN1*1*150*100*20*12*P1",
    "NM1*QC*1*DOE*JANE",
    "SVC*HC:99213*100*70**1",
    "CAS*CO*45*10",
    "CAS*PR*3*20",
    "SVC*HC:36415*50*30**1",
    "CAS*CO*45*20",
    "CLP*PCN2*4*80*0*0*12*P2",
    "CAS*CO*50*80",
    "NM1*QC*1*ROE*JOHN",
    "PLB*1234567893*20261231*WO:R1*5*L6:INT*-.5",
]


def test_835_figures_and_shape(tmp_path: Path) -> None:
    path = write(tmp_path, "remit.835", [REMIT], fid="HP", version="005010X221A1")
    report = inspect_file(path)
    assert list(report) == ["file", "transactions", "findings"]
    assert report["file"] == str(path)
    assert report["transactions"] == [
        {
            "set": "835",
            "version": "005010X221A1",
            "control_number": "0001",
            "segment_count": len(REMIT) + 1,
            "trace": "CHK-77",
            "payment": "95.50",
            "claims": 2,
            "claims_paid": "100.00",
            "plb": "4.50",
            "balanced": True,
        }
    ]
    assert report["findings"] == []
    assert exit_code(report) == 0


def test_837_figures_and_unbalanced_835(tmp_path: Path) -> None:
    claims = [
        "837",
        "BHT*0019*00*1*20260101*1200*CH",
        "HL*1**20*1",
        "HL*2*1*22*0",
        "CLM*PCN1*150.5***11:B:1",
        "LX*1",
        "SV1*HC:99213*150.5*UN*1",
        "CLM*PCN2*20***11:B:1",
        "LX*1",
        "SV1*HC:99213*20*UN*1",
    ]
    path = write(tmp_path, "claims.837", [claims], fid="HC", version="005010X222A1")
    tx = inspect_file(path)["transactions"][0]
    assert (tx["claims"], tx["charges"], tx["segment_count"]) == (2, "170.50", len(claims) + 1)

    remit = [*REMIT]
    remit[1] = "BPR*I*96*C*CHK************20260106"
    path = write(tmp_path, "bad.835", [remit], fid="HP", version="005010X221A1")
    report, code = inspect_or_report(path)
    assert code == 1
    assert report["transactions"][0]["balanced"] is False
    payment = next(f for f in report["findings"] if f["code"] == "payment_unbalanced")
    assert set(payment) == {"severity", "code", "message", "segment"}
    assert payment["segment"] == 4  # ISA, GS, ST, BPR: numbered in the file, 1-based


def test_money_text_is_two_places() -> None:
    from decimal import Decimal

    assert money_text(Decimal("5")) == "5.00"
    assert money_text(Decimal("-0.5")) == "-0.50"
    assert money_text(None) is None


def test_unreadable_file_exit_code_2(tmp_path: Path) -> None:
    junk = tmp_path / "junk.txt"
    junk.write_bytes(b"\x00\x01\x02 not x12 at all")
    report, code = inspect_or_report(junk)
    assert code == 2
    assert report["transactions"] == [] and report["findings"][0]["code"] == "not_x12"
    assert inspect_or_report(tmp_path / "missing.835")[1] == 2


def test_cli_inspect_and_validate(tmp_path: Path) -> None:
    good = write(tmp_path, "remit.835", [REMIT], fid="HP", version="005010X221A1")
    junk = tmp_path / "junk.txt"
    junk.write_text("hello")
    runner = CliRunner()
    result = runner.invoke(x12_app, ["inspect", "--json", str(good)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["transactions"][0]["payment"] == "95.50"
    result = runner.invoke(x12_app, ["inspect", "--json", str(good), str(junk)])
    assert result.exit_code == 2
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [r["file"] for r in lines] == [str(good), str(junk)]
    result = runner.invoke(x12_app, ["validate", str(junk)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = runner.invoke(x12_app, ["validate", "--json", str(good)])
    assert result.exit_code == 0 and json.loads(result.output) == {"file": str(good), "findings": []}


def test_cli_validate_with_pyx12_merges_its_findings() -> None:
    import x12_samples

    path = x12_samples.sample("azoner+pyx12/test/files/bad_elements.txt")
    result = CliRunner().invoke(x12_app, ["validate", "--json", "--pyx12", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    codes = {f["code"] for f in json.loads(result.output)["findings"]}
    assert "invalid_date" in codes and "pyx12_element_8" in codes
