"""Never a crash: damaged inputs (truncated, garbled, delimiters shuffled, random bytes) either raise
NotX12Error or read into transactions whose trees and models build, with findings instead of exceptions."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rcm.x12.errors import NotX12Error
from rcm.x12.reader import read_file
from rcm.x12.sets.registry import lookup

GOOD = (
    "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *240105*0930*^*00501*000000042*0*P*:~"
    "GS*HP*PAYER*PRACTICE*20240105*0930*7*X*005010X221A1~ST*835*0001*005010X221A1~BPR*I*80*C*CHK************20240110~"
    "TRN*1*CHK1*1512345678~N1*PR*PLAN~N3*1 MAIN~N4*CITY*IL*62701~N1*PE*PRACTICE*XX*1234567893~LX*1~"
    "CLP*PCN1*1*100*80*20*12*PC1~NM1*QC*1*DOE*J****MI*M1~SVC*HC:99213*100*80**1~DTM*472*20231201~"
    "CAS*PR*2*20~REF*6R*L1~PLB*1234567893*20241231*WO*0~SE*16*0001~GE*1*7~"
    "GS*HC*A*B*20240105*0930*8*X*005010X222A1~ST*837*0002*005010X222A1~BHT*0019*00*1*20240105*0930*CH~"
    "NM1*41*2*SUB*****46*S1~PER*IC*X*TE*5555550100~NM1*40*2*REC*****46*R1~HL*1**20*1~"
    "NM1*85*2*PRACTICE*****XX*1234567893~N3*1 MAIN~N4*CITY*IL*62701~REF*EI*123456789~HL*2*1*22*0~SBR*P*18*******MC~"
    "NM1*IL*1*DOE*J****MI*M1~NM1*PR*2*PLAN*****PI*P1~CLM*PCN1*100***11:B:1*Y*A*Y*Y~HI*ABK:Z0000~LX*1~"
    "SV1*HC:99213*100*UN*1***1~DTP*472*D8*20231201~SE*20*0002~GE*1*8~IEA*2*000000042~"
)


def _exercise(data: bytes) -> None:
    try:
        x = read_file(data)
    except NotX12Error:
        return
    for t in x.transactions:
        if lookup(t.set_id, t.version) is not None:
            _ = t.tree
            _ = t.model
        for f in t.findings:
            assert f.code and f.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(GOOD)), st.integers(min_value=0, max_value=len(GOOD)),
       st.binary(max_size=12))
def test_splices_never_crash(cut: int, end: int, junk: bytes) -> None:
    data = GOOD.encode()
    a, b = sorted((cut, end))
    _exercise(data[:a] + junk + data[b:])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["~", "*", ":", "^", "\n", "ISA", "ST*", "SE*", "HL*", "CLP*", "LX*", "SVC*", "NM1*"]),
                max_size=40))
def test_delimiter_soup_never_crashes(parts: list[str]) -> None:
    _exercise(("ST*835*0001~" + "".join(parts)).encode())


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=300))
def test_random_bytes_never_crash(data: bytes) -> None:
    _exercise(data)


def test_the_base_file_is_clean() -> None:
    x = read_file(GOOD.encode())
    assert x.findings == []
    assert all(t.structure_findings == [] for t in x.transactions)


def test_truncations_never_crash() -> None:
    data = GOOD.encode()
    for n in range(0, len(data), 7):
        _exercise(data[:n])


def test_non_ascii_digits_in_counts_and_dates() -> None:
    # '²'.isdigit() is true but int('²') fails: counts, control numbers and dates must not trip on it
    for bad in (GOOD.replace("SE*16*", "SE*1\u00b2*"), GOOD.replace("GE*1*7~", "GE*\u00b2*7~"),
                GOOD.replace("20231201", "2023120\u00b2"), GOOD.replace("*240105*", "*24010\u00b2*")):
        _exercise(bad.encode("latin-1"))
        _exercise(bad.encode("utf-8"))
