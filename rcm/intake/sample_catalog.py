"""What the sample export is made of: fees, visit patterns (ICD-10-CM + CPT/HCPCS), invented names, providers.

Everything here is synthetic. CPT codes appear as codes only (no AMA descriptions). Used by rcm.intake.sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rcm.codes import npi_with_check_digit

__all__ = [
    "FEES",
    "FIRST_F",
    "FIRST_M",
    "LAST",
    "PRACTICES",
    "PREVENTIVE_BY_AGE",
    "RENDERING",
    "SAMPLE_DIR",
    "STREETS",
    "TOWNS",
    "VISITS",
    "Line",
    "Visit",
    "bad_check_digit",
    "synthetic_npi",
]

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "samples"
"""The repository's samples/ folder (encounters.jsonl, encounters.csv), found next to the package."""

FEES = {
    "99202": "110.00",
    "99203": "165.00",
    "99204": "245.00",
    "99212": "75.00",
    "99213": "125.00",
    "99214": "185.00",
    "99215": "250.00",
    "99392": "160.00",
    "99393": "160.00",
    "99394": "175.00",
    "99395": "190.00",
    "99396": "210.00",
    "99397": "225.00",
    "G0439": "175.00",
    "36415": "15.00",
    "80053": "38.00",
    "80061": "42.00",
    "83036": "30.00",
    "85025": "24.00",
    "80048": "30.00",
    "84443": "45.00",
    "81002": "12.00",
    "87086": "28.00",
    "87880": "32.00",
    "11102": "145.00",
    "17110": "135.00",
    "20610": "120.00",
    "69210": "85.00",
    "J3301": "4.50",
    "J1030": "12.00",
    "J3420": "8.00",
    "96372": "35.00",
    "90471": "28.00",
    "90686": "32.00",
    "90715": "55.00",
    "90460": "30.00",
    "90707": "95.00",
    "97161": "140.00",
    "97110": "45.00",
    "97140": "42.00",
    "97530": "48.00",
    "96127": "20.00",
    "73610": "65.00",
    "29540": "45.00",
    "93000": "40.00",
}


@dataclass(frozen=True)
class Line:
    code: str
    modifiers: tuple[str, ...] = ()
    units: int = 1
    pointers: tuple[int, ...] = (1,)


@dataclass(frozen=True)
class Visit:
    """A realistic visit pattern: diagnoses (ICD-10-CM) and the lines billed for them."""

    name: str
    diagnoses: tuple[str, ...]
    lines: tuple[Line, ...]
    ages: tuple[int, int] = (0, 120)
    pos: str = "11"
    needs_auth: bool = False


VISITS: tuple[Visit, ...] = (
    Visit("sore throat", ("J02.0", "R50.9"), (Line("99213", pointers=(1, 2)), Line("87880", ("QW",)))),
    Visit("sinusitis", ("J01.90",), (Line("99213"),)),
    Visit("bronchitis", ("J20.9", "R05.9"), (Line("99214", pointers=(1, 2)),)),
    Visit(
        "skin lesion biopsy",
        ("L82.1", "D48.5"),
        (Line("99213", ("25",), pointers=(2,)), Line("11102", pointers=(2, 1))),
    ),
    Visit("warts", ("B07.8",), (Line("99213", ("25",)), Line("17110"))),
    Visit(
        "knee injection",
        ("M17.11",),
        (Line("99214", ("25",)), Line("20610", ("RT",)), Line("J3301", units=4)),
        ages=(40, 95),
        needs_auth=True,
    ),
    Visit("cerumen", ("H61.23",), (Line("99212", ("25",)), Line("69210", ("50",)))),
    Visit(
        "diabetes follow-up",
        ("E11.9", "I10", "E78.5"),
        (Line("99214", pointers=(1, 2, 3)), Line("83036"), Line("80048", pointers=(1, 2)), Line("36415")),
        ages=(30, 95),
    ),
    Visit("hypertension follow-up", ("I10",), (Line("99213"), Line("93000")), ages=(35, 95)),
    Visit("depression follow-up", ("F32.1",), (Line("99214"), Line("96127"))),
    Visit("telehealth follow-up", ("F41.1",), (Line("99213", ("95",)),), ages=(18, 80), pos="10"),
    Visit("urinary infection", ("N39.0", "R30.0"), (Line("99213", pointers=(1, 2)), Line("81002"), Line("87086"))),
    Visit("ankle sprain", ("S93.401A",), (Line("99203"), Line("73610", ("RT",)), Line("29540", ("RT",))), ages=(8, 70)),
    Visit("back pain injection", ("M54.16",), (Line("99213", ("25",)), Line("96372"), Line("J1030"))),
    Visit("B12 deficiency", ("D51.0",), (Line("96372"), Line("J3420"))),
    Visit("flu shot", ("Z23",), (Line("90471"), Line("90686"))),
    Visit(
        "therapy evaluation",
        ("M54.50", "M62.81"),
        (Line("97161", ("GP",), pointers=(1, 2)), Line("97110", ("GP",), units=2)),
        ages=(18, 90),
        needs_auth=True,
    ),
    Visit(
        "therapy session",
        ("M54.50",),
        (Line("97110", ("GP",), units=3), Line("97140", ("GP", "59"), units=2), Line("97530", ("GP",))),
        ages=(18, 90),
        needs_auth=True,
    ),
    Visit("thyroid check", ("E03.9",), (Line("99213"), Line("84443"), Line("36415")), ages=(20, 95)),
)

PREVENTIVE_BY_AGE = (
    (1, 4, "99392"),
    (5, 11, "99393"),
    (12, 17, "99394"),
    (18, 39, "99395"),
    (40, 64, "99396"),
    (65, 120, "99397"),
)

FIRST_F = ("Ava", "Maya", "Lena", "Nora", "Iris", "June", "Ruth", "Alma", "Vera", "Edith", "Cora", "Hazel")
FIRST_M = ("Owen", "Ezra", "Milo", "Hugo", "Amos", "Felix", "Jude", "Otto", "Silas", "Abel", "Rhys", "Leon")
LAST = (
    "Testwell",
    "Samplesen",
    "Fakeley",
    "Mockford",
    "Demoson",
    "Placeholt",
    "Synthetica",
    "Examplar",
    "Notreal",
    "Trialby",
    "Fixturo",
    "Stubbins",
    "Draftwood",
    "Pseudon",
)
STREETS = ("Maple Ave", "Harbor St", "Elm Row", "Quarry Rd", "Mill Lane", "Orchard Way", "Beacon Ct")
TOWNS = (
    ("Lowell", "01852"),
    ("Quincy", "02169"),
    ("Salem", "01970"),
    ("Worcester", "01608"),
    ("Cambridge", "02139"),
    ("Framingham", "01702"),
)


def synthetic_npi(stem: int) -> str:
    return npi_with_check_digit(f"{stem:09d}")


def bad_check_digit(npi: str) -> str:
    return npi[:9] + str((int(npi[9]) + 1) % 10)


PRACTICES: tuple[dict[str, Any], ...] = (
    {
        "npi": synthetic_npi(112_345_670),
        "name": "Riverbend Family Medicine",
        "tax_id": "041234567",
        "taxonomy": "207Q00000X",
        "address": {"line1": "100 Riverbend Pkwy", "city": "Lowell", "state": "MA", "zip": "01852"},
    },
    {
        "npi": synthetic_npi(198_765_430),
        "name": "Harborview Internal Medicine Group",
        "tax_id": "046543210",
        "taxonomy": "207R00000X",
        "address": {"line1": "22 Harbor St Ste 3", "city": "Quincy", "state": "MA", "zip": "02169"},
    },
    {
        "npi": synthetic_npi(145_678_900),
        "name": "Northshore Physical Therapy",
        "tax_id": "047777123",
        "taxonomy": "225100000X",
        "address": {"line1": "7 Beacon Ct", "city": "Salem", "state": "MA", "zip": "01970"},
    },
)
RENDERING: tuple[tuple[int, dict[str, Any]], ...] = (  # (practice index, provider)
    (0, {"npi": synthetic_npi(123_456_780), "first_name": "Dana", "last_name": "Okafor", "taxonomy": "207Q00000X"}),
    (0, {"npi": synthetic_npi(134_567_890), "first_name": "Luis", "last_name": "Brandt", "taxonomy": "208000000X"}),
    (0, {"npi": synthetic_npi(156_789_010), "first_name": "Priya", "last_name": "Halvorsen", "taxonomy": "363LF0000X"}),
    (1, {"npi": synthetic_npi(167_890_120), "first_name": "Samuel", "last_name": "Ikeda", "taxonomy": "207R00000X"}),
    (1, {"npi": synthetic_npi(178_901_230), "first_name": "Grace", "last_name": "Moreau", "taxonomy": "207RE0101X"}),
    (2, {"npi": synthetic_npi(189_012_340), "first_name": "Tomas", "last_name": "Reyes", "taxonomy": "225100000X"}),
)
