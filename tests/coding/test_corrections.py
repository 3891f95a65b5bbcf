"""Staff corrections: each field a biller may change, checked and saved as a new version, re-scrubbed, audited;
values that cannot go on a claim are refused field by field; claims that cannot be corrected here are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rcm.coding import RuleBook
from rcm.coding.corrections import CorrectionRejected, correct_claim
from rcm.coding.service import scrub_pending
from rcm.domain import Encounter
from rcm.errors import StateError
from rcm.store import (
    AuditLog,
    ClaimStatus,
    EncounterVersion,
    ScrubFinding,
    find_claim,
    save_encounter,
    set_claim_status,
)

from .conftest import encounter_data, line

AS_OF = date(2026, 3, 10)


def ingest(session: Session, book: RuleBook, **changes: Any) -> None:
    encounter = Encounter.model_validate(encounter_data(**changes))
    save_encounter(session, encounter, source_file="emr-export.jsonl", source_row=1)
    scrub_pending(session, book, as_of=AS_OF)


def correct(session: Session, book: RuleBook, edits: dict[str, str], claim: str = "E1", **kw: Any) -> Any:
    return correct_claim(session, claim, edits, actor="jdoe", reason=kw.pop("reason", "per the chart"), book=book,
                         as_of=AS_OF, **kw)


def test_a_diagnosis_fix_is_a_new_version_scrubbed_and_audited(session: Session, book: RuleBook) -> None:
    ingest(session, book, encounter_id="E1", diagnoses=["E11"])
    claim = find_claim(session, "E1")
    assert claim is not None and claim.status is ClaimStatus.held
    first_version = claim.encounter_version_id
    result = correct(session, book, {"diagnoses[1]": "e11.9", "place_of_service": "11"},
                     expected_version_id=first_version)
    assert [c.as_json() for c in result.changes] == [{"field": "diagnoses[1]", "from": "E11", "to": "E11.9"}]
    assert (result.status, result.version, result.findings) == ("ready", 2, [])
    assert claim.status is ClaimStatus.ready and claim.encounter_version_id == result.encounter_version_id
    assert [d.code for d in claim.diagnoses] == ["E119"]
    version = session.get(EncounterVersion, result.encounter_version_id)
    assert version is not None and version.source_file == "staff correction by jdoe" and version.is_current
    entry = session.scalars(select(AuditLog).where(AuditLog.action == "claim.correct")).one()
    assert (entry.actor, entry.entity_id) == ("jdoe", "E1")
    assert entry.detail == {
        "changes": [{"field": "diagnoses[1]", "from": "E11", "to": "E11.9"}],
        "reason": "per the chart",
        "from_version_id": first_version,
        "to_version_id": result.encounter_version_id,
    }
    old = session.scalars(select(ScrubFinding).where(ScrubFinding.encounter_version_id == first_version)).all()
    assert old and not any(f.active for f in old)


def test_every_line_field_and_the_place_of_service(session: Session, book: RuleBook) -> None:
    ingest(session, book, encounter_id="E1", diagnoses=["J02.0", "R50.9"],
           lines=[line("1", "99213", charge="125.00"), line("2", "87880", charge="30.00")])
    result = correct(session, book, {
        "place_of_service": "22",
        "lines[1].modifiers": "25",
        "lines[1].diagnosis_pointers": "1, 2",
        "lines[2].charge": "$35.5",
        "lines[2].units": "2",
        "lines[2].place_of_service": "11",
        "lines[2].modifiers": "",  # unchanged (none): not a change
        "diagnoses[3]": "",  # the empty slot for a new diagnosis: nothing added
    })
    assert {c.field: (c.before, c.after) for c in result.changes} == {
        "place_of_service": ("11", "22"),
        "lines[1].modifiers": ("", "25"),
        "lines[1].diagnosis_pointers": ("1", "1,2"),
        "lines[2].charge": ("30.00", "35.50"),
        "lines[2].units": ("1", "2"),
        "lines[2].place_of_service": ("", "11"),
    }
    claim = find_claim(session, "E1")
    assert claim is not None
    first, second = claim.lines
    assert (first.modifiers, first.pointers, first.pos) == (["25"], [1, 2], "22")
    assert (second.charge, second.units, second.pos) == (Decimal("35.50"), Decimal("2.000"), "11")
    assert claim.total_charge == Decimal("160.50")


def test_adding_a_diagnosis_and_pointing_a_line_to_it(session: Session, book: RuleBook) -> None:
    ingest(session, book, encounter_id="E1")
    result = correct(session, book, {"diagnoses[2]": "R50.9", "lines[1].diagnosis_pointers": "1,2"})
    assert {c.field for c in result.changes} == {"diagnoses[2]", "lines[1].diagnosis_pointers"}
    claim = find_claim(session, "E1")
    assert claim is not None and [d.code for d in claim.diagnoses] == ["J020", "R509"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("diagnoses[1]", "12345", "'12345' is not an ICD-10-CM code"),
        ("diagnoses[1]", "", "a diagnosis cannot be removed here"),
        ("diagnoses[3]", "R50.9", "the claim has 1 diagnoses; position 3 cannot be set"),
        ("lines[1].diagnosis_pointers", "2", "pointer 2 is out of range: the claim has 1 diagnoses"),
        ("lines[1].diagnosis_pointers", "1,1", "a diagnosis is pointed to twice"),
        ("lines[1].diagnosis_pointers", "one", "pointers are diagnosis numbers"),
        ("lines[1].diagnosis_pointers", "", "a line needs at least one diagnosis pointer"),
        ("lines[1].place_of_service", "98", "place of service 98 is not in the CMS place of service code table"),
        ("place_of_service", "1a", "'1a' is not a place of service (2 digits)"),
        ("place_of_service", "", "a place of service is required"),
        ("lines[1].charge", "0", "a charge must be more than 0.00"),
        ("lines[1].charge", "ten", "not an amount of money"),
        ("lines[1].charge", "99999999999", "the charge is too large"),
        ("lines[1].units", "1.0005", "units have at most 3 decimal places"),
        ("lines[1].units", "-1", "units must be more than 0"),
        ("lines[1].modifiers", "25 25", "a modifier is given twice"),
        ("lines[1].modifiers", "ZQ", "modifier ZQ is not in the modifier table"),
        ("lines[1].modifiers", "25,59,76,77,91", "a line has at most 4 modifiers"),
        ("lines[9].charge", "10.00", "the claim has no line 9"),
        ("lines[1].code", "99214", "this field cannot be changed here"),
    ],
)
def test_values_that_cannot_go_on_the_claim(
    session: Session, book: RuleBook, field: str, value: str, message: str
) -> None:
    ingest(session, book, encounter_id="E1")
    with pytest.raises(CorrectionRejected) as caught:
        correct(session, book, {field: value})
    assert list(caught.value.problems) == [field] and message in caught.value.problems[field]
    assert session.scalar(select(func.count()).select_from(EncounterVersion)) == 1
    assert session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.actor == "jdoe")) == 0


def test_nothing_changed_and_no_reason(session: Session, book: RuleBook) -> None:
    ingest(session, book, encounter_id="E1")
    with pytest.raises(CorrectionRejected, match="nothing to save"):
        correct(session, book, {"diagnoses[1]": "J02.0", "lines[1].charge": "125"})
    with pytest.raises(CorrectionRejected) as caught:
        correct(session, book, {"lines[1].charge": "130.00"}, reason="  ")
    assert caught.value.problems == {"reason": "say why the claim is changed"}


def test_claims_that_cannot_be_corrected_here(session: Session, book: RuleBook) -> None:
    ingest(session, book, encounter_id="E1")
    with pytest.raises(StateError, match="no such claim"):
        correct(session, book, {"lines[1].charge": "130.00"}, claim="NOPE")
    with pytest.raises(StateError, match="changed since it was opened"):
        correct(session, book, {"lines[1].charge": "130.00"}, expected_version_id=-1)
    claim = find_claim(session, "E1")
    assert claim is not None
    set_claim_status(session, claim, ClaimStatus.submitted, cause="sent", source_kind="build")
    with pytest.raises(StateError, match="already sent"):
        correct(session, book, {"lines[1].charge": "130.00"})
    with pytest.raises(StateError, match="name of the person"):
        correct_claim(session, "E1", {}, actor=" ", reason="x", book=book)


def test_an_unchanged_emr_export_does_not_undo_the_fix(session: Session, book: RuleBook) -> None:
    ingest(session, book, encounter_id="E1", diagnoses=["E11"])
    correct(session, book, {"diagnoses[1]": "E11.9"})
    again = save_encounter(session, Encounter.model_validate(encounter_data(encounter_id="E1", diagnoses=["E11"])),
                           source_file="emr-export.jsonl", source_row=1)
    assert again.status == "unchanged" and again.version == 2
    # A record the EMR really changed is the next version: the EMR wins, and the scrubber judges it again.
    changed = save_encounter(
        session, Encounter.model_validate(encounter_data(encounter_id="E1", diagnoses=["E11", "R50.9"])),
        source_file="emr-export-2.jsonl", source_row=1,
    )
    assert changed.status == "new_version" and changed.version == 3
    claim = find_claim(session, "E1")
    assert claim is not None and claim.status is ClaimStatus.ingested
