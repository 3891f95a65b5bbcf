"""The institutional claim codes of a Synthea encounter (UB-04 FL14, FL15, FL17) and the dates of a stay.

Synthea says what kind of encounter it was (ENCOUNTERCLASS), when it started and stopped, and when the patient
died; it does not say how the patient was admitted or where they went. So, in this order:

1. the class gives the defaults (rules/crosswalk/encounter_class_institutional.csv);
2. a same-day move between two encounters of the patient (the next one starts on the day this one stops)
   sets the leaving encounter's patient status and the arriving one's admission type and point of origin
   (rules/crosswalk/synthea_transfers.csv, per organisation: same hospital, another one, or either);
3. an inpatient stay that starts on the patient's birth date is a newborn admission (type 4, born inside
   this hospital, 5);
4. a patient who died during the encounter has the class's expired status (20, or 42 for hospice), and an
   encounter without a STOP is still going on (30, still a patient).
An encounter class the file does not list gets no codes (its claim is professional anyway, or the scrubber says
what is missing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .crosswalk import Crosswalk
from .synthea_export import parse_day

__all__ = ["STAY_CLASSES", "Timeline", "institutional_fields"]

STAY_CLASSES = frozenset({"inpatient", "snf", "hospice"})
"""Classes that are stays: they carry an admission date and, once over, a discharge date."""

_NEWBORN_ADMISSION = ("4", "5")  # NUBC admission type 4 (newborn), point of origin 5 (born inside this hospital)
_STILL_PATIENT = "30"


@dataclass(frozen=True, slots=True)
class _Visit:
    encounter_id: str
    start: str  # ISO timestamp as exported: sorts in time order
    start_day: date | None
    stop_day: date | None
    encounter_class: str
    organization: str


class Timeline:
    """Every patient's encounters in time order, to find what came right before and right after one of them."""

    def __init__(self, rows: Iterable[dict[str, str]]) -> None:
        by_patient: dict[str, list[_Visit]] = defaultdict(list)
        for row in rows:
            by_patient[row.get("PATIENT", "")].append(_visit(row))
        self._around: dict[str, tuple[_Visit | None, _Visit | None]] = {}
        for visits in by_patient.values():
            visits.sort(key=lambda v: (v.start, v.encounter_id))
            for i, visit in enumerate(visits):
                before = visits[i - 1] if i else None
                after = visits[i + 1] if i + 1 < len(visits) else None
                self._around[visit.encounter_id] = (before, after)

    def around(self, encounter_id: str) -> tuple[_Visit | None, _Visit | None]:
        return self._around.get(encounter_id, (None, None))


def _visit(row: dict[str, str]) -> _Visit:
    return _Visit(
        encounter_id=row.get("ID", ""),
        start=row.get("START", ""),
        start_day=parse_day(row.get("START", "")),
        stop_day=parse_day(row.get("STOP", "")),
        encounter_class=row.get("ENCOUNTERCLASS", "").lower(),
        organization=row.get("ORGANIZATION", ""),
    )


def _moves_on(first: _Visit, then: _Visit) -> bool:
    """``then`` starts on the day ``first`` stops (or before it stopped): the patient went straight on."""
    return first.stop_day is not None and then.start_day is not None and then.start_day <= first.stop_day


def institutional_fields(
    row: dict[str, str], patient: dict[str, str], timeline: Timeline, crosswalk: Crosswalk
) -> dict[str, Any]:
    """The encounter fields for one encounters.csv row: admission_type, point_of_origin, patient_status, and for
    a stay admission_date and discharge_date with their times of day (admission_time, discharge_time). Empty when
    the class is not in the crosswalk."""
    visit = _visit(row)
    defaults = crosswalk.institutional.get(visit.encounter_class)
    if defaults is None or visit.start_day is None:
        return {}
    admission_type, origin, status = defaults.admission_type, defaults.point_of_origin, defaults.patient_status
    before, after = timeline.around(visit.encounter_id)
    if before is not None and _moves_on(before, visit):
        came = crosswalk.transfer(before.encounter_class, visit.encounter_class,
                                  same_organization=before.organization == visit.organization)  # fmt: skip
        if came is not None:
            admission_type = came.admission_type or admission_type
            origin = came.point_of_origin or origin
    if after is not None and _moves_on(visit, after):
        went = crosswalk.transfer(visit.encounter_class, after.encounter_class,
                                  same_organization=after.organization == visit.organization)  # fmt: skip
        if went is not None and went.patient_status:
            status = went.patient_status
    birth = parse_day(patient.get("BIRTHDATE", ""))
    if visit.encounter_class == "inpatient" and birth is not None and birth == visit.start_day:
        admission_type, origin = _NEWBORN_ADMISSION
    death = parse_day(patient.get("DEATHDATE", ""))
    if death is not None and visit.start_day <= death and (visit.stop_day is None or death <= visit.stop_day):
        status = defaults.expired_status
    elif visit.stop_day is None:
        status = _STILL_PATIENT
    fields: dict[str, Any] = {"admission_type": admission_type, "point_of_origin": origin, "patient_status": status}
    if visit.encounter_class in STAY_CLASSES:
        fields["admission_date"] = visit.start_day.isoformat()
        if (admitted := _clock(row.get("START", ""))) is not None:
            fields["admission_time"] = admitted
        if status != _STILL_PATIENT and visit.stop_day is not None:
            fields["discharge_date"] = visit.stop_day.isoformat()
            if (discharged := _clock(row.get("STOP", ""))) is not None:
                fields["discharge_time"] = discharged
    return fields


def _clock(timestamp: str) -> str | None:
    """HH:MM of an exported timestamp (2020-04-11T03:43:02Z -> 03:43); None for a bare date or no timestamp.

    Synthea's clock is UTC and it records no facility time zone, so the time is carried as exported."""
    if len(timestamp) <= 10:
        return None
    try:
        return datetime.fromisoformat(timestamp).strftime("%H:%M")
    except ValueError:
        return None
