"""The bundled sample export (rcm.intake.sample) ingested, marked ready and built: the 837 passes pyx12 and our
validator with zero errors, and the records a file cannot express are held with the reason instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from rcm.claims.submission import build_claims
from rcm.config import Settings
from rcm.domain import Encounter
from rcm.intake.sample import generate_sample
from rcm.store import repositories
from rcm.store.tables import ClaimStatus
from rcm.x12.pyx12_oracle import pyx12_findings
from rcm.x12.validation import validate_file


@pytest.mark.slow
def test_sample_export_builds_clean_837s(session: Session, settings: Settings) -> None:
    stored = 0
    for row, record in enumerate(generate_sample(encounters=201)):
        if isinstance(record, str):
            continue
        try:
            encounter = Encounter.model_validate(record)
        except ValidationError:
            continue  # intake quarantines these
        repositories.save_encounter(session, encounter, source_file="sample.jsonl", source_row=row)
        stored += 1
    session.commit()
    # every claim marked ready, even those the scrubber would hold: the builder must still never write a bad file
    for claim in repositories.claims_with_status(session, [ClaimStatus.ingested]):
        repositories.set_claim_status(session, claim, ClaimStatus.ready, cause="test: forced ready",
                                      source_kind="staff")
    session.commit()
    report = build_claims(session, settings)
    assert len(report.files) == 1
    written = report.files[0]
    assert written.claims + len(report.skipped) == len(repositories.claims_with_status(
        session, [ClaimStatus.submitted, ClaimStatus.held]))
    assert written.claims > 150
    pyx12 = pyx12_findings(Path(written.path))
    assert pyx12.mapped and pyx12.failed is None and pyx12.findings == []
    assert [f.message for f in validate_file(Path(written.path)) if f.severity == "error"] == []
    held = repositories.claims_with_status(session, [ClaimStatus.held])
    assert {c.claim_number for c in held} == {s.claim for s in report.skipped}
    assert all(c.hold_reason and c.hold_reason.startswith("cannot build the 837") for c in held)
