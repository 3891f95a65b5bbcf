"""Quirks met in a third round of X12 files written by others (compared figure by figure with an independent
reading), one test each, on small synthetic X12 texts written here: what `rcm x12 inspect` prints for them, on
the pure-Python and compiled paths alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rcm.x12 import tokenizer
from rcm.x12.inspect import inspect_or_report

ISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260101*1200*^*00501*000000031*0*P*:"
GS_835 = "GS*HP*PAYER*PRACTICE*20260101*1200*31*X*005010X221A1"


@pytest.fixture(params=["compiled", "pure"])
def both_paths(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every quirk is read by the compiled inner loop (when built) and by the pure-Python one."""
    if request.param == "pure":
        monkeypatch.setattr(tokenizer, "_split_text", None)
    yield request.param


def inspect_text(tmp_path: Path, text: str, name: str = "file.x12") -> tuple[dict[str, Any], int]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return inspect_or_report(path)


def remit(
    claim: str = "CLP*PCN7*1*120*90*30*12*P7", line: str = "SVC*HC:99213*120*90**1", cas: str = "CAS*PR*3*30"
) -> str:
    body = [
        "ST*835*0001*005010X221A1",
        "BPR*I*90*C*CHK************20260106",
        "TRN*1*CHK-31*1512345678",
        "N1*PR*PAYER",
        "N3*1 PAYER WAY",
        "N4*TOWN*ST*12345",
        "PER*BL*DESK*TE*5555550100",
        "N1*PE*PRACTICE*XX*1234567893",
        "LX*1",
        claim,
        "NM1*QC*1*PATIENT*TEST",
        line,
        cas,
    ]
    body.append(f"SE*{len(body) + 1}*0001")
    return "~\n".join([ISA, GS_835, *body, "GE*1*31", "IEA*1*000000031"]) + "~\n"


def test_the_balanced_remit_these_tests_change(tmp_path: Path, both_paths: str) -> None:
    report, code = inspect_text(tmp_path, remit())
    assert (report["transactions"][0]["balanced"], code) == (True, 0)


@pytest.mark.parametrize(
    ("claim", "line", "cas"),
    [
        # a line whose charge was left out, its elements shifted right ("SVC*HC:x******742*742**1")
        ("CLP*PCN7*1*120*90*30*12*P7", "SVC*HC:99213******120*90**1", "CAS*PR*3*30"),
        # an adjustment amount that is not a number
        ("CLP*PCN7*1*120*90*30*12*P7", "SVC*HC:99213*120*90**1", "CAS*PR*3*3O"),
    ],
    ids=["svc02-missing", "cas-amount-not-a-number"],
)
def test_an_amount_balancing_needs_that_is_missing_is_not_balanced(
    tmp_path: Path, both_paths: str, claim: str, line: str, cas: str
) -> None:
    """Not readable is not balanced (as an unreadable CLP04 or BPR02 already was): the figure says whether every
    level balances, and one that cannot be checked does not.  Element validation reports the amount itself; no
    balancing finding is added for it."""
    report, code = inspect_text(tmp_path, remit(claim, line, cas))
    (tx,) = report["transactions"]
    assert (tx["claims"], tx["claims_paid"], tx["payment"], tx["balanced"]) == (1, "90.00", "90.00", False)
    codes = {f["code"] for f in report["findings"]}
    assert not codes & {"line_unbalanced", "claim_unbalanced", "payment_unbalanced"}
    assert code == 1  # the missing or malformed amount is an element error
