"""Institutional claim codes: admission type, point of origin and patient status present, and consistent with the
claim's dates, type of bill and the patient's recorded date of death; an inpatient stay's admission and discharge
hours present (rules/scrub/institutional.yaml).

Which codes mean "still a patient", "expired" and so on comes from that file's ``institutional_codes`` settings;
the code values themselves were checked against NUBC's lists by intake.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from rcm.errors import ConfigError

if TYPE_CHECKING:
    from rcm.coding.engine import ClaimRun

__all__ = ["InstitutionalPolicy", "institutional_codes", "institutional_policy"]

SETTINGS_KEY = "institutional_codes"


class InstitutionalPolicy(BaseModel):
    """The ``institutional_codes`` settings: which patient statuses and facility types the checks look for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    still_patient_statuses: frozenset[str]
    expired_statuses: frozenset[str]
    hospice_only_statuses: frozenset[str]
    hospice_facility_types: frozenset[str]
    outpatient_only_statuses: frozenset[str]

    @field_validator("*", mode="before")
    @classmethod
    def _two_digit_codes(cls, value: Any) -> Any:
        if not isinstance(value, list) or not all(isinstance(v, str) and len(v) == 2 and v.isdigit() for v in value):
            raise ValueError("a list of two-digit codes written as quoted text, e.g. [\"20\", \"40\"]")
        return frozenset(value)


_policies: dict[int, tuple[dict[str, Any], InstitutionalPolicy | None]] = {}
_lock = threading.Lock()


def institutional_policy(settings: dict[str, Any]) -> InstitutionalPolicy | None:
    """The policy in a rule book's merged settings (None when no rule file sets it); read once per rule book."""
    with _lock:
        cached = _policies.get(id(settings))
        if cached is not None and cached[0] is settings:
            return cached[1]
    raw = settings.get(SETTINGS_KEY)
    policy: InstitutionalPolicy | None = None
    if raw is not None:
        try:
            policy = InstitutionalPolicy.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"rule settings: {SETTINGS_KEY}.{where}: {first['msg']}") from None
    with _lock:
        if len(_policies) > 16:
            _policies.clear()
        _policies[id(settings)] = (settings, policy)
    return policy


def institutional_codes(run: ClaimRun) -> None:
    """The CL1 checks of one institutional claim."""
    encounter = run.encounter
    inpatient = encounter.is_inpatient
    status = encounter.patient_status
    start, through = encounter.statement_period
    if inpatient:
        if encounter.admission_type is None:
            run.emit("INST-ADMISSION-TYPE-MISSING", field="admission_type")
        if encounter.point_of_origin is None:
            run.emit("INST-POINT-OF-ORIGIN-MISSING", field="point_of_origin")
        # X223A2 DTP*435 (DT) and, on a final bill (the stay has a discharge date), DTP*096: the 837I builder
        # sends no time of day it was not given.
        if encounter.admission_time is None:
            run.emit("INST-ADMISSION-HOUR-MISSING", field="admission_time")
        if encounter.discharge_date is not None and encounter.discharge_time is None:
            run.emit("INST-DISCHARGE-HOUR-MISSING", field="discharge_time",
                     discharged=encounter.discharge_date.isoformat())  # fmt: skip
    else:
        missing = [
            (name, words)
            for name, words in (("admission_type", "admission type"), ("point_of_origin", "point of origin"))
            if getattr(encounter, name) is None
        ]
        if missing:
            run.emit(
                "INST-OUTPATIENT-ADMISSION-CODES", field=missing[0][0], what=" or ".join(w for _, w in missing)
            )
    if status is None:
        run.emit("INST-PATIENT-STATUS-MISSING", field="patient_status", through=through.isoformat())
        return
    policy = institutional_policy(run.book.settings)
    if policy is None:
        return
    still_patient = status in policy.still_patient_statuses
    if still_patient and encounter.discharge_date is not None:
        run.emit("INST-STILL-PATIENT-DISCHARGED", field="discharge_date", status=status)
    if inpatient and not still_patient and encounter.discharge_date is None:
        run.emit("INST-DISCHARGE-DATE-MISSING", field="discharge_date", status=status, through=through.isoformat())
    facility = encounter.facility_type
    if status in policy.hospice_only_statuses and facility not in policy.hospice_facility_types:
        run.emit("INST-STATUS-HOSPICE-ONLY", field="patient_status", status=status, facility=facility or "13")
    if inpatient and status in policy.outpatient_only_statuses:
        run.emit("INST-STATUS-ADMITTED-ON-INPATIENT", field="patient_status", status=status)
    death = encounter.patient.deceased_date
    if death is None:
        return
    if status in policy.expired_statuses:
        if death != through:
            run.emit("INST-EXPIRED-DEATH-DATE", field="patient.deceased_date", status=status,
                     through=through.isoformat())  # fmt: skip
    elif start <= death <= through:
        run.emit("INST-DIED-NOT-EXPIRED", field="patient_status", status=status)
