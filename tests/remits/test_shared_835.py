"""Every 835 in ../shared/x12-samples: read, its figures as the file says, unbalanced ones located, posted once."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rcm.remits.posting import post_remittances
from rcm.remits.reading import read_remittances
from rcm.store import ClaimPayment, Remittance
from tests.conftest import SHARED
from tests.remits.oracle import figures_of

SAMPLES = SHARED / "x12-samples"
pytestmark = pytest.mark.shared


def _sample_835s() -> list[str]:
    manifest = SAMPLES / "MANIFEST.tsv"
    if not manifest.is_file():
        return []
    with manifest.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))
    return [row[0] for row in rows[1:] if len(row) > 4 and "835" in row[4].split("+")]


SAMPLE_835S = _sample_835s()


@pytest.fixture
def samples() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"../shared/x12-samples is not beside the repo ({SAMPLES}); these tests read it in place")
    return SAMPLES


def test_the_manifest_lists_835s(samples: Path) -> None:
    assert len(SAMPLE_835S) >= 20


@pytest.mark.parametrize("name", SAMPLE_835S or ["(none)"])
def test_figures_are_what_the_file_says(samples: Path, name: str) -> None:
    raw = (samples / name).read_bytes()
    received = read_remittances(raw, name=name)
    expected = figures_of(raw)
    assert len(received.remittances) == len(expected)
    for got, want in zip(received.remittances, expected, strict=True):
        assert (got.trace_number, got.payment_amount, len(got.claims)) == (want.trace, want.payment, want.claims)
        assert (got.paid, got.adjusted, got.patient_responsibility, got.plb) == (
            want.paid, want.adjusted, want.patient_responsibility, want.plb,
        )
        if want.payer:
            assert got.payer_key == want.payer


UNBALANCED = {
    # file: (transaction index, finding code, segment number in the file)
    "CHS-CDS-AIML+edi-835-parser/tests/test_edi_835_files/test.835": [(0, "claim_unbalanced", 8)],
    "LinuxForHealth+x12/src/tests/resources/835_005010X221A1/tertiary-payment.835": [(0, "line_unbalanced", 20)],
    "azoner+pyx12/test/files/835_simple.txt": [(0, "payment_unbalanced", 4)],
    "affect-therapeutics+edi-835-parser/input/sample_835.txt": [(0, "payment_unbalanced", 4)],
}


@pytest.mark.parametrize("name", sorted(UNBALANCED))
def test_unbalanced_files_say_where(samples: Path, name: str) -> None:
    from rcm.remits.balancing import balancing_findings

    received = read_remittances((samples / name).read_bytes(), name=name)
    for index, code, segment in UNBALANCED[name]:
        found = balancing_findings(received.remittances[index])
        assert (code, segment) in {(f.code, f.segment) for f in found}


def test_balanced_files_are_balanced(samples: Path) -> None:
    from rcm.remits.balancing import is_balanced

    for name in ("LinuxForHealth+x12/demo-file/demo.835", "affect-therapeutics+edi-835-parser/tests/"
                 "test_edi_835_files/nevada_medicaid.txt", "tastypackets+x12-parser/test/test-files/835/profee.edi"):
        received = read_remittances((samples / name).read_bytes(), name=name)
        assert all(is_balanced(r) for r in received.remittances), name


def test_every_sample_posts_once_into_an_empty_database(
    samples: Path, session: Session, file_id: Callable[[bytes], int]
) -> None:
    posted_before = 0
    for name in SAMPLE_835S:
        raw = (samples / name).read_bytes()
        received = read_remittances(raw, name=name)
        first = post_remittances(session, received.remittances, file_id=file_id(raw))
        session.commit()
        assert all(r.matched == 0 and r.unmatched == r.claims for r in first)
        again = post_remittances(session, received.remittances, file_id=file_id(raw))
        session.commit()
        assert all(r.duplicate or r.not_posted for r in again), name
        assert [r.as_json() | {"duplicate": None} for r in again] == [
            r.as_json() | {"duplicate": None} for r in first
        ]
        posted_before = int(session.scalar(select(func.count()).select_from(Remittance)) or 0)
    stored_claims = int(session.scalar(select(func.count()).select_from(ClaimPayment)) or 0)
    assert posted_before > 0 and stored_claims > 0
    assert session.scalar(select(func.count()).select_from(ClaimPayment).where(ClaimPayment.matched)) == 0
