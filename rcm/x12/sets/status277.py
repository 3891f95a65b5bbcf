"""Claim status, shared by the 277CA claim acknowledgment (X214), the 277 status response and the 276 status
request (X212): the HL hierarchy (source, receiver, provider, subscriber/patient, claim, line) described once,
and one ``ClaimStatusReport`` model built from its tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from rcm.x12.engine import Loop, LoopSpec, SegmentSpec, seg
from rcm.x12.sets.common import DateValue, Party, Reference, date_of, money, number, party_of
from rcm.x12.sets.x835.segments import Procedure
from rcm.x12.tokenizer import Segment

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = [
    "REJECTED_CATEGORIES",
    "ClaimStatus",
    "ClaimStatusReport",
    "LineStatus",
    "StatusInfo",
    "TraceStatus",
    "parse_status",
    "report_from_tree",
    "status_spec",
]

# 277CA categories that send the claim back (A3 unprocessable, A4 not found, A6/A7/A8 rejected).
REJECTED_CATEGORIES = frozenset({"A3", "A4", "A6", "A7", "A8"})
ACCEPTED_CATEGORIES = frozenset({"A1", "A2", "A5"})


@dataclass(slots=True)
class StatusInfo:
    """STC: status (category, code, entity) triples from STC01/STC10/STC11, effective date, action code,
    charge and payment amounts, free-form message; ``charge_raw`` is STC04 as written."""

    category: str
    code: str
    entity: str
    date: date | None
    action: str
    charge: Decimal | None
    paid: Decimal | None
    message: str
    segment: int
    more: list[tuple[str, str, str]] = field(default_factory=list)
    charge_raw: str = ""

    @property
    def rejected(self) -> bool:
        return self.category in REJECTED_CATEGORIES

    @property
    def accepted(self) -> bool:
        return self.category in ACCEPTED_CATEGORIES

    @classmethod
    def of(cls, s: Segment) -> StatusInfo:
        first = [*s.components(1), "", "", ""]
        more = []
        if len(s.elements) >= 10:  # STC10/STC11: further statuses, seldom sent
            for n in (10, 11):
                c = s.components(n)
                if c:
                    c += ["", "", ""]
                    more.append((c[0], c[1], c[2]))
        charge = s.get(4)
        return cls(first[0], first[1], first[2], date_of(s.get(2)), s.get(3), money(charge), money(s.get(5)),
                   s.get(12), s.number, more, charge)


@dataclass(slots=True)
class LineStatus:
    """Loop 2220 (277) / 2210 (276): a service line, its statuses, REF*FJ line id, service date; SVC01's
    components and SVC02 as written in ``procedure_parts`` and ``charge_raw``."""

    procedure: Procedure
    charge: Decimal | None
    paid: Decimal | None
    revenue_code: str
    units: Decimal | None
    segment: int
    statuses: list[StatusInfo] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    dates: list[DateValue] = field(default_factory=list)
    procedure_parts: list[str] = field(default_factory=list)
    charge_raw: str = ""

    @property
    def line_item_control_number(self) -> str | None:
        for r in self.references:
            if r.qualifier == "FJ":
                return r.value
        return None


@dataclass(slots=True)
class ClaimStatus:
    """Loop 2200D/E: one claim, tracked by TRN02 (the patient control number we sent; TRN01 in ``trace_type``,
    2 referenced transaction in a 277), its statuses, REF*1K payer claim number, REF*D9 clearinghouse trace,
    REF*BLT bill type, dates, lines."""

    patient_control_number: str
    segment: int
    statuses: list[StatusInfo] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    dates: list[DateValue] = field(default_factory=list)
    amounts: list[tuple[str, Decimal | None]] = field(default_factory=list)
    lines: list[LineStatus] = field(default_factory=list)
    provider: Party | None = None
    subscriber: Party | None = field(default=None, repr=False)
    patient: Party | None = field(default=None, repr=False)
    trace_type: str = ""

    def reference(self, qualifier: str) -> str | None:
        for r in self.references:
            if r.qualifier == qualifier:
                return r.value
        return None

    @property
    def payer_claim_control_number(self) -> str | None:
        return self.reference("1K")

    @property
    def clearinghouse_trace(self) -> str | None:
        return self.reference("D9")

    @property
    def rejected(self) -> bool:
        """Any status on the claim (or its lines) says it was sent back."""
        return any(s.rejected for s in self.statuses) or any(s.rejected for ln in self.lines for s in ln.statuses)

    @property
    def accepted(self) -> bool:
        return not self.rejected and any(s.accepted for s in self.statuses)


@dataclass(slots=True)
class TraceStatus:
    """Loop 2200B / 2200C of a 277CA or 277: a trace at the information receiver ("B") or provider ("C") level,
    TRN01 (``trace_type``), TRN02 (``reference``: in a 277CA's 2200B, the BHT03 of the 837 batch it answers),
    its statuses and references."""

    level: str
    trace_type: str
    reference: str
    segment: int
    statuses: list[StatusInfo] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


@dataclass(slots=True)
class ClaimStatusReport:
    """A 277CA, 277 or 276: who reports to whom, statuses at receiver/provider level (also per trace in
    ``traces``), and every claim."""

    kind: str
    control_number: str
    version: str
    purpose: str
    reference: str
    created: date | None
    segment: int
    source: Party | None = None
    receiver: Party | None = None
    receiver_statuses: list[StatusInfo] = field(default_factory=list)
    provider_statuses: list[StatusInfo] = field(default_factory=list)
    receiver_totals: list[tuple[str, Decimal | None]] = field(default_factory=list)
    claims: list[ClaimStatus] = field(default_factory=list)
    traces: list[TraceStatus] = field(default_factory=list)


# ----------------------------------------------------------------------------------------- descriptions


def _hl(loop_id: str, name: str, code: str, extra: tuple[SegmentSpec, ...], children: tuple[LoopSpec, ...],
        usage: str = "S") -> LoopSpec:
    return LoopSpec(loop_id, name, (seg("HL", name, "R", q=(3, [code])), *extra), usage=usage, max_repeat=None,
                    children=children)


def _name(loop_id: str, name: str, entities: list[str], *, per: bool = False) -> LoopSpec:
    segs = [seg("NM1", name, "R", q=(1, entities))]
    if per:
        segs.append(seg("PER", "contact information", "S", 3))
    return LoopSpec(loop_id, name, tuple(segs), usage="R")


def _level_status(loop_id: str, who: str) -> LoopSpec:
    """X212 277: a status reported for the receiver or provider as a whole (TRN + STC)."""
    return LoopSpec(loop_id, f"{who} trace identifier",
                    (seg("TRN", f"{who} trace identifier", "R"), seg("STC", f"{who} status information", "R", None)),
                    usage="S")


def status_spec(kind: str) -> LoopSpec:
    """The loop description for ``kind`` "277CA", "277" or "276"."""
    request = kind == "276"
    line_id = "2210" if request else "2220"

    def line(level: str) -> LoopSpec:
        return LoopSpec(
            line_id + level, "service line information",
            (
                seg("SVC", "service line information", "R"),
                *(() if request else (seg("STC", "service line level status information", "R", None),)),
                seg("REF", "service line item identification", "S", 3),
                seg("DTP", "service line date", "S", q=(1, ["472"])),
            ),
            usage="S", max_repeat=None,
        )

    def claim(level: str) -> LoopSpec:
        segs: tuple[SegmentSpec, ...] = (
            seg("TRN", "claim status tracking number", "R", q=(1, ["1", "2"])),
            *(() if request else (seg("STC", "claim level status information", "R", None),)),
            seg("REF", "claim identification", "S", 6),
            seg("AMT", "claim submitted charges", "S", q=(1, ["T3"])),
            seg("DTP", "claim service date", "S", 2, q=(1, ["472", "232"])),
        )
        return LoopSpec("2200" + level, "claim status tracking number", segs, usage="R" if kind == "277CA" else "S",
                        max_repeat=None, children=(line(level),))

    if kind == "277CA":
        patient = _hl("2000D", "patient level", "PT", (), (_name("2100D", "patient name", ["QC"]), claim("D")))
        provider = _hl(
            "2000C", "billing provider of service level", "19", (),
            (
                _name("2100C", "billing provider name", ["85"]),
                LoopSpec("2200C", "provider of service trace identifier",
                         (seg("TRN", "provider of service trace identifier", "R", q=(1, ["1"])),
                          seg("STC", "billing provider status information", "S", None),
                          seg("REF", "provider secondary identifier", "S", 3),
                          seg("QTY", "total accepted/rejected quantity", "S", 2),
                          seg("AMT", "total accepted/rejected amount", "S", 2)),
                         usage="S"),
                patient,
            ),
        )
        receiver = _hl(
            "2000B", "information receiver level", "21", (),
            (
                _name("2100B", "information receiver name", ["41"]),
                LoopSpec("2200B", "information receiver application trace identifier",
                         (seg("TRN", "information receiver application trace identifier", "R", q=(1, ["2"])),
                          seg("STC", "information receiver status information", "R", None),
                          seg("QTY", "total accepted/rejected quantity", "S", 2),
                          seg("AMT", "total accepted/rejected amount", "S", 2)),
                         usage="R"),
                provider,
            ),
            usage="R",
        )
        source = _hl(
            "2000A", "information source level", "20", (),
            (
                _name("2100A", "payer name", ["PR", "AY"]),
                LoopSpec("2200A", "transmission receipt control identifier",
                         (seg("TRN", "transmission receipt control identifier", "R", q=(1, ["1"])),
                          seg("DTP", "information source receipt date", "R", q=(1, ["050"])),
                          seg("DTP", "information source process date", "R", q=(1, ["009"]))),
                         usage="R"),
                receiver,
            ),
            usage="R",
        )
        name = "277CA health care claim acknowledgment"
    else:
        demographics: tuple[SegmentSpec, ...] = (seg("DMG", "demographic information", "S"),) if request else ()
        dependent = _hl("2000E", "dependent level", "23", demographics,
                        (_name("2100E", "dependent name", ["QC"]), claim("E")))
        subscriber = _hl("2000D", "subscriber level", "22", demographics,
                         (_name("2100D", "subscriber name", ["IL"]), claim("D"), dependent))
        provider_trace: tuple[LoopSpec, ...] = () if request else (_level_status("2200C", "provider"),)
        receiver_trace: tuple[LoopSpec, ...] = () if request else (_level_status("2200B", "information receiver"),)
        provider = _hl("2000C", "service provider level", "19", (),
                       (_name("2100C", "provider name", ["1P"]), *provider_trace, subscriber))
        receiver = _hl("2000B", "information receiver level", "21", (),
                       (_name("2100B", "information receiver name", ["41"]), *receiver_trace, provider), usage="R")
        source = _hl("2000A", "information source level", "20", (),
                     (_name("2100A", "payer name", ["PR"], per=not request), receiver), usage="R")
        name = "276 health care claim status request" if request else "277 health care claim status response"
    return LoopSpec(
        "ST", name,
        (seg("ST", "transaction set header", "R"), seg("BHT", "beginning of hierarchical transaction", "R")),
        usage="R", children=(source,), trailer=(seg("SE", "transaction set trailer", "R"),),
    )


# ----------------------------------------------------------------------------------------------- parsing


def parse_status(tx: Transaction, kind: str) -> ClaimStatusReport:
    """The typed 277CA/277/276 of a transaction."""
    return report_from_tree(tx.tree, kind=kind, control_number=tx.control_number, version=tx.version)


def report_from_tree(root: Loop, *, kind: str, control_number: str = "", version: str = "") -> ClaimStatusReport:
    bht = root.first("BHT")
    report = ClaimStatusReport(
        kind=kind, control_number=control_number, version=version,
        purpose=bht.get(2) if bht else "", reference=bht.get(3) if bht else "",
        created=date_of(bht.get(4)) if bht else None, segment=root.segments[0].number if root.segments else 0,
    )
    for loop in root.children:
        _walk(loop, report, {})
    return report


def _walk(loop: Loop, report: ClaimStatusReport, parties: dict[str, Party]) -> None:
    lid = loop.id
    level = lid[-1:]
    if lid.startswith("2100"):
        party = party_of(loop)
        if party is not None:
            parties[level] = party
            if level == "A":
                report.source = party
            elif level == "B":
                report.receiver = party
        return
    if lid.startswith("2200"):
        if level in ("D", "E"):
            report.claims.append(_claim(loop, parties, level))
        elif level == "B":
            trace = _trace(loop, level)
            report.traces.append(trace)
            report.receiver_statuses.extend(trace.statuses)
            report.receiver_totals.extend((s.get(1), number(s.get(2))) for s in loop.segments if s.id in ("QTY",
                                                                                                         "AMT"))
        elif level == "C":
            trace = _trace(loop, level)
            report.traces.append(trace)
            report.provider_statuses.extend(trace.statuses)
        return
    scoped = dict(parties)
    if lid.startswith("2000") and level in ("C", "D"):
        scoped.pop("D", None)
        scoped.pop("E", None)
    for child in loop.children:
        _walk(child, report, scoped)


def _trace(loop: Loop, level: str) -> TraceStatus:
    trn = loop.segments[0]
    trace = TraceStatus(level, trn.get(1), trn.get(2), trn.number)
    for s in loop.segments[1:]:
        if s.id == "STC":
            trace.statuses.append(StatusInfo.of(s))
        elif s.id == "REF":
            trace.references.append(Reference.of(s))
    return trace


def _claim(loop: Loop, parties: dict[str, Party], level: str) -> ClaimStatus:
    trn = loop.segments[0]
    claim = ClaimStatus(trn.get(2), trn.number, provider=parties.get("C"), trace_type=trn.get(1))
    if level == "E":
        claim.subscriber, claim.patient = parties.get("D"), parties.get("E")
    else:
        claim.subscriber = parties.get("D")
        claim.patient = parties.get("D")
    for s in loop.segments[1:]:
        sid = s.id
        if sid == "STC":
            claim.statuses.append(StatusInfo.of(s))
        elif sid == "REF":
            claim.references.append(Reference.of(s))
        elif sid == "DTP":
            claim.dates.append(DateValue.of_dtp(s))
        elif sid == "AMT":
            claim.amounts.append((s.get(1), money(s.get(2))))
    for child in loop.children:
        svc = child.segments[0]
        parts = svc.components(1)
        charge = svc.get(2)
        line = LineStatus(Procedure.of(parts), money(charge), money(svc.get(3)), svc.get(4),
                          number(svc.get(7)), svc.number, procedure_parts=parts, charge_raw=charge)
        for s in child.segments[1:]:
            if s.id == "STC":
                line.statuses.append(StatusInfo.of(s))
            elif s.id == "REF":
                line.references.append(Reference.of(s))
            elif s.id == "DTP":
                line.dates.append(DateValue.of_dtp(s))
        claim.lines.append(line)
    return claim
