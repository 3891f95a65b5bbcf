"""The encounter content hash stays what it was when fields are added to Encounter: an unchanged re-export of an
encounter stored by an earlier release is "unchanged", not a new version (which would resend a sent claim as a
replacement)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session

from rcm.domain import Encounter
from rcm.store import save_encounter
from rcm.store.repositories.encounters import FIELDS_ADDED_LATER, canonical_json, content_hash
from rcm.store.tables import EncounterVersion

MakeEncounter = Callable[..., Encounter]

# Encounter's fields when encounters were first stored (the store's first release).
FIRST_STORED_FIELDS = frozenset({
    "encounter_id", "date_of_service", "place_of_service", "claim_type", "patient", "coverage", "billing_provider",
    "rendering_provider", "referring_provider", "prior_authorization", "diagnoses", "lines", "frequency_code",
    "payer_claim_number", "type_of_bill", "admission_date", "discharge_date", "attending_provider",
})


def _hash_as_first_stored(encounter: Encounter) -> str:
    """The hash the first release computed: the dump of the fields it knew, None values included."""
    dump = encounter.model_dump(mode="json")
    old = {k: v for k, v in dump.items() if k in FIRST_STORED_FIELDS}
    return hashlib.sha256(canonical_json(old).encode("utf-8")).hexdigest()


def test_every_field_added_since_the_first_release_is_listed() -> None:
    added = set(Encounter.model_fields) - FIRST_STORED_FIELDS
    assert added == set(FIELDS_ADDED_LATER), "a new Encounter field must go into FIELDS_ADDED_LATER"


def test_without_the_new_fields_the_hash_is_the_first_release_one(make_encounter: MakeEncounter) -> None:
    encounter = make_encounter()
    assert all(getattr(encounter, name) is None for name in FIELDS_ADDED_LATER)
    assert content_hash(encounter) == _hash_as_first_stored(encounter)


def test_a_new_field_with_a_value_changes_the_hash(make_encounter: MakeEncounter) -> None:
    plain = make_encounter()
    coded = make_encounter(patient_status="01")
    assert coded.patient_status == "01"
    assert content_hash(coded) != content_hash(plain)


def test_an_encounter_stored_by_the_first_release_comes_back_unchanged(
    session: Session, make_encounter: MakeEncounter
) -> None:
    encounter = make_encounter()
    first = save_encounter(session, encounter, source_file="a.jsonl", source_row=1)
    # as the first release stored it
    session.execute(
        update(EncounterVersion)
        .where(EncounterVersion.id == first.encounter_version_id)
        .values(content_hash=_hash_as_first_stored(encounter))
    )
    again = save_encounter(session, make_encounter(), source_file="b.jsonl", source_row=1)
    assert again.status == "unchanged"
    assert again.encounter_version_id == first.encounter_version_id
