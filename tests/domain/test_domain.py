"""The domain model accepts the canonical export shape and keeps fixable problems for the scrubber."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from rcm.domain import Claim, ClaimFrequency, CoveragePriority, Encounter, Relationship


def example() -> dict[str, Any]:
    return {
        "encounter_id": "E1001",
        "date_of_service": "2026-10-03",
        "place_of_service": "11",
        "patient": {
            "id": "P1",
            "first_name": "Ann",
            "last_name": "Lee",
            "birth_date": "1980-01-02",
            "sex": "F",
            "address": {"line1": "1 Main St", "city": "Cambridge", "state": "MA", "zip": "02139"},
        },
        "coverage": [
            {
                "priority": "primary",
                "payer_id": "BCBS1",
                "payer_name": "Blue Cross",
                "member_id": "XYZ1",
                "group_number": "G1",
                "relationship": "self",
                "subscriber": None,
            }
        ],
        "billing_provider": {
            "npi": "1234567893",
            "name": "Clinic",
            "tax_id": "12-3456789",
            "taxonomy": "207Q00000X",
            "address": {"line1": "2 Main St", "city": "Cambridge", "state": "MA", "zip": "02139"},
        },
        "rendering_provider": {"npi": "1245319599", "first_name": "Jo", "last_name": "Doc", "taxonomy": "207Q00000X"},
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
            }
        ],
    }


def test_canonical_example_parses() -> None:
    enc = Encounter.model_validate(example())
    assert enc.diagnoses == ["J020", "R509"]
    assert enc.diagnosis_list[0].dotted == "J02.0"
    assert enc.total_charge == Decimal("125.00")
    assert enc.billing_provider is not None and enc.billing_provider.tax_id == "123456789"
    cov = enc.primary_coverage
    assert cov is not None and cov.priority is CoveragePriority.primary and cov.relationship is Relationship.self_
    assert enc.patient.age_on(date(2026, 10, 3)) == 46


def test_line_date_defaults_to_encounter_date() -> None:
    data = example()
    del data["lines"][0]["date_of_service"]
    assert Encounter.model_validate(data).lines[0].date_of_service == date(2026, 10, 3)


def test_fixable_problems_are_kept_for_the_scrubber() -> None:
    data = example()
    data["diagnoses"] = ["J02"]  # a header code: not billable, but a real ICD-10-CM shape
    data["lines"][0]["diagnosis_pointers"] = [5]  # out of range
    data["lines"][0]["charge"] = "0.00"
    data["place_of_service"] = "29"  # unassigned
    data["rendering_provider"]["npi"] = "1234567890"  # wrong check digit
    enc = Encounter.model_validate(data)
    assert enc.lines[0].charge == Decimal("0.00")


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("date_of_service",), "2026-02-30"),
        (("lines", 0, "code"), "99-13"),
        (("diagnoses", 0), "02.0"),
        (("billing_provider", "npi"), "12345"),
        (("lines", 0, "charge"), "abc"),
        (("encounter_id",), ""),
    ],
)
def test_unrepresentable_records_are_refused(path: tuple[Any, ...], value: Any) -> None:
    data = example()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(ValidationError):
        Encounter.model_validate(data)


def test_no_lines_is_refused() -> None:
    data = example()
    data["lines"] = []
    with pytest.raises(ValidationError):
        Encounter.model_validate(data)


def test_replacement_claim_needs_payer_claim_number() -> None:
    enc = Encounter.model_validate(example())
    cov = enc.coverage[0]
    with pytest.raises(ValidationError):
        Claim(claim_id="E1001", encounter=enc, payer=cov.payer, coverage=cov, frequency_code=ClaimFrequency.replacement)
    claim = Claim(
        claim_id="E1001",
        encounter=enc,
        payer=cov.payer,
        coverage=cov,
        frequency_code=ClaimFrequency.replacement,
        payer_claim_number="PCN123",
    )
    assert claim.total_charge == Decimal("125.00")
