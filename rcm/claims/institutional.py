"""The 837I (005010X223A2) claim loops: 2300 claim with statement dates and CL1, 2310A attending, 2310F
referring, 2320 COB and 2400 revenue-code service lines.

CL1 carries the encounter's UB-04 codes as given: admission type (FL14, CL101), point of origin (FL15, CL102)
and patient status (FL17, CL103). Never a guess on a claim that goes out: the scrubber holds an inpatient claim
without the first two and any institutional claim without a patient status (rules/scrub/institutional.yaml),
so the fallbacks below are only reached by a claim built outside the nightly run.
"""

from __future__ import annotations

from collections.abc import Sequence

from rcm.claims.coordination import PrimaryAdjudication, line_adjudication_segments, other_payer_segments
from rcm.claims.elements import Segment, amount, ccyymmdd, date_period, hhmm, quantity
from rcm.claims.errors import ClaimBuildError, required_identifier
from rcm.claims.parties import provider_nm1, trim
from rcm.claims.professional import drug_segments, reference_segments
from rcm.domain import Claim, ServiceLine

__all__ = ["facility_type", "institutional_claim_segments", "institutional_codes_segment", "is_inpatient"]

VERSION = "005010X223A2"

# NUBC "information not available" (admission type 9, point of origin 9): what an inpatient CL1 says when the
# encounter did not carry the code; the scrubber's INST-ADMISSION-TYPE-MISSING / INST-POINT-OF-ORIGIN-MISSING
# errors keep such a claim from the nightly build.
_NOT_AVAILABLE = "9"


def facility_type(claim: Claim) -> str:
    """CLM05-1: the type of bill without its leading zero and frequency digit (0131 -> 13); 13 when not given."""
    return claim.encounter.facility_type or "13"


def is_inpatient(claim: Claim) -> bool:
    return claim.encounter.is_inpatient


def _claim_dates(claim: Claim, *, inpatient: bool) -> list[Segment]:
    """The 2300 dates in the guide's order: discharge hour (096), statement dates (434), admission date/hour (435).

    X223A2 wants DTP*096 on final inpatient bills only: ours are final when the stay has a discharge date (an
    interim bill, status 30, has none). It wants DTP*435 on inpatient claims with the hour (DT CCYYMMDDHHMM); a
    time of day the encounter does not carry is never invented: the date alone goes as D8, and the scrubber's
    INST-ADMISSION-HOUR-MISSING / INST-DISCHARGE-HOUR-MISSING (info) tell the biller.
    """
    enc = claim.encounter
    start, end = enc.statement_period
    segs: list[Segment] = []
    if inpatient and enc.discharge_date is not None and enc.discharge_time is not None:
        segs.append(["DTP", "096", "TM", hhmm(enc.discharge_time)])
    segs.append(["DTP", "434", "RD8", f"{ccyymmdd(start)}-{ccyymmdd(end)}"])
    if inpatient:
        if enc.admission_date is not None and enc.admission_time is not None:
            segs.append(["DTP", "435", "DT", ccyymmdd(enc.admission_date) + hhmm(enc.admission_time)])
        else:
            segs.append(["DTP", "435", "D8", ccyymmdd(enc.admission_date or enc.date_of_service)])
    return segs


def institutional_codes_segment(claim: Claim, *, inpatient: bool) -> Segment:
    """CL1: admission type, point of origin and patient status as the encounter carries them.

    X223A2 requires CL101 and CL102 on inpatient claims and CL103 on every claim. A missing inpatient code is
    sent as 9 (information not available), never as a plausible value; a missing patient status as 01
    (discharged) or, for a stay without a discharge date, 30 (still a patient), because CL103 has no "unknown"
    code and an empty one would make the whole file fail. Both only happen when the scrubber was bypassed.
    """
    enc = claim.encounter
    admission_type = enc.admission_type or (_NOT_AVAILABLE if inpatient else "")
    origin = enc.point_of_origin or (_NOT_AVAILABLE if inpatient else "")
    status = enc.patient_status or ("30" if inpatient and enc.discharge_date is None else "01")
    return ["CL1", admission_type, origin, status]


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
    segs += _claim_dates(claim, inpatient=inpatient)
    segs.append(institutional_codes_segment(claim, inpatient=inpatient))
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
