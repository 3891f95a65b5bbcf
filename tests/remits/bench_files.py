"""Small 835 files written for tests: one payment paying the given claims (one 99213 line each)."""

from __future__ import annotations

from decimal import Decimal


def paying_835(numbers: list[str], *, trace: str, paid: str = "80.00", payment: str | None = None) -> bytes:
    """An 835 paying each claim ``paid`` of 100.00 (the rest CO-45); BPR02 is the total unless ``payment``."""
    body: list[str] = []
    for number in numbers:
        rest = Decimal("100.00") - Decimal(paid)
        body += [
            f"CLP*{number}*1*100.00*{paid}*0*12*PCN{number}",
            "NM1*QC*1*PATIENT*TEST",
            f"SVC*HC:99213*100.00*{paid}**1",
            "DTM*472*20261003",
            f"CAS*CO*45*{rest}",
            "REF*6R*1",
        ]
    total = payment if payment is not None else str(Decimal(paid) * len(numbers))
    segments = [
        "ST*835*0001*005010X221A1",
        f"BPR*I*{total}*C*ACH*CCP*01*999999999*DA*1*1512345678**01*999988880*DA*2*20261101",
        f"TRN*1*{trace}*1512345678",
        "N1*PR*TEST PLAN",
        "N1*PE*TEST CLINIC*XX*1234567893",
        "LX*1",
        *body,
    ]
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = "ISA*00*          *00*          *ZZ*TESTPAYER      *ZZ*RCMSUBMITTER   *261101*1200*^*00501*000000001*0*T*:"
    text = [isa, "GS*HP*TESTPAYER*RCMSUBMITTER*20261101*1200*1*X*005010X221A1", *segments, "GE*1*1", "IEA*1*000000001"]
    return ("~\n".join(text) + "~\n").encode("ascii")
