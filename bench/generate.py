"""Deterministic, realistic and balanced benchmark files: 5010 837P claim batches and 835 remittances.

Everything comes from a seeded ``random.Random``, so the same size and seed give byte-identical files.
Names, member ids and addresses are invented; NPIs carry a valid Luhn check digit.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path
from typing import TextIO

__all__ = ["generate_835", "generate_837p", "npi_with_check_digit"]

_LAST = [
    "SMITH",
    "JOHNSON",
    "WILLIAMS",
    "BROWN",
    "JONES",
    "GARCIA",
    "MILLER",
    "DAVIS",
    "RODRIGUEZ",
    "MARTINEZ",
    "HERNANDEZ",
    "LOPEZ",
    "GONZALEZ",
    "WILSON",
    "ANDERSON",
    "THOMAS",
    "TAYLOR",
    "MOORE",
    "JACKSON",
    "MARTIN",
]
_FIRST = [
    "JAMES",
    "MARY",
    "ROBERT",
    "PATRICIA",
    "JOHN",
    "JENNIFER",
    "MICHAEL",
    "LINDA",
    "DAVID",
    "ELIZABETH",
    "WILLIAM",
    "BARBARA",
    "RICHARD",
    "SUSAN",
    "JOSEPH",
    "JESSICA",
    "THOMAS",
    "SARAH",
    "CHARLES",
    "KAREN",
]
_STREETS = ["MAIN ST", "OAK AVE", "PINE RD", "MAPLE DR", "CEDAR LN", "ELM ST", "LAKE VIEW DR", "HILL RD"]
_CITIES = [
    ("SPRINGFIELD", "IL", "62701"),
    ("COLUMBUS", "OH", "43215"),
    ("MADISON", "WI", "53703"),
    ("ALBANY", "NY", "12207"),
    ("AUSTIN", "TX", "78701"),
    ("DENVER", "CO", "80202"),
]
# (CPT/HCPCS, typical charge, typical allowed share)
_PROCEDURES = [
    ("99213", "125.00"),
    ("99214", "185.00"),
    ("99203", "170.00"),
    ("99204", "260.00"),
    ("36415", "15.00"),
    ("80053", "48.00"),
    ("85025", "32.00"),
    ("93000", "65.00"),
    ("71046", "110.00"),
    ("97110", "55.00"),
    ("90471", "28.00"),
    ("90686", "42.00"),
    ("G0439", "210.00"),
    ("81002", "12.00"),
    ("87880", "35.00"),
    ("20610", "150.00"),
]
_DIAGNOSES = [
    "E119",
    "I10",
    "J069",
    "M545",
    "Z0000",
    "R0789",
    "E785",
    "K219",
    "F419",
    "N390",
    "J449",
    "M1711",
    "E039",
    "R519",
    "Z23",
    "G4700",
]
_PAYERS = [
    ("MEDICARE PART B", "00431", "MB"),
    ("BLUE CROSS", "00590", "BL"),
    ("AETNA", "60054", "CI"),
    ("UNITED HEALTHCARE", "87726", "CI"),
    ("MEDICAID", "77027", "MC"),
]
_CENT = Decimal("0.01")


def npi_with_check_digit(first_nine: str) -> str:
    """A 10-digit NPI: the nine digits plus the Luhn check digit over "80840" + them."""
    digits = [int(c) for c in "80840" + first_nine]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return first_nine + str((10 - total % 10) % 10)


def _isa(sender: str, receiver: str, control: int, functional_id: str, version: str) -> list[str]:
    return [
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}*260101*1200*^*00501*{control:09d}*0*P*:",
        f"GS*{functional_id}*{sender}*{receiver}*20260101*1200*{control}*X*{version}",
    ]


def _emit(out: TextIO, segments: list[str]) -> int:
    text = "".join(s + "~\n" for s in segments)
    out.write(text)
    return len(text)


def _money(value: Decimal) -> str:
    text = f"{value.quantize(_CENT)}"
    return text[:-3] if text.endswith(".00") else text


def generate_837p(path: Path, target_bytes: int, *, seed: int = 837) -> int:
    """Write an 837P interchange of about ``target_bytes`` to ``path``; returns the number of claims."""
    with path.open("w", encoding="ascii", newline="") as out:
        return _write_837p(out, target_bytes, random.Random(seed))


def _write_837p(out: TextIO, target_bytes: int, rng: random.Random) -> int:
    size = _emit(out, _isa("SUBMITTER01", "RECEIVER01", 1, "HC", "005010X222A1"))
    claims = 0
    st_count = 0
    while size < target_bytes:
        st_count += 1
        st = [
            f"ST*837*{st_count:04d}*005010X222A1",
            f"BHT*0019*00*B{st_count:06d}*20260101*1200*CH",
            "NM1*41*2*DEMO BILLING SERVICE*****46*SUB12345",
            "PER*IC*BILLING DESK*TE*5555550100",
            "NM1*40*2*DEMO CLEARINGHOUSE*****46*CLR001",
        ]
        billing_npi = npi_with_check_digit(f"1{rng.randrange(10**8):08d}")
        city, state, zip_code = rng.choice(_CITIES)
        st += [
            "HL*1**20*1",
            "PRV*BI*PXC*207Q00000X",
            f"NM1*85*2*FAMILY PRACTICE {st_count}*****XX*{billing_npi}",
            f"N3*{rng.randrange(100, 9999)} {rng.choice(_STREETS)}",
            f"N4*{city}*{state}*{zip_code}1234",
            f"REF*EI*{rng.randrange(10**8, 10**9)}",
        ]
        hl = 1
        for _ in range(500):
            hl += 1
            payer, payer_id, filing = rng.choice(_PAYERS)
            city, state, zip_code = rng.choice(_CITIES)
            st += [
                f"HL*{hl}*1*22*0",
                f"SBR*P*18*GRP{rng.randrange(1000, 9999)}******{filing}",
                f"NM1*IL*1*{rng.choice(_LAST)}*{rng.choice(_FIRST)}****MI*W{rng.randrange(10**9):09d}",
                f"N3*{rng.randrange(100, 9999)} {rng.choice(_STREETS)}",
                f"N4*{city}*{state}*{zip_code}",
                f"DMG*D8*{rng.randrange(1940, 2020)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}*"
                f"{rng.choice('FM')}",
                f"NM1*PR*2*{payer}*****PI*{payer_id}",
            ]
            claims += 1
            dos = f"2025{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
            lines = [rng.choice(_PROCEDURES) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
            charges = [Decimal(c) * rng.choice((1, 1, 1, 2)) for _, c in lines]
            dx = rng.sample(_DIAGNOSES, rng.randrange(1, 5))
            st.append(f"CLM*PCN{claims:08d}*{_money(sum(charges, Decimal(0)))}***11:B:1*Y*A*Y*Y")
            if rng.random() < 0.2:
                st.append(f"REF*G1*AUTH{rng.randrange(10**6):06d}")
            st.append("HI*" + "*".join(("ABK:" if i == 0 else "ABF:") + d for i, d in enumerate(dx)))
            st += [
                f"NM1*82*1*{rng.choice(_LAST)}*{rng.choice(_FIRST)}****XX*"
                f"{npi_with_check_digit(f'1{rng.randrange(10**8):08d}')}",
                "PRV*PE*PXC*207Q00000X",
            ]
            for n, ((code, _), charge) in enumerate(zip(lines, charges, strict=True), start=1):
                pointers = ":".join(str(i) for i in range(1, min(len(dx), 4) + 1))
                modifier = ":25" if code.startswith("992") and len(lines) > 1 else ""
                units = "2" if charge != Decimal(dict(_PROCEDURES)[code]) else "1"
                st += [
                    f"LX*{n}",
                    f"SV1*HC:{code}{modifier}*{_money(charge)}*UN*{units}***{pointers}",
                    f"DTP*472*D8*{dos}",
                    f"REF*6R*{claims}-{n}",
                ]
            if size + sum(len(s) + 2 for s in st) >= target_bytes:
                break
        st.append(f"SE*{len(st) + 1}*{st_count:04d}")
        size += _emit(out, st)
    _emit(out, [f"GE*{st_count}*1", "IEA*1*000000001"])
    return claims


def _adjudicate(rng: random.Random, charge: Decimal) -> tuple[Decimal, list[tuple[str, str, Decimal]]]:
    """(paid, [(group, reason, amount)]) for one line, with charge - adjustments = paid exactly."""
    roll = rng.random()
    if roll < 0.08:  # denied line
        return Decimal(0), [("CO", rng.choice(("16", "50", "97", "197")), charge)]
    allowed = (charge * Decimal(rng.randrange(55, 95)) / 100).quantize(_CENT)
    adjustments = [("CO", "45", charge - allowed)] if allowed < charge else []
    patient = Decimal(0)
    if roll < 0.35:
        patient = min(allowed, Decimal(rng.choice((10, 20, 25, 30, 40))))
        adjustments.append(("PR", "3", patient))
    elif roll < 0.5:
        patient = (allowed * Decimal("0.20")).quantize(_CENT)
        adjustments.append(("PR", "2", patient))
    return allowed - patient, adjustments


def generate_835(path: Path, target_bytes: int, *, seed: int = 835) -> int:
    """Write an 835 interchange of about ``target_bytes`` (one transaction per payment); returns claims."""
    with path.open("w", encoding="ascii", newline="") as out:
        return _write_835(out, target_bytes, random.Random(seed))


def _write_835(out: TextIO, target_bytes: int, rng: random.Random) -> int:
    size = _emit(out, _isa("PAYER01", "PROVIDER01", 2, "HP", "005010X221A1"))
    claims = 0
    st_count = 0
    while size < target_bytes:
        st_count += 1
        payer, payer_id, _ = rng.choice(_PAYERS)
        body: list[str] = [
            f"REF*EV*RCV{st_count:05d}",
            "DTM*405*20260105",
            f"N1*PR*{payer}*XV*{payer_id}",
            "N3*PO BOX 1000",
            "N4*DALLAS*TX*75201",
            "PER*BL*PROVIDER SERVICES*TE*8005550199",
            f"N1*PE*FAMILY PRACTICE {st_count}*XX*{npi_with_check_digit(f'1{st_count:08d}')}",
            "REF*TJ*123456789",
            "LX*1",
        ]
        total_paid = Decimal(0)
        for _ in range(250):
            claims += 1
            lines = [rng.choice(_PROCEDURES) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))]
            line_segments: list[str] = []
            claim_charge = claim_paid = claim_patient = Decimal(0)
            denied_lines = 0
            for n, (code, price) in enumerate(lines, start=1):
                charge = Decimal(price)
                paid, adjustments = _adjudicate(rng, charge)
                claim_charge += charge
                claim_paid += paid
                claim_patient += sum((a for g, _, a in adjustments if g == "PR"), Decimal(0))
                line_segments += [
                    f"SVC*HC:{code}*{_money(charge)}*{_money(paid)}**1",
                    f"DTM*472*2025{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}",
                ]
                for group in ("CO", "PR"):
                    triples = [(r, a) for g, r, a in adjustments if g == group]
                    if triples:
                        line_segments.append(f"CAS*{group}*" + "**".join(f"{r}*{_money(a)}" for r, a in triples))
                line_segments.append(f"REF*6R*{claims}-{n}")
                if adjustments and adjustments[0][1] != "45" and paid == 0:
                    denied_lines += 1
                    line_segments.append("LQ*HE*N130")
                else:
                    contractual = sum((a for g, r, a in adjustments if r == "45"), Decimal(0))
                    line_segments.append(f"AMT*B6*{_money(charge - contractual)}")
            status = "4" if denied_lines == len(lines) else "1"
            body += [
                f"CLP*PCN{claims:08d}*{status}*{_money(claim_charge)}*{_money(claim_paid)}*"
                f"{_money(claim_patient)}*12*{rng.randrange(10**12, 10**13)}*11*1",
                f"NM1*QC*1*{rng.choice(_LAST)}*{rng.choice(_FIRST)}****MI*W{rng.randrange(10**9):09d}",
                f"NM1*82*1*{rng.choice(_LAST)}*{rng.choice(_FIRST)}****XX*"
                f"{npi_with_check_digit(f'1{rng.randrange(10**8):08d}')}",
                "DTM*050*20251215",
            ]
            body += line_segments
            total_paid += claim_paid
            if size + sum(len(s) + 2 for s in body) >= target_bytes:
                break
        plb: list[str] = []
        if st_count % 3 == 0 and total_paid > 50:
            recoup = Decimal(rng.randrange(500, 5000)) / 100
            plb = [
                f"PLB*{npi_with_check_digit(f'1{st_count:08d}')}*20261231*WO:RECOUP{st_count}*{_money(recoup)}"
                f"*L6:INTEREST*-1.25"
            ]
            total_paid -= recoup - Decimal("1.25")
        method = (
            "ACH*CCP*01*999999992*DA*123456*1512345678**01*999988880*DA*98765*20260106"
            if total_paid
            else "NON************20260106"
        )
        st = [
            f"ST*835*{st_count:04d}",
            f"BPR*{'I' if total_paid else 'H'}*{_money(total_paid)}*C*{method}",
            f"TRN*1*EFT{st_count:08d}*1512345678",
            *body,
            *plb,
        ]
        st.append(f"SE*{len(st) + 1}*{st_count:04d}")
        size += _emit(out, st)
    _emit(out, [f"GE*{st_count}*2", "IEA*1*000000002"])
    return claims
