"""The people and organisations on an 837, shared by 837P and 837I: submitter, receiver, billing provider
(2000A/2010AA), subscriber and payer (2000B/2010BA/2010BB), patient (2000C/2010CA)."""

from __future__ import annotations

from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.elements import Segment, ccyymmdd, text
from rcm.claims.errors import ClaimBuildError, required_identifier
from rcm.domain import Address, Claim, Coverage, Patient, Provider, Relationship, Sex

__all__ = [
    "address_segments",
    "billing_provider_segments",
    "filing_indicator",
    "patient_segments",
    "person_nm1",
    "provider_nm1",
    "submitter_segments",
    "subscriber_segments",
    "trim",
]

# SBR09 claim filing indicator codes allowed by both guides.
FILING_INDICATORS = frozenset(
    {"11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS"}
    | {"FI", "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"}
)


def trim(segment: Segment) -> Segment:
    """Drop trailing empty elements and trailing empty components (X12 forbids trailing separators)."""
    out: Segment = []
    for element in segment:
        if isinstance(element, list):
            comps = list(element)
            while comps and comps[-1] == "":
                comps.pop()
            out.append(comps if len(comps) > 1 else (comps[0] if comps else ""))
        else:
            out.append(element)
    while len(out) > 1 and out[-1] == "":
        out.pop()
    return out


def filing_indicator(*candidates: str | None) -> str:
    """The first candidate that is a valid SBR09 code; commercial insurance (CI) when none is."""
    for c in candidates:
        if c and c.strip().upper() in FILING_INDICATORS:
            return c.strip().upper()
    return "CI"


def submitter_segments(ch: Clearinghouse) -> list[Segment]:
    """Loops 1000A (submitter, with its EDI contact) and 1000B (receiver)."""
    phone = "".join(c for c in ch.submitter_phone if c.isdigit())
    per: Segment = ["PER", "IC", text(ch.submitter_contact, 60)]
    if phone:
        per += ["TE", phone]
    return [
        ["NM1", "41", "2", text(ch.submitter_name, 60), "", "", "", "", "46", text(ch.sender_id, 80)],
        per,
        ["NM1", "40", "2", text(ch.receiver_name, 60), "", "", "", "", "46", text(ch.receiver_id, 80)],
    ]


def address_segments(address: Address) -> list[Segment]:
    n3: Segment = ["N3", text(address.line1, 55)]
    if address.line2 and text(address.line2, 55):
        n3.append(text(address.line2, 55))
    return [n3, ["N4", text(address.city, 30), address.state, address.zip.replace("-", "")]]


def _sex(sex: Sex) -> str:
    return sex if sex in ("F", "M") else "U"


def provider_nm1(entity: str, provider: Provider, *, claim_id: str, person_only: bool = False,
                 organization_only: bool = False) -> Segment:
    """NM1 for a provider identified by NPI: organisation (NM102 2) or person (NM102 1)."""
    as_org = (provider.is_organization or organization_only) and not person_only
    if as_org:
        name = text(provider.name or " ".join(p for p in (provider.first_name, provider.last_name) if p), 60)
        if not name:
            raise ClaimBuildError(claim_id, f"provider {entity} name", f"provider NM1*{entity} has no name")
        return ["NM1", entity, "2", name, "", "", "", "", "XX", provider.npi]
    last = text(provider.last_name or provider.name, 60)
    if not last:
        raise ClaimBuildError(claim_id, f"provider {entity} last name", f"provider NM1*{entity} has no last name")
    return trim(["NM1", entity, "1", last, text(provider.first_name, 35), "", "", "", "XX", provider.npi])


def person_nm1(entity: str, *, last: str | None, first: str | None, middle: str | None,
               member_id: str | None, claim_id: str, field: str) -> Segment:
    name = text(last, 60)
    if not name:
        raise ClaimBuildError(claim_id, field, f"NM1*{entity} needs a last name")
    seg: Segment = ["NM1", entity, "1", name, text(first, 35), text(middle, 25)]
    if member_id is not None:
        seg += ["", "", "MI", required_identifier(claim_id, "member_id", member_id, 80)]
    return trim(seg)


def billing_provider_segments(claim: Claim, *, institutional: bool) -> list[Segment]:
    """2000A body (after HL): PRV*BI, 2010AA name/address/tax id, 2010AB pay-to address when it differs."""
    provider = claim.encounter.billing_provider
    if provider is None:
        raise ClaimBuildError(claim.claim_id, "billing_provider", "the billing provider is missing")
    if provider.address is None:
        raise ClaimBuildError(claim.claim_id, "billing_provider.address", "the billing provider address is missing")
    if not provider.tax_id:
        raise ClaimBuildError(claim.claim_id, "billing_provider.tax_id", "the billing provider tax id is missing")
    if institutional and len(provider.address.zip.replace("-", "")) != 9:
        # X223A2 requires (and pyx12 checks) ZIP+4 for the billing provider; guessing the +4 would misroute mail.
        # X222A1 asks for it too, but 837P validators accept five digits, so professional claims are not held.
        raise ClaimBuildError(claim.claim_id, "billing_provider.address.zip", "the billing provider needs a ZIP+4")
    segs: list[Segment] = []
    if provider.taxonomy:
        segs.append(["PRV", "BI", "PXC", provider.taxonomy])
    segs.append(provider_nm1("85", provider, claim_id=claim.claim_id, organization_only=institutional))
    segs += address_segments(provider.address)
    segs.append(["REF", "EI", provider.tax_id])
    pay_to = claim.encounter.pay_to_address
    if pay_to is not None and pay_to != provider.address:
        segs.append(["NM1", "87", "2"])
        segs += address_segments(pay_to)
    return segs


def _is_dependent(coverage: Coverage) -> bool:
    return coverage.relationship is not Relationship.self_


def subscriber_segments(claim: Claim, coverage: Coverage, *, filing: str) -> list[Segment]:
    """2000B body (after HL): SBR, 2010BA subscriber, 2010BB payer."""
    patient = claim.encounter.patient
    dependent = _is_dependent(coverage)
    segs: list[Segment] = [
        trim(["SBR", coverage.priority.sbr01, "" if dependent else "18", text(coverage.group_number, 50),
              "", "", "", "", "", filing])
    ]
    if dependent:
        sub = coverage.subscriber
        if sub is None:
            raise ClaimBuildError(claim.claim_id, "coverage.subscriber", "the subscriber of a dependent is missing")
        segs.append(person_nm1("IL", last=sub.last_name, first=sub.first_name, middle=None,
                               member_id=coverage.member_id or "", claim_id=claim.claim_id,
                               field="coverage.subscriber.last_name"))
        if sub.address is not None:
            segs += address_segments(sub.address)
        if sub.birth_date is not None:
            segs.append(["DMG", "D8", ccyymmdd(sub.birth_date), _sex(sub.sex)])
    else:
        segs.append(person_nm1("IL", last=patient.last_name, first=patient.first_name, middle=patient.middle_name,
                               member_id=coverage.member_id or "", claim_id=claim.claim_id,
                               field="patient.last_name"))
        segs += _patient_address_and_demographics(claim.claim_id, patient)
    payer = claim.payer
    segs.append(["NM1", "PR", "2", text(payer.name, 60) or text(payer.payer_id, 60), "", "", "", "", "PI",
                 required_identifier(claim.claim_id, "payer_id", payer.payer_id, 80)])
    return segs


def _patient_address_and_demographics(claim_id: str, patient: Patient) -> list[Segment]:
    if patient.address is None:
        raise ClaimBuildError(claim_id, "patient.address", "the patient address is missing")
    if patient.birth_date is None:
        raise ClaimBuildError(claim_id, "patient.birth_date", "the patient birth date is missing")
    return [*address_segments(patient.address), ["DMG", "D8", ccyymmdd(patient.birth_date), _sex(patient.sex)]]


def patient_segments(claim: Claim, coverage: Coverage) -> list[Segment]:
    """2000C body (after HL) for a patient who is not the subscriber: PAT, 2010CA."""
    patient = claim.encounter.patient
    return [
        ["PAT", coverage.relationship.x12_code],
        person_nm1("QC", last=patient.last_name, first=patient.first_name, middle=patient.middle_name,
                   member_id=None, claim_id=claim.claim_id, field="patient.last_name"),
        *_patient_address_and_demographics(claim.claim_id, patient),
    ]


def is_dependent(coverage: Coverage) -> bool:
    """True when the patient is not the subscriber (the claim needs a 2000C patient level)."""
    return _is_dependent(coverage)
