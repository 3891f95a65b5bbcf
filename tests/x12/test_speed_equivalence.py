"""The parse's fast paths give the same values as the general rules: cached amounts and dates, single-reason
CAS, short and odd segments padded in place, one-pointer diagnosis lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rcm.x12.delimiters import Delimiters
from rcm.x12.reader import read_file
from rcm.x12.sets import common
from rcm.x12.sets.common import Amount, DateValue, Party, Quantity, Reference, date_of, money, money_or_zero
from rcm.x12.sets.x835.segments import Adjustment, adjustments_of
from rcm.x12.tokenizer import Segment

ISA = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *240105*0930*^*00501*000000042*0*P*:~"


def _seg(text: str) -> Segment:
    parts = text.split("*")
    return Segment(parts[0], parts[1:], 7, 0, Delimiters.default())


@pytest.mark.parametrize(
    ("value", "expected"),
    [("125", Decimal("125")), ("125.50", Decimal("125.50")), ("-10.00", Decimal("-10.00")), ("", None),
     ("12A", None), ("NaN", None), ("Infinity", None)],
)
def test_money_same_on_first_and_cached_reads(value: str, expected: Decimal | None) -> None:
    common._MONEY_CACHE.clear()
    first = money(value)
    second = money(value)  # from the cache (except "", never cached)
    assert first == expected and second == expected
    assert str(first) == str(expected) if expected is not None else first is None
    zero = money_or_zero(value)
    assert zero == (expected if expected is not None else Decimal("0.00"))
    assert str(money_or_zero(value)) == str(zero)
    assert "" not in common._MONEY_CACHE


def test_money_or_zero_before_money_fills_the_cache_alike() -> None:
    common._MONEY_CACHE.clear()
    assert str(money_or_zero("7.5")) == "7.5"
    assert common._MONEY_CACHE["7.5"] == Decimal("7.5")
    assert money_or_zero("bad") == Decimal("0.00")
    assert common._MONEY_CACHE["bad"] is None and money("bad") is None


def test_dates_cached_including_bad_ones() -> None:
    common._DATE_CACHE.clear()
    assert date_of("20240229") == date(2024, 2, 29) == date_of("20240229")
    assert date_of("20230229") is None and date_of("20230229") is None
    assert date_of("") is None and date_of("2024010") is None


def test_short_segments_pad_to_empty_strings() -> None:
    assert Reference.of(_seg("REF*6R")) == Reference("6R", "", "", 7)
    assert Reference.of(_seg("REF")) == Reference("", "", "", 7)
    assert Amount.of(_seg("AMT*B6")) == Amount("B6", None, 7)
    assert Quantity.of(_seg("QTY")) == Quantity("", None, 7)
    dtm = DateValue.of_dtm(_seg("DTM*472"))
    assert (dtm.qualifier, dtm.value, dtm.end, dtm.raw) == ("472", None, None, "")
    dtp = DateValue.of_dtp(_seg("DTP*472*RD8*20240101-20240105"))
    assert (dtp.value, dtp.end, dtp.raw) == (date(2024, 1, 1), date(2024, 1, 5), "20240101-20240105")
    one = DateValue.of_dtp(_seg("DTP*472*D8*20240101"))
    assert one.value == one.end == date(2024, 1, 1)
    party = Party.of_nm1(_seg("NM1*QC*1*DOE"))
    assert (party.entity, party.entity_type, party.last_name, party.id_qualifier, party.id) == ("QC", "1", "DOE",
                                                                                                  "", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CAS*CO*45*12.50", [("CO", "45", "12.50", None)]),
        ("CAS*PR*3*20*1", [("PR", "3", "20", "1")]),
        ("CAS*PR*3*20*", [("PR", "3", "20", None)]),
        ("CAS*CO**", []),
        ("CAS*CO***2", []),
        ("CAS*CO**5.00", [("CO", "", "5.00", None)]),
        ("CAS*CO*45*x", [("CO", "45", "0.00", None)]),
        ("CAS*CO*45", [("CO", "45", "0.00", None)]),
        ("CAS", [("", "", "0.00", None)]),
        ("CAS*CO*45*10*1*253*2.5", [("CO", "45", "10", "1"), ("CO", "253", "2.5", None)]),
        ("CAS*OA*23*1**2*3", [("OA", "23", "1", None), ("OA", "2", "3", None)]),
    ],
)
def test_cas_reasons(text: str, expected: list[tuple[str, str, str, str | None]]) -> None:
    got = adjustments_of(_seg(text))
    assert all(isinstance(a, Adjustment) and a.segment == 7 for a in got)
    assert [(a.group, a.reason, str(a.amount), None if a.quantity is None else str(a.quantity)) for a in got] == (
        expected
    )


def _claim_837(sv1: str) -> str:
    body = [
        "ST*837*0001*005010X222A1", "BHT*0019*00*B1*20240105*0930*CH",
        "NM1*41*2*SUBMITTER*****46*S1", "PER*IC*DESK*TE*5555550100", "NM1*40*2*RECEIVER*****46*R1",
        "HL*1**20*1", "NM1*85*2*PRACTICE*****XX*1234567893", "N3*1 MAIN ST", "N4*MADISON*WI*53703",
        "REF*EI*123456789", "HL*2*1*22*0", "SBR*P*18*******CI", "NM1*IL*1*DOE*JANE****MI*M1",
        "DMG*D8*19800101", "NM1*PR*2*PAYER*****PI*P1", "CLM*PCN1*100***11:B:1*Y*A*Y*Y", "HI*ABK:Z0000*ABF:I10",
        "LX*1", sv1, "DTP*472*D8*20240102", "SE*20*0001",
    ]
    group = "GS*HC*SUBMITTER*RECEIVER*20240105*0930*1*X*005010X222A1~"
    return ISA + group + "~".join(body) + "~GE*1*1~IEA*1*000000042~"


@pytest.mark.parametrize(
    ("sv1", "pointers", "units", "emergency"),
    [
        ("SV1*HC:99213*100*UN*1***1", [1], Decimal("1"), ""),
        ("SV1*HC:99213*100*UN*1***1:2:4", [1, 2, 4], Decimal("1"), ""),
        ("SV1*HC:99213*100*UN*2***2:x", [2], Decimal("2"), ""),
        ("SV1*HC:99213*100*UN*1***12", [12], Decimal("1"), ""),
        ("SV1*HC:99213*100*UN*1*****Y", [], Decimal("1"), "Y"),
        ("SV1*HC:99213*100", [], None, ""),
    ],
)
def test_837_line_pointers_and_padding(sv1: str, pointers: list[int], units: Decimal | None,
                                       emergency: str) -> None:
    batch = read_file(_claim_837(sv1).encode()).transactions[0].model
    (claim,) = batch.claims
    (line,) = claim.lines
    assert line.diagnosis_pointers == pointers
    assert line.units == units and line.emergency == emergency
    assert line.charge == Decimal("100") and line.procedure is not None and line.procedure.code == "99213"
    assert line.service_date == date(2024, 1, 2)
    assert [c.code for c in claim.codes] == ["Z0000", "I10"]
    assert claim.subscriber is not None and claim.subscriber.birth_date == date(1980, 1, 1)
    assert claim.subscriber.gender == "" and claim.subscriber.filing_indicator == "CI"
