"""Valid encounter data for store tests (synthetic: no real person)."""

from __future__ import annotations

from typing import Any

from rcm.codes import npi_with_check_digit

BILLING_NPI = npi_with_check_digit("123456789")
RENDERING_NPI = npi_with_check_digit("198765432")


def encounter_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "encounter_id": "E1001",
        "date_of_service": "2026-10-03",
        "place_of_service": "11",
        "patient": {
            "id": "P1",
            "first_name": "Test",
            "last_name": "Patient",
            "birth_date": "1980-01-02",
            "sex": "F",
            "address": {"line1": "1 Main St", "city": "Cambridge", "state": "MA", "zip": "02139"},
        },
        "coverage": [
            {
                "priority": "primary",
                "payer_id": "PAYER1",
                "payer_name": "First Health Plan",
                "member_id": "M123",
                "group_number": "G9",
                "relationship": "self",
                "subscriber": None,
            }
        ],
        "billing_provider": {"npi": BILLING_NPI, "name": "Clinic", "tax_id": "123456789", "taxonomy": "207Q00000X"},
        "rendering_provider": {"npi": RENDERING_NPI, "first_name": "Ann", "last_name": "Doc", "taxonomy": "207Q00000X"},
        "referring_provider": None,
        "prior_authorization": None,
        "diagnoses": ["J02.0", "R50.9"],
        "lines": [
            {
                "line_id": "1",
                "code": "99213",
                "modifiers": ["25"],
                "units": 1,
                "charge": "125.00",
                "diagnosis_pointers": [1, 2],
                "date_of_service": "2026-10-03",
            },
            {"line_id": "2", "code": "87880", "units": "1", "charge": "30.10", "diagnosis_pointers": [1]},
        ],
    }
    data.update(changes)
    return data
