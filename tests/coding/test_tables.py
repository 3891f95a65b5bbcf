"""Edit table loaders (both NCCI layouts, MUE), the compiled cache and its rebuild when a source changes."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from rcm.coding.mue import read_mue_file
from rcm.coding.ncci import NO_END, PtpTable, day_number, read_ptp_file
from rcm.coding.tables import TableStore, guess_setting
from rcm.errors import UnreadableFileError

from .conftest import RULES_DIR

CODESETS_HEADER = (
    "Column 1,Column 2,*=in existence prior to 1996,Effective Date,Deletion Date *=no data,"
    "Modifier 0=not allowed 1=allowed 9=not applicable,PTP Edit Rationale\n"
)


def test_practitioner_layout_sample() -> None:
    rows, convention = read_ptp_file(RULES_DIR / "ncci" / "ptp_practitioner_sample.txt")
    assert convention == "first_day_after" and len(rows) == 10
    table = PtpTable(rows)
    # CMS deletion date 20200101 = the edit applied through 2019-12-31.
    assert table.window("11102", "99213")[0][1] == date(2019, 12, 31)
    assert table.indicator("36415", "36416", day_number(date(2026, 1, 1))) == 9
    assert table.indicator("80053", "80048", day_number(date(2026, 1, 1))) == 0
    assert table.indicator("80048", "80053", day_number(date(2026, 1, 1))) is None  # pairs are ordered


def test_codesets_layout_gzip(tmp_path: Path) -> None:
    path = tmp_path / "ptp.csv.gz"
    body = CODESETS_HEADER + "80053,82040,,20190701,20251231,1,\n80053,82040,,20260101,*,0,\n"
    path.write_bytes(gzip.compress(body.encode()))
    rows, convention = read_ptp_file(path)
    assert convention == "last_day"
    assert list(rows.last_day) == [day_number(date(2025, 12, 31)), NO_END]
    table = PtpTable(rows)
    assert table.indicator("80053", "82040", day_number(date(2025, 12, 31))) == 1
    assert table.indicator("80053", "82040", day_number(date(2026, 1, 1))) == 0


def test_deletion_convention_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "ptp.csv"
    path.write_text(CODESETS_HEADER + "80053,82040,,20190701,20260101,1,\n", encoding="utf-8")
    rows, _ = read_ptp_file(path, deletion="first_day_after")
    assert int(rows.last_day[0]) == day_number(date(2025, 12, 31))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("80053,82040,,2019-07-01,*,1,\n", "line 2: Effective Date"),
        ("80053,82040,,20190701,*,5,\n", "line 2: modifier indicator"),
        ("80053,82040,,20190701,*,1,\nthis is not an edit\n", "line 3: not an edit row"),
        ("", "no NCCI edit rows"),
    ],
)
def test_bad_ptp_files_say_where(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CODESETS_HEADER + body, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=message):
        read_ptp_file(path)


def test_mue_sample_and_plain_csv(tmp_path: Path) -> None:
    sample = read_mue_file(RULES_DIR / "ncci" / "mue_practitioner_sample.csv")
    assert sample["20610"].mai == 1 and sample["20610"].max_units == 2
    assert sample["80053"].mai == 2 and sample["96372"].mai == 3
    plain = tmp_path / "mue.csv"
    plain.write_text("code,mue,mai\n99213,1,2\nJ3301,16,3 Date of Service Edit: Clinical\n", encoding="utf-8")
    assert read_mue_file(plain)["J3301"].max_units == 16
    plain.write_text("code,mue,mai\n99213,one,2\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="line 2"):
        read_mue_file(plain)


def test_guess_setting() -> None:
    assert guess_setting(Path("ccipra-v321r0-f1.txt")) == "practitioner"
    assert guess_setting(Path("ccioph-v321r0-f1.txt")) == "hospital"
    assert guess_setting(Path("edits.txt")) is None


def test_import_and_rebuild_when_a_source_changes(tmp_path: Path) -> None:
    store = TableStore(tmp_path / "data", tmp_path / "rules")  # no shipped hospital table to compile here
    source = tmp_path / "ccipra-v999r0-f1.txt"
    source.write_text((RULES_DIR / "ncci" / "ptp_practitioner_sample.txt").read_text(encoding="utf-8"), "utf-8")
    entry = store.import_ncci([source], setting="practitioner")
    assert entry["rows"] == 10
    tables, sources = store.ptp_tables()
    assert len(tables["practitioner"]) == 10 and "NCCI practitioner" in sources[0]
    # A new quarter lands in the same file: the compiled table is rebuilt on the next load.
    with source.open("a", encoding="utf-8") as fh:
        fh.write("99213\t99211\t\t20260101\t*\t1\tMutually exclusive procedures\n")
    tables, _ = store.ptp_tables()
    assert len(tables["practitioner"]) == 11
    assert tables["practitioner"].indicator("99213", "99211", day_number(date(2026, 2, 1))) == 1
    # The source moved away: the compiled table keeps working.
    source.unlink()
    tables, _ = store.ptp_tables()
    assert len(tables["practitioner"]) == 11


def test_mue_import_replaces_the_sample(tmp_path: Path) -> None:
    store = TableStore(tmp_path / "data", RULES_DIR)
    tables, sources = store.mue_tables()
    assert "sample" in sources[0]
    real = tmp_path / "MCR_MUE_PractitionerServices.csv"
    real.write_text(
        '"copyright line"\n"HCPCS/CPT Code","Practitioner Services MUE Values",'
        '"MUE Adjudication Indicator","MUE Rationale"\n"99213","2","3 Date of Service Edit: Clinical",'
        '"Clinical: Data"\n',
        encoding="utf-8",
    )
    store.import_mue([real], setting="practitioner")
    tables, sources = store.mue_tables()
    assert tables["practitioner"]["99213"].max_units == 2 and "20610" not in tables["practitioner"]


def test_codesets_cache_is_reused(tmp_path: Path) -> None:
    store = TableStore(tmp_path / "data", RULES_DIR)
    first = store.codesets()
    cached = list((tmp_path / "data" / "coding").glob("codesets_*.pickle"))
    assert len(cached) == 1
    again = store.codesets()
    assert again.icd.keys() == first.icd.keys() and len(again.hcpcs) == len(first.hcpcs) == 8256
