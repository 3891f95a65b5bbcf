"""Which service types (EQ01) to ask a payer about for an encounter: 30 (health benefit plan coverage) unless
the procedures or the place of service say what kind of care it was (98 office visit, 86 emergency, 5 lab...)."""

from __future__ import annotations

from collections.abc import Iterable

from rcm.domain import Encounter

__all__ = ["PLAN_COVERAGE", "service_type_for_code", "service_types_for"]

PLAN_COVERAGE = "30"
_MAX_TYPES = 99  # EQ01 repeats allowed by X279A1

# Numeric CPT ranges, first match wins: (low, high, service type).
_CPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (99202, 99215, "98"),  # office or other outpatient E/M
    (99281, 99288, "86"),  # emergency department
    (99221, 99239, "48"),  # hospital inpatient
    (99241, 99255, "3"),  # consultations
    (99341, 99350, "42"),  # home visits
    (99381, 99397, "BZ"),  # preventive medicine (well visit)
    (98940, 98942, "33"),  # chiropractic manipulative treatment
    (92002, 92014, "AL"),  # ophthalmological services
    (92015, 92015, "AL"),  # refraction
    (92507, 92508, "AF"),  # speech therapy
    (90785, 90899, "MH"),  # psychiatry / psychotherapy
    (90460, 90474, "80"),  # immunization administration
    (90476, 90749, "80"),  # vaccines
    (97010, 97799, "PT"),  # physical medicine and rehabilitation
    (77261, 77799, "6"),  # radiation oncology
    (70010, 79999, "4"),  # radiology (diagnostic imaging, ultrasound, nuclear medicine)
    (80047, 89398, "5"),  # pathology and laboratory
    (100, 1999, "7"),  # anesthesia
    (10004, 69990, "2"),  # surgery
)

# Place of service -> service type when the procedures do not say (23 emergency room, 21 inpatient...).
_PLACE_OF_SERVICE = {"23": "86", "21": "48", "22": "50", "20": "UC", "81": "5", "12": "42"}


def service_type_for_code(code: str) -> str | None:
    """The service type of one CPT/HCPCS code, None when the code does not tell."""
    code = code.strip().upper()
    if code.startswith("D") and code[1:].isdigit():
        return "35"  # CDT dental
    if code.startswith("V") and code[1:].isdigit():
        return "AL"  # HCPCS vision
    if len(code) == 5 and code.isdigit():
        number = int(code)
        for low, high, service_type in _CPT_RANGES:
            if low <= number <= high:
                return service_type
    return None


def _unique(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


def service_types_for(encounter: Encounter) -> list[str]:
    """The EQ01 list for an encounter, in line order; ["30"] when nothing specific is known."""
    found = _unique(t for t in (service_type_for_code(line.code) for line in encounter.lines) if t)
    if not found:
        places = [line.place_of_service for line in encounter.lines if line.place_of_service]
        place = encounter.place_of_service or (places[0] if places else None)
        specific = _PLACE_OF_SERVICE.get(str(place)) if place else None
        found = [specific] if specific else []
    return found[:_MAX_TYPES] or [PLAN_COVERAGE]
