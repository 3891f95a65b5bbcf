"""TEST-ONLY reference: the flat acknowledgment reader that rcm.claims.ack_reading used before it read through the
X12 core's typed models (a copy of that implementation, kept unchanged). tests/claims/test_ack_reading_models.py
checks that ``rcm.claims.ack_reading.read_acks`` equals this module's ``read_acks`` on every public sample and on
the simulated clearinghouse's answers. Not part of the product: nothing under rcm/ may import it.

Original description: reading acknowledgments: TA1 (interchange), 999 or 997 (functional group / transaction
sets, with IK3/IK4 or AK3/AK4 errors) and 277CA (claim and service line STC) from any X12 file, into small
records an ingest can match."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rcm.x12.tokenizer import Segment, iter_segments

__all__ = [
    "AckFile",
    "ClaimAck",
    "ElementError",
    "GroupAck",
    "InterchangeAck",
    "LineAck",
    "SegmentError",
    "StatusReason",
    "TransactionAck",
    "read_acks",
]


@dataclass(frozen=True, slots=True)
class InterchangeAck:
    """TA1: what happened to one interchange we sent (TA101 is our ISA13)."""

    interchange_control_number: str
    status: str  # A accepted, E accepted with errors, R rejected
    note_code: str
    segment: int


@dataclass(frozen=True, slots=True)
class ElementError:
    position: int | None
    component: int | None
    code: str  # IK403


@dataclass(slots=True)
class SegmentError:
    """IK3 (and its IK4s): which segment of our transaction was wrong and why; CTX may name the claim."""

    segment_id: str
    position: int | None  # IK302: segment number within the transaction set
    loop: str
    code: str  # IK304
    elements: list[ElementError] = field(default_factory=list)
    claim_id: str | None = None  # from CTX*CLM01:<patient control number>


@dataclass(slots=True)
class TransactionAck:
    """AK2..IK5 (AK5 in a 997): one transaction set we sent (AK202 is our ST02)."""

    set_id: str
    control_number: str
    status: str = ""  # IK501: A, E, R (also M, W, X)
    codes: list[str] = field(default_factory=list)  # IK502..IK506
    errors: list[SegmentError] = field(default_factory=list)
    segment: int = 0


@dataclass(slots=True)
class GroupAck:
    """AK1..AK9 of a 999: one functional group we sent (AK102 is our GS06)."""

    functional_id: str
    group_control_number: str
    version: str
    status: str = ""  # AK901: A, E, P, R
    codes: list[str] = field(default_factory=list)  # AK905..AK909
    transactions: list[TransactionAck] = field(default_factory=list)
    segment: int = 0
    ack_set: str = "999"  # the acknowledgment's own ST01: 999 or 997


@dataclass(frozen=True, slots=True)
class StatusReason:
    """One STC composite: category (507), status (508) and the entity it is about."""

    category: str
    code: str
    entity: str


@dataclass(slots=True)
class LineAck:
    """A 277CA service line status (loop 2220D: SVC, STC, REF*FJ our line item control number, DTP*472)."""

    procedure: str  # SVC01 as sent back, components joined with ":" whatever the file's separator (HC:99213:25)
    charge: str  # SVC02
    statuses: list[StatusReason] = field(default_factory=list)
    line_control_number: str | None = None  # REF*FJ: the REF*6R we sent
    service_date: str | None = None  # DTP*472
    segment: int = 0


@dataclass(slots=True)
class ClaimAck:
    """A 277CA status at the claim level (HL PT: TRN*2 is our CLM01) or the batch level (HL 21: TRN*2 is our
    BHT03 reference), with the claim's service line statuses when the payer gives them."""

    level: str  # "claim" or "batch"
    reference: str  # TRN02
    statuses: list[StatusReason] = field(default_factory=list)
    payer_claim_number: str | None = None  # REF*1K
    amount: str | None = None  # STC04
    segment: int = 0
    lines: list[LineAck] = field(default_factory=list)


@dataclass(slots=True)
class AckFile:
    """Everything acknowledgment-like found in one file."""

    interchange_acks: list[InterchangeAck] = field(default_factory=list)
    group_acks: list[GroupAck] = field(default_factory=list)
    claim_acks: list[ClaimAck] = field(default_factory=list)
    sender_id: str = ""
    receiver_id: str = ""
    interchange_control_number: str = ""
    kinds: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        """999, TA1, 277CA, or the kinds joined with '+' for a mixed file ('' when none)."""
        order = ("TA1", "999", "997", "277CA", "277")
        return "+".join(k for k in order if k in self.kinds)


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _stc_reasons(seg: Segment) -> list[StatusReason]:
    reasons = []
    for n in (1, 10, 11):
        parts = seg.components(n)
        if parts and parts[0]:
            reasons.append(StatusReason(parts[0], parts[1] if len(parts) > 1 else "",
                                        parts[2] if len(parts) > 2 else ""))
    return reasons


def read_acks(source: str | Path | bytes) -> AckFile:
    """Walk the file's segments once and collect TA1, 999 and 277CA content (others are ignored)."""
    result = AckFile()
    set_id = ""
    group: GroupAck | None = None
    tx: TransactionAck | None = None
    error: SegmentError | None = None
    hl_level = ""
    claim: ClaimAck | None = None
    line: LineAck | None = None
    for seg in iter_segments(source):
        sid = seg.id
        if sid == "ISA":
            if not result.interchange_control_number:
                result.sender_id = seg.get(6).strip()
                result.receiver_id = seg.get(8).strip()
                result.interchange_control_number = seg.get(13).strip()
        elif sid == "TA1":
            result.kinds.add("TA1")
            result.interchange_acks.append(InterchangeAck(seg.get(1).strip(), seg.get(4).strip(), seg.get(5).strip(),
                                                          seg.number))
        elif sid == "ST":
            set_id = seg.get(1)
            group, tx, error, claim, line, hl_level = None, None, None, None, None, ""
            if set_id in ("999", "997"):
                result.kinds.add(set_id)
            elif set_id == "277":
                # X214 is the claim acknowledgment; X212 a claim status response read the same way
                result.kinds.add("277" if "X212" in seg.get(3) else "277CA")
        elif set_id in ("999", "997"):  # a 997 carries the same answers as AK3/AK4/AK5
            if sid == "AK1":
                group = GroupAck(seg.get(1).strip(), seg.get(2).strip(), seg.get(3).strip(), segment=seg.number,
                                 ack_set=set_id)
                result.group_acks.append(group)
            elif sid == "AK2" and group is not None:
                tx = TransactionAck(seg.get(1).strip(), seg.get(2).strip(), segment=seg.number)
                group.transactions.append(tx)
                error = None
            elif sid in ("IK3", "AK3") and tx is not None:
                error = SegmentError(seg.get(1), _int_or_none(seg.get(2)), seg.get(3), seg.get(4))
                tx.errors.append(error)
            elif sid == "CTX" and error is not None:
                context = seg.components(1)
                if len(context) >= 2 and context[0] == "CLM01":
                    error.claim_id = context[1]
            elif sid in ("IK4", "AK4") and error is not None:
                where = seg.components(1)
                error.elements.append(ElementError(
                    _int_or_none(where[0]) if where else None,
                    _int_or_none(where[1]) if len(where) > 1 else None,
                    seg.get(3),
                ))
            elif sid in ("IK5", "AK5") and tx is not None:
                tx.status = seg.get(1)
                tx.codes = [c for c in seg.elements[1:6] if c]
                tx, error = None, None
            elif sid == "AK9" and group is not None:
                group.status = seg.get(1)
                group.codes = [c for c in seg.elements[4:9] if c]
        elif set_id == "277":
            if sid == "HL":
                hl_level = seg.get(3)
                claim, line = None, None
            elif sid == "TRN" and seg.get(1) == "2" and hl_level in ("21", "PT", "22", "23"):
                claim = ClaimAck("batch" if hl_level == "21" else "claim", seg.get(2), segment=seg.number)
                result.claim_acks.append(claim)
            elif sid == "SVC" and claim is not None and claim.level == "claim":
                # from here on the statuses, references and dates are the line's, not the claim's
                line = LineAck(":".join(seg.components(1)), seg.get(2), segment=seg.number)
                claim.lines.append(line)
            elif line is not None:
                if sid == "STC":
                    line.statuses.extend(_stc_reasons(seg))
                elif sid == "REF" and seg.get(1) == "FJ":
                    line.line_control_number = seg.get(2)
                elif sid == "DTP" and seg.get(1) == "472":
                    line.service_date = seg.get(3)
            elif sid == "STC" and claim is not None:
                claim.statuses.extend(_stc_reasons(seg))
                if claim.amount is None and seg.get(4):
                    claim.amount = seg.get(4)
            elif sid == "REF" and seg.get(1) == "1K" and claim is not None:
                claim.payer_claim_number = seg.get(2)
    return result
