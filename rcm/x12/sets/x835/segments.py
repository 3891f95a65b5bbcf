"""835 segment records: payment (BPR), trace (TRN), adjustments (CAS), procedures (SVC01/SVC06), remarks (LQ),
provider-level adjustments (PLB)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm.x12._speed import fast_constructor
from rcm.x12.sets.common import date_of, money, money_or_zero, number
from rcm.x12.tokenizer import Segment

__all__ = ["Adjustment", "Payment", "PlbAdjustment", "Procedure", "Remark", "Trace", "adjustments_of"]


@fast_constructor
@dataclass(slots=True)
class Payment:
    """BPR: handling code (I payment, H notification, C...), amount paid, C credit / D debit, method
    (ACH, CHK, FWT, BOP, NON), format, payer and payee bank data, and the payment/effective date."""

    handling: str
    amount: Decimal
    credit_debit: str
    method: str
    format: str
    date: date | None
    sender_account: str = field(repr=False)
    receiver_account: str = field(repr=False)
    payer_identifier: str
    segment: int

    @classmethod
    def of(cls, s: Segment) -> Payment:
        return cls(
            s.get(1),
            money_or_zero(s.get(2)),
            s.get(3),
            s.get(4),
            s.get(5),
            date_of(s.get(16)),
            s.get(9),
            s.get(15),
            s.get(10),
            s.number,
        )


@fast_constructor
@dataclass(slots=True)
class Trace:
    """TRN: trace type, check/EFT trace number (TRN02), originator (TRN03, 1 + payer tax id), reference."""

    type: str
    number: str
    originator: str
    reference: str
    segment: int

    @classmethod
    def of(cls, s: Segment) -> Trace:
        return cls(s.get(1), s.get(2), s.get(3), s.get(4), s.number)


@fast_constructor
@dataclass(slots=True)
class Adjustment:
    """One CAS reason: group (CO, PR, OA, PI, CR), CARC reason code, amount, quantity."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None
    segment: int


def adjustments_of(s: Segment) -> list[Adjustment]:
    """The up-to-six reason/amount/quantity triples of one CAS segment."""
    els = s.elements
    n = len(els)
    if n < 3:
        return [Adjustment(els[0] if els else "", els[1] if n > 1 else "", money_or_zero(""), None, s.number)]
    group = els[0]
    at = s.number
    if n <= 4:  # the usual single reason: CAS*CO*45*12.50[*1]
        if not els[1] and not els[2]:
            return []
        qty = els[3] if n == 4 else ""
        return [Adjustment(group, els[1], money_or_zero(els[2]), number(qty) if qty else None, at)]
    out: list[Adjustment] = []
    for i in range(1, min(n, 19), 3):
        reason = els[i]
        amount = els[i + 1] if i + 1 < n else ""
        if not reason and not amount:
            continue
        qty = els[i + 2] if i + 2 < n else ""
        out.append(Adjustment(group, reason, money_or_zero(amount), number(qty) if qty else None, at))
    return out


@fast_constructor
@dataclass(slots=True)
class Procedure:
    """A composite procedure (SVC01 / SVC06): qualifier (HC, AD, ER, IV, N4, NU...), code, modifiers,
    description."""

    qualifier: str
    code: str
    modifiers: list[str]
    description: str

    @classmethod
    def of(cls, parts: list[str]) -> Procedure:
        n = len(parts)
        if n <= 2:
            return cls(parts[0] if n else "", parts[1] if n == 2 else "", [], "")
        return cls(parts[0], parts[1], list(filter(None, parts[2:6])), parts[6] if n > 6 else "")


@fast_constructor
@dataclass(slots=True)
class Remark:
    """LQ: remark code qualifier (HE = RARC, RX = NCPDP reject) and code."""

    qualifier: str
    code: str
    segment: int


@fast_constructor
@dataclass(slots=True)
class PlbAdjustment:
    """One PLB adjustment: reason code (PLB03-1: WO, L6, FB, 72, CS...), reference id (PLB03-2), amount.
    A positive amount reduces the payment."""

    reason: str
    reference: str
    amount: Decimal
    segment: int = 0


def plb_adjustments_of(s: Segment) -> list[PlbAdjustment]:
    out: list[PlbAdjustment] = []
    els = s.elements
    comp = s.delimiters.component
    for i in range(2, len(els) - 1, 2):
        ident = els[i]
        amount = money(els[i + 1])
        if not ident and amount is None:
            continue
        reason, _, ref = ident.partition(comp)
        out.append(PlbAdjustment(reason, ref, amount if amount is not None else money_or_zero(""), s.number))
    return out
