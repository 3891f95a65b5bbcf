"""Balancing: 837 claim charge = sum of line charges; 835 line, claim and payment balancing, exact in cents.

    837:  CLM02 = Σ SV102 (professional) or Σ SV203 (institutional) or Σ SV302 (dental)
    835:  line     SVC02 − Σ line CAS = SVC03
          claim    CLP03 − Σ claim CAS − Σ line CAS = CLP04
          payment  BPR02 = Σ CLP04 − Σ PLB amounts   (BPR03 = D: the payment is a debit, −BPR02)

Works on a transaction's segments, so it runs on files whose structure is otherwise broken.  Amounts that are
missing or not numbers are left to element validation (no balancing finding), but a transaction holding one where
balancing needs it (BPR02, CLP03, CLP04, SVC02, SVC03, a CAS or PLB amount) is not balanced.  Messages name claims
by patient control number (CLP01/CLM01) and never carry amounts (they are in ``Finding.extra``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Protocol

from rcm.x12.findings import Finding
from rcm.x12.tokenizer import Segment

__all__ = ["Balance835", "amount", "cas_total", "check_835", "check_837", "claims_837", "summarize_835"]

ZERO = Decimal("0.00")
_CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    """Compared in cents, as the guide balances (a stray third decimal place does not unbalance)."""
    return value.quantize(_CENT)


_LINE_IDS = {"SV1": 2, "SV2": 3, "SV3": 2}


class HasSegments(Protocol):
    @property
    def segments(self) -> list[Segment]: ...

    @property
    def control_number(self) -> str: ...

    @property
    def version(self) -> str: ...


_SEEN: dict[str, Decimal | None] = {}


def amount(value: str) -> Decimal | None:
    """An X12 R value as Decimal ("" and malformed values give None)."""
    try:
        return _SEEN[value]
    except KeyError:
        pass
    d: Decimal | None = None
    if value:
        try:
            d = Decimal(value)
        except (InvalidOperation, ValueError):
            d = None
        if d is not None and not d.is_finite():
            d = None
    if len(_SEEN) > 8192:  # amounts repeat (fees, copays); keep the memo small
        _SEEN.clear()
    _SEEN[value] = d
    return d


def cas_total(seg: Segment) -> Decimal | None:
    """Σ of a CAS segment's adjustment amounts (CAS03, 06, 09, 12, 15, 18); None if one is malformed."""
    total = ZERO
    els = seg.elements
    for i in range(2, min(len(els), 18), 3):
        if els[i]:
            value = amount(els[i])
            if value is None:
                return None
            total += value
    return total


def _unbalanced(tx: HasSegments, seg: Segment, code: str, message: str, **extra: Decimal) -> Finding:
    return Finding(
        "error",
        code,
        message,
        seg.number,
        transaction=tx.control_number,
        segment_id=seg.id,
        extra={k: str(v) for k, v in extra.items()},
    )


def check_837(tx: HasSegments) -> list[Finding]:
    """Each claim's CLM02 against the sum of its service line charges."""
    out: list[Finding] = []
    line_id = "SV2" if tx.version.startswith("005010X223") else "SV1" if tx.version.startswith("005010X222") else None
    claim: Segment | None = None
    lines: list[Decimal | None] = []

    def close() -> None:
        if claim is None or not lines:
            return
        charge = amount(claim.get(2))
        if charge is None or any(x is None for x in lines):
            return
        total = sum((x for x in lines if x is not None), ZERO)
        if _cents(charge) != _cents(total):
            out.append(
                _unbalanced(
                    tx,
                    claim,
                    "claim_charge_unbalanced",
                    f"claim {claim.get(1)[:38]}: CLM02 does not equal the sum of its line charges",
                    charge=charge,
                    lines=total,
                    difference=charge - total,
                )
            )

    for seg in tx.segments:
        sid = seg.id
        if sid == "CLM":
            close()
            claim, lines = seg, []
        elif sid in _LINE_IDS and claim is not None and (line_id is None or sid == line_id):
            lines.append(amount(seg.get(_LINE_IDS[sid])))
        elif sid in ("HL", "SE"):
            close()
            claim, lines = None, []
    close()
    return out


class Balance835:
    """The payment-level figures of one 835 transaction, and whether every level balances."""

    __slots__ = ("balanced", "claims", "claims_paid", "payment", "plb", "trace")

    def __init__(self) -> None:
        self.payment: Decimal | None = None
        self.trace = ""
        self.claims = 0
        self.claims_paid = ZERO
        self.plb = ZERO
        self.balanced = True


def _walk_835(tx: HasSegments, out: list[Finding] | None) -> Balance835:
    summary = Balance835()
    bpr: Segment | None = None
    claim: Segment | None = None
    claim_cas = ZERO
    line_cas = ZERO
    claim_bad = False
    line: Segment | None = None
    this_line_cas = ZERO
    line_bad = False

    def fail(seg: Segment, code: str, message: str, **extra: Decimal) -> None:
        summary.balanced = False
        if out is not None:
            out.append(_unbalanced(tx, seg, code, message, **extra))

    def close_line() -> None:
        nonlocal line
        if line is None:
            return
        charge, paid = amount(line.get(2)), amount(line.get(3) or "0")
        if charge is None or paid is None:
            summary.balanced = False  # a line charge that is missing or not a number cannot balance
        elif not line_bad and _cents(charge - this_line_cas) != _cents(paid):
            fail(
                line,
                "line_unbalanced",
                f"claim {claim.get(1)[:38] if claim else '?'}: service line SVC02 − adjustments ≠ SVC03",
                charge=charge,
                adjustments=this_line_cas,
                paid=paid,
            )
        line = None

    def close_claim() -> None:
        nonlocal claim
        close_line()
        if claim is None:
            return
        charge, paid = amount(claim.get(3)), amount(claim.get(4))
        if charge is None:
            summary.balanced = False  # a claim charge that is missing or not a number cannot balance
        elif paid is not None and not claim_bad:
            adjustments = claim_cas + line_cas
            if _cents(charge - adjustments) != _cents(paid):
                fail(
                    claim,
                    "claim_unbalanced",
                    f"claim {claim.get(1)[:38]}: CLP03 − claim and line adjustments ≠ CLP04",
                    charge=charge,
                    adjustments=adjustments,
                    paid=paid,
                )
        claim = None

    for seg in tx.segments:
        sid = seg.id
        if sid == "CLP":
            close_claim()
            claim, claim_cas, line_cas, claim_bad = seg, ZERO, ZERO, False
            summary.claims += 1
            paid = amount(seg.get(4))
            if paid is None:
                claim_bad = True
                summary.balanced = False
            else:
                summary.claims_paid += paid
        elif sid == "SVC" and claim is not None:
            close_line()
            line, this_line_cas, line_bad = seg, ZERO, False
        elif sid == "CAS" and claim is not None:
            total = cas_total(seg)
            if total is None:
                claim_bad = line_bad = True
                summary.balanced = False
                continue
            if line is not None:
                this_line_cas += total
                line_cas += total
            else:
                claim_cas += total
        elif sid == "PLB":
            close_claim()
            els = seg.elements
            for i in range(3, min(len(els), 14), 2):
                value = amount(els[i])
                if value is None and els[i]:
                    summary.balanced = False
                summary.plb += value or ZERO
        elif sid in ("LX", "SE"):
            close_claim()
        elif sid == "BPR" and bpr is None:
            bpr = seg
            summary.payment = amount(seg.get(2))
        elif sid == "TRN" and not summary.trace:
            summary.trace = seg.get(2)
    close_claim()
    if bpr is None or summary.payment is None:
        summary.balanced = False
    else:
        payment = -summary.payment if bpr.get(3) == "D" else summary.payment
        expected = summary.claims_paid - summary.plb
        if _cents(payment) != _cents(expected):
            fail(
                bpr,
                "payment_unbalanced",
                "BPR02 does not equal Σ CLP04 − Σ PLB adjustments",
                payment=payment,
                claims_paid=summary.claims_paid,
                plb=summary.plb,
            )
    return summary


def check_835(tx: HasSegments) -> list[Finding]:
    """Line, claim and payment balancing findings of one 835 transaction."""
    out: list[Finding] = []
    _walk_835(tx, out)
    return out


def summarize_835(tx: HasSegments) -> Balance835:
    """Trace, payment, claim count, Σ CLP04, Σ PLB and whether all three levels balance."""
    return _walk_835(tx, None)


def claims_837(segments: Sequence[Segment]) -> tuple[int, Decimal]:
    """Number of claims and Σ CLM02 of an 837 transaction (malformed charges count as zero)."""
    count, total = 0, ZERO
    for seg in segments:
        if seg.id == "CLM":
            count += 1
            total += amount(seg.get(2)) or ZERO
    return count, total
