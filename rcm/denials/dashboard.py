"""The analysts' dashboard figures for a chosen period: denials by payer, reason (CARC/RARC), procedure code and
provider; the first-pass clean claim rate; open A/R by age bucket and payer.

Denials are the denial report's own figures (its facts, ``load_denial_facts`` in rcm.denials.store_source, and
``build_summary`` in rcm.denials.report: first adjudication of each claim, by the month its remittance was posted),
kept to the period's months: only the facts of claims first adjudicated in the period are read. The other figures
are read here. Nothing names a patient.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from rcm.coding.worklist import person_name
from rcm.denials.report import CARC_WORDS, DenialFact, build_summary
from rcm.denials.store_source import load_denial_facts
from rcm.errors import InputError
from rcm.remits.reasons import carc_text, rarc_text
from rcm.store import (
    SUBMITTED_STATUSES,
    ZERO,
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    ClaimStatusChange,
    ClaimSubmission,
    DenialRecord,
    EncounterVersion,
    Payer,
    Provider,
    Remittance,
)

__all__ = [
    "AGE_BUCKETS",
    "ArAging",
    "ArRow",
    "CleanClaimRate",
    "DenialFigures",
    "Period",
    "RateRow",
    "ReasonRow",
    "ar_aging",
    "clean_claim_rate",
    "denial_figures",
]

# A/R age buckets in days since the date of service: (label, first day, last day or None for open-ended).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("91-120", 91, 120),
    ("120+", 121, None),
)
# Claims out of the building whose balance is still somebody's to pay (closed claims are written off or done).
AR_STATUSES = frozenset(SUBMITTED_STATUSES - {ClaimStatus.closed})
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True, slots=True)
class Period:
    """Whole calendar months, ``first`` to ``last`` inclusive (each ``YYYY-MM``)."""

    first: str
    last: str

    def __post_init__(self) -> None:
        for value in (self.first, self.last):
            match = _MONTH.match(value)
            if not match or not 1 <= int(match.group(2)) <= 12:
                raise InputError(f"{value!r} is not a month (YYYY-MM)")
        if self.first > self.last:
            raise InputError(f"the period starts ({self.first}) after it ends ({self.last})")

    @classmethod
    def months_ending(cls, day: date, count: int = 12) -> Period:
        """The ``count`` calendar months up to and including ``day``'s month."""
        year, month = day.year, day.month - (count - 1)
        while month < 1:
            month += 12
            year -= 1
        return cls(f"{year:04d}-{month:02d}", f"{day:%Y-%m}")

    @property
    def start(self) -> date:
        year, month = (int(p) for p in self.first.split("-"))
        return date(year, month, 1)

    @property
    def end(self) -> date:
        """The period's last day."""
        year, month = (int(p) for p in self.last.split("-"))
        return date(year, month, calendar.monthrange(year, month)[1])

    def __contains__(self, month: object) -> bool:
        return isinstance(month, str) and self.first <= month <= self.last


@dataclass(frozen=True, slots=True)
class RateRow:
    """Adjudicated claims of one payer (or provider, or procedure code) and how many were denied."""

    key: str
    claims: int
    denied: int
    label: str = ""  # the payer's or provider's name, when the store knows it

    @property
    def rate(self) -> float | None:  # a ratio of counts, not money
        return self.denied / self.claims if self.claims else None


@dataclass(frozen=True, slots=True)
class ReasonRow:
    code: str
    description: str
    claims: int


@dataclass(slots=True)
class DenialFigures:
    period: Period
    claims: int
    denied: int
    by_payer: list[RateRow]
    by_provider: list[RateRow]
    by_code: list[RateRow]  # counted in lines: lines billed with the code, lines of it denied
    by_carc: list[ReasonRow]
    by_rarc: list[ReasonRow]
    summary: dict[str, Any] = field(repr=False, default_factory=dict)  # build_summary's figures, for the report

    @property
    def denial_rate(self) -> float | None:
        return self.denied / self.claims if self.claims else None


@dataclass(frozen=True, slots=True)
class CleanClaimRate:
    """Claims scrubbed for the first time in the period, and those that passed every edit untouched."""

    period: Period
    scrubbed: int
    clean: int

    @property
    def rate(self) -> float | None:
        return self.clean / self.scrubbed if self.scrubbed else None


@dataclass(slots=True)
class ArRow:
    payer_id: str
    payer_name: str
    claims: int = 0
    buckets: list[Decimal] = field(default_factory=lambda: [ZERO for _ in AGE_BUCKETS])

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


@dataclass(slots=True)
class ArAging:
    as_of: date
    rows: list[ArRow]

    @property
    def claims(self) -> int:
        return sum(r.claims for r in self.rows)

    @property
    def bucket_totals(self) -> list[Decimal]:
        return [sum((r.buckets[i] for r in self.rows), ZERO) for i in range(len(AGE_BUCKETS))]

    @property
    def total(self) -> Decimal:
        return sum(self.bucket_totals, ZERO)


def _rate_rows(table: dict[str, dict[str, tuple[int, int]]], names: dict[str, str]) -> list[RateRow]:
    rows = [
        RateRow(key, sum(n for n, _ in months.values()), sum(d for _, d in months.values()), names.get(key, ""))
        for key, months in table.items()
    ]
    return sorted(rows, key=lambda r: (-r.denied, -r.claims, r.key))


def _carc_description(code: str) -> str:
    if not code:
        return "no reason code given"
    return carc_text(code) or CARC_WORDS.get(code, "")


def _payer_names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(select(Payer.payer_id, Payer.name).where(Payer.payer_id.in_(wanted)))
    return {payer_id: name for payer_id, name in rows}


def _provider_names(session: Session, npis: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(npis))
    if not wanted:
        return {}
    providers = session.scalars(select(Provider).where(Provider.npi.in_(wanted)))
    return {p.npi: person_name(p.first_name, p.last_name, p.name) for p in providers}


def _span(period: Period) -> tuple[datetime, datetime]:
    """The period as times: midnight UTC of its first day, and of the day after its last."""
    return (datetime.combine(period.start, time(0), tzinfo=UTC),
            datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=UTC))


def _rarc_rows(session: Session, period: Period) -> list[ReasonRow]:
    """Remark codes on the denials posted in the period, counted once per claim."""
    start, end = _span(period)
    claims: dict[str, set[int]] = defaultdict(set)
    rows = session.execute(
        select(DenialRecord.claim_id, DenialRecord.remark_codes)
        .join(ClaimPayment, ClaimPayment.id == DenialRecord.claim_payment_id)
        .join(Remittance, Remittance.id == ClaimPayment.remittance_id)
        .where(Remittance.posted_at >= start, Remittance.posted_at < end)
    )
    for claim_id, remarks in rows:
        for code in remarks or ():
            claims[str(code)].add(claim_id)
    ranked = sorted(claims.items(), key=lambda item: (-len(item[1]), item[0]))
    return [ReasonRow(code, rarc_text(code), len(ids)) for code, ids in ranked]


def denial_figures(session: Session, period: Period, *, facts: list[DenialFact] | None = None) -> DenialFigures:
    """Denials of the claims first adjudicated in ``period`` (``facts``: the store's, when already loaded; else
    only the period's are read)."""
    if facts is None:
        start, end = _span(period)
        facts = load_denial_facts(session, posted_from=start, posted_before=end)
    kept = [f for f in facts if f.month in period]
    summary = build_summary(kept)
    lines: Counter[str] = Counter(c for f in kept for c in f.codes)
    denied_lines: Counter[str] = Counter(c for f in kept for c in f.denied_codes)
    by_code = sorted(
        (RateRow(code, lines[code], denied_lines[code]) for code in denied_lines),
        key=lambda r: (-r.denied, -r.claims, r.key),
    )
    carcs: Counter[str] = Counter(c for f in kept if f.denied for c in f.carcs)
    return DenialFigures(
        period=period,
        claims=summary["claims"],
        denied=summary["denied"],
        by_payer=_rate_rows(summary["by_payer"], _payer_names(session, summary["by_payer"])),
        by_provider=_rate_rows(summary["by_provider"], _provider_names(session, summary["by_provider"])),
        by_code=by_code,
        by_carc=[
            ReasonRow(code, _carc_description(code), n)
            for code, n in sorted(carcs.items(), key=lambda item: (-item[1], item[0]))
        ],
        by_rarc=_rarc_rows(session, period),
        summary=summary,
    )


def clean_claim_rate(session: Session, period: Period) -> CleanClaimRate:
    """First-pass clean claim rate: of the claims whose first scrub fell in the period, those it released.

    A claim's first scrub is its first status change made by the scrubber; it passed clean when that change
    released it (``ready``: no error and no warning; nobody can have overridden anything before it).
    """
    start, end = _span(period)
    first = (
        select(func.min(ClaimStatusChange.id).label("id"))
        .where(ClaimStatusChange.source_kind == "scrub")
        .group_by(ClaimStatusChange.claim_id)
        .subquery()
    )
    counts = session.execute(
        select(ClaimStatusChange.to_status, func.count())
        .join(first, first.c.id == ClaimStatusChange.id)
        .where(ClaimStatusChange.at >= start, ClaimStatusChange.at < end)
        .group_by(ClaimStatusChange.to_status)
    ).all()
    by_status = {ClaimStatus(status): int(n) for status, n in counts}
    return CleanClaimRate(period, sum(by_status.values()), by_status.get(ClaimStatus.ready, 0))


def _bucket(age: int) -> int:
    for index, (_, low, high) in enumerate(AGE_BUCKETS):
        if age >= low and (high is None or age <= high):
            return index
    return 0  # a date of service after the as-of day (cannot be sent before it was done): youngest


def ar_aging(session: Session, as_of: date) -> ArAging:
    """Open balances now of the claims that have been sent, by payer and by days from the date of service to
    ``as_of`` (the patient's share is included until it is paid; a claim counts in its date of service's bucket).
    """
    sent = select(ClaimSubmission.claim_id)
    sqlite = session.get_bind().dialect.name == "sqlite"
    # Summed by the database per payer and date of service, exactly: SQLite keeps NUMERIC as binary floating
    # point, so there whole cents are added (each balance has at most 12 digits: its double rounds back exactly).
    total = (func.sum(cast(func.round(ClaimRecord.balance * 100), Integer)) if sqlite
             else func.sum(ClaimRecord.balance))
    rows = session.execute(
        select(ClaimRecord.payer_id, Payer.name, EncounterVersion.date_of_service, func.count(), total)
        .join(EncounterVersion, EncounterVersion.id == ClaimRecord.encounter_version_id)
        .outerjoin(Payer, Payer.payer_id == ClaimRecord.payer_id)
        .where(ClaimRecord.status.in_(sorted(AR_STATUSES)))
        .where(ClaimRecord.balance > 0)
        .where(ClaimRecord.id.in_(sent))
        .group_by(ClaimRecord.payer_id, Payer.name, EncounterVersion.date_of_service)
    )
    by_payer: dict[str, ArRow] = {}
    for payer_id, name, day, claims, amount in rows:
        row = by_payer.get(payer_id)
        if row is None:
            row = by_payer[payer_id] = ArRow(payer_id, name or payer_id)
        row.claims += claims
        index = _bucket((as_of - day).days)
        row.buckets[index] += Decimal(amount).scaleb(-2) if sqlite else amount
    return ArAging(as_of, sorted(by_payer.values(), key=lambda r: (-r.total, r.payer_id)))
