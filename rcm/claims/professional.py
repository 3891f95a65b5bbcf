"""The 837P (005010X222A1) claim loops: 2300 claim, 2310A/B providers, 2320 COB and 2400 service lines."""

from __future__ import annotations

from collections.abc import Sequence

from rcm.claims.coordination import PrimaryAdjudication, line_adjudication_segments, other_payer_segments
from rcm.claims.elements import Segment, amount, date_period, quantity
from rcm.claims.errors import ClaimBuildError, required_identifier
from rcm.claims.parties import provider_nm1, trim
from rcm.domain import Claim, ClaimFrequency, ServiceLine

__all__ = ["diagnosis_segment", "drug_segments", "professional_claim_segments", "reference_segments"]

VERSION = "005010X222A1"

# CMS place-of-service codes (the list rules/codesets/pos_codes.csv carries and pyx12 checks against).
PLACES_OF_SERVICE = frozenset(
    {
        "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "13", "14", "15", "16", "17",
        "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "31", "32", "33", "34", "41", "42", "49",
        "50", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "65", "66", "71", "72", "81",
        "99"
    }
)


def diagnosis_segment(claim: Claim, *, principal: str = "ABK", other: str = "ABF") -> Segment:
    """HI with the principal diagnosis first and the others in pointer order (codes without the dot)."""
    codes = list(claim.encounter.diagnoses)
    if not codes:
        raise ClaimBuildError(claim.claim_id, "diagnoses", "a claim needs at least one diagnosis")
    return ["HI", [principal, codes[0]], *[[other, c] for c in codes[1:12]]]


def reference_segments(claim: Claim) -> list[Segment]:
    """REF*G1 prior authorization and REF*F8 payer claim number (replacements and voids)."""
    segs: list[Segment] = []
    if claim.encounter.prior_authorization:
        segs.append(["REF", "G1", required_identifier(claim.claim_id, "prior_authorization",
                                                      claim.encounter.prior_authorization, 50)])
    if claim.frequency_code is not ClaimFrequency.original:
        segs.append(["REF", "F8", required_identifier(claim.claim_id, "payer_claim_number",
                                                      claim.payer_claim_number, 50)])
    return segs


def _pointers(claim: Claim, line: ServiceLine) -> list[str]:
    count = len(claim.encounter.diagnoses)
    pointers = line.diagnosis_pointers
    if not pointers:
        raise ClaimBuildError(claim.claim_id, f"line {line.line_id}", "the line points at no diagnosis")
    if len(pointers) > 4:
        raise ClaimBuildError(claim.claim_id, f"line {line.line_id}", "a line carries at most four pointers")
    bad = [p for p in pointers if not 1 <= p <= count]
    if bad:
        raise ClaimBuildError(claim.claim_id, f"line {line.line_id}", f"pointer(s) {bad} past the diagnoses")
    return [str(p) for p in pointers]


def drug_segments(claim: Claim, line: ServiceLine) -> list[Segment]:
    """Loop 2410: the NDC (11 digits, 5-4-2) and the quantity dispensed."""
    if not line.ndc:
        return []
    ndc = "".join(c for c in line.ndc if c.isdigit())
    if len(ndc) != 11:
        raise ClaimBuildError(claim.claim_id, f"line {line.line_id}", "an NDC has 11 digits (5-4-2)")
    return [["LIN", "", "N4", ndc], ["CTP", "", "", "", quantity(line.units), "UN"]]


def claim_place_of_service(claim: Claim) -> str:
    enc = claim.encounter
    pos = enc.place_of_service or next((ln.place_of_service for ln in enc.lines if ln.place_of_service), None)
    if pos is None:
        raise ClaimBuildError(claim.claim_id, "place_of_service", "the place of service is missing")
    if pos not in PLACES_OF_SERVICE:
        raise ClaimBuildError(claim.claim_id, "place_of_service", f"{pos} is not a place-of-service code")
    return pos


def _line_segments(claim: Claim, number: int, line: ServiceLine, claim_pos: str,
                   adjudications: Sequence[PrimaryAdjudication]) -> list[Segment]:
    if line.date_of_service is None:
        raise ClaimBuildError(claim.claim_id, f"line {line.line_id}", "the line has no date of service")
    pos = line.place_of_service if line.place_of_service and line.place_of_service != claim_pos else ""
    if pos and pos not in PLACES_OF_SERVICE:
        raise ClaimBuildError(claim.claim_id, f"line {line.line_id}", f"{pos} is not a place-of-service code")
    sv1 = trim(["SV1", ["HC", line.code, *line.modifiers], amount(line.charge), "UN", quantity(line.units),
                pos, "", _pointers(claim, line)])
    fmt, value = date_period(line.date_of_service, line.date_of_service_end)
    segs: list[Segment] = [
        ["LX", str(number)],
        sv1,
        ["DTP", "472", fmt, value],
        ["REF", "6R", required_identifier(claim.claim_id, f"line {line.line_id} id", line.line_id, 50)],
    ]
    segs += drug_segments(claim, line)
    segs += line_adjudication_segments(claim, line, adjudications, institutional=False)
    return segs


def professional_claim_segments(claim: Claim, *, adjudications: Sequence[PrimaryAdjudication] = (),
                                filing_indicators: Sequence[str] = ()) -> list[Segment]:
    """Everything from CLM to the last service line of one professional claim.

    ``adjudications`` are the earlier payers' decisions (secondary/tertiary claims), in payer order, with
    ``filing_indicators`` giving each one's SBR09.
    """
    enc = claim.encounter
    if len(enc.lines) > 50:
        raise ClaimBuildError(claim.claim_id, "lines", "an 837P claim carries at most 50 service lines")
    pos = claim_place_of_service(claim)
    segs: list[Segment] = [
        ["CLM", required_identifier(claim.claim_id, "claim_id", claim.claim_id, 38), amount(claim.total_charge), "",
         "", [pos, "B", claim.frequency_code.value],
         "Y", "A", "Y", "Y"],
    ]
    segs += reference_segments(claim)
    segs.append(diagnosis_segment(claim))
    if enc.referring_provider is not None:
        segs.append(provider_nm1("DN", enc.referring_provider, claim_id=claim.claim_id, person_only=True))
    rendering = enc.rendering_provider
    billing_npi = enc.billing_provider.npi if enc.billing_provider else None
    if rendering is not None and rendering.npi != billing_npi:
        segs.append(provider_nm1("82", rendering, claim_id=claim.claim_id))
        if rendering.taxonomy:
            segs.append(["PRV", "PE", "PXC", rendering.taxonomy])
    for i, adjudication in enumerate(adjudications):
        filing = filing_indicators[i] if i < len(filing_indicators) else "CI"
        segs += other_payer_segments(claim, adjudication, filing=filing, responsibility="PST"[i])
    for number, line in enumerate(enc.lines, start=1):
        segs += _line_segments(claim, number, line, pos, adjudications)
    return segs
