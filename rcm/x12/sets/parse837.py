"""837 loop tree to ``ClaimBatch``: walks the HL hierarchy (billing provider, subscriber, patient) down to
each claim (2300) and line (2400), tolerating whatever is missing (the validator reports it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from rcm.x12.engine import EarlyReading, Loop
from rcm.x12.sets.claim837 import (
    BillingProvider,
    ClaimBatch,
    CodeEntry,
    DrugIdentification,
    LineAdjudication,
    OtherPayer,
    Patient,
    ServiceLine,
    SubmittedClaim,
    Subscriber,
    code_entries_of,
)
from rcm.x12.sets.common import (
    ZERO,
    Amount,
    DateValue,
    Quantity,
    Reference,
    date_of,
    money,
    money_or_zero,
    number,
    padded,
)
from rcm.x12.sets.compiled_lines import compiled_reader, name_loop_reader
from rcm.x12.sets.x835.segments import Procedure, adjustments_of

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["batch_from_tree", "early_837", "parse_837"]

_HIERARCHY = frozenset({"2000A", "2000B", "2000C", "2300"})
_EARLY_LOOPS = frozenset({"2000B", "2000C", "2300"})
# What was read as the loops closed, by ``id`` of the loop (the tree keeps every loop alive meanwhile).
_Early = dict[int, "SubmittedClaim | Subscriber | Patient"]


def parse_837(tx: Transaction, kind: str) -> ClaimBatch:
    """The typed 837 of a transaction (``kind``: professional, institutional or dental).

    Each claim is read as the loop engine closes its 2300 loop, while its segments are still in the CPU
    caches; the walk over the finished tree then places the claims under their billing provider, subscriber
    and patient.  Same models as ``batch_from_tree`` on the finished tree (the tests compare both)."""
    reading = early_837(tx, kind)
    batch: ClaimBatch = reading.finish(tx.tree_telling(reading.on_close, reading.watch))
    return batch


def early_837(tx: Transaction, kind: str) -> EarlyReading:
    """The 837 read as its tree is built: claims (2300), subscribers (2000B) and patients (2000C) as their loops
    close (a subscriber's own segments and name loops were read one claim earlier), the rest from the tree."""
    early: _Early = {}

    def loop_closed(loop: Loop) -> None:
        lid = loop.id
        early[id(loop)] = _read_claim(loop) if lid == "2300" else _read_subscriber(loop) if lid == "2000B" else (
            _patient(loop))

    control_number, version = tx.control_number, tx.version  # (not tx itself: the transaction holds this reading)

    def finish(tree: Loop) -> ClaimBatch:
        return batch_from_tree(tree, kind=kind, control_number=control_number, version=version, early=early)

    return EarlyReading(loop_closed, _EARLY_LOOPS, finish)


def batch_from_tree(
    root: Loop,
    *,
    kind: str,
    control_number: str = "",
    version: str = "",
    early: _Early | None = None,
) -> ClaimBatch:
    """The typed 837 of a loop tree; ``early`` holds claims already read from their 2300 loops (by ``id`` of
    the loop, which the tree keeps alive), placed here instead of being read again."""
    bht = root.first("BHT")
    g = bht.get if bht is not None else (lambda n: "")
    batch = ClaimBatch(
        kind=kind,
        control_number=control_number,
        version=version,
        purpose=g(2),
        reference=g(3),
        created=date_of(g(4)),
        created_time=g(5),
        transaction_type=g(6),
        segment=root.segments[0].number if root.segments else 0,
    )
    for loop in root.children:
        lid = loop.id
        if lid == "1000A":
            batch.submitter = _party_of(loop)
        elif lid == "1000B":
            batch.receiver = _party_of(loop)
        else:
            _walk(loop, batch, None, None, None, early or {})
    return batch


def _walk(
    loop: Loop,
    batch: ClaimBatch,
    provider: BillingProvider | None,
    subscriber: Subscriber | None,
    patient: Patient | None,
    early: _Early,
) -> None:
    lid = loop.id
    if lid == "2000A":
        provider = _billing_provider(loop)
        batch.billing_providers.append(provider)
    elif lid == "2000B":
        known = early.pop(id(loop), None)
        subscriber = known if isinstance(known, Subscriber) else _read_subscriber(loop)
        patient = None
    elif lid == "2000C":
        known = early.pop(id(loop), None)
        patient = known if isinstance(known, Patient) else _patient(loop)
        if subscriber is not None:
            subscriber.is_patient = False
    elif lid == "2300":
        known = early.pop(id(loop), None)
        claim = known if isinstance(known, SubmittedClaim) else _read_claim(loop)
        claim.billing_provider, claim.subscriber, claim.patient = provider, subscriber, patient
        batch.claims.append(claim)
        return
    for child in loop.children:
        # A name loop (2010BA...) holds no claim: only the hierarchy and what lies under a loop is walked.
        if child.id in _HIERARCHY or child.children:
            _walk(child, batch, provider, subscriber, patient, early)


def _billing_provider(loop: Loop) -> BillingProvider:
    hl = loop.segments[0]
    prv = loop.first("PRV")
    cur = loop.first("CUR")
    bp = BillingProvider(hl.get(1), None, prv.get(3) if prv else "", cur.get(2) if cur else "", hl.number)
    for child in loop.children:
        if child.id == "2010AA":
            bp.party = _party_of(child)
        elif child.id == "2010AB":
            bp.pay_to = _party_of(child)
        elif child.id == "2010AC":
            bp.pay_to_plan = _party_of(child)
    return bp


def _demographics(loop: Loop) -> tuple[date | None, str]:
    for s in loop.segments:
        if s.id == "DMG":
            e = s.elements
            if len(e) < 3:
                e = [*e, "", "", ""]
            return date_of(e[1]), e[2]
    return None, ""


def _read_subscriber(loop: Loop) -> Subscriber:
    read = _compiled_subscriber(loop) if _compiled_subscriber is not None else NotImplemented
    return _subscriber(loop) if read is NotImplemented else read


def _subscriber(loop: Loop) -> Subscriber:
    hl = loop.segments[0]
    sbr = loop.first("SBR")
    e = sbr.elements if sbr is not None else []
    if len(e) < 9:
        e = [*e, "", "", "", "", "", "", "", "", ""]
    sub = Subscriber(hl.elements[0] if hl.elements else "", e[0], e[1], e[2], e[3], e[4], e[8], hl.number)
    for child in loop.children:
        if child.id == "2010BA":
            sub.person = _party_of(child)
            sub.birth_date, sub.gender = _demographics(child)
        elif child.id == "2010BB":
            sub.payer = _party_of(child)
    return sub


def _patient(loop: Loop) -> Patient:
    hl = loop.segments[0]
    pat = loop.first("PAT")
    p = Patient(hl.get(1), pat.get(1) if pat else "", hl.number)
    for child in loop.children:
        if child.id == "2010CA":
            p.person = _party_of(child)
            p.birth_date, p.gender = _demographics(child)
    return p


def _claim(
    loop: Loop, provider: BillingProvider | None, subscriber: Subscriber | None, patient: Patient | None
) -> SubmittedClaim:
    clm = loop.segments[0]
    e = clm.elements
    n = len(e)
    if n < 9:  # CLM01-CLM09 are read as they are; CLM11, CLM12 and CLM20 are usually absent
        e = [*e, "", "", "", "", "", "", "", "", ""]
    related_causes = e[10] if n > 10 else ""
    comp = clm.delimiters.component
    facility = e[4].split(comp) if e[4] else []
    if len(facility) < 3:
        facility += [""] * (3 - len(facility))
    claim = SubmittedClaim(
        e[0],
        money_or_zero(e[1]),
        facility[0],
        facility[1],
        facility[2],
        e[5],
        e[6],
        e[7],
        e[8],
        list(filter(None, related_causes.split(comp))) if related_causes else [],
        e[11] if n > 11 else "",
        e[19] if n > 19 else "",
        clm.number,
        provider,
        subscriber,
        patient,
    )
    codes = claim.codes
    dates = claim.dates
    references = claim.references
    for s in loop.segments[1:]:
        sid = s.id
        if sid == "HI":
            codes += code_entries_of(s)
        elif sid == "DTP":
            dates.append(_of_dtp(s))
        elif sid == "REF":
            references.append(_reference_of(s))
        elif sid == "AMT":
            claim.amounts.append(Amount.of(s))
        elif sid == "NTE":
            claim.notes.append(s.get(2))
        elif sid == "CL1":
            claim.institutional = list(s.elements)
    lines = claim.lines
    for child in loop.children:
        cid = child.id
        if cid == "2400":
            line = _regular_line(child) if _regular_line is not None else NotImplemented
            lines.append(_line(child) if line is NotImplemented else line)
        elif cid == "2320":
            claim.other_payers.append(_other_payer(child))
        elif child.segments and child.segments[0].id == "NM1":
            party = _party_of(child)
            if party is not None:
                claim.providers.setdefault(party.entity, party)
    return claim


def _read_claim(loop: Loop) -> SubmittedClaim:
    """A claim without its hierarchy (placed by the caller): the compiled reader's where it takes the loop."""
    claim = _compiled_claim(loop) if _compiled_claim is not None else NotImplemented
    return _claim(loop, None, None, None) if claim is NotImplemented else claim


def _other_payer(loop: Loop) -> OtherPayer:
    sbr = loop.segments[0]
    oi = loop.first("OI")
    g = sbr.get
    other = OtherPayer(g(1), g(2), g(3), g(4), g(5), g(9), oi.get(3) if oi else "", oi.get(6) if oi else "", sbr.number)
    for s in loop.segments[1:]:
        if s.id == "CAS":
            other.adjustments.extend(adjustments_of(s))
        elif s.id == "AMT":
            other.amounts.append(Amount.of(s))
    for child in loop.children:
        party = _party_of(child)
        if party is None:
            continue
        if child.id == "2330A":
            other.subscriber = party
        elif child.id == "2330B":
            other.payer = party
            dtp = child.first("DTP", "573")
            if dtp is not None:
                other.adjudication_date = date_of(dtp.get(3))
        else:
            other.parties.setdefault(party.entity, party)
    return other


def _line(loop: Loop) -> ServiceLine:
    segments = loop.segments
    lx = segments[0]
    line = ServiceLine(lx.elements[0] if lx.elements else "", None, ZERO, "", None, "", [], "", None, lx.number)
    dates = line.dates
    references = line.references
    for s in segments[1:]:
        sid = s.id
        if sid == "SV1":
            e = s.elements
            n = len(e)
            if n < 7:  # SV101-SV107 are read as they are; SV109 (emergency) is usually absent
                e = [*e, "", "", "", "", "", "", ""]
            comp = s.delimiters.component
            line.procedure = _procedure_of(e[0].split(comp))
            line.charge = money_or_zero(e[1])
            line.unit_basis = e[2]
            line.units = number(e[3])
            line.place_of_service = e[4]
            if e[6]:
                line.diagnosis_pointers = _diagnosis_pointers(e[6], comp)
            line.emergency = e[8] if n > 8 else ""
        elif sid == "DTP":
            dates.append(_of_dtp(s))
        elif sid == "REF":
            references.append(_reference_of(s))
        elif sid == "SV2":
            e = padded(s, 7)
            line.revenue_code = e[0]
            line.procedure = Procedure.of(e[1].split(s.delimiters.component)) if e[1] else None
            line.charge = money_or_zero(e[2])
            line.unit_basis = e[3]
            line.units = number(e[4])
            line.non_covered_charge = money(e[6])
        elif sid == "SV3":
            e = padded(s, 11)
            comp = s.delimiters.component
            line.procedure = Procedure.of(e[0].split(comp))
            line.charge = money_or_zero(e[1])
            line.place_of_service = e[2]
            line.oral_cavity = [c for c in e[3].split(comp) if c] if e[3] else []
            line.units = number(e[5])
            line.diagnosis_pointers = _diagnosis_pointers(e[10], comp) if e[10] else []
        elif sid == "TOO":
            line.teeth.append([s.get(2), *s.components(3)])
        elif sid == "AMT":
            line.amounts.append(Amount.of(s))
        elif sid == "QTY":
            line.quantities.append(Quantity.of(s))
        elif sid == "NTE":
            line.notes.append(s.get(2))
    for child in loop.children:
        cid = child.id
        if cid == "2430":
            line.adjudications.append(_adjudication(child))
        elif cid == "2410":
            line.drug = _drug(child)
        elif child.segments and child.segments[0].id == "NM1":
            party = _party_of(child)
            if party is not None:
                line.providers.setdefault(party.entity, party)
    return line


def _adjudication(loop: Loop) -> LineAdjudication:
    svd = loop.segments[0]
    parts = svd.components(3)
    adj = LineAdjudication(
        svd.get(1),
        money_or_zero(svd.get(2)),
        Procedure.of(parts) if parts else None,
        svd.get(4),
        number(svd.get(5)),
        svd.get(6),
        segment=svd.number,
    )
    for s in loop.segments[1:]:
        if s.id == "CAS":
            adj.adjustments.extend(adjustments_of(s))
        elif s.id == "DTP" and s.get(1) == "573":
            adj.adjudication_date = date_of(s.get(3))
        elif s.id == "AMT" and s.get(1) == "EAF":
            adj.remaining_patient_liability = money(s.get(2))
    return adj


def _drug(loop: Loop) -> DrugIdentification:
    lin = loop.segments[0]
    ctp = loop.first("CTP")
    ref = loop.first("REF")
    unit = ctp.component(5, 1) if ctp else ""
    return DrugIdentification(
        lin.get(2), lin.get(3), number(ctp.get(4)) if ctp else None, unit, ref.get(2) if ref else "", lin.number
    )


# Pointer lists repeat from line to line ("1", "1:2"...): parsed once per text, a fresh list per line.
_POINTER_CACHE: dict[str, tuple[int, ...]] = {}


def _diagnosis_pointers(value: str, component: str) -> list[int]:
    """SV107 / SV311: the HI positions a line points at; what is not a number is left out."""
    key = component + value
    found = _POINTER_CACHE.get(key)
    if found is None:
        found = tuple(int(p) for p in value.split(component) if p.isdecimal())
        if len(_POINTER_CACHE) >= 1024:
            _POINTER_CACHE.clear()
        _POINTER_CACHE[key] = found
    return list(found)


_of_dtp = DateValue.of_dtp
_reference_of = Reference.of
_procedure_of = Procedure.of


# The compiled readers (see compiled_lines): regular 837P lines (LX, SV1, DTP and REF only), name loops, claims
# (lines, other payers and providers through the readers here) and subscribers; None where not in use.
_regular_line: Callable[[Loop], ServiceLine] | None = compiled_reader(
    "configure_professional", (ServiceLine, _POINTER_CACHE, _diagnosis_pointers, DateValue.of_dtp), "professional_line"
)
_party_of = name_loop_reader()
_compiled_claim: Callable[[Loop], SubmittedClaim] | None = (
    compiled_reader("configure_claims", (SubmittedClaim, CodeEntry, Amount, _line, _other_payer), "claim")
    if _regular_line is not None
    else None
)
_compiled_subscriber: Callable[[Loop], Subscriber] | None = compiled_reader(
    "configure_subscribers", (Subscriber,), "subscriber"
)
