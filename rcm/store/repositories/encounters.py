"""Saving EMR encounters: one version per distinct content, with the patient, payers, providers and coverage upserted.

The caller commits. A record that cannot be stored (a value too long for its column) raises RecordError before
anything is written, so intake can quarantine it and go on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rcm.domain import Encounter
from rcm.domain import Provider as ProviderModel
from rcm.errors import RecordError
from rcm.store.repositories.claims import ensure_claims
from rcm.store.tables import CoverageRecord, EncounterVersion, Patient, Payer, Provider

__all__ = [
    "SaveResult",
    "content_hash",
    "current_encounter_version",
    "encounter_from_version",
    "save_encounter",
]

SaveStatus = Literal["new", "new_version", "unchanged"]

# Column limits that the pydantic model does not already enforce.
_MONEY_LIMIT = Decimal("9999999999.99")
_UNITS_LIMIT = Decimal("999999.999")


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What save_encounter did: ``status`` new / new_version / unchanged, and the version now current."""

    status: SaveStatus
    encounter_version_id: int
    version: int


def canonical_json(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# Encounter fields added after encounters were first stored.  Left empty, they are left out of the hash, so an
# unchanged re-export of an encounter stored before they existed hashes as it did then: otherwise every stored
# encounter would come back as a new version (and a sent claim as a replacement) the first night after an upgrade.
# A field added to Encounter later goes here (tests/store/test_encounter_hash.py checks that every field is either
# here or in the first stored shape).
FIELDS_ADDED_LATER = (
    "pay_to_address", "admission_type", "point_of_origin", "patient_status", "admission_time", "discharge_time"
)


def content_hash(encounter: Encounter) -> str:
    """sha256 of the encounter's canonical JSON: equal content, equal hash, whatever the field order in the file."""
    payload = encounter.model_dump(mode="json")
    for name in FIELDS_ADDED_LATER:
        if payload.get(name) is None:
            payload.pop(name, None)
    return hashlib.sha256(canonical_json(payload).encode("utf-8")).hexdigest()


def encounter_from_version(version: EncounterVersion) -> Encounter:
    """The domain Encounter stored in a version (exactly what was ingested)."""
    return Encounter.model_validate(version.payload)


def current_encounter_version(session: Session, encounter_id: str) -> EncounterVersion | None:
    """The current (latest accepted) version of an EMR encounter, or None if it was never ingested."""
    return session.scalars(
        select(EncounterVersion).where(EncounterVersion.encounter_id == encounter_id, EncounterVersion.is_current)
    ).first()


def _too_long(encounter_id: str, field: str, limit: int) -> RecordError:
    return RecordError(
        "value_too_long",
        f"encounter {encounter_id}: {field} is longer than {limit} characters",
        record=encounter_id,
        field=field,
    )


def _check_fits(encounter: Encounter) -> None:
    """Refuse values the columns cannot hold (PostgreSQL would fail the whole transaction on them)."""
    eid = encounter.encounter_id
    strings: list[tuple[str, str | None, int]] = [
        ("patient.id", encounter.patient.id, 80),
        ("patient.first_name", encounter.patient.first_name, 100),
        ("patient.last_name", encounter.patient.last_name, 100),
        ("patient.middle_name", encounter.patient.middle_name, 100),
        ("payer_claim_number", encounter.payer_claim_number, 50),
    ]
    for i, cov in enumerate(encounter.coverage):
        strings += [
            (f"coverage[{i}].payer_id", cov.payer_id, 80),
            (f"coverage[{i}].payer_name", cov.payer_name, 200),
            (f"coverage[{i}].plan_type", cov.plan_type, 10),
            (f"coverage[{i}].member_id", cov.member_id, 80),
            (f"coverage[{i}].group_number", cov.group_number, 80),
        ]
    for role in ("billing_provider", "rendering_provider", "referring_provider", "attending_provider"):
        prov: ProviderModel | None = getattr(encounter, role)
        if prov is not None:
            strings += [
                (f"{role}.name", prov.name, 200),
                (f"{role}.first_name", prov.first_name, 100),
                (f"{role}.last_name", prov.last_name, 100),
            ]
    for i, line in enumerate(encounter.lines):
        strings.append((f"lines[{i}].ndc", line.ndc, 20))
    for field, value, limit in strings:
        if value is not None and len(value) > limit:
            raise _too_long(eid, field, limit)
    for i, line in enumerate(encounter.lines):
        if abs(line.charge) > _MONEY_LIMIT:
            raise RecordError(
                "bad_amount",
                f"encounter {eid}: line {line.line_id} charge is too large",
                record=eid,
                field=f"lines[{i}].charge",
            )
        if line.units > _UNITS_LIMIT or line.units != line.units.quantize(Decimal("0.001")):
            raise RecordError(
                "bad_units",
                f"encounter {eid}: line {line.line_id} units must be at most 999999.999 with 3 decimals",
                record=eid,
                field=f"lines[{i}].units",
            )
    if abs(encounter.total_charge) > _MONEY_LIMIT:
        raise RecordError("bad_amount", f"encounter {eid}: total charge is too large", record=eid, field="lines")


def _upsert_patient(session: Session, encounter: Encounter) -> Patient:
    src = encounter.patient
    patient = session.scalars(select(Patient).where(Patient.external_id == src.id)).first()
    if patient is None:
        patient = Patient(external_id=src.id)
        session.add(patient)
    # The newest export wins for demographics; a field the export leaves empty keeps what we knew.
    if src.sex != "U" or not patient.sex:
        patient.sex = src.sex
    for attr in ("first_name", "last_name", "middle_name", "birth_date"):
        value = getattr(src, attr)
        if value is not None:
            setattr(patient, attr, value)
    if src.address is not None:
        patient.address = src.address.model_dump(mode="json")
    return patient


def _upsert_payer(session: Session, payer_id: str, name: str | None, plan_type: str | None) -> Payer:
    payer = session.scalars(select(Payer).where(Payer.payer_id == payer_id)).first()
    if payer is None:
        payer = Payer(payer_id=payer_id, name=name or payer_id, plan_type=plan_type)
        session.add(payer)
        return payer
    if name and payer.name != name:
        payer.name = name
    if plan_type and payer.plan_type != plan_type:
        payer.plan_type = plan_type
    return payer


def _upsert_provider(session: Session, src: ProviderModel | None) -> Provider | None:
    if src is None:
        return None
    provider = session.scalars(select(Provider).where(Provider.npi == src.npi)).first()
    if provider is None:
        provider = Provider(npi=src.npi)
        session.add(provider)
    for attr in ("name", "first_name", "last_name", "taxonomy", "tax_id"):
        value = getattr(src, attr)
        if value is not None:
            setattr(provider, attr, value)
    if src.address is not None:
        provider.address = src.address.model_dump(mode="json")
    return provider


def save_encounter(session: Session, encounter: Encounter, *, source_file: str, source_row: int | None) -> SaveResult:
    """Store an encounter as received; unchanged content writes nothing, changed content becomes a new version.

    Creates or updates the primary claim through ``ensure_claims``. Raises RecordError (before writing) when a
    value cannot fit its column.
    """
    digest = content_hash(encounter)
    current = current_encounter_version(session, encounter.encounter_id)
    if current is not None and current.content_hash == digest:
        return SaveResult("unchanged", current.id, current.version)
    _check_fits(encounter)

    patient = _upsert_patient(session, encounter)
    for cov in encounter.coverage:
        _upsert_payer(session, cov.payer_id, cov.payer_name, cov.plan_type)
    billing = _upsert_provider(session, encounter.billing_provider)
    rendering = _upsert_provider(session, encounter.rendering_provider)
    _upsert_provider(session, encounter.referring_provider)
    _upsert_provider(session, encounter.attending_provider)
    session.flush()

    last_version = session.scalar(
        select(func.max(EncounterVersion.version)).where(EncounterVersion.encounter_id == encounter.encounter_id)
    )
    if current is not None:
        current.is_current = False
        session.flush()  # one current version at a time, also for readers of this session
    version = EncounterVersion(
        encounter_id=encounter.encounter_id,
        version=(last_version or 0) + 1,
        content_hash=digest,
        is_current=True,
        date_of_service=encounter.date_of_service,
        patient_id=patient.id,
        billing_provider_id=billing.id if billing else None,
        rendering_provider_id=rendering.id if rendering else None,
        payload=encounter.model_dump(mode="json"),
        source_file=source_file,
        source_row=source_row,
    )
    version.coverages = [
        CoverageRecord(
            patient_id=patient.id,
            priority=cov.priority.value,
            payer_id=cov.payer_id,
            member_id=cov.member_id,
            group_number=cov.group_number,
            relationship=cov.relationship.value,
            subscriber=cov.subscriber.model_dump(mode="json") if cov.subscriber else None,
            start_date=cov.start_date,
            end_date=cov.end_date,
        )
        for cov in encounter.coverage
    ]
    session.add(version)
    session.flush()
    ensure_claims(session, version.id)
    return SaveResult("new" if last_version is None else "new_version", version.id, version.version)
