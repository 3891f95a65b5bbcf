"""The worklist's filters refuse what they cannot mean (the query itself is exercised through the web pages in
tests/web/test_pages.py, against a seeded store)."""

from __future__ import annotations

import pytest

from rcm.coding.worklist import WorklistFilters, WorklistPage, person_name
from rcm.errors import InputError
from rcm.store import ZERO


@pytest.mark.parametrize(
    "changes",
    [
        {"severity": "fatal"},
        {"sort": "name"},
        {"min_age": -1},
        {"min_age": 30, "max_age": 10},
        {"page": 0},
        {"page_size": 0},
        {"page_size": 501},
    ],
)
def test_filters_that_cannot_be(changes: dict[str, object]) -> None:
    with pytest.raises(InputError):
        WorklistFilters(**changes)  # type: ignore[arg-type]


def test_pages_and_names() -> None:
    filters = WorklistFilters(page_size=10)
    assert WorklistPage([], 0, ZERO, filters).pages == 1
    assert WorklistPage([], 21, ZERO, filters).pages == 3
    assert person_name("Dana", "Okafor") == "Okafor, Dana"
    assert person_name(None, None, "Riverbend Family Medicine") == "Riverbend Family Medicine"
    assert person_name(None, None) == ""
