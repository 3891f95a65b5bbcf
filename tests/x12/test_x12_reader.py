"""The envelope reader: transactions with their ISA/GS, count and control-number findings, streaming."""

from __future__ import annotations

from datetime import date

import pytest
from x12_samples import sample

from rcm.x12.errors import NotX12Error
from rcm.x12.reader import read_file, read_transactions

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240101*1200*^*00501*000000001*1*T*:~"
TX1 = "ST*835*0001*005010X221A1~BPR*I*100*C*CHK************20240105~TRN*1*T1*1234567890~SE*4*0001~"
TX2 = "ST*835*0002*005010X221A1~BPR*I*0*C*NON************20240105~TRN*1*T2*1234567890~SE*4*0002~"
GS = "GS*HP*SENDER*RECEIVER*20240101*1200*7*X*005010X221A1~"


def codes(text: str) -> list[str]:
    return sorted(f.code for f in read_file(text.encode()).findings)


def test_clean_file() -> None:
    x = read_file((ISA + GS + TX1 + TX2 + "GE*2*7~IEA*1*000000001~").encode())
    assert x.findings == []
    assert [t.control_number for t in x.transactions] == ["0001", "0002"]
    tx = x.transactions[0]
    assert tx.set_id == "835"
    assert tx.version == "005010X221A1"
    assert [s.id for s in tx.segments] == ["ST", "BPR", "TRN", "SE"]
    assert tx.interchange is not None and tx.group is not None
    assert tx.interchange.control_number == "000000001"
    assert tx.interchange.date == date(2024, 1, 1)
    assert tx.interchange.usage == "T"
    assert tx.interchange.ack_requested == "1"
    assert tx.interchange.sender_id == "SENDER"
    assert tx.group.control_number == "7"
    assert tx.group.functional_id == "HP"
    assert tx.group.date == date(2024, 1, 1)
    assert len(x.interchanges) == 1 and len(x.interchanges[0].groups) == 1
    assert x.interchanges[0].groups[0].transactions == x.transactions
    assert x.segment_count == 12


def test_count_and_control_number_findings_are_located() -> None:
    bad = ISA + GS + TX1.replace("SE*4*0001", "SE*5*0009") + "GE*3*8~IEA*2*000000002~"
    x = read_file(bad.encode())
    by_code = {f.code: f for f in x.findings}
    assert sorted(by_code) == ["ge01_count", "ge02_control", "iea01_count", "iea02_control", "se01_count",
                               "se02_control"]
    assert by_code["se01_count"].segment == 6
    assert by_code["se01_count"].transaction == "0001"
    assert by_code["ge01_count"].segment == 7
    assert by_code["iea02_control"].segment == 8
    assert all(f.severity == "error" for f in x.findings)
    # the SE findings also sit on the transaction
    assert {f.code for f in x.transactions[0].findings} == {"se01_count", "se02_control"}


def test_version_from_gs_when_st03_is_missing() -> None:
    x = read_file((ISA + GS + TX1.replace("*005010X221A1~BPR", "~BPR") + "GE*1*7~IEA*1*000000001~").encode())
    assert x.transactions[0].version == "005010X221A1"


def test_missing_trailers_keep_reading() -> None:
    text = ISA + GS + TX1.replace("SE*4*0001~", "") + TX2
    x = read_file(text.encode())
    assert [t.control_number for t in x.transactions] == ["0001", "0002"]
    assert sorted(f.code for f in x.findings) == ["missing_ge", "missing_iea", "missing_se"]
    assert x.transactions[0].segments[-1].id == "TRN"


def test_bare_and_partial_envelopes() -> None:
    assert codes(TX1 + TX2) == ["no_envelope"]
    assert codes(GS + TX1 + "GE*1*7~") == ["missing_isa"]
    assert codes(ISA + TX1 + "IEA*0*000000001~") == ["missing_gs"]
    assert codes(ISA + GS + TX1 + "GE*1*7~NTE*junk~IEA*1*000000001~") == ["segment_outside_transaction"]


def test_isa_width_is_checked() -> None:
    short = ISA.replace("SENDER         ", "SENDER")
    assert codes(short + GS + TX1 + "GE*1*7~IEA*1*000000001~") == ["isa_fixed_width"]


def test_streaming_reader_collects_envelope_findings() -> None:
    reader = read_transactions((ISA + GS + TX1 + TX2 + "GE*1*7~IEA*1*000000001~").encode())
    seen = [t.control_number for t in reader]
    assert seen == ["0001", "0002"]
    assert [f.code for f in reader.findings] == ["ge01_count"]
    assert reader.interchanges[0].groups[0].transactions == []  # nothing kept while streaming


def test_unreadable() -> None:
    with pytest.raises(NotX12Error):
        read_file(b"not x12 at all")


def test_ta1_only_interchange() -> None:
    x = read_file(sample("UHIN+x12-parser-library/tests/test-files/TA1.edi"))
    assert x.transactions == []
    assert [s.id for s in x.interchanges[0].acknowledgments] == ["TA1"]


def test_many_interchanges_sample() -> None:
    x = read_file(sample("tastypackets+x12-parser/test/test-files/835/profee-multiple.edi"))
    assert len(x.interchanges) == 156
    assert len(x.transactions) == 156
    assert sum(1 for t in x.transactions for s in t.segments if s.id == "CLP") == 468


def test_collector_setting_is_restored() -> None:
    import gc

    data = (ISA + GS + TX1 + TX2 + "GE*2*7~IEA*1*000000001~").encode()
    assert gc.isenabled()
    reader = read_transactions(data)
    first = next(iter(reader))
    assert first.control_number == "0001" and not gc.isenabled()  # paused while iterating
    del reader
    assert gc.isenabled()  # dropped mid-way: restored
    for _ in read_transactions(data):
        break
    assert gc.isenabled()
    list(read_transactions(data))
    assert gc.isenabled()
    gc.disable()
    try:
        list(read_transactions(data))
        assert not gc.isenabled()  # a caller's own setting is left alone
    finally:
        gc.enable()
