"""835 loop tree to ``Remittance``: reads what is there, tolerates what is missing (the validator reports it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rcm.x12.engine import EarlyReading, Loop
from rcm.x12.sets.common import (
    Amount,
    DateValue,
    Party,
    Quantity,
    Reference,
    date_of,
    money,
    money_or_zero,
    number,
    party_of,
)
from rcm.x12.sets.compiled_lines import compiled_reader
from rcm.x12.sets.x835.loops import ClaimPayment, ProviderAdjustment, ServicePayment
from rcm.x12.sets.x835.segments import (
    Adjustment,
    Payment,
    Procedure,
    Remark,
    Trace,
    adjustments_of,
    plb_adjustments_of,
)
from rcm.x12.sets.x835.transaction_set import Remittance
from rcm.x12.tokenizer import Segment

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["early_835", "parse_835", "remittance_from_tree"]

_CLAIM_PARTIES = {
    "QC": "patient",
    "IL": "insured",
    "74": "corrected_patient",
    "82": "rendering_provider",
    "TT": "crossover_carrier",
    "PR": "corrected_priority_payer",
    "GB": "other_subscriber",
}


_CLAIM_LOOP = frozenset({"2100"})


def parse_835(tx: Transaction) -> Remittance:
    """The typed 835 of a transaction.

    Each claim payment is read as the loop engine closes its 2100 loop, while its segments are still in the
    CPU caches; the walk over the finished tree then puts them in order under their header numbers.  Same
    models as ``remittance_from_tree`` on the finished tree (the tests compare both)."""
    reading = early_835(tx)
    remit: Remittance = reading.finish(tx.tree_telling(reading.on_close, reading.watch))
    return remit


def early_835(tx: Transaction) -> EarlyReading:
    """The 835 read as its tree is built: claim payments (2100) as they close, the rest from the finished tree."""
    early: dict[int, ClaimPayment] = {}

    def claim_closed(loop: Loop) -> None:
        early[id(loop)] = _read_claim(loop)

    control_number, version = tx.control_number, tx.version  # (not tx itself: the transaction holds this reading)

    def finish(tree: Loop) -> Remittance:
        return remittance_from_tree(tree, control_number=control_number, version=version, early=early)

    return EarlyReading(claim_closed, _CLAIM_LOOP, finish)


def remittance_from_tree(
    root: Loop, *, control_number: str = "", version: str = "", early: dict[int, ClaimPayment] | None = None
) -> Remittance:
    """The typed 835 of a loop tree; ``early`` holds claim payments already read from their 2100 loops (by
    ``id`` of the loop, which the tree keeps alive), placed here instead of being read again."""
    st = root.segments[0] if root.segments else None
    remit = Remittance(
        control_number=control_number,
        version=version,
        payment=None,
        trace=None,
        payer=None,
        payee=None,
        production_date=None,
        currency="",
        segment=st.number if st else 0,
    )
    for s in root.segments:
        sid = s.id
        if sid == "BPR":
            remit.payment = Payment.of(s)
        elif sid == "TRN" and remit.trace is None:
            remit.trace = Trace.of(s)
        elif sid == "CUR":
            remit.currency = s.get(2)
        elif sid == "REF":
            remit.references.append(Reference.of(s))
        elif sid == "DTM" and s.get(1) == "405":
            remit.production_date = date_of(s.get(2))
        elif sid == "PLB":
            remit.provider_adjustments.append(
                ProviderAdjustment(s.get(1), date_of(s.get(2)), plb_adjustments_of(s), s.number)
            )
    for loop in root.children:
        _collect(loop, remit, "", early or {})
    return remit


def _collect(loop: Loop, remit: Remittance, header_number: str, early: dict[int, ClaimPayment]) -> None:
    lid = loop.id
    if lid == "2100":
        claim = early.pop(id(loop), None)
        if claim is None:
            claim = _read_claim(loop)
        claim.header_number = header_number
        remit.claims.append(claim)
    elif lid == "2000":
        lx = loop.segments[0].get(1) if loop.segments else ""
        for child in loop.children:
            _collect(child, remit, lx, early)
    elif lid == "1000A":
        remit.payer = party_of(loop)
    elif lid == "1000B":
        remit.payee = party_of(loop)
    else:
        for child in loop.children:
            _collect(child, remit, header_number, early)


def _read_claim(loop: Loop) -> ClaimPayment:
    """A claim payment without its header number (placed by the caller): the compiled reader's where it takes
    the loop."""
    claim = _compiled_claim(loop) if _compiled_claim is not None else NotImplemented
    return _claim(loop, "") if claim is NotImplemented else claim


def _claim(loop: Loop, header_number: str) -> ClaimPayment:
    clp = loop.segments[0]
    e = clp.elements
    n = len(e)
    if n < 9:  # CLP01-CLP09 are read as they are; CLP11-CLP13 (DRG, weight, discharge fraction) often absent
        e = [*e, "", "", "", "", "", "", "", "", ""]
    claim = ClaimPayment(
        e[0],
        e[1],
        money_or_zero(e[2]),
        money_or_zero(e[3]),
        money(e[4]),
        e[5],
        e[6],
        e[7],
        e[8],
        e[10] if n > 10 else "",
        number(e[11]) if n > 11 else None,
        number(e[12]) if n > 12 else None,
        clp.number,
        header_number,
    )
    # The lists are filled as their segments come (a list not needed is never made: see fast_constructor).
    for s in loop.segments[1:]:
        sid = s.id
        if sid == "CAS":
            claim.adjustments += adjustments_of(s)
        elif sid == "NM1":
            role = _CLAIM_PARTIES.get(s.elements[0] if s.elements else "")
            if role is not None and getattr(claim, role) is None:  # the first of each role counts
                setattr(claim, role, Party.of_nm1(s))
        elif sid == "REF":
            claim.references.append(reference_of(s))
        elif sid == "DTM":
            claim.dates.append(of_dtm(s))
        elif sid == "AMT":
            claim.amounts.append(amount_of_segment(s))
        elif sid == "QTY":
            claim.quantities.append(Quantity.of(s))
        elif sid == "MIA":
            claim.inpatient = list(s.elements)
        elif sid == "MOA":
            claim.outpatient = list(s.elements)
    for child in loop.children:
        if child.id == "2110":
            service = _regular_service(child) if _regular_service is not None else NotImplemented
            claim.services.append(_service(child) if service is NotImplemented else service)
    return claim


def _service(loop: Loop) -> ServicePayment:
    segments = loop.segments
    svc: Segment = segments[0]
    e = svc.elements
    n = len(e)
    if n < 5:  # SVC01-SVC05 are read as they are; SVC06 and SVC07 (original procedure, units) often absent
        e = [*e, "", "", "", "", ""]
    comp = svc.delimiters.component
    original = e[5] if n > 5 else ""
    service = ServicePayment(
        procedure_of(e[0].split(comp)),
        money_or_zero(e[1]),
        money_or_zero(e[2]),
        e[3],
        number(e[4]),
        procedure_of(original.split(comp)) if original else None,
        number(e[6]) if n > 6 else None,
        svc.number,
    )
    # The lists are filled as their segments come (a list not needed is never made: see fast_constructor).
    for s in segments[1:]:
        sid = s.id
        if sid == "CAS":
            service.adjustments += adjustments_of(s)
        elif sid == "DTM":
            service.dates.append(of_dtm(s))
        elif sid == "REF":
            service.references.append(reference_of(s))
        elif sid == "AMT":
            service.amounts.append(amount_of_segment(s))
        elif sid == "QTY":
            service.quantities.append(Quantity.of(s))
        elif sid == "LQ":
            service.remarks.append(Remark(s.get(1), s.get(2), s.number))
    return service


of_dtm = DateValue.of_dtm
reference_of = Reference.of
amount_of_segment = Amount.of
procedure_of = Procedure.of


# The compiled readers (see compiled_lines): regular service payments (SVC, then CAS, DTM, REF, AMT and LQ only)
# and claim payments (services through the readers here); None where not in use.
_regular_service: Callable[[Loop], ServicePayment] | None = compiled_reader(
    "configure_remittance", (ServicePayment, Adjustment, Amount, Remark), "service_payment"
)
_compiled_claim: Callable[[Loop], ClaimPayment] | None = (
    compiled_reader("configure_claim_payments", (ClaimPayment, Quantity, _CLAIM_PARTIES, _service), "claim_payment")
    if _regular_service is not None
    else None
)
