"""Posting hand-built payments: amounts, statuses, denials, reversals in either order, PLB, duplicates, a crash."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import Connection, Table, func, select, update
from sqlalchemy.orm import Session

import rcm.remits.bulk as bulk
import rcm.remits.posting as posting
from rcm.errors import InputError
from rcm.remits import unmatched_payments
from rcm.remits.posting import post_remittances
from rcm.remits.remittance import PaidService, ReceivedRemittance
from rcm.remits.report import TransactionResult
from rcm.store import (
    Adjustment,
    ClaimLineRecord,
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    ClaimStatusChange,
    DenialRecord,
    ProviderAdjustment,
    RemarkCode,
    Remittance,
    SecondaryClaimQueue,
    ServicePayment,
)
from tests.remits.builders import D, cas, claim, line, payment, plb
from tests.remits.conftest import ClaimFactory

FileIds = Callable[[bytes], int]


def post(session: Session, file_id: FileIds, *remits: ReceivedRemittance, name: bytes = b"") -> list[TransactionResult]:
    fid = file_id(name or repr(remits).encode())
    results = post_remittances(session, remits, file_id=fid)
    session.commit()
    return results


def count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def reload(session: Session, claim_id: int) -> ClaimRecord:
    session.expire_all()
    found = session.get(ClaimRecord, claim_id)
    assert found is not None
    return found


def paid_in_full(number: str = "E1", trace: str = "T1") -> ReceivedRemittance:
    return payment(
        trace,
        claim(
            number,
            "1",
            "150.00",
            "100.00",
            "20.00",
            line("99213", "100.00", "60.00", cas("CO", "45", "20.00"), cas("PR", "2", "20.00"), line_id="1"),
            line("87880", "50.00", "40.00", cas("CO", "45", "10.00"), line_id="2"),
        ),
    )


def test_payment_posts_amounts_lines_and_status(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = make_claim("E1")
    [result] = post(session, file_id, paid_in_full())
    assert result.as_json() == {
        "trace": "T1",
        "payer": "1999999999",
        "payment": "100.00",
        "claims": 1,
        "matched": 1,
        "unmatched": 0,
        "paid": "100.00",
        "adjusted": "50.00",
        "patient_responsibility": "20.00",
        "plb": "0.00",
        "balanced": True,
        "duplicate": False,
    }
    posted = reload(session, record.id)
    assert (posted.paid_amount, posted.patient_responsibility, posted.balance) == (D("100.00"), D("20.00"), D("20.00"))
    assert posted.status is ClaimStatus.paid
    assert posted.payer_claim_number == "PCN-1"
    lines = session.scalars(select(ClaimLineRecord).order_by(ClaimLineRecord.line_number)).all()
    assert [(ln.paid, ln.adjusted, ln.balance) for ln in lines] == [
        (D("60.00"), D("20.00"), D("20.00")),
        (D("40.00"), D("10.00"), D("0.00")),
    ]
    assert count(session, ServicePayment) == 2 and count(session, Adjustment) == 3
    assert all(s.matched and s.claim_line_id for s in session.scalars(select(ServicePayment)))
    change = session.scalars(select(ClaimStatusChange).where(ClaimStatusChange.to_status == ClaimStatus.paid)).one()
    assert change.source_kind == "remit" and "paid 100.00 of 150.00" in change.cause
    assert count(session, DenialRecord) == 0


def test_lines_match_by_procedure_when_the_line_id_is_missing(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    make_claim("E1", [("99213", "100.00", "A", ["25"]), ("99213", "80.00", "B", [])])
    remit = payment(
        "T1",
        claim(
            "E1",
            "1",
            "180.00",
            "150.00",
            "0",
            line("99213", "80.00", "70.00", cas("CO", "45", "10.00")),
            line("99213", "100.00", "80.00", cas("CO", "45", "20.00"), modifiers=["25"]),
        ),
    )
    post(session, file_id, remit)
    session.expire_all()
    by_line = {ln.line_id: ln.paid for ln in session.scalars(select(ClaimLineRecord))}
    assert by_line == {"A": D("80.00"), "B": D("70.00")}


def test_unknown_claim_goes_to_the_unmatched_queue(session: Session, file_id: FileIds) -> None:
    [result] = post(session, file_id, paid_in_full("NOPE"))
    assert (result.matched, result.unmatched) == (0, 1)
    row = session.scalars(select(ClaimPayment)).one()
    assert row.matched is False and row.claim_id is None and "patient control number" in (row.unmatched_reason or "")
    assert count(session, ServicePayment) == 2  # nothing is dropped
    assert [p.id for p in unmatched_payments(session)] == [row.id]


def test_a_line_we_did_not_bill_is_queued_with_its_claim_posted(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    make_claim("E1", [("99213", "100.00", "1", [])])
    remit = payment(
        "T1",
        claim(
            "E1",
            "1",
            "150.00",
            "100.00",
            "0",
            line("99213", "100.00", "80.00", cas("CO", "45", "20.00"), line_id="1"),
            line("36415", "50.00", "20.00", cas("CO", "45", "30.00")),
        ),
    )
    [result] = post(session, file_id, remit)
    assert result.matched == 1
    [queued] = unmatched_payments(session)
    assert queued.matched is True and "1 of 2 line(s) unmatched" in (queued.unmatched_reason or "")
    assert [s.matched for s in session.scalars(select(ServicePayment).order_by(ServicePayment.id))] == [True, False]


def test_the_same_payment_posts_once(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = make_claim("E1")
    first = post(session, file_id, paid_in_full(), name=b"first")
    again = post(session, file_id, paid_in_full(), name=b"second copy")
    assert first[0].duplicate is False and again[0].duplicate is True
    assert again[0].as_json()["paid"] == "100.00"  # still reported
    assert count(session, Remittance) == 1 and count(session, ClaimPayment) == 1
    assert reload(session, record.id).paid_amount == D("100.00")


def test_a_payment_twice_in_one_file_posts_once(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    make_claim("E1")
    results = post(session, file_id, paid_in_full(), paid_in_full())
    assert [r.duplicate for r in results] == [False, True]
    assert count(session, ClaimPayment) == 1


def original(trace: str = "T1") -> ReceivedRemittance:
    return payment(
        trace,
        claim(
            "E1",
            "1",
            "150.00",
            "120.00",
            "0",
            line("99213", "150.00", "120.00", cas("CO", "45", "30.00"), line_id="1"),
            payer_claim="P7",
        ),
    )


def reversal(trace: str = "T2") -> ReceivedRemittance:
    return payment(
        trace,
        claim(
            "E1",
            "22",
            "-150.00",
            "-120.00",
            "0",
            line("99213", "-150.00", "-120.00", cas("CO", "45", "-30.00"), line_id="1"),
            payer_claim="P7",
        ),
    )


def correction(trace: str = "T3") -> ReceivedRemittance:
    return payment(
        trace,
        claim(
            "E1",
            "1",
            "150.00",
            "130.00",
            "0",
            line("99213", "150.00", "130.00", cas("CO", "45", "20.00"), line_id="1"),
            payer_claim="P7",
        ),
    )


def one_line_claim(make_claim: ClaimFactory) -> ClaimRecord:
    return make_claim("E1", [("99213", "150.00", "1", [])])


def test_reversal_then_correction(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = one_line_claim(make_claim)
    post(session, file_id, original())
    post(session, file_id, reversal())
    assert reload(session, record.id).status is ClaimStatus.reversed
    assert reload(session, record.id).paid_amount == D("0.00")
    post(session, file_id, correction())
    final = reload(session, record.id)
    assert (final.status, final.paid_amount, final.balance) == (ClaimStatus.paid, D("130.00"), D("0.00"))
    rev = session.scalars(select(ClaimPayment).where(ClaimPayment.status_code == "22")).one()
    first = session.scalars(select(ClaimPayment).where(ClaimPayment.paid == D("120.00"))).one()
    assert rev.reverses_id == first.id
    session.expire_all()
    assert session.scalars(select(ClaimLineRecord)).one().paid == D("130.00")


def test_correction_then_reversal(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = one_line_claim(make_claim)
    post(session, file_id, original())
    post(session, file_id, correction())
    post(session, file_id, reversal())
    final = reload(session, record.id)
    assert (final.status, final.paid_amount) == (ClaimStatus.paid, D("130.00"))
    rev = session.scalars(select(ClaimPayment).where(ClaimPayment.status_code == "22")).one()
    first = session.scalars(select(ClaimPayment).where(ClaimPayment.paid == D("120.00"))).one()
    assert rev.reverses_id == first.id  # the reversal takes back the payment it negates, not the correction


def test_reversal_arriving_before_its_payment_waits_for_it(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    record = one_line_claim(make_claim)
    post(session, file_id, reversal())
    assert reload(session, record.id).status is ClaimStatus.reversed
    rev = session.scalars(select(ClaimPayment)).one()
    assert rev.reverses_id is None
    post(session, file_id, original())
    session.expire_all()
    assert session.get(ClaimPayment, rev.id).reverses_id is not None  # type: ignore[union-attr]
    assert (reload(session, record.id).status, reload(session, record.id).paid_amount) == (
        ClaimStatus.reversed,
        D("0.00"),
    )
    post(session, file_id, correction())
    assert (reload(session, record.id).status, reload(session, record.id).paid_amount) == (
        ClaimStatus.paid,
        D("130.00"),
    )


def test_reversal_and_correction_in_one_file(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = one_line_claim(make_claim)
    post(session, file_id, original())
    both = payment("T9", *reversal().claims, *correction().claims)
    post(session, file_id, both)
    final = reload(session, record.id)
    assert (final.status, final.paid_amount) == (ClaimStatus.paid, D("130.00"))


def test_a_file_staged_in_parts_posts_as_in_one(
    session: Session, make_claim: ClaimFactory, file_id: FileIds, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Large files are staged and written part by part; one claim payment per part here, so the reversal and
    # the correction land in other parts than the payment they follow, and every table gets several writes.
    monkeypatch.setattr(posting, "_PART", 1)
    record = one_line_claim(make_claim)
    other = make_claim("E2")
    in_parts = payment("T9", *original().claims, *reversal().claims, *paid_in_full("E2").claims, *correction().claims)
    [result] = post(session, file_id, in_parts)
    assert (result.matched, result.reversed) == (4, 1)
    final = reload(session, record.id)
    assert (final.status, final.paid_amount, final.balance) == (ClaimStatus.paid, D("130.00"), D("0.00"))
    assert reload(session, other.id).paid_amount == D("100.00")
    payments = session.scalars(select(ClaimPayment).order_by(ClaimPayment.id)).all()
    assert [p.paid for p in payments] == [D("120.00"), D("-120.00"), D("100.00"), D("130.00")]
    assert payments[1].reverses_id == payments[0].id
    services = session.scalars(select(ServicePayment).order_by(ServicePayment.id)).all()
    assert [s.claim_payment_id for s in services] == [payments[0].id, payments[1].id] + [payments[2].id] * 2 + [
        payments[3].id
    ]
    assert count(session, Adjustment) == 6
    remit_changes = session.scalars(select(ClaimStatusChange).where(ClaimStatusChange.source_kind == "remit")).all()
    assert sorted((c.claim_id, c.to_status) for c in remit_changes) == [
        (record.id, ClaimStatus.paid),
        (other.id, ClaimStatus.paid),
    ]


def test_a_failure_while_later_parts_are_staged_posts_nothing(
    session: Session, make_claim: ClaimFactory, file_id: FileIds, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first part is already handed to the writer (on PostgreSQL perhaps written) when the second fails.
    monkeypatch.setattr(posting, "_PART", 1)
    record = make_claim("E1")
    make_claim("E2", [("99213", "150.00", "1", [])])
    fid = file_id(b"too big later")
    session.commit()
    too_big = payment("T1", *paid_in_full("E1").claims, claim("E2", "1", "150.00", "99999999999.00", "0"))
    with pytest.raises(InputError, match="cannot be posted"):
        post_remittances(session, [too_big], file_id=fid)
    session.rollback()
    assert count(session, Remittance) == 0 and count(session, ClaimPayment) == 0 and count(session, Adjustment) == 0
    assert reload(session, record.id).paid_amount == D("0.00")


def test_full_denial(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = make_claim("E1")
    denied = payment(
        "T1",
        claim(
            "E1",
            "4",
            "150.00",
            "0",
            "0",
            line("99213", "100.00", "0", cas("CO", "16", "100.00"), line_id="1", remarks=["N290"]),
            line("87880", "50.00", "0", cas("CO", "16", "50.00"), line_id="2"),
        ),
    )
    [result] = post(session, file_id, denied)
    assert result.balanced and result.denied == 1
    final = reload(session, record.id)
    assert final.status is ClaimStatus.denied
    rows = session.scalars(select(DenialRecord).order_by(DenialRecord.id)).all()
    assert [(r.line_id, r.group_code, r.reason_code, r.amount, r.remark_codes) for r in rows] == [
        ("1", "CO", "16", D("100.00"), ["N290"]),
        ("2", "CO", "16", D("50.00"), []),
    ]
    cause = session.scalars(select(ClaimStatusChange.cause).where(ClaimStatusChange.to_status == "denied")).one()
    assert "CO-16" in cause and "N290" in cause
    assert count(session, RemarkCode) == 1


def test_partial_denial_and_deductible_is_not_a_denial(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    record = make_claim("E1")
    partial = payment(
        "T1",
        claim(
            "E1",
            "1",
            "150.00",
            "60.00",
            "20.00",
            line("99213", "100.00", "60.00", cas("CO", "45", "20.00"), cas("PR", "1", "20.00"), line_id="1"),
            line("87880", "50.00", "0", cas("CO", "97", "50.00"), line_id="2"),
        ),
    )
    post(session, file_id, partial)
    assert reload(session, record.id).status is ClaimStatus.partial
    denial = session.scalars(select(DenialRecord)).one()
    assert (denial.line_id, denial.reason_code) == ("2", "97")

    record2 = make_claim("E2")
    deductible = payment(
        "T2",
        claim(
            "E2",
            "1",
            "150.00",
            "0",
            "150.00",
            line("99213", "100.00", "0", cas("PR", "1", "100.00"), line_id="1"),
            line("87880", "50.00", "0", cas("CO", "45", "10.00"), cas("PR", "1", "40.00"), line_id="2"),
        ),
    )
    post(session, file_id, deductible)
    assert reload(session, record2.id).status is ClaimStatus.paid
    assert count(session, DenialRecord) == 1


def test_plb_recoupment_and_interest(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = make_claim("E1")
    remit = payment(
        "T1", *paid_in_full().claims, plb=[plb("WO", "25.00", "E1"), plb("L6", "-1.50"), plb("FB", "10.00", "UNKNOWN")]
    )
    [result] = post(session, file_id, remit)
    assert result.balanced and result.as_json()["plb"] == "33.50" and result.as_json()["payment"] == "66.50"
    rows = session.scalars(select(ProviderAdjustment).order_by(ProviderAdjustment.id)).all()
    assert [(r.reason_code, r.amount, r.claim_id) for r in rows] == [
        ("WO", D("25.00"), record.id),
        ("L6", D("-1.50"), None),
        ("FB", D("10.00"), None),
    ]
    assert reload(session, record.id).paid_amount == D("100.00")  # PLB is provider level


def test_a_payment_of_provider_adjustments_only_posts_them(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    record = make_claim("E1")
    [result] = post(session, file_id, payment("T1", plb=[plb("L6", "-2.00"), plb("WO", "5.00", "E1")]))
    assert result.balanced and result.remittance_id is not None and result.claims == 0
    rows = session.scalars(select(ProviderAdjustment).order_by(ProviderAdjustment.id)).all()
    assert [(r.reason_code, r.amount, r.claim_id) for r in rows] == [
        ("L6", D("-2.00"), None),
        ("WO", D("5.00"), record.id),
    ]
    assert count(session, ClaimPayment) == 0 and reload(session, record.id).paid_amount == D("0.00")


def test_unbalanced_payment_is_reported_where_and_still_posts(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    make_claim("E1")
    remit = payment(
        "T1",
        claim(
            "E1",
            "1",
            "150.00",
            "100.00",
            "0",
            line("99213", "100.00", "60.00", cas("CO", "45", "30.00"), line_id="1"),
            line("87880", "50.00", "40.00", cas("CO", "45", "10.00"), line_id="2"),
        ),
        amount="99.00",
    )
    [result] = post(session, file_id, remit)
    assert not result.balanced
    assert sorted(f.code for f in result.imbalances) == ["claim_unbalanced", "line_unbalanced", "payment_unbalanced"]
    assert {f.segment_id for f in result.imbalances} == {"SVC", "CLP", "BPR"}
    assert count(session, ClaimPayment) == 1
    assert session.scalars(select(Remittance.balanced)).one() is False


def test_secondary_claim_is_queued_when_a_balance_remains(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    with_secondary = make_claim("E1", secondary=True)
    make_claim("E2")
    post(session, file_id, paid_in_full("E1", "T1"), paid_in_full("E2", "T2"))
    queued = session.scalars(select(SecondaryClaimQueue)).all()
    assert [q.claim_id for q in queued] == [with_secondary.id]
    assert "secondary coverage" in queued[0].reason and "20.00" in queued[0].reason
    forwarded = payment("T3", claim("E2", "19", "150.00", "150.00", "0"))
    post(session, file_id, forwarded)
    assert count(session, SecondaryClaimQueue) == 2


def test_a_crash_halfway_leaves_nothing_posted(
    session: Session, make_claim: ClaimFactory, file_id: FileIds, monkeypatch: pytest.MonkeyPatch
) -> None:
    record = make_claim("E1")
    real = bulk._insert

    def failing(conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        # The write itself fails (on PostgreSQL in the writer's thread), after the claims and payments were written.
        if table.name == Adjustment.__tablename__:
            raise RuntimeError("disk full")
        real(conn, table, columns, rows)

    monkeypatch.setattr(bulk, "_insert", failing)
    fid = file_id(b"crash")
    session.commit()
    with pytest.raises(RuntimeError):
        post_remittances(session, [paid_in_full()], file_id=fid)
    session.rollback()
    assert count(session, Remittance) == 0 and count(session, ClaimPayment) == 0 and count(session, Adjustment) == 0
    assert reload(session, record.id).paid_amount == D("0.00")
    monkeypatch.setattr(bulk, "_insert", real)
    [result] = post_remittances(session, [paid_in_full()], file_id=fid)
    session.commit()
    assert result.duplicate is False and reload(session, record.id).paid_amount == D("100.00")


@pytest.mark.parametrize("order", list(itertools.permutations(("original", "reversal", "correction"))))
def test_any_order_of_payment_reversal_and_correction_ends_the_same(
    session: Session, make_claim: ClaimFactory, file_id: FileIds, order: tuple[str, ...]
) -> None:
    record = one_line_claim(make_claim)
    files = {"original": original, "reversal": reversal, "correction": correction}
    for name in order:
        post(session, file_id, files[name]())
    final = reload(session, record.id)
    assert (final.status, final.paid_amount, final.balance) == (ClaimStatus.paid, D("130.00"), D("0.00"))
    rev = session.scalars(select(ClaimPayment).where(ClaimPayment.status_code == "22")).one()
    first = session.scalars(select(ClaimPayment).where(ClaimPayment.paid == D("120.00"))).one()
    assert rev.reverses_id == first.id


def test_a_follow_up_is_found_by_the_payer_claim_number(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    record = one_line_claim(make_claim)
    post(session, file_id, original())
    follow_up = payment(
        "T5", claim("SOMETHING-ELSE", "1", "0", "5.00", "0", adjustments=[cas("CO", "45", "-5.00")], payer_claim="P7")
    )
    [result] = post(session, file_id, follow_up)
    assert result.matched == 1
    assert reload(session, record.id).paid_amount == D("125.00")


def test_denial_cause_reads_the_carc_text(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = make_claim("E1", [("99213", "150.00", "1", [])])
    post(session, file_id, payment("T1", claim("E1", "4", "150.00", "0", "0", adjustments=[cas("CO", "50", "150.00")])))
    cause = session.scalars(
        select(ClaimStatusChange.cause).where(
            ClaimStatusChange.claim_id == record.id, ClaimStatusChange.to_status == ClaimStatus.denied
        )
    ).one()
    assert "CO-50 (These are non-covered services because this is not deemed a 'medical necessity'" in cause


def test_an_institutional_line_paid_by_revenue_code_matches(
    session: Session, make_claim: ClaimFactory, file_id: FileIds
) -> None:
    record = make_claim("E1", [("99283", "300.00", "A", [])])
    session.execute(update(ClaimLineRecord).values(revenue_code="0450"))
    session.commit()
    paid = PaidService(
        code="0450", qualifier="NU", charge=D("300.00"), paid=D("200.00"), adjustments=(cas("CO", "45", "100.00"),)
    )
    post(session, file_id, payment("T1", claim("E1", "1", "300.00", "200.00", "0", paid)))
    session.expire_all()
    assert session.scalars(select(ClaimLineRecord.paid)).one() == D("200.00")
    assert reload(session, record.id).status is ClaimStatus.paid


def test_not_our_claim_is_a_denial_to_work(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    record = make_claim("E1", [("99213", "150.00", "1", [])])
    post(
        session, file_id, payment("T1", claim("E1", "23", "150.00", "0", "0", adjustments=[cas("OA", "109", "150.00")]))
    )
    assert reload(session, record.id).status is ClaimStatus.denied
    denial = session.scalars(select(DenialRecord)).one()
    assert (denial.group_code, denial.reason_code, denial.amount) == ("OA", "109", D("150.00"))


def test_values_that_cannot_fit_are_handled(session: Session, make_claim: ClaimFactory, file_id: FileIds) -> None:
    make_claim("E1", [("99213", "150.00", "1", [])])
    odd_units = PaidService(code="99213", charge=D("150.00"), paid=D("150.00"), units=D("123456789"), line_id="1")
    post(session, file_id, payment("T1", claim("E1", "1", "150.00", "150.00", "0", odd_units)))
    assert session.scalars(select(ServicePayment.units)).one() is None
    too_big = payment("T2", claim("E1", "1", "150.00", "99999999999.00", "0"))
    with pytest.raises(InputError, match="cannot be posted"):
        post_remittances(session, [too_big], file_id=file_id(b"big"))
    session.rollback()
