"""One 837I interchange of built claims, written the way submission writes it (for pyx12 and read-back tests)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import cast

from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.transaction import OutgoingClaim, build_claim_block, transaction_segments
from rcm.domain import Claim
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange


def interchange_837i(
    clearinghouse: Clearinghouse, claims: list[Claim], *, reference: str, control_number: int
) -> bytes:
    created = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    blocks = [build_claim_block(OutgoingClaim(c, filing_indicator="MA")) for c in claims]
    body = cast("list[list[ElementValue]]", transaction_segments(blocks, clearinghouse=clearinghouse,
                                                                  reference=reference, created=created))  # fmt: skip
    return write_interchange(
        sender_qualifier="ZZ", sender_id=clearinghouse.sender_id, receiver_qualifier="ZZ",
        receiver_id=clearinghouse.receiver_id, control_number=control_number, date=created.date(),
        time=time(9, 30), usage="T",
        groups=[GroupOut("HC", clearinghouse.sender_id, clearinghouse.receiver_id, control_number, "005010X223A2",
                         created.date(), time(9, 30), [TransactionOut("837", "0001", body)])],
    )  # fmt: skip
