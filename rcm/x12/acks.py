"""Acknowledgments out: a 999 for every functional group we receive (IK3/IK4 from the findings) and a TA1
when the interchange itself is bad (or a TA1 was asked for in ISA14).

    acknowledge_file(path, ...)        read, validate, and build both (each None when not called for)
    build_999(x12file, findings, ...)  one 999 transaction per received functional group, in one FA group
    build_ta1(interchange, note, ...)  an interchange holding only a TA1
    interchange_note(findings, ...)    the TA1 acknowledgment and note code an interchange's findings call for
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rcm.x12.envelope import GroupHeader, InterchangeHeader
from rcm.x12.findings import Finding
from rcm.x12.reader import Transaction, X12File, read_file
from rcm.x12.validation import validate_transaction
from rcm.x12.validation.guide import FUNCTIONAL_IDS
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange

__all__ = [
    "Acknowledgments",
    "OurIds",
    "acknowledge_file",
    "build_999",
    "build_ta1",
    "interchange_note",
]

IMPLEMENTATION_999 = "005010X231A1"

# Envelope finding code -> IK502 (transaction set syntax error code).
_TRANSACTION_CODES = {"missing_se": "2", "se02_control": "3", "se01_count": "4", "unknown_transaction_set": "1"}
# Envelope finding code -> AK905 (functional group syntax error code).
_GROUP_CODES = {"missing_ge": "3", "ge02_control": "4", "ge01_count": "5"}
# Envelope finding code -> TA105 interchange note code, in order of precedence.
_INTERCHANGE_NOTES = (
    ("isa_element_count", "022"),
    ("isa_fixed_width", "022"),
    ("missing_iea", "023"),
    ("iea02_control", "001"),
    ("isa_control_number", "018"),
    ("isa_date", "014"),
    ("isa_time", "015"),
    ("isa_ack_requested", "019"),
    ("isa_usage", "020"),
    ("iea01_count", "021"),
)
# Notes that reject the interchange outright (its structure cannot be trusted); the others accept with errors.
_REJECTING_NOTES = frozenset({"022", "023", "024"})


@dataclass(frozen=True, slots=True)
class OurIds:
    """Who we are in the envelopes we write (ISA05/06 and GS02)."""

    qualifier: str
    interchange_id: str
    application_id: str


@dataclass(frozen=True, slots=True)
class Acknowledgments:
    """What to send back for one received file (None: nothing of that kind is called for)."""

    ack_999: bytes | None
    ta1: bytes | None
    findings: list[Finding]


def _position(tx: Transaction, finding: Finding) -> int | None:
    if finding.segment is None:
        return None
    first = tx.segments[0].number
    last = tx.segments[-1].number
    return finding.segment - first + 1 if first <= finding.segment <= last else None


def _guide_loop(loop: str | None) -> str:
    return loop if loop and len(loop) <= 4 and loop[0].isdigit() else ""


def _transaction_response(tx: Transaction, findings: Sequence[Finding]) -> tuple[list[list[ElementValue]], bool]:
    """AK2, IK3/IK4 and IK5 for one transaction set; returns the segments and whether it was accepted."""
    segments: list[list[ElementValue]] = [["AK2", tx.set_id, tx.control_number, tx.version]]
    ik5_codes: list[str] = []
    errors = warnings = False
    by_segment: dict[int, list[Finding]] = {}
    for f in findings:
        errors |= f.severity == "error"
        warnings |= f.severity == "warning"
        position = _position(tx, f)
        if f.code in _TRANSACTION_CODES:
            if f.severity == "error" and _TRANSACTION_CODES[f.code] not in ik5_codes:
                ik5_codes.append(_TRANSACTION_CODES[f.code])
        elif f.ik3_code and position is not None:
            by_segment.setdefault(position, []).append(f)
        elif f.severity == "error" and "I5" not in ik5_codes:
            ik5_codes.append("I5")  # an implementation-guide rule (e.g. balancing) without a segment note
    for position in sorted(by_segment):
        notes = by_segment[position]
        seg_id = notes[0].segment_id or tx.segments[position - 1].id
        segment_note = next((n for n in notes if n.ik4_code is None), None)
        ik304 = segment_note.ik3_code if segment_note is not None else "8"
        segments.append(["IK3", seg_id, str(position), _guide_loop(notes[0].loop), ik304 or "8"])
        for n in notes:
            if n.ik4_code and n.element is not None:
                where: str | list[str] = str(n.element) if n.component is None else [str(n.element), str(n.component)]
                segments.append(["IK4", where, "", n.ik4_code])
    if (by_segment and any(f.severity == "error" for fs in by_segment.values() for f in fs)) and "5" not in ik5_codes:
        ik5_codes.append("5")
    status = "R" if errors else "E" if warnings and by_segment else "A"
    segments.append(["IK5", status, *ik5_codes[:5]])
    return segments, status != "R"


def build_999(
    source: X12File | Sequence[Transaction],
    findings: Sequence[Finding],
    *,
    ours: OurIds,
    control_number: int,
    receiver_qualifier: str | None = None,
    receiver_id: str | None = None,
    now: datetime | None = None,
    usage: str | None = None,
) -> bytes:
    """A 999 interchange acknowledging every functional group of ``source`` (one 999 transaction each).

    ``findings`` are those of the whole file (validate_file or validate_transaction for each); they are tied
    to transactions and groups by segment number.  ``control_number`` is our ISA13 and GS06.  The receiver
    defaults to the sender of the first interchange received.
    """
    transactions = list(source.transactions if isinstance(source, X12File) else source)
    groups: dict[int, tuple[GroupHeader | None, list[Transaction]]] = {}
    for tx in transactions:
        # transactions without a GS (bare ST..SE files) are answered together under one AK1
        groups.setdefault(id(tx.group) if tx.group is not None else 0, (tx.group, []))[1].append(tx)
    header = next((tx.interchange for tx in transactions if tx.interchange is not None), None)
    when = now or datetime.now(UTC)
    responses: list[TransactionOut] = []
    for number, (group, members) in enumerate(groups.values(), start=1):
        segments: list[list[ElementValue]] = []
        first = group.functional_id if group else FUNCTIONAL_IDS.get(members[0].set_id, "")
        segments.append(["AK1", first, group.control_number if group else "0", group.version if group else ""])
        accepted = 0
        any_errors = False
        for tx in members:
            lo, hi = tx.segments[0].number, tx.segments[-1].number
            mine = [f for f in findings if f.segment is not None and lo <= f.segment <= hi]
            response, ok = _transaction_response(tx, mine)
            segments.extend(response)
            accepted += ok
            any_errors |= response[-1][1] != "A"
        group_codes = _group_codes(group, findings, transactions)
        declared = len(members)
        if accepted == declared and not group_codes:
            ak901 = "E" if any_errors else "A"
        elif accepted == 0:
            ak901 = "R"
        else:
            ak901 = "P"
        segments.append(["AK9", ak901, str(declared), str(len(members)), str(accepted), *group_codes[:5]])
        responses.append(TransactionOut("999", f"{number:04d}", segments, IMPLEMENTATION_999))
    group_out = GroupOut(
        functional_id="FA",
        sender_id=ours.application_id,
        receiver_id=(header.sender_id if header else receiver_id) or "UNKNOWN",
        control_number=control_number,
        version=IMPLEMENTATION_999,
        date=when.date(),
        time=when.strftime("%H%M"),
        transactions=responses,
    )
    return write_interchange(
        sender_qualifier=ours.qualifier,
        sender_id=ours.interchange_id,
        receiver_qualifier=receiver_qualifier or (header.sender_qualifier if header else "ZZ"),
        receiver_id=receiver_id or (header.sender_id if header else "UNKNOWN"),
        control_number=control_number,
        date=when.date(),
        time=when.strftime("%H%M"),
        usage=usage or (header.usage if header and header.usage in ("P", "T") else "P"),
        groups=[group_out],
    )


def _group_codes(
    group: GroupHeader | None, findings: Sequence[Finding], transactions: Sequence[Transaction]
) -> list[str]:
    if group is None:
        return []
    starts = sorted({tx.group.segment for tx in transactions if tx.group is not None})
    later = [s for s in starts if s > group.segment]
    end = later[0] if later else None
    codes: list[str] = []
    for f in findings:
        code = _GROUP_CODES.get(f.code)
        inside = f.segment is not None and f.segment > group.segment and (end is None or f.segment < end)
        if code and inside and code not in codes:
            codes.append(code)
    return codes


def interchange_note(
    findings: Sequence[Finding], header: InterchangeHeader, next_isa: int | None = None
) -> tuple[str, str]:
    """(TA104 acknowledgment code A/E/R, TA105 note code) for one interchange from the envelope findings
    between its ISA and the next ISA (``next_isa``, None for the last)."""
    mine = {
        f.code
        for f in findings
        if f.segment is not None and f.segment >= header.segment and (next_isa is None or f.segment < next_isa)
    }
    for code, note in _INTERCHANGE_NOTES:
        if code in mine:
            return ("R" if note in _REJECTING_NOTES else "E"), note
    return "A", "000"


def build_ta1(
    header: InterchangeHeader,
    note_code: str,
    *,
    ack_code: str,
    ours: OurIds,
    control_number: int,
    now: datetime | None = None,
) -> bytes:
    """An interchange holding one TA1 answering the interchange ``header`` (ISA13, its date and time)."""
    when = now or datetime.now(UTC)
    envelope = write_interchange(
        sender_qualifier=ours.qualifier,
        sender_id=ours.interchange_id,
        receiver_qualifier=header.sender_qualifier or "ZZ",
        receiver_id=header.sender_id or "UNKNOWN",
        control_number=control_number,
        date=when.date(),
        time=when.strftime("%H%M"),
        usage=header.usage if header.usage in ("P", "T") else "P",
        groups=[],
    ).decode("utf-8")
    terminator = envelope[105]
    isa_date = header.date.strftime("%y%m%d") if header.date else when.strftime("%y%m%d")
    isa_time = header.time if len(header.time) == 4 and header.time.isdigit() else when.strftime("%H%M")
    ta1 = "*".join(["TA1", header.control_number.zfill(9)[:9], isa_date, isa_time, ack_code, note_code])
    return (envelope[:106] + ta1 + terminator + envelope[106:]).encode("utf-8")


def acknowledge_file(
    path: str | Path, *, ours: OurIds, control_number: int, now: datetime | None = None
) -> Acknowledgments:
    """Read and validate a received file; build its 999 (None when it holds only acknowledgments) and a TA1
    (None unless an interchange is bad or asked for one).  Raises NotX12Error when the file is not X12.

    The 999 uses ``control_number``, the TA1 ``control_number + 1``.
    """
    x12file = read_file(path)
    findings: list[Finding] = []
    for tx in x12file.transactions:
        findings.extend(validate_transaction(tx))
    seen = set(findings)
    findings.extend(f for f in x12file.findings if f not in seen)
    to_acknowledge = [tx for tx in x12file.transactions if not (tx.group and tx.group.functional_id == "FA")]
    to_acknowledge = [tx for tx in to_acknowledge if tx.set_id not in ("999", "997")]
    ack_999 = (
        build_999(to_acknowledge, findings, ours=ours, control_number=control_number, now=now)
        if to_acknowledge
        else None
    )
    ta1: bytes | None = None
    headers = [i.header for i in x12file.interchanges if i.header is not None]
    for i, header in enumerate(headers):
        next_isa = headers[i + 1].segment if i + 1 < len(headers) else None
        code, note = interchange_note(findings, header, next_isa)
        if code != "A" or header.ack_requested == "1":
            ta1 = build_ta1(header, note, ack_code=code, ours=ours, control_number=control_number + 1, now=now)
            break
    return Acknowledgments(ack_999, ta1, findings)
