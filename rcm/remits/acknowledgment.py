"""The 999 we send back for a received 835: validated by the X12 core, numbered from the database counters.

We are the 835's receiver, so our ids in the 999 are the ISA08/GS03 the payer addressed; ISA13/GS06 come from
the ``isa13:<our id>`` counter the claims stage also numbers its interchanges from (one sequence per sender).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from rcm.config import get_settings
from rcm.store.repositories.files import next_control_number
from rcm.x12.acks import OurIds, build_999
from rcm.x12.findings import Finding
from rcm.x12.reader import X12File
from rcm.x12.validation import validate_transaction

__all__ = ["acknowledgment_name", "prepare_999"]

_FALLBACK_ID = "RCM"


def _ours(x12file: X12File) -> OurIds:
    for interchange in x12file.interchanges:
        header = interchange.header
        if header is not None and header.receiver_id:
            group = next((g.header for g in interchange.groups if g.header is not None), None)
            application = group.receiver_id if group and group.receiver_id else header.receiver_id
            return OurIds(header.receiver_qualifier or "ZZ", header.receiver_id, application)
    # A bare ST..SE file names nobody: answer as ourselves (the default clearinghouse submitter id).
    default = get_settings().clearinghouses.get("default", {})
    ours = str(default.get("sender_id") or _FALLBACK_ID)
    return OurIds(str(default.get("sender_qualifier") or "ZZ"), ours, ours)


def acknowledgment_name(sender_id: str, control_number: int, when: datetime) -> str:
    """``999_<date>_<our id>_<ISA13>.x12`` (ISA13 counts per sender id): nothing about a patient in the name."""
    safe = "".join(ch for ch in sender_id if ch.isalnum())[:15] or _FALLBACK_ID
    return f"999_{when:%Y%m%d}_{safe}_{control_number:09d}.x12"


def prepare_999(
    session: Session, x12file: X12File, findings: Sequence[Finding], *, now: datetime | None = None
) -> tuple[str, bytes] | None:
    """The 999 for the 835s of a received file, as (file name, bytes); None when it holds no 835."""
    transactions = [tx for tx in x12file.transactions if tx.set_id == "835"]
    if not transactions:
        return None
    found: list[Finding] = []
    for tx in transactions:
        found.extend(validate_transaction(tx))
    seen = set(found)
    found.extend(f for f in (*x12file.findings, *findings) if f not in seen)
    ours = _ours(x12file)
    control_number = next_control_number(session, f"isa13:{ours.interchange_id}")
    when = now or datetime.now(UTC)
    content = build_999(transactions, found, ours=ours, control_number=control_number, now=when)
    return acknowledgment_name(ours.interchange_id, control_number, when), content
