"""The dashboard's denial figures and the denial report's facts, read set-based from the store, against a reference
written here that reads the store claim by claim (the per-claim loader, every encounter validated, denials and
remittances as ORM rows) and counts in plain Python: every figure, every row order, the report's summary and the
facts themselves must be the same, on a synthetic practice with the awkward cases added by hand (a reversal before
the first adjudication, two payments posted at the same moment, a claim denied whole without a denial row, a
claim-level denial row, postings on the first and last instant of a month, a payment matched to no claim, a claim
paid but never sent, an encounter without a rendering provider). The A/R aging, summed by the database, against
open balances added claim by claim (odd cents included)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from rcm.coding.worklist import person_name
from rcm.denials.dashboard import AGE_BUCKETS, AR_STATUSES, DenialFigures, Period, ar_aging, denial_figures
from rcm.denials.report import CARC_WORDS, DenialFact, facts_from_store
from rcm.denials.store_source import load_denial_facts
from rcm.payer_sim import SynthConfig, generate_history
from rcm.remits.reasons import carc_text, rarc_text
from rcm.store import (
    ZERO,
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    ClaimSubmission,
    DenialRecord,
    EncounterVersion,
    Payer,
    Provider,
    Remittance,
    X12FileRecord,
    record_file,
)
from rcm.store.testing import db_session, fresh_database

from . import per_claim_loader as reference
from .synthetic_store import load_into_store

pytestmark = pytest.mark.slow

CUTOFF = date(2025, 5, 20)

# ----------------------------------------------------------------------------- the reference: claim by claim


def reference_facts(session: Session) -> list[DenialFact]:
    """What ``facts_from_store`` gave before it was set-based: the training data, claim by claim."""
    claims, outcomes = reference.load_training_from_store(session)
    out: list[DenialFact] = []
    for c in claims:
        o = outcomes.get(c.claim_id)
        if o is None:
            continue
        out.append(DenialFact(
            claim_id=c.claim_id,
            month=f"{o.known_on:%Y-%m}",
            payer_id=c.payer_id,
            provider=c.rendering_npi or "unknown",
            codes=tuple(ln.code for ln in c.lines),
            denied_codes=tuple(ln.code for ln in c.lines if ln.line_id in o.denied_line_ids),
            carcs=o.carcs,
            denied=o.denied,
        ))
    return out


def reference_summary(facts: Sequence[DenialFact]) -> dict[str, Any]:
    """The report's summary, counted fact by fact (dict orders included: first seen first)."""
    months = sorted({f.month for f in facts})
    denied = [f for f in facts if f.denied]
    carcs: dict[str, int] = {}
    for f in denied:
        for c in f.carcs:
            carcs[c] = carcs.get(c, 0) + 1
    top = sorted(carcs.items(), key=lambda item: -item[1])[:15]  # stable: ties stay in the order first seen
    lines: dict[str, int] = defaultdict(int)
    denied_lines: dict[str, int] = defaultdict(int)
    for f in facts:
        for c in f.codes:
            lines[c] += 1
        for c in f.denied_codes:
            denied_lines[c] += 1
    codes = sorted(denied_lines, key=lambda c: (-denied_lines[c], c))[:15]

    def rates(key: str) -> dict[str, dict[str, tuple[int, int]]]:
        table: dict[str, dict[str, list[int]]] = {}
        for f in facts:
            cell = table.setdefault(getattr(f, key), {}).setdefault(f.month, [0, 0])
            cell[0] += 1
            cell[1] += int(f.denied)
        return {k: {m: (v[m][0], v[m][1]) for m in months if m in v} for k, v in table.items()}

    carc_by_month: dict[str, dict[str, int]] = {}
    for c, _ in top:
        per_month: dict[str, int] = {}
        for f in denied:
            if c in f.carcs:
                per_month[f.month] = per_month.get(f.month, 0) + 1
        carc_by_month[c] = per_month
    return {
        "claims": len(facts),
        "denied": len(denied),
        "denial_rate": len(denied) / len(facts) if facts else 0.0,
        "months": months,
        "by_payer": rates("payer_id"),
        "by_provider": rates("provider"),
        "by_carc": [(c, n, CARC_WORDS.get(c, "")) for c, n in top],
        "carc_by_month": carc_by_month,
        "by_code": [(c, denied_lines[c], lines[c], denied_lines[c] / lines[c]) for c in codes],
    }


def _month_of(at: datetime) -> str:
    return f"{(at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC):%Y-%m}"


def reference_figures(session: Session, period: Period) -> dict[str, Any]:
    """Every figure of the dashboard's denial section, as plain values in the order the page shows them."""
    facts = [f for f in reference_facts(session) if f.month in period]
    payer_names = {p.payer_id: p.name for p in session.scalars(select(Payer))}
    provider_names = {p.npi: person_name(p.first_name, p.last_name, p.name) for p in session.scalars(select(Provider))}

    def rows(key: str, names: dict[str, str]) -> list[tuple[str, int, int, str]]:
        claims: Counter[str] = Counter()
        denied: Counter[str] = Counter()
        for f in facts:
            claims[getattr(f, key)] += 1
            denied[getattr(f, key)] += int(f.denied)
        out = [(k, claims[k], denied[k], names.get(k, "")) for k in claims]
        return sorted(out, key=lambda r: (-r[2], -r[1], r[0]))

    lines: Counter[str] = Counter()
    denied_lines: Counter[str] = Counter()
    carcs: Counter[str] = Counter()
    for f in facts:
        lines.update(f.codes)
        denied_lines.update(f.denied_codes)
        if f.denied:
            carcs.update(f.carcs)
    remarks: dict[str, set[int]] = defaultdict(set)
    for denial in session.scalars(select(DenialRecord)):  # every denial posted in the period, row by row
        payment = session.get(ClaimPayment, denial.claim_payment_id)
        assert payment is not None
        remittance = session.get(Remittance, payment.remittance_id)
        assert remittance is not None
        if _month_of(remittance.posted_at) in period:
            for code in denial.remark_codes or ():
                remarks[str(code)].add(denial.claim_id)
    return {
        "claims": len(facts),
        "denied": sum(f.denied for f in facts),
        "by_payer": rows("payer_id", payer_names),
        "by_provider": rows("provider", provider_names),
        "by_code": sorted(((c, lines[c], denied_lines[c], "") for c in denied_lines),
                          key=lambda r: (-r[2], -r[1], r[0])),
        "by_carc": [(c, carc_text(c) or CARC_WORDS.get(c, "") if c else "no reason code given", n)
                    for c, n in sorted(carcs.items(), key=lambda item: (-item[1], item[0]))],
        "by_rarc": [(c, rarc_text(c), len(ids)) for c, ids in sorted(remarks.items(),
                                                                     key=lambda item: (-len(item[1]), item[0]))],
        "summary": reference_summary(facts),
    }


def reference_aging(session: Session, as_of: date) -> list[tuple[str, str, int, list[str]]]:
    """Open balances of the sent claims by payer and age bucket, claim by claim."""
    rows: dict[str, tuple[str, list[int], list[Decimal]]] = {}
    for claim in session.scalars(select(ClaimRecord).order_by(ClaimRecord.id)):
        if claim.status not in AR_STATUSES or claim.balance <= 0:
            continue
        if not session.scalars(select(ClaimSubmission).where(ClaimSubmission.claim_id == claim.id)).first():
            continue
        version = session.get(EncounterVersion, claim.encounter_version_id)
        assert version is not None
        payer = session.scalars(select(Payer).where(Payer.payer_id == claim.payer_id)).first()
        _, count, buckets = rows.setdefault(
            claim.payer_id, (payer.name if payer and payer.name else claim.payer_id, [0], [ZERO] * len(AGE_BUCKETS)))
        count[0] += 1
        age = (as_of - version.date_of_service).days
        index = next((i for i, (_, low, high) in enumerate(AGE_BUCKETS)
                      if age >= low and (high is None or age <= high)), 0)
        buckets[index] += claim.balance
    out = [(payer_id, name, count[0], [str(b) for b in buckets]) for payer_id, (name, count, buckets) in rows.items()]
    return sorted(out, key=lambda r: (-sum(Decimal(b) for b in r[3]), r[0]))


def shown(figures: DenialFigures) -> dict[str, Any]:
    """The dashboard's figures in the reference's shape."""
    return {
        "claims": figures.claims,
        "denied": figures.denied,
        "by_payer": [(r.key, r.claims, r.denied, r.label) for r in figures.by_payer],
        "by_provider": [(r.key, r.claims, r.denied, r.label) for r in figures.by_provider],
        "by_code": [(r.key, r.claims, r.denied, r.label) for r in figures.by_code],
        "by_carc": [(r.code, r.description, r.claims) for r in figures.by_carc],
        "by_rarc": [(r.code, r.description, r.claims) for r in figures.by_rarc],
        "summary": figures.summary,
    }


def assert_same_summary(mine: dict[str, Any], theirs: dict[str, Any]) -> None:
    assert mine == theirs
    for key in ("by_payer", "by_provider", "carc_by_month"):  # the report draws them in this order
        assert list(mine[key]) == list(theirs[key]), key
        for name in mine[key]:
            assert list(mine[key][name]) == list(theirs[key][name]), (key, name)


# ----------------------------------------------------------------------------- the store


def _at(day: date, *, last_instant: bool = False) -> datetime:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start + timedelta(days=1, microseconds=-1) if last_instant else start


def _awkward_cases(session: Session) -> dict[str, str]:
    """Rows the pipeline could store that the synthetic practice does not: what each claim now shows."""
    adjudicated = session.execute(
        select(ClaimRecord, func.min(Remittance.posted_at))
        .join(ClaimPayment, ClaimPayment.claim_id == ClaimRecord.id)
        .join(Remittance, Remittance.id == ClaimPayment.remittance_id)
        .group_by(ClaimRecord.id)
        .order_by(ClaimRecord.claim_number)
    ).all()
    assert len(adjudicated) > 10
    file, _ = record_file(session, direction="in", kind="835", name="awkward.x12", path="/z", content=b"awkward")
    made: dict[str, str] = {}

    def remit(at: datetime, trace: str) -> Remittance:
        r = Remittance(file_id=file.id, trace_number=trace, payer_key="AWK", payment_amount=0, posted_at=at)
        session.add(r)
        session.flush()
        return r

    def pay(claim: ClaimRecord | None, r: Remittance, status: str, number: str) -> ClaimPayment:
        p = ClaimPayment(remittance_id=r.id, claim_id=claim.id if claim else None, patient_control_number=number,
                         status_code=status, charge=Decimal("100.00"), paid=Decimal("0.00"),
                         patient_responsibility=Decimal("0.00"), payer_claim_number=f"AWK-{number}")
        session.add(p)
        session.flush()
        return p

    def deny(claim: ClaimRecord, p: ClaimPayment, line: str | None, carc: str, remarks: list[str] | None) -> None:
        session.add(DenialRecord(claim_id=claim.id, claim_payment_id=p.id, line_id=line, group_code="CO",
                                 reason_code=carc, remark_codes=remarks, amount=Decimal("10.00"),
                                 denied_at=datetime(2025, 1, 1, tzinfo=UTC)))

    (a, a_at), (b, b_at), (c, c_at), (d, d_at), (e, e_at), (f, f_at), (g, _) = adjudicated[:7]
    # A: a reversal posted before its first adjudication is no adjudication.
    pay(a, remit(a_at - timedelta(days=3), "AWK-A"), "22", a.claim_number)
    made[a.claim_number] = "reversal before"
    # B: denied whole (CLP02 4, no denial row), posted on the last instant of the month before its first payment.
    first_b = b_at.astimezone(UTC).date().replace(day=1) - timedelta(days=1)
    pay(b, remit(_at(first_b, last_instant=True), "AWK-B"), "4", b.claim_number)
    made[b.claim_number] = "claim denied, last instant of a month"
    # C: a claim-level denial row (no line) with remarks, on the first instant of the month before its first payment.
    month_c = _at((c_at.astimezone(UTC).date().replace(day=1) - timedelta(days=1)).replace(day=1))
    early_c = pay(c, remit(month_c, "AWK-C"), "1", c.claim_number)
    deny(c, early_c, None, "16", ["MA130", "N290"])
    made[c.claim_number] = "claim-level denial row"
    # D: two payments posted at the same moment as its first one: the lower payment id is first.
    same = remit(d_at, "AWK-D")
    later_d = pay(d, same, "4", d.claim_number)
    deny(d, later_d, "1", "97", ["N19"])
    made[d.claim_number] = "a second payment at the same moment (not first)"
    # E: line 1 denied twice with two reasons, in a payment posted on the first instant of a month (before its own).
    month_e = _at((e_at.astimezone(UTC).date().replace(day=1) - timedelta(days=1)).replace(day=1))
    early_e = pay(e, remit(month_e, "AWK-E"), "1", e.claim_number)
    deny(e, early_e, "1", "50", ["N115"])
    deny(e, early_e, "1", "11", None)
    deny(e, early_e, "9", "4", ["N19"])  # a line the claim does not have
    made[e.claim_number] = "line denial, first instant of a month"
    # F: paid again later (a later adjudication does not change the first).
    pay(f, remit(f_at + timedelta(days=40), "AWK-F"), "4", f.claim_number)
    made[f.claim_number] = "denied later (ignored)"
    # G: no rendering provider in its encounter.
    version = session.get(EncounterVersion, g.encounter_version_id)
    assert version is not None
    version.payload = {k: v for k, v in version.payload.items() if k != "rendering_provider"}
    made[g.claim_number] = "no rendering provider"
    # Open balances in odd cents (the A/R figures add them exactly), a closed claim and a settled one.
    sent = session.scalars(select(ClaimRecord).where(ClaimRecord.id.in_(select(ClaimSubmission.claim_id)))
                           .order_by(ClaimRecord.claim_number.desc())).all()
    for claim, balance in zip(sent, ("0.01", "19.99", "1234567.89", "0.10", "333.33", "0.00"), strict=False):
        claim.balance = Decimal(balance)
    sent[6].status = ClaimStatus.closed
    # A payment matched to no claim, and one for a claim never sent.
    pay(None, remit(a_at, "AWK-X"), "4", "NOBODY")
    unsent = session.scalars(
        select(ClaimRecord).where(ClaimRecord.id.notin_(select(ClaimSubmission.claim_id)))
        .order_by(ClaimRecord.claim_number)
    ).first()
    assert unsent is not None and unsent.status == ClaimStatus.ready
    deny(unsent, pay(unsent, remit(a_at, "AWK-U"), "1", unsent.claim_number), "1", "97", ["N19"])
    session.flush()
    return made


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A synthetic practice's five months (sent up to CUTOFF, the rest ready), and the awkward cases."""
    with fresh_database(tmp_path_factory.mktemp("dashboard-figures")) as engine:
        history = generate_history(SynthConfig(months=5, seed=23, encounters_per_month=60))
        with db_session(engine) as s:
            load_into_store(s, history, CUTOFF)
            assert s.scalar(select(func.count()).select_from(X12FileRecord)) > 0
            _awkward_cases(s)
            s.commit()
        yield engine


@pytest.fixture()
def session(store: Engine) -> Iterator[Session]:
    with db_session(store) as s:
        yield s


# ----------------------------------------------------------------------------- the checks


def test_the_report_facts_are_the_claim_by_claim_facts(session: Session) -> None:
    old = reference_facts(session)
    assert len(old) > 150
    assert any(f.denied for f in old) and not all(f.denied for f in old)
    assert any(f.provider == "unknown" for f in old)
    assert any(f.denied and f.denied_codes == f.codes for f in old)  # denied whole
    assert any(f.denied and () != f.denied_codes != f.codes for f in old)  # some lines denied
    assert len({f.month for f in old}) >= 4
    assert facts_from_store(session) == old
    assert load_denial_facts(session) == old


@pytest.mark.parametrize(("first", "last"), [("2025-01", "2025-05"), ("2024-06", "2025-05"), ("2025-02", "2025-03"),
                                              ("2025-03", "2025-03"), ("2025-04", "2025-12"), ("2023-01", "2023-12")])
def test_the_dashboard_figures_are_the_claim_by_claim_figures(session: Session, first: str, last: str) -> None:
    period = Period(first, last)
    theirs = reference_figures(session, period)
    mine = shown(denial_figures(session, period))
    assert_same_summary(mine.pop("summary"), theirs.pop("summary"))
    assert mine == theirs
    # The same as counting the facts already loaded (the page's facts= path).
    again = shown(denial_figures(session, period, facts=facts_from_store(session)))
    assert again.pop("summary") == denial_figures(session, period).summary
    assert again == mine


def test_the_period_is_read_by_posting_time(session: Session) -> None:
    everything = load_denial_facts(session)
    months = sorted({f.month for f in everything})
    before = Period.months_ending(date.fromisoformat(f"{months[0]}-01"), 2).first  # the month before the first
    spans = [(m, m) for m in [before, *months]] + [(months[0], months[-1]), (months[1], months[-2])]
    for first, last in spans:  # postings on a month's first and last instant are in the store (_awkward_cases)
        period = Period(first, last)
        start = datetime(period.start.year, period.start.month, 1, tzinfo=UTC)
        end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        assert load_denial_facts(session, posted_from=start, posted_before=end) == [
            f for f in everything if f.month in period]
    with pytest.raises(ValueError, match="timezone-aware"):
        load_denial_facts(session, posted_from=datetime(2025, 1, 1))


def test_the_figures_are_read_in_a_fixed_number_of_statements(store: Engine, tmp_path: Path) -> None:
    from sqlalchemy import event

    counted = 0

    def count(*_: Any) -> None:
        nonlocal counted
        counted += 1

    period = Period("2025-01", "2025-05")
    with fresh_database(tmp_path) as empty, db_session(empty) as s:
        assert load_denial_facts(s) == [] and denial_figures(s, period).claims == 0
    with db_session(store) as s:
        event.listen(store, "before_cursor_execute", count)
        try:
            denial_figures(s, period)
        finally:
            event.remove(store, "before_cursor_execute", count)
    assert counted <= 6, counted


@pytest.mark.parametrize("as_of", [date(2025, 6, 30), date(2025, 3, 1), date(2024, 12, 1), date(2026, 5, 5)])
def test_the_ar_aging_is_the_claim_by_claim_aging(session: Session, as_of: date) -> None:
    theirs = reference_aging(session, as_of)
    assert len(theirs) > 2 and sum(r[2] for r in theirs) > 50
    aging = ar_aging(session, as_of)
    mine = [(r.payer_id, r.payer_name, r.claims, [str(b) for b in r.buckets]) for r in aging.rows]
    assert mine == theirs  # amounts compared as text: the same cents and the same scale
    assert all(type(b) is Decimal for r in aging.rows for b in r.buckets)
    assert any(b.endswith((".01", ".99", ".89", ".10", ".33")) for r in mine for b in r[3])
