"""835 loop tree to ``Remittance``: reads what is there, tolerates what is missing (the validator reports it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rcm.x12.engine import Loop
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
from rcm.x12.sets.x835.loops import ClaimPayment, ProviderAdjustment, ServicePayment
from rcm.x12.sets.x835.segments import Payment, Procedure, Remark, Trace, adjustments_of, plb_adjustments_of
from rcm.x12.sets.x835.transaction_set import Remittance
from rcm.x12.tokenizer import Segment

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["parse_835", "remittance_from_tree"]

_CLAIM_PARTIES = {
    "QC": "patient",
    "IL": "insured",
    "74": "corrected_patient",
    "82": "rendering_provider",
    "TT": "crossover_carrier",
    "PR": "corrected_priority_payer",
    "GB": "other_subscriber",
}


def parse_835(tx: Transaction) -> Remittance:
    """The typed 835 of a transaction (builds its loop tree first)."""
    return remittance_from_tree(tx.tree, control_number=tx.control_number, version=tx.version)


def remittance_from_tree(root: Loop, *, control_number: str = "", version: str = "") -> Remittance:
    st = root.segments[0] if root.segments else None
    remit = Remittance(
        control_number=control_number, version=version, payment=None, trace=None, payer=None, payee=None,
        production_date=None, currency="", segment=st.number if st else 0,
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
        _collect(loop, remit, "")
    return remit


def _collect(loop: Loop, remit: Remittance, header_number: str) -> None:
    lid = loop.id
    if lid == "2100":
        remit.claims.append(_claim(loop, header_number))
    elif lid == "2000":
        lx = loop.segments[0].get(1) if loop.segments else ""
        for child in loop.children:
            _collect(child, remit, lx)
    elif lid == "1000A":
        remit.payer = party_of(loop)
    elif lid == "1000B":
        remit.payee = party_of(loop)
    else:
        for child in loop.children:
            _collect(child, remit, header_number)


def _claim(loop: Loop, header_number: str) -> ClaimPayment:
    clp = loop.segments[0]
    g = clp.get
    claim = ClaimPayment(
        patient_control_number=g(1), status=g(2), charge=money_or_zero(g(3)), paid=money_or_zero(g(4)),
        patient_responsibility=money(g(5)), filing_indicator=g(6), payer_claim_control_number=g(7),
        facility_type=g(8), frequency=g(9), drg_code=g(11), drg_weight=number(g(12)),
        discharge_fraction=number(g(13)), segment=clp.number, header_number=header_number,
    )
    for s in loop.segments[1:]:
        sid = s.id
        if sid == "CAS":
            claim.adjustments.extend(adjustments_of(s))
        elif sid == "NM1":
            attr = _CLAIM_PARTIES.get(s.get(1))
            if attr is not None and getattr(claim, attr) is None:
                setattr(claim, attr, Party.of_nm1(s))
        elif sid == "REF":
            claim.references.append(Reference.of(s))
        elif sid == "DTM":
            claim.dates.append(DateValue.of_dtm(s))
        elif sid == "AMT":
            claim.amounts.append(Amount.of(s))
        elif sid == "QTY":
            claim.quantities.append(Quantity.of(s))
        elif sid == "MIA":
            claim.inpatient = list(s.elements)
        elif sid == "MOA":
            claim.outpatient = list(s.elements)
    for child in loop.children:
        if child.id == "2110":
            claim.services.append(_service(child))
    return claim


def _service(loop: Loop) -> ServicePayment:
    svc: Segment = loop.segments[0]
    g = svc.get
    original = svc.components(6)
    line = ServicePayment(
        procedure=Procedure.of(svc.components(1)), charge=money_or_zero(g(2)), paid=money_or_zero(g(3)),
        revenue_code=g(4), units=number(g(5)), original_procedure=Procedure.of(original) if original else None,
        original_units=number(g(7)), segment=svc.number,
    )
    for s in loop.segments[1:]:
        sid = s.id
        if sid == "CAS":
            line.adjustments.extend(adjustments_of(s))
        elif sid == "DTM":
            line.dates.append(DateValue.of_dtm(s))
        elif sid == "REF":
            line.references.append(Reference.of(s))
        elif sid == "AMT":
            line.amounts.append(Amount.of(s))
        elif sid == "QTY":
            line.quantities.append(Quantity.of(s))
        elif sid == "LQ":
            line.remarks.append(Remark(s.get(1), s.get(2), s.number))
    return line
