"""The compiled reader of regular 837P line loops (rcm/x12/_lines.c) builds what parse837._line builds.

Every sample and generated file is compared both ways in test_x12_fast_constructor.py; here the odd shapes are
spelled out: composite procedures of every length, missing and extra elements, repeated SV1, RD8 ranges,
malformed amounts and dates, and the loops it must leave to the Python reader.
"""

from __future__ import annotations

import os

import pytest

from rcm.x12.engine import Loop
from rcm.x12.reader import read_transactions
from rcm.x12.sets import parse837

compiled_only = pytest.mark.skipif(parse837._regular_line is None, reason="compiled line reader not built")


def test_the_compiled_line_reader_is_built() -> None:
    """`make venv` builds it; without it 837P lines are read by the Python reader, slower."""
    if os.environ.get("RCM_PURE_PYTHON_MODELS") or os.environ.get("RCM_PURE_PYTHON_TOKENIZER"):
        pytest.skip("a pure-Python switch is set")
    assert parse837._regular_line is not None

_HEAD = (
    "ST*837*0001*005010X222A1~BHT*0019*00*1*20260101*1200*CH~NM1*41*2*SUBMITTER*****46*S1~PER*IC*DESK*TE*5550100~"
    "NM1*40*2*RECEIVER*****46*R1~HL*1**20*1~NM1*85*2*CLINIC*****XX*1234567893~N3*1 MAIN ST~N4*CITY*WI*53703~"
    "REF*EI*123456789~HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~NM1*PR*2*PAYER*****PI*P1~"
    "CLM*A1*100***11:B:1*Y*A*Y*Y~HI*ABK:Z0000~"
)


def _loops_of(text: str, loop_id: str) -> list[Loop]:
    """The loops with that id in the tree of the (only) transaction of ``text``, in file order."""
    tx = next(iter(read_transactions(text)))
    return [loop for loop in tx.tree.walk() if loop.id == loop_id]


def _lines(line_text: str) -> list[Loop]:
    return _loops_of(_HEAD + line_text + "SE*99*0001~", "2400")


LINES = {
    "plain": "LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*D8*20260101~REF*6R*L1~",
    "modifiers": "LX*1~SV1*HC:99213:25::59:XS:desc*100*UN*2*11**1:2:3:4~",
    "long composite": "LX*1~SV1*HC:99213:25:59:XS:XU:a description:extra*100*UN*2~",
    "bare code": "LX*1~SV1*99213*100~",
    "empty procedure": "LX*1~SV1**100*UN*1~",
    "emergency": "LX*1~SV1*HC:99283*300*UN*1*23**1*Y~",
    "no units, bad amount": "LX*1~SV1*HC:99213*1O0*UN****1:X:2~",
    "two SV1": "LX*1~SV1*HC:99213*100*UN*1***1:2~SV1*HC:99214*120*MJ*30**~",
    "range": "LX*1~SV1*HC:99213*100*UN*1***1~DTP*472*RD8*20260101-20260105~DTP*472*D8*20261399~",
    "references": "LX*1~SV1*HC:99213*100*UN*1~REF*6R~REF*6R*L1*a description~REF~",
    "only LX": "LX*7~",
    "empty LX": "LX~SV1*HC:1*1~",
    "note (Python reader)": "LX*1~SV1*HC:99213*100*UN*1~NTE*ADD*a note~",
    "drug (Python reader)": "LX*1~SV1*HC:J3301*10*UN*1~LIN**N4*00003029305~CTP****1*UN~",
    "two lines": "LX*1~SV1*HC:99213*100*UN*1***1~LX*2~SV1*HC:99214*120*UN*1***1~DTP*472*D8*20260102~",
}


@compiled_only
@pytest.mark.parametrize("name", list(LINES))
def test_the_compiled_line_reader_builds_what_the_python_one_builds(name: str) -> None:
    loops = _lines(LINES[name])
    assert loops
    for loop in loops:
        python = parse837._line(loop)
        compiled = parse837._regular_line(loop)  # type: ignore[misc]
        if name.endswith("(Python reader)"):
            assert compiled is NotImplemented
            continue
        assert compiled is not NotImplemented
        assert compiled == python and repr(compiled) == repr(python)
        assert compiled.emergency == python.emergency and compiled.dates == python.dates
        assert [type(d.value) for d in compiled.dates] == [type(d.value) for d in python.dates]


@compiled_only
def test_it_leaves_everything_else_to_the_python_reader() -> None:
    (loop,) = _lines(LINES["plain"])
    assert parse837._regular_line(Loop("2400", "line", list(loop.segments), [loop])) is NotImplemented  # children
    assert parse837._regular_line(Loop("2400", "line", [], [])) is NotImplemented
    assert parse837._regular_line(Loop("2400", "line", loop.segments[1:], [])) is NotImplemented  # no LX first
    assert parse837._regular_line("not a loop") is NotImplemented  # type: ignore[arg-type]


_835_HEAD = (
    "ST*835*0001*005010X221A1~BPR*I*100*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999999999*DA*654321*20260105~"
    "TRN*1*12345*1512345678~DTM*405*20260105~N1*PR*PAYER~N3*1 PAYER WAY~N4*CITY*WI*53703~N1*PE*CLINIC*XX*1234567893~"
    "LX*1~CLP*A1*1*300*100**12*CLAIM1~NM1*QC*1*DOE*JANE****MI*M1~"
)

SERVICES = {
    "plain": "SVC*HC:99213*100*80**1~DTM*472*20260101~CAS*CO*45*20~REF*6R*L1~AMT*B6*80~",
    "six reasons": "SVC*HC:99214:25*200*0~CAS*CO*45*10**97*20*1*16*30*2*29*40**50*50**B7*50*3~",
    "single reasons": "SVC*HC:99213*100*80~CAS*PR*1*20*1~CAS*CO~CAS*OA**~CAS*CO*45~",
    "original procedure": "SVC*HC:99215*150*100*0450*2*HC:99214:25*3~LQ*HE*N130~LQ*HE~AMT*B6~",
    "bad amounts": "SVC*HC:99213*1O0*8O*UN*X~CAS*CO*45*1O~DTM*150*2026130~DTM~REF*6R~",
    "bare": "SVC~",
    "quantity (Python reader)": "SVC*HC:99213*100*80~QTY*ZK*2~",
}


def _services(text: str) -> list[Loop]:
    return _loops_of(_835_HEAD + text + "SE*99*0001~", "2110")


@compiled_only
@pytest.mark.parametrize("name", list(SERVICES))
def test_the_compiled_service_reader_builds_what_the_python_one_builds(name: str) -> None:
    from rcm.x12.sets.x835 import parsing

    assert parsing._regular_service is not None
    (loop,) = _services(SERVICES[name])
    python = parsing._service(loop)
    compiled = parsing._regular_service(loop)
    if name.endswith("(Python reader)"):
        assert compiled is NotImplemented
        return
    assert compiled is not NotImplemented
    assert compiled == python and repr(compiled) == repr(python)
    assert compiled.adjustments == python.adjustments and compiled.remarks == python.remarks
    assert [type(a.quantity) for a in compiled.adjustments] == [type(a.quantity) for a in python.adjustments]


NAME_LOOPS = {
    "person with address": "NM1*IL*1*DOE*JANE*Q*DR*JR*MI*M1~N3*1 MAIN ST*APT 2~N4*CITY*WI*53703~",
    "organisation, no address": "NM1*PR*2*PAYER*****PI*P1~",
    "short NM1": "NM1*IL~",
    "N4 without N3, with country": "NM1*IL*1*DOE*JANE****MI*M1~N4*TORONTO*ON*M5V2T6*CA~",
    "short N4": "NM1*IL*1*DOE*JANE****MI*M1~N3*1 MAIN ST~N4*CITY~",
    "two N4": "NM1*IL*1*DOE*JANE****MI*M1~N3*1 MAIN ST~N4*CITY*WI*53703~N4*OTHER*IL*60601~",
    "references and contact": "NM1*85*2*CLINIC*****XX*1234567893~N3*1 MAIN ST~N4*CITY*WI*53703~REF*EI*123456789~"
                              "PER*IC*DESK*TE*5550100*EX*12~",
    "contact only": "NM1*41*2*SUBMITTER*****46*S1~PER*IC*DESK*TE*5550100~",
    "other segments": "NM1*IL*1*DOE*JANE****MI*M1~DMG*D8*19800101*F~",
}


@compiled_only
@pytest.mark.parametrize("name", list(NAME_LOOPS))
def test_the_compiled_name_loop_reader_builds_what_party_of_builds(name: str) -> None:
    from rcm.x12.sets.common import party_of
    from rcm.x12.sets.compiled_lines import compiled_lines

    lines = compiled_lines()
    assert lines is not None
    tx = next(iter(read_transactions(f"ST*837*0001*005010X222A1~{NAME_LOOPS[name]}SE*9*0001~")))
    segments = tx.segments[1:-1]
    loop = Loop("2010BA", "subscriber", segments, [])
    compiled, python = lines.party(loop), party_of(loop)
    assert compiled == python and repr(compiled) == repr(python)
    assert compiled.address == python.address and compiled.contacts == python.contacts
    n1 = Loop("1000A", "payer", [*tx.segments[:1]], [])  # not NM1 first: party_of's own answer
    assert lines.party(n1) == party_of(n1)
    assert lines.party(Loop("2010BA", "subscriber", [], [])) is None


CLAIMS = {
    "plain": "CLM*A1*100***11:B:1*Y*A*Y*Y~HI*ABK:Z0000~LX*1~SV1*HC:99213*100*UN*1***1~",
    "short CLM": "CLM*A1*1O0~",
    "causes, special program, delay": "CLM*A1*100***11:B*Y*A*Y*Y**AA::OA:EM*02********11~DTP*439*D8*20260101~",
    "codes": "CLM*A1*100***13:A:1*Y*A*Y*Y~HI*ABK:Z0000*ABF:I10:::::::Y~HI*BE:A1:::100.50*BH:11:D8:20260101~"
             "HI*BG:AL:::::2~HI*~",
    "amounts, notes, references, institutional": "CLM*A1*100***13:A:1*Y*A*Y*Y~DTP*434*RD8*20260101-20260103~"
                                                 "CL1*1*7*01~AMT*F5*20~AMT*MA~NTE*ADD*first~NTE~REF*G1*AUTH1~"
                                                 "REF*D9~",
    "providers, other payer, odd line": "CLM*A1*100***11:B:1*Y*A*Y*Y~HI*ABK:Z0000~NM1*82*1*ONE*A****XX*1~"
                                        "NM1*77*2*FACILITY*****XX*2~N3*1 WAY~N4*CITY*WI*53703~NM1*82*1*TWO*B****XX*3~"
                                        "SBR*S*18*******CI~AMT*D*20~NM1*IL*1*DOE*JANE****MI*M1~NM1*PR*2*OTHER*****PI*O1~"
                                        "LX*1~SV1*HC:99213*100*UN*1***1~NTE*ADD*line note~LX*2~SV1*HC:99214*0~",
}


@compiled_only
@pytest.mark.parametrize("name", list(CLAIMS))
def test_the_compiled_claim_reader_builds_what_the_python_one_builds(name: str) -> None:
    assert parse837._compiled_claim is not None
    (loop,) = _loops_of(_HEAD.split("CLM*", 1)[0] + CLAIMS[name] + "SE*99*0001~", "2300")
    compiled = parse837._compiled_claim(loop)
    python = parse837._claim(loop, None, None, None)
    assert compiled is not NotImplemented
    assert compiled == python and repr(compiled) == repr(python)
    assert (compiled.notes, compiled.providers, compiled.institutional) == (python.notes, python.providers,
                                                                            python.institutional)
    assert [type(c.amount) for c in compiled.codes] == [type(c.amount) for c in python.codes]


CLAIM_PAYMENTS = {
    "plain": "CLP*A1*1*300*100**12*CLAIM1~NM1*QC*1*DOE*JANE****MI*M1~SVC*HC:99213*300*100~CAS*CO*45*200~",
    "full CLP": "CLP*A1*2*300*100*20*MA*CLAIM1*11*1**DRG1*1.5*0.75~CAS*PR*1*20~CAS*CO*45*180~",
    "short CLP": "CLP*A1~",
    "parties, first of each role": "CLP*A1*1*300*100**12*C1~NM1*QC*1*DOE*JANE~NM1*QC*1*OTHER*NAME~NM1*IL*1*ROE*J~"
                                   "NM1*82*2*CLINIC*****XX*1~NM1*ZZ*1*IGNORED~NM1~NM1*TT*2*CROSSOVER~",
    "dates, references, amounts, quantities, MIA/MOA": "CLP*A1*1*300*100**12*C1~MIA*0***12~MOA***MA01*MA02~"
                                                      "REF*1K*X~REF*EA~DTM*232*20260101~DTM*233~AMT*AU*300~AMT*D8~"
                                                      "QTY*CA*3~QTY*ZK~",
    "service with a quantity (Python service reader)": "CLP*A1*1*300*100**12*C1~SVC*HC:99213*300*100~QTY*ZK*2~"
                                                      "SVC*HC:99214*0*0~",
}


@compiled_only
@pytest.mark.parametrize("name", list(CLAIM_PAYMENTS))
def test_the_compiled_claim_payment_reader_builds_what_the_python_one_builds(name: str) -> None:
    from rcm.x12.sets.x835 import parsing

    assert parsing._compiled_claim is not None
    (loop,) = _loops_of(_835_HEAD.split("CLP*", 1)[0] + CLAIM_PAYMENTS[name] + "SE*99*0001~", "2100")
    compiled = parsing._compiled_claim(loop)
    python = parsing._claim(loop, "")
    assert compiled is not NotImplemented
    assert compiled == python and repr(compiled) == repr(python)
    assert (compiled.patient, compiled.insured, compiled.rendering_provider, compiled.crossover_carrier) == (
        python.patient, python.insured, python.rendering_provider, python.crossover_carrier)
    assert (compiled.inpatient, compiled.outpatient, compiled.quantities) == (python.inpatient, python.outpatient,
                                                                              python.quantities)


SUBSCRIBERS = {
    "plain": "HL*2*1*22*0~SBR*P*18*GRP1*GROUP NAME*12*****CI~NM1*IL*1*DOE*JANE****MI*M1~N3*1 MAIN ST~"
             "N4*CITY*WI*53703~DMG*D8*19800101*F~NM1*PR*2*PAYER*****PI*P1~",
    "no SBR, no DMG": "HL*2*1*22*0~NM1*IL*1*DOE*JANE****MI*M1~",
    "short SBR, bad birth date": "HL*2*1*22*1~SBR*S~NM1*IL*1*DOE*JANE****MI*M1~DMG*D8*19801301~",
    "bare HL": "HL~SBR*P*18*******MC~",
}


@compiled_only
@pytest.mark.parametrize("name", list(SUBSCRIBERS))
def test_the_compiled_subscriber_reader_builds_what_the_python_one_builds(name: str) -> None:
    assert parse837._compiled_subscriber is not None
    (loop,) = _loops_of(_HEAD.split("HL*2*", 1)[0] + SUBSCRIBERS[name] + "SE*99*0001~", "2000B")
    compiled, python = parse837._compiled_subscriber(loop), parse837._subscriber(loop)
    assert compiled is not NotImplemented
    assert compiled == python and repr(compiled) == repr(python)
    assert (compiled.person, compiled.birth_date, compiled.gender, compiled.payer) == (
        python.person, python.birth_date, python.gender, python.payer)


@compiled_only
@pytest.mark.parametrize(
    "raw",
    ["19800101", "20240229", "20230229", "21000229", "20000229", "00010101", "00000101", "19801301", "19800100",
     "19800132", "19800431", "1980010", "198001011", "1980-1-1", "", "١٩٨٠٠١٠١", "19800１01", "ABCDEFGH"],
)  # fmt: skip
def test_the_compiled_readers_read_dates_as_date_of_does(raw: str) -> None:
    """Dates are read in C (rcm/x12/_lines.c day_of) when the cache does not have them: the same answer as
    common.date_of, leap years, impossible dates and other decimal digits included, cached or not."""
    from rcm.x12.sets import common

    text = f"HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*DOE*JANE****MI*M1~DMG*D8*{raw}*F~"
    (loop,) = _loops_of(_HEAD.split("HL*2*", 1)[0] + text + "SE*99*0001~", "2000B")
    assert parse837._compiled_subscriber is not None
    common._DATE_CACHE.clear()
    fresh = parse837._compiled_subscriber(loop)
    again = parse837._compiled_subscriber(loop)  # from the cache this time
    common._DATE_CACHE.clear()
    expected = common.date_of(raw)
    assert fresh is not NotImplemented and again is not NotImplemented
    assert fresh.birth_date == again.birth_date == expected
    assert type(fresh.birth_date) is type(expected)
