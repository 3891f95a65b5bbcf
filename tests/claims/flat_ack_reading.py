"""TEST-ONLY reference: the flat acknowledgment reader that rcm.claims.ack_reading used before it read through the
X12 core's typed models (a copy of that implementation, kept unchanged). tests/claims/test_ack_reading_models.py
checks that ``rcm.claims.ack_reading.read_acks`` equals this module's ``read_acks`` (the records are the
product's own types) on every public sample and on
the simulated clearinghouse's answers. Not part of the product: nothing under rcm/ may import it.

Original description: reading acknowledgments: TA1 (interchange), 999 or 997 (functional group / transaction
sets, with IK3/IK4 or AK3/AK4 errors) and 277CA (claim and service line STC) from any X12 file, into small
records an ingest can match."""

from __future__ import annotations

from pathlib import Path

from rcm.claims.ack_reading import (
    AckFile,
    ClaimAck,
    ElementError,
    GroupAck,
    InterchangeAck,
    LineAck,
    SegmentError,
    StatusReason,
    TransactionAck,
)
from rcm.x12.tokenizer import Segment, iter_segments

__all__ = ["read_acks"]


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
