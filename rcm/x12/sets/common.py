"""Segment records shared by every transaction set (names, addresses, references, dates, amounts) and the
small converters from element text to Decimal and date.  Converters never raise: bad values become None
and are the validator's to report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from rcm.x12._speed import fast_constructor
from rcm.x12.engine import Loop
from rcm.x12.tokenizer import Segment

__all__ = [
    "ZERO",
    "Address",
    "Amount",
    "Contact",
    "DateValue",
    "Party",
    "Quantity",
    "Reference",
    "amount_of",
    "date_of",
    "dates_of",
    "money",
    "money_or_zero",
    "number",
    "padded",
    "party_of",
    "references_of",
]

ZERO = Decimal("0.00")


# Amounts and dates repeat a lot in a file (same fees, same service dates); Decimal and date are immutable,
# so converted values are shared through small caches, cleared when they grow.
_MONEY_CACHE: dict[str, Decimal | None] = {}
_DATE_CACHE: dict[str, date | None] = {}
_CACHE_LIMIT = 8192  # (rcm/x12/_lines.c keeps the date cache under the same CACHE_LIMIT)
_MISS: object = object()
# Bound once: the caches are cleared in place, never replaced.
_money_cached = _MONEY_CACHE.get
_date_cached = _DATE_CACHE.get


def money(value: str) -> Decimal | None:
    """An X12 decimal amount ("125", "125.5", "-10.00") as Decimal; None when empty or malformed."""
    d = _money_cached(value, _MISS)
    if d is not _MISS:
        return d  # type: ignore[return-value]
    if not value:
        return None
    return _money_convert(value)


def _money_convert(value: str) -> Decimal | None:
    """Convert and cache a non-empty amount that is not in the cache yet."""
    try:
        d: Decimal | None = Decimal(value)
    except (InvalidOperation, ValueError):
        d = None
    if d is not None and not d.is_finite():
        d = None
    if len(_MONEY_CACHE) >= _CACHE_LIMIT:
        _MONEY_CACHE.clear()
    _MONEY_CACHE[value] = d
    return d


def money_or_zero(value: str) -> Decimal:
    """A required amount: malformed or missing reads as zero (the validator reports it)."""
    d = _money_cached(value, _MISS)
    if d is _MISS:
        d = _money_convert(value) if value else None
    return ZERO if d is None else d  # type: ignore[return-value]


number = money  # quantities and percentages are X12 decimals too


def date_of(value: str) -> date | None:
    """A CCYYMMDD date, None when empty or not a real date."""
    cached = _date_cached(value, _MISS)
    if cached is not _MISS:
        return cached  # type: ignore[return-value]
    d: date | None = None
    if len(value) == 8 and value.isdecimal():
        try:
            d = date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        except ValueError:
            d = None
    if len(_DATE_CACHE) >= _CACHE_LIMIT:
        _DATE_CACHE.clear()
    _DATE_CACHE[value] = d
    return d


def padded(s: Segment, n: int) -> list[str]:
    """The segment's elements padded with "" to at least ``n`` (index 0 is element 1)."""
    e = s.elements
    return e if len(e) >= n else e + [""] * (n - len(e))


@fast_constructor
@dataclass(slots=True)
class Reference:
    """A REF segment: qualifier (REF01), value (REF02), description (REF03)."""

    qualifier: str
    value: str
    description: str
    segment: int

    @classmethod
    def of(cls, s: Segment) -> Reference:
        e = s.elements
        n = len(e)
        if n == 2:  # the usual REF*qualifier*value: no description, nothing to pad
            return cls(e[0], e[1], "", s.number)
        if n < 3:
            e = [*e, "", "", ""]
        return cls(e[0], e[1], e[2], s.number)


@fast_constructor
@dataclass(slots=True)
class DateValue:
    """A DTM or DTP date: qualifier (374), the date or the start/end of a range, the raw text."""

    qualifier: str
    value: date | None
    end: date | None
    raw: str
    segment: int

    @classmethod
    def of_dtm(cls, s: Segment) -> DateValue:
        e = s.elements
        if len(e) < 2:
            e = [*e, "", ""]
        raw = e[1]
        d = _date_cached(raw, _MISS)
        if d is _MISS:
            d = date_of(raw)
        return cls(e[0], d, d, raw, s.number)  # type: ignore[arg-type]

    @classmethod
    def of_dtp(cls, s: Segment) -> DateValue:
        e = s.elements
        if len(e) < 3:
            e = [*e, "", "", ""]
        raw = e[2]
        if e[1] == "RD8" and "-" in raw:
            a, _, b = raw.partition("-")
            return cls(e[0], date_of(a), date_of(b), raw, s.number)
        if e[1] == "DT":  # CCYYMMDDHHMM (837I admission date and hour): the date, the hour stays in raw
            day = date_of(raw[:8]) if len(raw) == 12 and raw.isdecimal() else None
            return cls(e[0], day, day, raw, s.number)
        d = _date_cached(raw, _MISS)
        if d is _MISS:
            d = date_of(raw)
        return cls(e[0], d, d, raw, s.number)  # type: ignore[arg-type]


@fast_constructor
@dataclass(slots=True)
class Amount:
    """An AMT segment: qualifier and amount."""

    qualifier: str
    amount: Decimal | None
    segment: int

    @classmethod
    def of(cls, s: Segment) -> Amount:
        e = s.elements
        if len(e) < 2:
            e = [*e, "", ""]
        return cls(e[0], money(e[1]), s.number)


@fast_constructor
@dataclass(slots=True)
class Quantity:
    """A QTY segment: qualifier and quantity."""

    qualifier: str
    quantity: Decimal | None
    segment: int

    @classmethod
    def of(cls, s: Segment) -> Quantity:
        e = s.elements
        if len(e) < 2:
            e = [*e, "", ""]
        return cls(e[0], money(e[1]), s.number)


@fast_constructor
@dataclass(slots=True)
class Address:
    """N3/N4: street lines, city, state, postal code, country."""

    line1: str = field(repr=False)
    line2: str = field(repr=False)
    city: str = field(repr=False)
    state: str
    postal_code: str = field(repr=False)
    country: str = ""
    segment: int = 0


@fast_constructor
@dataclass(slots=True)
class Contact:
    """A PER segment: function (IC, BL, CX...), name, and (qualifier, number) pairs."""

    function: str
    name: str = field(repr=False)
    numbers: list[tuple[str, str]] = field(repr=False)
    segment: int

    @classmethod
    def of(cls, s: Segment) -> Contact:
        pairs = [(s.get(i), s.get(i + 1)) for i in (3, 5, 7) if s.get(i)]
        return cls(s.get(1), s.get(2), pairs, s.number)


@fast_constructor
@dataclass(slots=True)
class Party:
    """An NM1 (or N1) party: entity code, type (1 person, 2 organisation), name, identifier, and what the
    loop adds (address, references, contacts).  Names and ids are PHI for patients: kept out of repr."""

    entity: str
    entity_type: str
    last_name: str = field(repr=False)
    first_name: str = field(repr=False)
    middle_name: str = field(repr=False)
    suffix: str = field(repr=False)
    id_qualifier: str
    id: str = field(repr=False)
    segment: int
    address: Address | None = None
    references: list[Reference] = field(default_factory=list, repr=False)
    contacts: list[Contact] = field(default_factory=list, repr=False)

    @property
    def name(self) -> str:
        """Organisation name, or "Last, First Middle" for a person."""
        if self.entity_type == "2" or not self.first_name:
            return self.last_name
        rest = " ".join(p for p in (self.first_name, self.middle_name, self.suffix) if p)
        return f"{self.last_name}, {rest}"

    @property
    def npi(self) -> str | None:
        if self.id_qualifier == "XX":
            return self.id
        return self.reference("HPI")

    @property
    def tax_id(self) -> str | None:
        if self.id_qualifier in ("FI", "24", "34"):
            return self.id
        return self.reference("EI") or self.reference("TJ") or self.reference("SY")

    def reference(self, qualifier: str) -> str | None:
        for r in self.references:
            if r.qualifier == qualifier:
                return r.value
        return None

    @classmethod
    def of_nm1(cls, s: Segment) -> Party:
        e = s.elements
        if len(e) < 9:
            e = [*e, "", "", "", "", "", "", "", "", ""]
        return cls(e[0], e[1], e[2], e[3], e[4], e[6], e[7], e[8], s.number)

    @classmethod
    def of_n1(cls, s: Segment) -> Party:
        e = padded(s, 4)
        return cls(e[0], "2", e[1], "", "", "", e[2], e[3], s.number)


def party_of(loop: Loop) -> Party | None:
    """The party a name loop describes (NM1 or N1 first, then N3/N4, REF and PER of the same loop)."""
    segments = loop.segments
    if not segments:
        return None
    start = segments[0]
    party = Party.of_n1(start) if start.id == "N1" else Party.of_nm1(start)
    if len(segments) == 1:
        return party
    n3: Segment | None = None
    for s in segments[1:]:
        sid = s.id
        if sid == "N3":
            n3 = s
        elif sid == "N4":
            # Lengths are checked, not padded: N3 usually has one line and N4 no country.
            e = s.elements
            n = len(e)
            if n < 3:
                e = [*e, "", "", ""]
            country = e[3] if n > 3 else ""
            if n3 is None:
                party.address = Address("", "", e[0], e[1], e[2], country, s.number)
            else:
                street = n3.elements
                line2 = street[1] if len(street) > 1 else ""
                party.address = Address(street[0] if street else "", line2, e[0], e[1], e[2], country, n3.number)
        elif sid == "REF":
            party.references.append(Reference.of(s))
        elif sid == "PER":
            party.contacts.append(Contact.of(s))
    return party


def references_of(segments: list[Segment]) -> list[Reference]:
    return [Reference.of(s) for s in segments if s.id == "REF"]


def dates_of(segments: list[Segment]) -> list[DateValue]:
    out: list[DateValue] = []
    for s in segments:
        if s.id == "DTP":
            out.append(DateValue.of_dtp(s))
        elif s.id == "DTM":
            out.append(DateValue.of_dtm(s))
    return out


def amount_of(amounts: list[Amount], qualifier: str) -> Decimal | None:
    for a in amounts:
        if a.qualifier == qualifier:
            return a.amount
    return None
