"""Training data from the store in a few set-based queries: exactly what the per-claim loader gave (claims, lines,
Decimal amounts, dates, outcomes and their order), on an office built through the product's own steps and on a
synthetic practice; and a number of SQL statements that does not grow with the number of claims."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from rcm.coding import RuleBook, load_rulebook
from rcm.denials.dashboard import Period, denial_figures
from rcm.denials.records import ClaimAtSubmission, ClaimOutcome, LineAtSubmission
from rcm.denials.report import facts_from_store
from rcm.denials.store_source import (
    claim_at_submission,
    load_pending_from_store,
    load_training_from_store,
)
from rcm.payer_sim import SynthConfig, generate_history
from rcm.store import ClaimRecord, ClaimStatus, ClaimSubmission, find_claim
from rcm.store.testing import db_session, fresh_database

from . import per_claim_loader as reference
from .office import FATES, OTHER_RENDERING, RENDERING, RULES_DIR, History, build_history
from .synthetic_store import load_into_store

pytestmark = pytest.mark.slow

Training = tuple[list[ClaimAtSubmission], dict[str, ClaimOutcome]]


@pytest.fixture(scope="session")
def book(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> RuleBook:
    """The shipped rules and tables; the compiled cache lives in pytest's cache folder when there is one."""
    cache = getattr(request.config, "cache", None)
    folder = cache.mkdir("rcm-coding-tables") if cache is not None else tmp_path_factory.mktemp("coding-data")
    return load_rulebook(RULES_DIR, folder)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory, book: RuleBook) -> Iterator[History]:
    data_dir = tmp_path_factory.mktemp("denial-office")
    with fresh_database(data_dir) as engine:
        yield build_history(engine, data_dir, book)


@pytest.fixture()
def session(office: History) -> Iterator[Session]:
    with db_session(office.engine) as s:
        yield s


def _fields(claim: ClaimAtSubmission) -> tuple[Any, ...]:
    return tuple(getattr(claim, name) for name in ClaimAtSubmission.__slots__)


def assert_identical(new: Training, old: Training) -> None:
    """Same claims in the same order field by field (types too: Decimal, date), same outcomes in the same order."""
    new_claims, new_outcomes = new
    old_claims, old_outcomes = old
    assert [c.claim_id for c in new_claims] == [c.claim_id for c in old_claims]
    for mine, theirs in zip(new_claims, old_claims, strict=True):
        assert _fields(mine) == _fields(theirs), mine.claim_id
        assert [type(v) for v in _fields(mine)] == [type(v) for v in _fields(theirs)], mine.claim_id
        for a, b in zip(mine.lines, theirs.lines, strict=True):
            assert (type(a.units), type(a.charge), type(a.date_of_service)) == (Decimal, Decimal, date)
            assert str(a.charge) == str(b.charge) and str(a.units) == str(b.units)  # the same scale, too
    assert list(new_outcomes.items()) == list(old_outcomes.items())


# ----------------------------------------------------------------------------- the office, checked by hand

_PAYER_ORDER = ("BCBS1", "AET01", "UHC01", "MCR01", "MCD01", "HUM01")  # the order of the payments in the 835s


def _expected_outcome(number: str, history: History) -> tuple[bool, str | None, tuple[str, ...], set[str], date]:
    fate, _, _, codes, _ = FATES[number]
    every = {str(n) for n in range(1, len(codes) + 1)}
    first = history.posted["first"].date()
    return {
        "paid": (False, None, (), set(), first),
        "deductible": (False, None, (), set(), first),  # nothing paid, but only patient responsibility
        "partial": (True, "bundling", ("97",), {str(len(codes))}, first),
        "line_denied": (True, "authorization", ("197",), every, first),
        "claim_denied": (True, "timely_filing", ("29",), every, first),  # claim level: every line
        "unsorted": (True, "other", ("23",), every, first),
        "reversed": (False, None, (), set(), first),  # the payment later reversed is the first adjudication
        "repaid": (True, "information", ("16",), every, first),  # the later payment does not change it
        "corrected": (False, None, (), set(), first),
        "secondary": (False, None, (), set(), first),
    }[fate]


def test_outcomes_by_hand(session: Session, office: History) -> None:
    _, outcomes = load_training_from_store(session)
    second = office.posted["second"].date()
    expected = {number: _expected_outcome(number, office) for number, (fate, *_) in FATES.items()
                if fate not in ("held", "unanswered")}
    expected["D11-S"] = (False, None, (), set(), second)  # the secondary payer paid (CLP02 2)
    expected["D12-S"] = (True, "non_covered", ("96",), {"1"}, second)
    got = {k: (o.denied, o.reason_group, o.carcs, set(o.denied_line_ids), o.known_on) for k, o in outcomes.items()}
    assert got == expected
    assert all(k == o.claim_id for k, o in outcomes.items())
    # In the order they were posted: the first file payer by payer, then the secondary payers' file.
    first = sorted((k for k in expected if not k.endswith("-S")),
                   key=lambda k: (_PAYER_ORDER.index(FATES[k][4]["payer"]), k))
    assert list(outcomes) == [*first, "D12-S", "D11-S"]


# Latest eligibility answer received up to the moment each claim first left (see office.build_history):
# the patient's answers from any of their claims with that payer count; answers after it, or another payer's, do not.
_ELIGIBILITY = {
    "D01": "active", "D02": "active", "D03": "unknown", "D04": "active", "D05": "none", "D06": "unknown",
    "D07": "rejected", "D08": "active", "D09": "unknown", "D10": "active", "D11": "active", "D11-S": "active",
    "D12": "unknown", "D12-S": "unknown", "D13": "active", "D14": "rejected", "D15": "active", "D16": "active",
    "D18": "unknown", "D19": "unknown", "D20": "none", "D21": "rejected", "D22": "active",
}
_DAYS_BEFORE = {"active": 20, "unknown": 2, "rejected": 0}
_FILING_DAYS = {"BCBS1": 180, "AET01": 120, "UHC01": 90, "MCR01": 365, "MCD01": 180, "HUM01": None}
_PLAN_TYPE = {"BCBS1": "BL", "AET01": None, "UHC01": "CI", "MCR01": "MB", "MCD01": "MC", "HUM01": None}


def test_claims_as_sent_by_hand(session: Session, office: History) -> None:
    claims, _ = load_training_from_store(session)
    by_number = {c.claim_id: c for c in claims}
    assert set(by_number) == set(_ELIGIBILITY)  # every claim sent; the held ones (D17, D23) never were
    assert [c.claim_id for c in claims] == sorted(by_number, key=lambda n: (by_number[n].submitted_on, n))
    for number, claim in by_number.items():
        primary = number.removesuffix("-S")
        _, _, secondary, codes, extra = FATES[primary]
        payer = secondary if number.endswith("-S") else extra["payer"]
        sent = office.first_sent[number]
        assert claim.submitted_on == sent.date()
        assert claim.payer_id == payer
        assert claim.eligibility_status == _ELIGIBILITY[number], number
        status = _ELIGIBILITY[number]
        assert claim.eligibility_checked_on == (
            None if status == "none" else sent.date() - timedelta(days=_DAYS_BEFORE[status])), number
        assert claim.warnings == (("POS-TELEHEALTH-MODIFIER",) if primary in ("D16", "D18") else ()), number
        assert claim.plan_type == _PLAN_TYPE[payer] and claim.timely_filing_days == _FILING_DAYS[payer], number
        npi, taxonomy = extra.get("rendering", RENDERING)
        assert (claim.rendering_npi, claim.specialty) == (npi, taxonomy)
        assert claim.prior_authorization is (primary == "D21")
        assert (claim.patient_age, claim.sex) == ((76, "M") if primary == "D22" else (41, "F"))
        assert claim.diagnoses == ("J020",) and claim.date_of_service == date.fromisoformat(
            extra.get("date_of_service", "2026-10-05"))
        assert [ln.code for ln in claim.lines] == list(codes)
        record = find_claim(session, number)
        assert record is not None and claim.encounter_version_id == record.encounter_version_id
        assert claim.patient_key == str(record.encounter_version.patient_id)
    assert by_number["D14"].rendering_npi == OTHER_RENDERING[0]
    d04 = by_number["D04"]
    assert d04.lines == (
        LineAtSubmission("1", "99213", (), Decimal("1"), Decimal("125.00"), (1,), date(2026, 10, 5)),
        LineAtSubmission("2", "81002", (), Decimal("1"), Decimal("20.00"), (1,), date(2026, 10, 5)),
        LineAtSubmission("3", "36415", (), Decimal("1"), Decimal("15.00"), (1,), date(2026, 10, 5)),
    )
    assert d04.total_charge == Decimal("160.00")
    # The replacement claim went out twice; it is known as at its first submission.
    d13 = find_claim(session, "D13")
    assert d13 is not None
    times = session.scalars(select(ClaimSubmission.submitted_at).where(ClaimSubmission.claim_id == d13.id)).all()
    assert len(times) == 2 and by_number["D13"].submitted_on == min(times).date()


# ----------------------------------------------------------------------------- the same as the per-claim loader


@pytest.mark.parametrize("chunk_size", [1, 3, 5_000])
def test_the_office_as_the_per_claim_loader_saw_it(session: Session, chunk_size: int) -> None:
    assert_identical(load_training_from_store(session, chunk_size=chunk_size),
                     reference.load_training_from_store(session))


def test_claims_waiting_as_the_per_claim_loader_saw_them(session: Session) -> None:
    now = datetime.fromisoformat("2026-12-24T08:00:00+00:00")
    held = (ClaimStatus.held,)
    mine = load_pending_from_store(session, statuses=held, now=now, chunk_size=1)
    theirs = reference.load_pending_from_store(session, statuses=held, now=now)
    assert [r.claim_number for r, _ in mine] == [r.claim_number for r, _ in theirs] == ["D17", "D23"]
    assert [_fields(c) for _, c in mine] == [_fields(c) for _, c in theirs]
    # Warnings only (D17's UHC-TELEHEALTH-95 is an error), as the scrubber raised them before "now".
    assert [c.warnings for _, c in mine] == [("POS-TELEHEALTH-MODIFIER",)] * 2
    record = find_claim(session, "D01")
    assert isinstance(record, ClaimRecord)
    assert _fields(claim_at_submission(session, record, now)) == _fields(
        reference.claim_at_submission(session, record, now))
    with pytest.raises(ValueError, match="timezone-aware"):
        claim_at_submission(session, record, datetime(2026, 12, 24, 8, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        load_pending_from_store(session, now=datetime(2026, 12, 24, 8, 0))
    with pytest.raises(ValueError, match="chunk_size"):
        load_training_from_store(session, chunk_size=0)


# ----------------------------------------------------------------------------- statements, not per claim

CUTOFF = date(2025, 2, 25)
NOW = datetime.fromisoformat("2025-03-01T00:00:00+00:00")


@pytest.fixture(scope="module")
def practices(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Engine]]:
    """Two synthetic practices, one several times the other, stored up to CUTOFF (later claims wait, ready)."""
    with (fresh_database(tmp_path_factory.mktemp("small")) as small,
          fresh_database(tmp_path_factory.mktemp("large")) as large):
        for engine, volume in ((small, 5), (large, 300)):
            history = generate_history(SynthConfig(months=2, seed=11, encounters_per_month=volume))
            with db_session(engine) as s:
                load_into_store(s, history, CUTOFF)
                s.commit()
        yield {"small": small, "large": large}


def _statements(engine: Engine, work: Callable[[Session], Any]) -> tuple[int, Any]:
    count = 0

    def counted(*_: Any) -> None:
        nonlocal count
        count += 1

    with db_session(engine) as s:
        event.listen(engine, "before_cursor_execute", counted)
        try:
            result = work(s)
        finally:
            event.remove(engine, "before_cursor_execute", counted)
    return count, result


def test_a_synthetic_practice_as_the_per_claim_loader_saw_it(practices: dict[str, Engine]) -> None:
    engine = practices["large"]
    with db_session(engine) as s:
        old = reference.load_training_from_store(s)
        assert len(old[0]) > 150 and len(old[1]) > 100
        assert any(o.denied for o in old[1].values()) and not all(o.denied for o in old[1].values())
        assert any(c.warnings for c in old[0]) and any(c.eligibility_status == "none" for c in old[0])
        for chunk_size in (7, 5_000):
            assert_identical(load_training_from_store(s, chunk_size=chunk_size), old)
        mine = load_pending_from_store(s, now=NOW, chunk_size=5)
        theirs = reference.load_pending_from_store(s, now=NOW)
        assert len(mine) > 5 and [(r.id, _fields(c)) for r, c in mine] == [(r.id, _fields(c)) for r, c in theirs]


def test_the_statements_do_not_grow_with_the_claims(practices: dict[str, Engine]) -> None:
    counts: dict[str, dict[str, int]] = {}
    sizes: dict[str, tuple[int, int]] = {}
    period = Period("2025-01", "2025-03")
    for name, engine in practices.items():
        training, (claims, _) = _statements(engine, load_training_from_store)
        pending, waiting = _statements(engine, lambda s: load_pending_from_store(s, now=NOW))
        facts, _ = _statements(engine, facts_from_store)
        dashboard, _ = _statements(engine, lambda s: denial_figures(s, period))
        counts[name] = {"training": training, "pending": pending, "facts": facts, "dashboard": dashboard}
        sizes[name] = (len(claims), len(waiting))
    (small_sent, small_waiting), (large_sent, large_waiting) = sizes["small"], sizes["large"]
    assert large_sent >= 5 * small_sent > 0 and large_waiting >= 3 * small_waiting > 0
    assert counts["small"] == counts["large"], counts
    assert counts["large"]["training"] <= 8 and counts["large"]["pending"] <= 6

    # Chunked: at most the same handful again per chunk of claims (a chunk none of whose claims has been
    # adjudicated yet skips the query for denials).
    per_chunk = counts["large"]["training"] - 1  # one query finds the first submissions
    chunked, (claims, _) = _statements(practices["large"],
                                       lambda s: load_training_from_store(s, chunk_size=50))
    chunks = math.ceil(len(claims) / 50)
    assert chunks > 5 and 1 + chunks * (per_chunk - 1) <= chunked <= 1 + chunks * per_chunk


def test_the_dashboard_figures_come_from_the_same_facts(practices: dict[str, Engine]) -> None:
    with db_session(practices["large"]) as s:
        claims, outcomes = reference.load_training_from_store(s)
        facts = facts_from_store(s)
        figures = denial_figures(s, Period("2025-01", "2025-03"))
    assert [f.claim_id for f in facts] == [c.claim_id for c in claims if c.claim_id in outcomes]
    assert figures.claims == len(facts) and figures.denied == sum(o.denied for o in outcomes.values())


def test_no_claim_sent_yet(tmp_path: Path) -> None:
    with fresh_database(tmp_path) as engine, db_session(engine) as s:
        count, result = _statements(engine, load_training_from_store)
        assert result == ([], {}) and count == 1
        assert load_pending_from_store(s) == []
