"""Reading a received 835 file with the X12 core and turning each transaction's typed model into what posting needs.

The X12 core (rcm.x12.reader + rcm.x12.sets.x835) does the parsing; this module only projects its ``Remittance``
onto the posting view (rcm.remits.remittance): amounts as Decimal, dates resolved, remark codes gathered, the
payer key chosen. Older 004010X091A1 835s have the same loop structure and are read with the same model.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rcm.collector import collector_paused
from rcm.errors import UnreadableFileError
from rcm.remits.remittance import ZERO, CasAmount, PaidClaim, PaidService, PlbAmount, ReceivedRemittance
from rcm.x12.engine import build_tree
from rcm.x12.envelope import InterchangeHeader
from rcm.x12.errors import NotX12Error, UnknownTransactionError
from rcm.x12.findings import Finding
from rcm.x12.reader import Transaction, X12File, read_file
from rcm.x12.sets import x835

__all__ = ["ReceivedFile", "read_remittances", "remittance_from_model", "remittance_of"]


@dataclass(slots=True)
class ReceivedFile:
    """A received 835 file: its payments in file order, the whole file as read, and what the X12 core found."""

    remittances: list[ReceivedRemittance]
    x12file: X12File
    findings: list[Finding]

    @property
    def interchange(self) -> InterchangeHeader | None:
        for interchange in self.x12file.interchanges:
            if interchange.header is not None:
                return interchange.header
        return None


def _adjustments(items: list[x835.Adjustment]) -> tuple[CasAmount, ...]:
    return tuple(CasAmount(a.group, a.reason, a.amount, a.quantity, a.segment) for a in items)


def _claim_remarks(claim: x835.ClaimPayment) -> tuple[str, ...]:
    codes: list[str] = []
    if claim.outpatient:  # MOA03..MOA07
        codes += claim.outpatient[2:7]
    if claim.inpatient:  # MIA05, MIA20..MIA24
        codes += claim.inpatient[4:5] + claim.inpatient[19:24]
    return tuple(c for c in codes if c)


def _service(line: x835.ServicePayment) -> PaidService:
    original = line.original_procedure
    return PaidService(
        code=line.procedure.code,
        qualifier=line.procedure.qualifier,
        modifiers=tuple(line.procedure.modifiers),
        charge=line.charge,
        paid=line.paid,
        allowed=line.allowed,
        units=line.units,
        revenue_code=line.revenue_code or None,
        billed_code=original.code if original and original.code else None,
        billed_modifiers=tuple(original.modifiers) if original else (),
        service_date=line.service_date,
        service_date_end=line.service_end_date,
        line_id=line.line_item_control_number,
        adjustments=_adjustments(line.adjustments),
        remark_codes=tuple(r.code for r in line.remarks if r.code and r.qualifier in ("HE", "")),
        segment=line.segment,
    )


def _claim(claim: x835.ClaimPayment) -> PaidClaim:
    return PaidClaim(
        patient_control_number=claim.patient_control_number,
        status_code=claim.status,
        charge=claim.charge,
        paid=claim.paid,
        patient_responsibility=claim.patient_responsibility if claim.patient_responsibility is not None else ZERO,
        payer_claim_number=claim.payer_claim_control_number or None,
        filing_indicator=claim.filing_indicator or None,
        service_date=claim.statement_start,
        adjustments=_adjustments(claim.adjustments),
        remark_codes=_claim_remarks(claim),
        services=tuple(_service(s) for s in claim.services),
        segment=claim.segment,
    )


def _payer_key(model: x835.Remittance) -> str:
    """TRN03 (the payer's identifier on the trace), else the payer's N1 id, REF*2U, or name."""
    if model.trace and model.trace.originator.strip():
        return model.trace.originator.strip()
    payer = model.payer
    if payer is not None:
        if payer.id.strip():
            return payer.id.strip()
        for ref in payer.references:
            if ref.qualifier == "2U" and ref.value.strip():
                return ref.value.strip()
        if payer.last_name.strip():
            return payer.last_name.strip()
    return ""


def remittance_from_model(model: x835.Remittance, *, findings: tuple[Finding, ...] = ()) -> ReceivedRemittance:
    """The posting view of one typed 835."""
    payment = model.payment
    plb = tuple(
        PlbAmount(
            provider_id=p.provider_id,
            reason_code=a.reason,
            amount=a.amount,
            reference=a.reference or None,
            fiscal_period_date=p.fiscal_date,
            segment=p.segment,
        )
        for p in model.provider_adjustments
        for a in p.adjustments
    )
    return ReceivedRemittance(
        control_number=model.control_number,
        trace_number=model.trace_number,
        payer_key=_payer_key(model),
        payment_amount=payment.amount if payment else Decimal("0.00"),
        payment_method=(payment.method or None) if payment else None,
        credit_debit=(payment.credit_debit or "C") if payment else "C",
        handling_code=(payment.handling or None) if payment else None,
        payment_date=payment.date if payment else None,
        payer_name=model.payer.last_name if model.payer else None,
        payee_id=model.payee.id if model.payee else None,
        claims=tuple(_claim(c) for c in model.claims),
        provider_adjustments=plb,
        segment=model.segment,
        payment_segment=payment.segment if payment else None,
        findings=findings,
    )


def remittance_of(tx: Transaction) -> ReceivedRemittance:
    """The posting view of one 835 transaction (older 4010 835s are read with the 5010 loop description)."""
    try:
        model = tx.model
    except UnknownTransactionError:
        tree, found = build_tree(x835.SPEC, tx.segments, transaction=tx.control_number)
        tx.findings.extend(found)
        model = x835.remittance_from_tree(tree, control_number=tx.control_number, version=tx.version)
    if not isinstance(model, x835.Remittance):  # pragma: no cover - the registry maps 835 to Remittance
        raise UnknownTransactionError(tx.set_id, tx.version, control_number=tx.control_number)
    return remittance_from_model(model, findings=tuple(tx.findings))


def read_remittances(content: bytes, *, name: str) -> ReceivedFile:
    """Every 835 payment of a file, in order. Raises UnreadableFileError (exit code 2) for a file that is not X12
    or holds no 835 transaction set; ``name`` (the path) is only used in messages."""
    try:
        x12file = read_file(content)
    except NotX12Error as exc:
        raise UnreadableFileError(name, f"not an X12 file: {exc.reason}") from None
    with collector_paused():
        remittances = [remittance_of(tx) for tx in x12file.transactions if tx.set_id == "835"]
    if not remittances:
        kinds = sorted({tx.set_id for tx in x12file.transactions if tx.set_id})
        found = f"it holds {', '.join(kinds)}" if kinds else "it holds no transaction set"
        raise UnreadableFileError(name, f"not an 835 remittance file ({found})")
    findings = list(x12file.findings)
    seen = {id(f) for f in findings}
    for tx in x12file.transactions:
        findings.extend(f for f in tx.findings if id(f) not in seen)
    return ReceivedFile(remittances, x12file, findings)
