"""Quarantine keeps each bad record once; files are registered once per direction and content; audit entries."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rcm.domain import Encounter
from rcm.store import (
    AuditLog,
    ClaimSubmission,
    QuarantineRecord,
    X12FileRecord,
    audit,
    find_claim,
    next_submission_number,
    open_quarantine,
    quarantine,
    record_file,
    save_encounter,
)

from .factories import encounter_data


def _quarantine(session: Session, **changes: str) -> QuarantineRecord:
    values = {
        "source_file": "emr.jsonl",
        "record_ref": "line 7 (encounter E1007)",
        "reason": "bad_date",
        "field": "date_of_service",
        "detail": "date_of_service is not a date (expected YYYY-MM-DD)",
        "raw": '{"encounter_id": "E1007", "date_of_service": "2026-13-45"}',
    }
    values.update(changes)
    return quarantine(session, **values)  # type: ignore[arg-type]


def test_the_same_bad_record_is_quarantined_once(session: Session) -> None:
    first = _quarantine(session)
    session.commit()
    again = _quarantine(session, detail="said differently")
    session.commit()
    assert again.id == first.id
    assert session.scalar(select(func.count()).select_from(QuarantineRecord)) == 1
    assert first.created_at.tzinfo is not None and first.resolved_at is None


def test_another_reason_file_or_record_is_another_entry(session: Session) -> None:
    _quarantine(session)
    _quarantine(session, reason="bad_npi", field="billing_provider.npi")
    _quarantine(session, source_file="other.jsonl")
    _quarantine(session, record_ref="line 8")
    session.commit()
    assert session.scalar(select(func.count()).select_from(QuarantineRecord)) == 4
    assert [q.record_ref for q in open_quarantine(session, source_file="emr.jsonl")] == [
        "line 7 (encounter E1007)",
        "line 7 (encounter E1007)",
        "line 8",
    ]


def test_resolved_records_leave_the_open_list(session: Session) -> None:
    record = _quarantine(session)
    record.resolved_at = datetime(2026, 11, 1, tzinfo=UTC)
    session.commit()
    assert open_quarantine(session) == []


def test_very_long_record_references_are_cut_to_fit(session: Session) -> None:
    record = _quarantine(session, record_ref="x" * 500)
    session.commit()
    assert len(record.record_ref) == 200
    assert _quarantine(session, record_ref="x" * 500).id == record.id


def test_a_file_is_recorded_once_per_direction_and_content(session: Session) -> None:
    content = b"ISA*00*...~IEA*1*000000001~"
    sent, created = record_file(
        session,
        direction="out",
        kind="837P",
        name="837P_20261001_000000001.x12",
        path="/var/outbound/default/837P_20261001_000000001.x12",
        content=content,
        interchange_control_number="000000001",
        sender_id="RCMSUBMITTER",
        receiver_id="CLEARINGHOUSE",
        clearinghouse="default",
    )
    assert created
    assert sent.content_hash == hashlib.sha256(content).hexdigest() and sent.size == len(content)
    again, created_again = record_file(
        session, direction="out", kind="837P", name="copy.x12", path="/elsewhere/copy.x12", content=content
    )
    assert (again.id, created_again) == (sent.id, False)
    # The same bytes received (e.g. an echo) are a different record.
    received, created_in = record_file(session, direction="in", kind="837P", name="x", path="/in/x", content=content)
    assert created_in and received.id != sent.id
    session.commit()
    assert session.scalar(select(func.count()).select_from(X12FileRecord)) == 2
    with pytest.raises(ValueError, match="direction"):
        record_file(session, direction="sideways", kind="835", name="x", path="x", content=b"")


def test_submission_numbers_count_up_per_claim(session: Session) -> None:
    save_encounter(session, Encounter.model_validate(encounter_data()), source_file="emr.jsonl", source_row=1)
    file, _ = record_file(session, direction="out", kind="837P", name="a", path="a", content=b"a")
    claim = find_claim(session, "E1001")
    assert claim is not None
    assert next_submission_number(session, claim.id) == 1
    session.add(ClaimSubmission(claim_id=claim.id, file_id=file.id, submission_number=1, frequency_code="1"))
    assert next_submission_number(session, claim.id) == 2


def test_audit_entries_keep_ids_and_figures(session: Session) -> None:
    entry = audit(session, actor="biller1", action="override", entity_type="claim", entity_id=42, detail={"rule": "X"})
    session.commit()
    stored = session.scalars(select(AuditLog)).one()
    assert stored is entry
    assert (stored.entity_id, stored.detail) == ("42", {"rule": "X"})
    assert stored.at.tzinfo is not None
