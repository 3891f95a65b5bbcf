"""save_encounter: new, unchanged and new versions; parties upserted; values that cannot fit are refused early."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rcm.domain import Encounter
from rcm.errors import RecordError
from rcm.store import (
    ClaimRecord,
    CoverageRecord,
    EncounterVersion,
    Patient,
    Payer,
    Provider,
    content_hash,
    current_encounter_version,
    encounter_from_version,
    save_encounter,
)

from .factories import BILLING_NPI, encounter_data

MakeEncounter = Callable[..., Encounter]


def _count(session: Session, table: type) -> int:
    return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_a_new_encounter_is_stored_with_its_parties_and_claim(session: Session, make_encounter: MakeEncounter) -> None:
    result = save_encounter(session, make_encounter(), source_file="emr.jsonl", source_row=1)
    session.commit()
    assert (result.status, result.version) == ("new", 1)
    version = session.get(EncounterVersion, result.encounter_version_id)
    assert version is not None
    assert version.is_current and version.source_file == "emr.jsonl" and version.source_row == 1
    assert encounter_from_version(version) == make_encounter()
    patient = session.get(Patient, version.patient_id)
    assert patient is not None and patient.external_id == "P1" and patient.address is not None
    assert session.scalars(select(Payer.payer_id)).all() == ["PAYER1"]
    assert {p.npi for p in session.scalars(select(Provider))} == {BILLING_NPI, make_encounter().rendering_provider.npi}  # type: ignore[union-attr]
    billing = session.get(Provider, version.billing_provider_id)
    assert billing is not None and billing.npi == BILLING_NPI
    coverage = session.scalars(select(CoverageRecord)).one()
    assert (coverage.encounter_version_id, coverage.payer_id, coverage.member_id) == (version.id, "PAYER1", "M123")
    claim = session.scalars(select(ClaimRecord)).one()
    assert claim.claim_number == "E1001" and claim.encounter_version_id == version.id


def test_the_same_content_again_writes_nothing(session: Session, make_encounter: MakeEncounter) -> None:
    first = save_encounter(session, make_encounter(), source_file="a.jsonl", source_row=1)
    session.commit()
    counts = {t: _count(session, t) for t in (EncounterVersion, Patient, Payer, Provider, CoverageRecord, ClaimRecord)}
    # Same data from another file, keys in another order: still the same encounter content.
    reordered = Encounter.model_validate(dict(reversed(list(encounter_data().items()))))
    again = save_encounter(session, reordered, source_file="b.jsonl", source_row=7)
    assert not session.new and not session.dirty
    session.commit()
    assert (again.status, again.encounter_version_id, again.version) == ("unchanged", first.encounter_version_id, 1)
    assert {t: _count(session, t) for t in counts} == counts


def test_changed_content_becomes_the_next_version(session: Session, make_encounter: MakeEncounter) -> None:
    first = save_encounter(session, make_encounter(), source_file="a.jsonl", source_row=1)
    changed = make_encounter(diagnoses=["J02.9"])
    assert content_hash(changed) != content_hash(make_encounter())
    second = save_encounter(session, changed, source_file="b.jsonl", source_row=2)
    session.commit()
    assert (second.status, second.version) == ("new_version", 2)
    versions = session.scalars(select(EncounterVersion).order_by(EncounterVersion.version)).all()
    assert [(v.version, v.is_current) for v in versions] == [(1, False), (2, True)]
    assert versions[0].id == first.encounter_version_id
    current = current_encounter_version(session, "E1001")
    assert current is not None and current.id == second.encounter_version_id
    # Going back to the first content is a change too: version 3, not a silent revert to 1.
    third = save_encounter(session, make_encounter(), source_file="c.jsonl", source_row=3)
    assert (third.status, third.version) == ("new_version", 3)
    assert _count(session, Patient) == 1


def test_newer_exports_update_what_we_know_about_parties(session: Session, make_encounter: MakeEncounter) -> None:
    save_encounter(session, make_encounter(), source_file="a.jsonl", source_row=1)
    data = encounter_data(encounter_id="E1002")
    data["patient"] = {**data["patient"], "last_name": "Renamed", "address": None}
    data["coverage"] = [{**data["coverage"][0], "payer_name": "First Health Plan of MA", "plan_type": "CI"}]
    save_encounter(session, Encounter.model_validate(data), source_file="a.jsonl", source_row=2)
    session.commit()
    patient = session.scalars(select(Patient)).one()
    assert patient.last_name == "Renamed"
    assert patient.address is not None  # an export without the address does not erase it
    payer = session.scalars(select(Payer)).one()
    assert (payer.name, payer.plan_type) == ("First Health Plan of MA", "CI")


def test_a_value_too_long_for_its_column_is_a_record_error_and_writes_nothing(
    session: Session, make_encounter: MakeEncounter
) -> None:
    data = encounter_data()
    data["coverage"] = [{**data["coverage"][0], "member_id": "9" * 81}]
    with pytest.raises(RecordError) as caught:
        save_encounter(session, Encounter.model_validate(data), source_file="a.jsonl", source_row=4)
    assert caught.value.field == "coverage[0].member_id"
    assert caught.value.record == "E1001"
    assert "9" * 20 not in str(caught.value)  # the value itself (PHI) is not repeated
    assert not session.new
    session.rollback()
    assert _count(session, EncounterVersion) == 0


def test_units_with_more_than_three_decimals_are_refused(session: Session) -> None:
    data = encounter_data()
    data["lines"][0]["units"] = "1.0005"
    with pytest.raises(RecordError) as caught:
        save_encounter(session, Encounter.model_validate(data), source_file="a.jsonl", source_row=1)
    assert (caught.value.reason, caught.value.field) == ("bad_units", "lines[0].units")


def test_self_pay_encounters_are_stored_without_a_claim(session: Session, make_encounter: MakeEncounter) -> None:
    result = save_encounter(session, make_encounter(coverage=[]), source_file="a.jsonl", source_row=1)
    session.commit()
    assert result.status == "new"
    assert _count(session, ClaimRecord) == 0
