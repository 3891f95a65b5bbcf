"""Interchange (ISA/IEA) and functional group (GS/GE) headers, and the count and control-number checks.

Every check returns ``Finding``s located at a segment number; nothing here raises on a bad file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rcm.x12.findings import Finding
from rcm.x12.tokenizer import Segment

__all__ = [
    "ISA_WIDTHS",
    "GroupHeader",
    "InterchangeHeader",
    "check_group_trailer",
    "check_interchange_header",
    "check_interchange_trailer",
    "check_transaction_trailer",
    "parse_date",
    "same_control_number",
]

# Fixed widths of ISA01..ISA16.
ISA_WIDTHS = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)


def parse_date(value: str) -> date | None:
    """A CCYYMMDD or YYMMDD date, None when empty or not a real date."""
    if not value.isdecimal():
        return None
    try:
        if len(value) == 8:
            return date(int(value[:4]), int(value[4:6]), int(value[6:8]))
        if len(value) == 6:
            # X12 YYMMDD: the ISA and 4010 files use it; a window keeps 1990s files readable.
            year = int(value[:2])
            return date(2000 + year if year < 70 else 1900 + year, int(value[2:4]), int(value[4:6]))
    except ValueError:
        return None
    return None


def same_control_number(a: str, b: str) -> bool:
    """Control numbers agree: equal text, or equal numbers when both are numeric (leading zeros vary)."""
    a, b = a.strip(), b.strip()
    if a == b:
        return True
    return a.isdecimal() and b.isdecimal() and int(a) == int(b)


@dataclass(slots=True)
class InterchangeHeader:
    """The ISA segment: who sent the interchange to whom, when, and under which control number."""

    authorization_qualifier: str
    authorization: str
    security_qualifier: str
    security: str
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: date | None
    time: str
    repetition_separator: str | None
    version: str
    control_number: str
    ack_requested: str
    usage: str
    component_separator: str
    segment: int

    @classmethod
    def from_segment(cls, seg: Segment) -> InterchangeHeader:
        g = seg.get
        rep = g(11)
        return cls(
            authorization_qualifier=g(1),
            authorization=g(2).strip(),
            security_qualifier=g(3),
            security=g(4).strip(),
            sender_qualifier=g(5).strip(),
            sender_id=g(6).strip(),
            receiver_qualifier=g(7).strip(),
            receiver_id=g(8).strip(),
            date=parse_date(g(9)),
            time=g(10),
            repetition_separator=rep if len(rep) == 1 and not rep.isalnum() else None,
            version=g(12),
            control_number=g(13).strip(),
            ack_requested=g(14),
            usage=g(15),
            component_separator=g(16),
            segment=seg.number,
        )


@dataclass(slots=True)
class GroupHeader:
    """The GS segment: functional identifier (HC, HP, FA, HS, HB, HN...), parties, control number, version."""

    functional_id: str
    sender_id: str
    receiver_id: str
    date: date | None
    time: str
    control_number: str
    agency: str
    version: str
    segment: int

    @classmethod
    def from_segment(cls, seg: Segment) -> GroupHeader:
        g = seg.get
        return cls(
            functional_id=g(1),
            sender_id=g(2).strip(),
            receiver_id=g(3).strip(),
            date=parse_date(g(4)),
            time=g(5),
            control_number=g(6).strip(),
            agency=g(7),
            version=g(8).strip(),
            segment=seg.number,
        )


def _finding(code: str, message: str, seg: Segment, *, severity: str = "error", element: int | None = None,
             transaction: str | None = None) -> Finding:
    return Finding(
        severity="error" if severity == "error" else "warning",
        code=code,
        message=message,
        segment=seg.number,
        transaction=transaction,
        segment_id=seg.id,
        element=element,
    )


def check_interchange_header(seg: Segment) -> list[Finding]:
    """ISA shape: 16 elements of their fixed widths, a real date, known usage and ack flags."""
    out: list[Finding] = []
    els = seg.elements
    if len(els) != 16:
        out.append(_finding("isa_element_count", f"ISA has {len(els)} elements, 16 expected", seg))
    else:
        for i, (value, width) in enumerate(zip(els, ISA_WIDTHS, strict=True), start=1):
            if len(value) != width:
                out.append(_finding(
                    "isa_fixed_width",
                    f"ISA{i:02d} is {len(value)} characters wide, the fixed width is {width}",
                    seg, element=i,
                ))
    if seg.get(9) and parse_date(seg.get(9)) is None:
        out.append(_finding("isa_date", "ISA09 is not a valid YYMMDD date", seg, element=9))
    if seg.get(15) not in ("P", "T", "I"):
        out.append(_finding("isa_usage", "ISA15 usage indicator is not P, T or I", seg, element=15))
    if seg.get(14) not in ("0", "1"):
        out.append(_finding("isa_ack_requested", "ISA14 acknowledgment requested is not 0 or 1", seg, element=14))
    if not seg.get(13).strip().isdecimal():
        out.append(_finding("isa_control_number", "ISA13 control number is not numeric", seg, element=13))
    return out


def check_interchange_trailer(
    header: InterchangeHeader, iea: Segment, group_count: int, *, acknowledgments: int = 0
) -> list[Finding]:
    """IEA01 = number of functional groups, IEA02 = ISA13.

    An interchange carrying only TA1s is accepted with IEA01 counting either the groups (0) or the TA1s,
    as senders do both.
    """
    out: list[Finding] = []
    declared = iea.get(1).strip()
    allowed = {group_count, group_count + acknowledgments}
    if not declared.isdecimal() or int(declared) not in allowed:
        out.append(_finding(
            "iea01_count",
            f"IEA01 says {declared or 'nothing'} functional groups, the interchange has {group_count}",
            iea, element=1,
        ))
    if not same_control_number(iea.get(2), header.control_number):
        out.append(_finding(
            "iea02_control",
            f"IEA02 {iea.get(2)!r} does not match ISA13 {header.control_number!r} (segment {header.segment})",
            iea, element=2,
        ))
    return out


def check_group_trailer(header: GroupHeader, ge: Segment, transaction_count: int) -> list[Finding]:
    """GE01 = number of transaction sets, GE02 = GS06."""
    out: list[Finding] = []
    declared = ge.get(1).strip()
    if not declared.isdecimal() or int(declared) != transaction_count:
        out.append(_finding(
            "ge01_count",
            f"GE01 says {declared or 'nothing'} transaction sets, the group has {transaction_count}",
            ge, element=1,
        ))
    if not same_control_number(ge.get(2), header.control_number):
        out.append(_finding(
            "ge02_control",
            f"GE02 {ge.get(2)!r} does not match GS06 {header.control_number!r} (segment {header.segment})",
            ge, element=2,
        ))
    return out


def check_transaction_trailer(st: Segment, se: Segment, segment_count: int) -> list[Finding]:
    """SE01 = segments from ST to SE inclusive, SE02 = ST02."""
    out: list[Finding] = []
    control = st.get(2)
    declared = se.get(1).strip()
    if not declared.isdecimal() or int(declared) != segment_count:
        out.append(_finding(
            "se01_count",
            f"SE01 says {declared or 'nothing'} segments, transaction {control} has {segment_count} (ST to SE)",
            se, element=1, transaction=control,
        ))
    if se.get(2).strip() != control.strip():
        out.append(_finding(
            "se02_control",
            f"SE02 {se.get(2)!r} does not match ST02 {control!r} (segment {st.number})",
            se, element=2, transaction=control,
        ))
    return out
