"""An independent, naive reading of an 835's figures for the tests: split on the delimiters and add up.

Deliberately not the product's reader (rcm.x12): if both agree, the figures are what the file says.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Figures:
    trace: str = ""
    payer: str = ""
    payment: Decimal = Decimal("0")
    claims: int = 0
    paid: Decimal = Decimal("0")
    adjusted: Decimal = Decimal("0")
    patient_responsibility: Decimal = Decimal("0")
    plb: Decimal = Decimal("0")


def _d(text: str) -> Decimal:
    # A placeholder where an amount should be ("amount") is no amount at all.
    try:
        return Decimal(text.strip())
    except ArithmeticError:
        return Decimal("0")


def _delimiters(text: str) -> tuple[str, str]:
    start = text.find("ISA")
    if start < 0:
        st = text.find("ST")
        return text[st + 2], "~"
    element = text[start + 3]
    position = start
    for _ in range(16):
        position = text.index(element, position + 1)
    return element, text[position + 2]


def figures_of(raw: bytes) -> list[Figures]:
    text = raw.decode("latin-1").lstrip("\ufeff\xef\xbb\xbf")
    element, terminator = _delimiters(text)
    found: list[Figures] = []
    current: Figures | None = None
    for chunk in text.split(terminator):
        parts = chunk.strip().split(element)
        sid = parts[0]
        if sid == "ST" and len(parts) > 1 and parts[1] == "835":
            current = Figures()
            found.append(current)
            continue
        if current is None:
            continue

        def get(n: int, parts: list[str] = parts) -> str:
            return parts[n] if len(parts) > n else ""

        if sid == "SE":
            current = None
        elif sid == "BPR":
            current.payment = _d(get(2))
        elif sid == "TRN" and not current.trace:
            current.trace, current.payer = get(2), get(3)
        elif sid == "CLP":
            current.claims += 1
            current.paid += _d(get(4))
            current.patient_responsibility += _d(get(5))
        elif sid == "CAS":
            current.adjusted += sum((_d(get(n)) for n in range(3, 19, 3)), Decimal("0"))
        elif sid == "PLB":
            current.plb += sum((_d(get(n)) for n in range(4, 15, 2)), Decimal("0"))
    return found
