"""The 270 (005010X279A1) as segments: one transaction per payer (HL 20), providers under it (HL 21), and per
inquiry a subscriber (HL 22) with its trace, or a subscriber with a dependent (HL 23) carrying the trace when the
patient is not the insured.  Pure: values in, segment lists out."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from rcm.domain import Coverage, Encounter, Provider, Relationship
from rcm.x12.writer import ElementValue, Repeats, TransactionOut

__all__ = ["IMPLEMENTATION_270", "InquiryLine", "build_270_transaction", "originator_id"]

IMPLEMENTATION_270 = "005010X279A1"
_SEX = {"M": "M", "F": "F"}
_RELATIONSHIP_CODE = {Relationship.spouse: "01", Relationship.child: "19", Relationship.other: "G8"}


@dataclass(frozen=True, slots=True)
class InquiryLine:
    """One question: the encounter's patient and coverage, the service types, and our trace number."""

    encounter: Encounter
    coverage: Coverage
    payer_name: str
    service_types: tuple[str, ...]
    trace_number: str

    @property
    def is_dependent(self) -> bool:
        return self.coverage.relationship is not Relationship.self_ and self.coverage.subscriber is not None

    @property
    def provider(self) -> Provider | None:
        return self.encounter.billing_provider or self.encounter.rendering_provider


def originator_id(provider: Provider) -> str:
    """TRN03: "1" + the provider's EIN when known, else "9" + nine digits of the NPI (ten characters)."""
    tax = (provider.tax_id or "").replace("-", "")
    if len(tax) == 9 and tax.isdigit():
        return "1" + tax
    return "9" + provider.npi[1:10]


def _clean(value: str | None, limit: int) -> str:
    # EMR text never brings a delimiter or a non-ASCII letter into an element; upper case as most payers expect.
    ascii_text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode("ascii")
    text = " ".join("".join(ch if ch.isalnum() or ch in " -.,'&/#" else " " for ch in ascii_text).split())
    return text.upper()[:limit]


def _person(entity: str, last: str | None, first: str | None, middle: str | None = None,
            member_id: str | None = None) -> list[ElementValue]:
    nm1: list[ElementValue] = ["NM1", entity, "1", _clean(last, 60) or "UNKNOWN", _clean(first, 35),
                               _clean(middle, 25)]
    if member_id:
        nm1 += ["", "", "MI", _clean(member_id, 80)]
    return nm1


def _demographics(birth: date | None, sex: str) -> list[list[ElementValue]]:
    if birth is None:
        return []
    dmg: list[ElementValue] = ["DMG", "D8", birth.strftime("%Y%m%d")]
    if sex in _SEX:
        dmg.append(_SEX[sex])
    return [dmg]


def _provider_name(provider: Provider) -> list[ElementValue]:
    if provider.is_organization or not (provider.last_name or provider.first_name):
        return ["NM1", "1P", "2", _clean(provider.name, 60) or "PROVIDER", "", "", "", "", "XX", provider.npi]
    return ["NM1", "1P", "1", _clean(provider.last_name, 60), _clean(provider.first_name, 35), "", "", "",
            "XX", provider.npi]


def _member_segments(line: InquiryLine, hl: int, parent: int, originator: str) -> tuple[list[list[ElementValue]], int]:
    """Segments of the subscriber (and dependent) levels; returns them and the next free HL number."""
    enc, cov = line.encounter, line.coverage
    patient = enc.patient
    dos = enc.date_of_service.strftime("%Y%m%d")
    trn: list[ElementValue] = ["TRN", "1", line.trace_number, originator]
    eq: list[ElementValue] = ["EQ", Repeats(line.service_types) if len(line.service_types) > 1
                              else line.service_types[0]]
    out: list[list[ElementValue]] = []
    if not line.is_dependent:
        out.append(["HL", str(hl), str(parent), "22", "0"])
        out.append(trn)
        out.append(_person("IL", patient.last_name, patient.first_name, patient.middle_name, cov.member_id))
        out.extend(_demographics(patient.birth_date, patient.sex))
        out.append(["DTP", "291", "D8", dos])
        out.append(eq)
        return out, hl + 1
    subscriber = cov.subscriber
    assert subscriber is not None
    out.append(["HL", str(hl), str(parent), "22", "1"])
    out.append(_person("IL", subscriber.last_name, subscriber.first_name, None, cov.member_id))
    out.extend(_demographics(subscriber.birth_date, subscriber.sex))
    out.append(["HL", str(hl + 1), str(hl), "23", "0"])
    out.append(trn)
    out.append(_person("03", patient.last_name, patient.first_name, patient.middle_name))
    out.extend(_demographics(patient.birth_date, patient.sex))
    out.append(["INS", "N", _RELATIONSHIP_CODE.get(cov.relationship, "G8")])
    out.append(["DTP", "291", "D8", dos])
    out.append(eq)
    return out, hl + 2


def build_270_transaction(
    lines: list[InquiryLine], *, control_number: str, reference: str, created: datetime
) -> TransactionOut:
    """One 270 for inquiries to one payer (they share the payer's HL 20); providers grouped under it by NPI."""
    if not lines:
        raise ValueError("a 270 needs at least one inquiry")
    first = lines[0]
    segments: list[list[ElementValue]] = [
        ["BHT", "0022", "13", reference, created.strftime("%Y%m%d"), created.strftime("%H%M")],
        ["HL", "1", "", "20", "1"],
        ["NM1", "PR", "2", _clean(first.payer_name, 60) or first.coverage.payer_id, "", "", "", "", "PI",
         _clean(first.coverage.payer_id, 80)],
    ]
    by_provider: dict[str, list[InquiryLine]] = {}
    providers: dict[str, Provider] = {}
    for line in lines:
        provider = line.provider
        if provider is None:
            raise ValueError(f"encounter {line.encounter.encounter_id}: no billing or rendering provider")
        by_provider.setdefault(provider.npi, []).append(line)
        providers.setdefault(provider.npi, provider)
    hl = 2
    for npi, members in by_provider.items():
        provider = providers[npi]
        receiver_hl = hl
        segments.append(["HL", str(receiver_hl), "1", "21", "1"])
        segments.append(_provider_name(provider))
        hl += 1
        originator = originator_id(provider)
        for line in members:
            member_segments, hl = _member_segments(line, hl, receiver_hl, originator)
            segments.extend(member_segments)
    return TransactionOut("270", control_number, segments, IMPLEMENTATION_270)
