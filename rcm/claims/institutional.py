"""The 837I (005010X223A2) claim loops: 2300 claim with statement dates and CL1, 2310A attending, 2310F
referring, 2320 COB and 2400 revenue-code service lines."""

from __future__ import annotations

from collections.abc import Sequence

from rcm.claims.coordination import PrimaryAdjudication, line_adjudication_segments, other_payer_segments
from rcm.claims.elements import Segment, amount, ccyymmdd, date_period, quantity
from rcm.claims.errors import ClaimBuildError, required_identifier
from rcm.claims.parties import provider_nm1, trim
from rcm.claims.professional import drug_segments, reference_segments
from rcm.domain import Claim, ServiceLine

__all__ = ["facility_type", "institutional_claim_segments", "is_inpatient"]

VERSION = "005010X223A2"

# Facility type codes (type of bill, first two digits) that are inpatient stays.
_INPATIENT = frozenset({"11", "12", "18", "21", "41", "65", "66", "86"})


def facility_type(claim: Claim) -> str:
    """CLM05-1: the type of bill without its leading zero and frequency digit (0131 -> 13); 13 when not given."""
    tob = claim.encounter.type_of_bill
    if not tob:
        return "13"
    digits = tob[1:] if len(tob) == 4 else tob
    return digits[:2]


def is_inpatient(claim: Claim) -> bool:
    return facility_type(claim) in _INPATIENT or claim.encounter.admission_date is not None


def _statement_period(claim: Claim) -> Segment:
    enc = claim.encounter
    start = min([enc.date_of_service] + [ln.date_of_service for ln in enc.lines if ln.date_of_service])
    end = max([enc.discharge_date or enc.date_of_service, enc.last_date_of_service])
    return ["DTP", "434", "RD8", f"{ccyymmdd(start)}-{ccyymmdd(end)}"]


def _diagnosis_segments(claim: Claim, inpatient: bool) -> list[Segment]:
    codes = list(claim.encounter.diagnoses)
    if not codes:
        raise ClaimBuildError(claim.claim_id, "diagnoses", "a claim needs a principal diagnosis")
    segs: list[Segment] = [["HI", ["ABK", codes[0]]]]
    if inpatient:
        segs.append(["HI", ["ABJ", codes[0]]])
    others = codes[1:]
    if others:
        segs.append(["HI", *[["ABF", c] for c in others[:12]]])
    return segs


def _line_segments(claim: Claim, number: int, line: ServiceLine,
                   adjudications: Sequence[PrimaryAdjudication]) -> list[Segment]:
    if not line.revenue_code:
        raise ClaimBuildError(claim.claim_id, f"line {line.line_id}", "an institutional line needs a revenue code")
    revenue = line.revenue_code.zfill(4)
    segs: list[Segment] = [
        ["LX", str(number)],
        ["SV2", revenue, ["HC", line.code, *line.modifiers], amount(line.charge), "UN", quantity(line.units)],
    ]
    if line.date_of_service is not None:
        fmt, value = date_period(line.date_of_service, line.date_of_service_end)
        segs.append(["DTP", "472", fmt, value])
    segs.append(["REF", "6R", required_identifier(claim.claim_id, f"line {line.line_id} id", line.line_id, 50)])
    segs += drug_segments(claim, line)
    segs += line_adjudication_segments(claim, line, adjudications, institutional=True)
    return segs


def institutional_claim_segments(claim: Claim, *, adjudications: Sequence[PrimaryAdjudication] = (),
                                 filing_indicators: Sequence[str] = ()) -> list[Segment]:
    """Everything from CLM to the last service line of one institutional claim."""
    enc = claim.encounter
    inpatient = is_inpatient(claim)
    segs: list[Segment] = [
        ["CLM", required_identifier(claim.claim_id, "claim_id", claim.claim_id, 38), amount(claim.total_charge), "", "",
         [facility_type(claim), "A", claim.frequency_code.value], "", "A", "Y", "Y"],
    ]
    segs.append(_statement_period(claim))
    if inpatient:
        admitted = enc.admission_date or enc.date_of_service
        segs.append(["DTP", "435", "D8", ccyymmdd(admitted)])
        # Admission type 3 (elective), point of origin 1 (non-health-care facility): the encounter does not
        # carry these yet; patient status 01 (discharged home) or 30 (still a patient).
        segs.append(["CL1", "3", "1", "01" if enc.discharge_date else "30"])
    else:
        segs.append(["CL1", "", "", "01"])
    segs += reference_segments(claim)
    segs += _diagnosis_segments(claim, inpatient)
    attending = enc.attending_provider or enc.rendering_provider
    if attending is None:
        raise ClaimBuildError(
            claim.claim_id, "attending_provider", "an institutional claim needs an attending provider"
        )
    segs.append(provider_nm1("71", attending, claim_id=claim.claim_id, person_only=True))
    if attending.taxonomy:
        segs.append(["PRV", "AT", "PXC", attending.taxonomy])
    if enc.referring_provider is not None:
        segs.append(provider_nm1("DN", enc.referring_provider, claim_id=claim.claim_id, person_only=True))
    for i, adjudication in enumerate(adjudications):
        filing = filing_indicators[i] if i < len(filing_indicators) else "CI"
        segs += other_payer_segments(claim, adjudication, filing=filing, responsibility="PST"[i])
    for number, line in enumerate(enc.lines, start=1):
        segs += _line_segments(claim, number, line, adjudications)
    return [trim(s) for s in segs]
