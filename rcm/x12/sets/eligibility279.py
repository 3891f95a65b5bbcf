"""Eligibility (005010X279A1), shared by the 270 inquiry and the 271 response: the HL hierarchy (source,
receiver, subscriber, dependent) described once for both, and the ``EligibilityInquiry`` /
``EligibilityResponse`` models built from the tree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from rcm.x12.engine import Loop, LoopSpec, SegmentSpec, seg
from rcm.x12.sets.common import DateValue, Party, Reference, date_of, money, number, party_of
from rcm.x12.sets.x835.segments import Procedure, Trace
from rcm.x12.tokenizer import Segment

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = [
    "Benefit",
    "EligibilityInquiry",
    "EligibilityResponse",
    "Inquiry",
    "Member",
    "Rejection",
    "eligibility_spec",
    "inquiry_from_tree",
    "parse_270",
    "parse_271",
    "response_from_tree",
]

_NAME_ENTITIES = ["PR", "2B", "36", "GP", "P5", "FA", "1P", "80", "X3", "03", "IL"]


@dataclass(slots=True)
class Rejection:
    """AAA: request validation: valid (Y/N), reject reason (72 invalid member id, 73 invalid name, 75 not
    found, 58 invalid birth date, 42 unable to respond now...), follow-up action (C retry, N do not...)."""

    valid: str
    reason: str
    follow_up: str
    segment: int

    @classmethod
    def of(cls, s: Segment) -> Rejection:
        return cls(s.get(1), s.get(3), s.get(4), s.number)


@dataclass(slots=True)
class Inquiry:
    """EQ (270 loop 2110C/D): service types asked about (repeats), procedure, coverage level."""

    service_types: list[str]
    procedure: Procedure | None
    coverage_level: str
    segment: int
    dates: list[DateValue] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)


@dataclass(slots=True)
class Benefit:
    """EB (271 loop 2110C/D): benefit information code (1 active, 6 inactive, A coinsurance, B copay,
    C deductible, G out of pocket, I non-covered, F limitations...), coverage level (IND/FAM), service types,
    insurance type, plan description, time period (23 calendar year, 29 remaining), amount, percent,
    quantity, authorization required, in network (Y/N/W), procedure, and the loop's DTP/MSG/REF/AAA."""

    code: str
    coverage_level: str
    service_types: list[str]
    insurance_type: str
    plan_description: str
    time_period: str
    amount: Decimal | None
    percent: Decimal | None
    quantity_qualifier: str
    quantity: Decimal | None
    authorization_required: str
    in_network: str
    procedure: Procedure | None
    segment: int
    dates: list[DateValue] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    related: list[Party] = field(default_factory=list, repr=False)

    def date(self, qualifier: str) -> date | None:
        for d in self.dates:
            if d.qualifier == qualifier:
                return d.value
        return None


@dataclass(slots=True)
class Member:
    """A subscriber (HL 22) or dependent (HL 23): traces, name and ids, demographics, dates, rejections,
    and the inquiries (270) or benefits (271) about them.  Demographics are PHI: kept out of repr."""

    level: str
    hl_id: str
    parent_hl_id: str
    segment: int
    traces: list[Trace] = field(default_factory=list)
    person: Party | None = field(default=None, repr=False)
    birth_date: date | None = field(default=None, repr=False)
    gender: str = field(default="", repr=False)
    relationship: str = ""
    references: list[Reference] = field(default_factory=list, repr=False)
    dates: list[DateValue] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    inquiries: list[Inquiry] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    source: Party | None = None
    receiver: Party | None = None

    @property
    def member_id(self) -> str | None:
        return self.person.id if self.person is not None and self.person.id_qualifier == "MI" else None

    def date(self, qualifier: str) -> date | None:
        for d in self.dates:
            if d.qualifier == qualifier:
                return d.value
        return None


@dataclass(slots=True)
class EligibilityInquiry:
    """A 270: who asks (receiver/provider) whom (source/payer) about which members."""

    control_number: str
    version: str
    purpose: str
    reference: str
    created: date | None
    segment: int
    members: list[Member] = field(default_factory=list)


@dataclass(slots=True)
class EligibilityResponse:
    """A 271: the answer per member, with source-level and receiver-level rejections (AAA)."""

    control_number: str
    version: str
    purpose: str
    reference: str
    created: date | None
    segment: int
    source_rejections: list[Rejection] = field(default_factory=list)
    receiver_rejections: list[Rejection] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


# ----------------------------------------------------------------------------------------- descriptions


def eligibility_spec(response: bool) -> LoopSpec:
    """The 270 (``response`` False) or 271 loop description."""
    aaa: tuple[SegmentSpec, ...] = (seg("AAA", "request validation", "S", 9),) if response else ()

    def member_name(level: str, entities: list[str]) -> LoopSpec:
        segs: list[SegmentSpec] = [
            seg("NM1", "member name", "R", q=(1, entities)),
            seg("REF", "additional identification", "S", 9),
            seg("N3", "address", "S"),
            seg("N4", "city, state, zip code", "S"),
            *aaa,
            seg("PRV", "provider information", "S"),
            seg("DMG", "demographic information", "S"),
            seg("INS", "relationship", "S"),
            seg("HI", "health care diagnosis code", "S"),
            seg("DTP", "date", "S", 9),
        ]
        if response:
            segs.append(seg("MPI", "military personnel information", "S"))
            benefit = LoopSpec(
                "2110" + level, "eligibility or benefit information",
                (
                    seg("EB", "eligibility or benefit information", "R"),
                    seg("HSD", "health care services delivery", "S", 9),
                    seg("REF", "additional identification", "S", 9),
                    seg("DTP", "eligibility/benefit date", "S", 20),
                    seg("AAA", "request validation", "S", 9),
                    seg("MSG", "message text", "S", 10),
                    seg("LS", "loop header", "S"),
                ),
                usage="S", max_repeat=None,
                children=(
                    LoopSpec("2115" + level, "eligibility or benefit additional information",
                             (seg("III", "additional information", "R"),), usage="S", max_repeat=10),
                    LoopSpec("2120" + level, "benefit related entity",
                             (seg("NM1", "benefit related entity name", "R"), seg("N3", "address", "S"),
                              seg("N4", "city, state, zip code", "S"), seg("PER", "contact information", "S", 3),
                              seg("PRV", "provider information", "S")),
                             usage="S", max_repeat=23),
                ),
                trailer=(seg("LE", "loop trailer", "S"),),
            )
        else:
            benefit = LoopSpec(
                "2110" + level, "eligibility or benefit inquiry",
                (
                    seg("EQ", "eligibility or benefit inquiry", "R"),
                    seg("AMT", "spend down amount", "S", 2),
                    seg("III", "additional information", "S", 10),
                    seg("REF", "additional identification", "S"),
                    seg("DTP", "date", "S"),
                ),
                usage="S", max_repeat=99,
            )
        return LoopSpec("2100" + level, "member name", tuple(segs), usage="R", children=(benefit,))

    dependent = LoopSpec(
        "2000D", "dependent level",
        (seg("HL", "dependent level", "R", q=(3, ["23"])), seg("TRN", "dependent trace number", "S", 3)),
        usage="S", max_repeat=None, children=(member_name("D", ["03"]),),
    )
    subscriber = LoopSpec(
        "2000C", "subscriber level",
        (seg("HL", "subscriber level", "R", q=(3, ["22"])), seg("TRN", "subscriber trace number", "S", 3)),
        usage="S" if response else "R", max_repeat=None, children=(member_name("C", ["IL"]), dependent),
    )
    receiver = LoopSpec(
        "2000B", "information receiver level", (seg("HL", "information receiver level", "R", q=(3, ["21"])),),
        usage="S" if response else "R", max_repeat=None,
        children=(
            LoopSpec("2100B", "information receiver name",
                     (seg("NM1", "information receiver name", "R", q=(1, _NAME_ENTITIES)),
                      seg("REF", "information receiver additional identification", "S", 9),
                      seg("N3", "address", "S"), seg("N4", "city, state, zip code", "S"), *aaa,
                      seg("PRV", "information receiver provider information", "S")),
                     usage="R"),
            subscriber,
        ),
    )
    source = LoopSpec(
        "2000A", "information source level", (seg("HL", "information source level", "R", q=(3, ["20"])), *aaa),
        usage="R", max_repeat=None,
        children=(
            LoopSpec("2100A", "information source name",
                     (seg("NM1", "information source name", "R", q=(1, _NAME_ENTITIES)),
                      seg("PER", "information source contact information", "S", 3), *aaa),
                     usage="R"),
            receiver,
        ),
    )
    return LoopSpec(
        "ST", "271 eligibility benefit response" if response else "270 eligibility benefit inquiry",
        (seg("ST", "transaction set header", "R"), seg("BHT", "beginning of hierarchical transaction", "R")),
        usage="R", children=(source,), trailer=(seg("SE", "transaction set trailer", "R"),),
    )


# ----------------------------------------------------------------------------------------------- parsing


def parse_270(tx: Transaction) -> EligibilityInquiry:
    return inquiry_from_tree(tx.tree, control_number=tx.control_number, version=tx.version)


def parse_271(tx: Transaction) -> EligibilityResponse:
    return response_from_tree(tx.tree, control_number=tx.control_number, version=tx.version)


def _header(root: Loop) -> tuple[str, str, date | None, int]:
    bht = root.first("BHT")
    if bht is None:
        return "", "", None, root.segments[0].number if root.segments else 0
    return bht.get(2), bht.get(3), date_of(bht.get(4)), root.segments[0].number


def inquiry_from_tree(root: Loop, *, control_number: str = "", version: str = "") -> EligibilityInquiry:
    purpose, reference, created, at = _header(root)
    out = EligibilityInquiry(control_number, version, purpose, reference, created, at)
    for loop in root.children:
        _walk(loop, out.members, None, None, [], [])
    return out


def response_from_tree(root: Loop, *, control_number: str = "", version: str = "") -> EligibilityResponse:
    purpose, reference, created, at = _header(root)
    out = EligibilityResponse(control_number, version, purpose, reference, created, at)
    for loop in root.children:
        _walk(loop, out.members, None, None, out.source_rejections, out.receiver_rejections)
    return out


def _walk(loop: Loop, members: list[Member], source: Party | None, receiver: Party | None,
          source_rejections: list[Rejection], receiver_rejections: list[Rejection]) -> None:
    lid = loop.id
    if lid in ("2000C", "2000D"):
        members.append(_member(loop, source, receiver))
        for child in loop.children:
            if child.id == "2000D":
                _walk(child, members, source, receiver, source_rejections, receiver_rejections)
        return
    if lid == "2000A":
        source_rejections.extend(Rejection.of(s) for s in loop.segments if s.id == "AAA")
    for child in loop.children:
        if child.id == "2100A":
            source = party_of(child)
            source_rejections.extend(Rejection.of(s) for s in child.segments if s.id == "AAA")
        elif child.id == "2100B":
            receiver = party_of(child)
            receiver_rejections.extend(Rejection.of(s) for s in child.segments if s.id == "AAA")
    for child in loop.children:
        if child.id.startswith("2000"):
            _walk(child, members, source, receiver, source_rejections, receiver_rejections)


def _member(loop: Loop, source: Party | None, receiver: Party | None) -> Member:
    hl = loop.segments[0]
    m = Member("subscriber" if loop.id == "2000C" else "dependent", hl.get(1), hl.get(2), hl.number,
               source=source, receiver=receiver)
    m.traces = [Trace.of(s) for s in loop.segments if s.id == "TRN"]
    for child in loop.children:
        if not child.id.startswith("2100"):
            continue
        m.person = party_of(child)
        for s in child.segments[1:]:
            sid = s.id
            if sid == "DMG":
                m.birth_date, m.gender = date_of(s.get(2)), s.get(3)
            elif sid == "INS":
                m.relationship = s.get(2)
            elif sid == "REF":
                m.references.append(Reference.of(s))
            elif sid == "DTP":
                m.dates.append(DateValue.of_dtp(s))
            elif sid == "AAA":
                m.rejections.append(Rejection.of(s))
        for sub in child.children:
            head = sub.segments[0]
            if head.id == "EQ":
                m.inquiries.append(_inquiry(sub))
            elif head.id == "EB":
                m.benefits.append(_benefit(sub))
    return m


def _procedure(s: Segment, n: int) -> Procedure | None:
    parts = s.components(n)
    return Procedure.of(parts) if parts else None


def _inquiry(loop: Loop) -> Inquiry:
    eq = loop.segments[0]
    inq = Inquiry(eq.repeats(1), _procedure(eq, 2), eq.get(3), eq.number)
    for s in loop.segments[1:]:
        if s.id == "DTP":
            inq.dates.append(DateValue.of_dtp(s))
        elif s.id == "REF":
            inq.references.append(Reference.of(s))
    return inq


def _benefit(loop: Loop) -> Benefit:
    eb = loop.segments[0]
    g = eb.get
    b = Benefit(g(1), g(2), eb.repeats(3), g(4), g(5), g(6), money(g(7)), number(g(8)), g(9), number(g(10)),
                g(11), g(12), _procedure(eb, 13), eb.number)
    for s in loop.segments[1:]:
        sid = s.id
        if sid == "DTP":
            b.dates.append(DateValue.of_dtp(s))
        elif sid == "MSG":
            b.messages.append(s.get(1))
        elif sid == "REF":
            b.references.append(Reference.of(s))
        elif sid == "AAA":
            b.rejections.append(Rejection.of(s))
    for child in loop.children:
        if child.id.startswith("2120"):
            party = party_of(child)
            if party is not None:
                b.related.append(party)
    return b
