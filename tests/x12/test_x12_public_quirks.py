"""Quirks met in X12 files written by others, one test each, on small X12 texts written here: what
`rcm x12 inspect` prints for them (figures, findings, exit code), on the pure-Python and compiled paths alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rcm.x12 import tokenizer
from rcm.x12.inspect import inspect_or_report
from rcm.x12.reader import read_file

ISA = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260101*1200*^*00501*000000007*0*P*:"
GS_835 = "GS*HP*PAYER*PRACTICE*20260101*1200*7*X*005010X221A1"
REMIT = [
    "ST*835*0001*005010X221A1",
    "BPR*I*80*C*CHK************20260106",
    "TRN*1*CHK-77*1512345678",
    "N1*PR*PAYER",
    "N1*PE*PRACTICE*XX*1234567893",
    "LX*1",
    "CLP*PCN1*1*100*80*20*12*P1",
    "NM1*QC*1*DOE*JANE",
    "SVC*HC:99213*100*80**1",
    "CAS*PR*3*20",
    "SE*11*0001",
]


@pytest.fixture(params=["compiled", "pure"])
def both_paths(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every quirk is read by the compiled inner loop (when built) and by the pure-Python one."""
    if request.param == "pure":
        monkeypatch.setattr(tokenizer, "_split_text", None)
    yield request.param


def inspect_text(tmp_path: Path, text: str | bytes, name: str = "file.x12") -> tuple[dict[str, Any], int]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return inspect_or_report(path)


def interchange(*transactions: list[str], gs: str = GS_835) -> str:
    body = [seg for tx in transactions for seg in tx]
    return "~\n".join([ISA, gs, *body, f"GE*{len(transactions)}*7", "IEA*1*000000007"]) + "~\n"


@pytest.mark.parametrize(
    "text",
    [
        "Shipping to: ST. LOUIS, MO\nThe GS-1 barcode is on the label.\n",
        "name,address\nJohn,1 Main\n\"ST,\",x\n",
        "MSH|^~\\&|APP|FAC|REC|FAC|202601011200||ADT^A01|M1|P|2.5\r"
        "PID|1||12345^^^MRN||DOE^JOHN|||||1 MAIN ST.^^ST. LOUIS\r",
    ],
    ids=["prose", "csv", "hl7"],
)
def test_prose_mentioning_st_or_gs_is_not_x12(tmp_path: Path, both_paths: str, text: str) -> None:
    report, code = inspect_text(tmp_path, text)
    assert code == 2
    assert report["transactions"] == []
    assert [f["code"] for f in report["findings"]] == ["not_x12"]


def test_bare_transaction_still_reads_without_envelope(tmp_path: Path, both_paths: str) -> None:
    report, code = inspect_text(tmp_path, "~\n".join(REMIT) + "~\n")
    assert code != 2
    assert [(t["set"], t["control_number"], t["segment_count"]) for t in report["transactions"]] == [
        ("835", "0001", 11)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "The ISA, GS, ST, SE, GE and IEA segments wrap every file, and the ISA, being fixed width, says which "
        "characters separate elements, components, repetitions and segments. Payers differ: some send CR, some "
        "LF, some both, and a few, sadly, none at all. Read the ISA first, then GS, then ST, and keep counts, "
        "control numbers, dates, times, versions, and usage indicators in mind, as well as TA1s, 999s, 277CAs.\n",
        "segment,meaning,width,required,notes,a,b,c,d,e,f,g,h,i,j,k,l,m\n"
        "ISA,interchange header,106,yes,fixed,1,2,3,4,5,6,7,8,9,10,11,12,13,14\nGS,group,var,yes,x\n",
        "Segments we read: ISA, GS, ST, SE, GE, IEA, BHT, NM1, HL, PRV, SBR, PAT, CLM, DTP, REF, HI, LX, SV1, SV2.\n",
    ],
    ids=["prose", "table", "list"],
)
def test_prose_naming_the_isa_is_not_x12(tmp_path: Path, both_paths: str, text: str) -> None:
    report, code = inspect_text(tmp_path, text)
    assert code == 2
    assert [f["code"] for f in report["findings"]] == ["not_x12"]


def test_isa_without_padding_still_reads(tmp_path: Path, both_paths: str) -> None:
    short = "ISA*00**00**ZZ*PAYER*ZZ*PRACTICE*260101*1200*^*00501*7*0*P*:"
    text = interchange(REMIT).replace(ISA, short).replace("IEA*1*000000007", "IEA*1*7")
    report, _ = inspect_text(tmp_path, text)
    assert [(t["payment"], t["balanced"]) for t in report["transactions"]] == [("80.00", True)]
    assert "isa_fixed_width" in {f["code"] for f in report["findings"]}


def test_negative_zero_amounts_print_as_zero(tmp_path: Path, both_paths: str) -> None:
    remit = [s.replace("BPR*I*80*", "BPR*H*-0*") for s in REMIT]
    remit = [s.replace("*100*80*20*", "*100*-0.00*100*").replace("SVC*HC:99213*100*80**1", "SVC*HC:99213*100*-0**1")
             for s in remit]
    remit = [s.replace("CAS*PR*3*20", "CAS*PR*3*100") for s in remit]
    report, _ = inspect_text(tmp_path, interchange(remit))
    tx = report["transactions"][0]
    assert (tx["payment"], tx["claims_paid"], tx["balanced"]) == ("0.00", "0.00", True)


@pytest.mark.parametrize(
    ("before", "after"),
    [("\x02", "\x03"), ("", "\x04"), ("", "\n-- end of file --\nsent by the clearinghouse\n")],
    ids=["stx-etx", "eot", "mail-footer"],
)
def test_framing_or_prose_after_the_last_interchange_is_a_warning(
    tmp_path: Path, both_paths: str, before: str, after: str
) -> None:
    clean, clean_code = inspect_text(tmp_path, interchange(REMIT), "clean.x12")
    report, code = inspect_text(tmp_path, before + interchange(REMIT) + after)
    assert report["transactions"] == clean["transactions"]
    assert code == clean_code
    extra = [f for f in report["findings"] if f not in clean["findings"]]
    assert [(f["severity"], f["code"], f["segment"]) for f in extra] == [
        ("warning", "text_outside_interchange", len(REMIT) + 5)
    ]


def test_stray_segment_after_the_last_interchange_is_still_an_error(tmp_path: Path, both_paths: str) -> None:
    report, code = inspect_text(tmp_path, interchange(REMIT) + "GE*1*7~\n")
    assert code == 1
    assert "unexpected_ge" in [f["code"] for f in report["findings"]]


@pytest.mark.parametrize(
    ("after_terminator", "tail"),
    [("~\n\x0c", ""), ("~\n", "\x00" * 64), ("~\n", "\x1a"), ("~\r\n\x0b", "")],
    ids=["form-feed-pages", "nul-padding", "ctrl-z", "vertical-tab"],
)
def test_control_characters_between_segments_are_whitespace(
    tmp_path: Path, both_paths: str, after_terminator: str, tail: str
) -> None:
    clean, clean_code = inspect_text(tmp_path, interchange(REMIT), "clean.x12")
    text = interchange(REMIT).replace("~\n", after_terminator) + tail
    report, code = inspect_text(tmp_path, text)
    assert report["transactions"] == clean["transactions"]
    assert (report["findings"], code) == (clean["findings"], clean_code)


@pytest.mark.parametrize(
    ("element", "component", "terminator"),
    [("\x1f", "\x1e", "\x1c"), ("\x1d", ":", "\x1e"), ("\x07", ">", "\x15"), ("\t", ":", "~\n")],
    ids=["us-rs-fs", "gs-rs", "bel-nak", "tab"],
)
def test_control_character_separators(
    tmp_path: Path, both_paths: str, element: str, component: str, terminator: str
) -> None:
    clean, _ = inspect_text(tmp_path, interchange(REMIT), "clean.x12")
    segments = [s for s in interchange(REMIT).split("~\n") if s]
    text = "".join(
        (s if s.startswith("ISA") else s.replace(":", component)).replace("*", element) + terminator for s in segments
    )
    text = text.replace(element + "P" + element + ":", element + "P" + element + component)
    report, code = inspect_text(tmp_path, text)
    assert code != 2
    assert report["transactions"] == clean["transactions"]


def test_versions_before_4010_keep_their_six_digit_dates(tmp_path: Path, both_paths: str) -> None:
    isa = ISA.replace("*^*00501*", "*U*00305*")
    order = [
        "ST*850*0001",
        "BEG*00*SA*NP00001234**010614",
        "N1*ST*SP",
        "PO1*1*3*EA*1.21**BP*12345",
        "DTM*002*010808",
        "CTT*1",
        "SE*7*0001",
    ]
    text = interchange(order, gs="GS*PO*PAYER*PRACTICE*010614*1200*7*X*003050").replace(ISA, isa)
    report, code = inspect_text(tmp_path, text)
    assert [(t["set"], t["version"], t["segment_count"]) for t in report["transactions"]] == [("850", "003050", 7)]
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == []
    assert code == 0
    # the same dates in a 4010 transaction are too short
    report, code = inspect_text(tmp_path, text.replace("003050", "004010").replace("00305", "00401"), "4010.x12")
    assert "element_too_short" in {f["code"] for f in report["findings"]} and code == 1


@pytest.mark.parametrize("after", ["~", "~\n", "~\r\n"], ids=["one-line", "lf", "crlf"])
def test_isa16_left_out(tmp_path: Path, both_paths: str, after: str) -> None:
    clean, _ = inspect_text(tmp_path, interchange(REMIT), "clean.x12")
    segments = [s for s in interchange(REMIT).split("~\n") if s]
    segments[0] = segments[0].removesuffix(":")  # "...*0*P*~GS*..."
    report, _ = inspect_text(tmp_path, after.join(segments) + after)
    assert report["transactions"] == clean["transactions"]
    assert "isa_fixed_width" in {f["code"] for f in report["findings"]}


def test_isa16_tilde_with_line_end_terminator_is_still_a_component_separator(
    tmp_path: Path, both_paths: str
) -> None:
    segments = [s for s in interchange(REMIT).split("~\n") if s]
    segments = [segments[0].removesuffix(":") + "~", *(s.replace(":", "~") for s in segments[1:])]
    report, _ = inspect_text(tmp_path, "\r".join(segments) + "\r")
    assert [(t["set"], t["segment_count"], t["payment"]) for t in report["transactions"]] == [("835", 11, "80.00")]
    assert "isa_fixed_width" not in {f["code"] for f in report["findings"]}


def test_many_interchanges_changing_delimiters_read_in_linear_work(
    tmp_path: Path, both_paths: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Concatenated interchanges of different senders (other delimiters, a mail header between them): every
    one is read, and the text is not re-split from each change to the end of a megabyte chunk."""
    one = interchange(REMIT)
    styles = [
        one,
        one.replace("*", "|").replace("~\n", "\n"),
        one.replace("*^*00501*", "*U*00501*").replace("*", "^").replace("~\n", "~\r\n"),
        "Subject: remittance\n\n" + one,
    ]
    text = "\n".join(styles[i % 4] for i in range(1200))
    examined = 0
    real = tokenizer.clean_separator

    def counting(text: str, term: str) -> str | None:
        nonlocal examined
        examined += len(text)
        return real(text, term)

    monkeypatch.setattr(tokenizer, "clean_separator", counting)
    report, _ = inspect_text(tmp_path, text)
    assert len(report["transactions"]) == 1200
    assert {(t["payment"], t["claims_paid"], t["balanced"]) for t in report["transactions"]} == {
        ("80.00", "80.00", True)
    }
    assert examined < 40 * len(text)


@pytest.mark.parametrize(
    ("after_isa16", "between"),
    [(" ~", "~"), ("  ~\n", "~\n"), (" ~\r\n", "~\r\n"), (" \n", "\n"), ("\t\r\n", "\r\n")],
    ids=["space-tilde", "spaces-tilde-lf", "space-tilde-crlf", "space-lf", "tab-crlf"],
)
def test_blanks_between_isa16_and_the_terminator_are_padding(
    tmp_path: Path, both_paths: str, after_isa16: str, between: str
) -> None:
    """Seen in public code for a national health regulator's files: "...*P*: ~". The blank is not the terminator
    (it would split every segment at its names); the separator or line end after it is."""
    isa = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *260101*1200*^*00501*000000031*0*P*:"
    body = ["GS*HP*PAYER*PRACTICE*20260101*1200*31*X*005010X221A1", "ST*835*0001*005010X221A1",
            "BPR*I*90*C*CHK************20260106", "TRN*1*CHK-31*1512345678", "N1*PR*PAYER", "N3*1 PAYER WAY",
            "N4*TOWN*ST*12345", "PER*BL*DESK*TE*5555550100", "N1*PE*PRACTICE*XX*1234567893", "LX*1",
            "CLP*PCN7*1*120*90*30*12*P7", "NM1*QC*1*PATIENT*TEST", "SVC*HC:99213*120*90**1", "CAS*PR*3*30",
            "SE*14*0001", "GE*1*31", "IEA*1*000000031"]  # fmt: skip
    path = tmp_path / "padded.x12"
    path.write_bytes((isa + after_isa16 + between.join(body) + between).encode("ascii"))
    report, code = inspect_or_report(path)
    assert code == 0, report["findings"]
    [tx] = report["transactions"]
    assert (tx["set"], tx["segment_count"], tx["claims"], tx["claims_paid"], tx["balanced"]) == (
        "835", 14, 1, "90.00", True
    )
    assert read_file(path).delimiters.segment == ("~" if "~" in between else "\n")
