"""Coordination of benefits: what an earlier payer decided (PrimaryAdjudication, the hand-off from posted 835s)
and the 2320/2330A/2330B/2430 loops a secondary or tertiary claim carries from it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rcm.claims.elements import Segment, amount, ccyymmdd, identifier, quantity, text
from rcm.claims.errors import ClaimBuildError, required_identifier
from rcm.claims.parties import address_segments, person_nm1, trim
from rcm.domain import Claim, Coverage, Relationship, ServiceLine

__all__ = [
    "AdjudicatedAdjustment",
    "AdjudicatedLine",
    "PrimaryAdjudication",
    "line_adjudication_segments",
    "other_payer_segments",
]

_CAS_GROUPS = ("CO", "CR", "OA", "PI", "PR")


@dataclass(frozen=True, slots=True)
class AdjudicatedAdjustment:
    """One CAS triple as the earlier payer reported it (group code, CARC, amount, optional quantity)."""

    group: str
    reason: str
    amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True, slots=True)
class AdjudicatedLine:
    """The earlier payer's decision on one of our service lines (matched by our line id, REF*6R)."""

    line_id: str
    paid: Decimal
    adjustments: tuple[AdjudicatedAdjustment, ...] = ()
    allowed: Decimal | None = None
    paid_units: Decimal | None = None
    paid_date: date | None = None


@dataclass(frozen=True, slots=True)
class PrimaryAdjudication:
    """What a payer ahead of this one did with the claim: the input of a secondary (or tertiary) 837.

    Filled from posted 835s (store tables ClaimPayment / ServicePayment / Adjustment). ``claim_adjustments``
    are the claim-level CAS (2320); ``lines`` the line-level ones (2430). ``payer_id`` must match one of the
    claim's other coverages so the 2330A subscriber and 2320 SBR can be written.
    """

    payer_id: str
    payer_name: str
    paid_date: date
    paid: Decimal
    patient_responsibility: Decimal = Decimal("0.00")
    payer_claim_number: str | None = None
    claim_adjustments: tuple[AdjudicatedAdjustment, ...] = ()
    lines: tuple[AdjudicatedLine, ...] = field(default=())

    def line(self, line_id: str) -> AdjudicatedLine | None:
        for adjudicated in self.lines:
            if adjudicated.line_id == line_id:
                return adjudicated
        return None


def cas_segments(adjustments: Sequence[AdjudicatedAdjustment], *, claim_id: str) -> list[Segment]:
    """CAS segments: one per group code, at most six reason triples each (more triples start a new CAS)."""
    segs: list[Segment] = []
    for group in _CAS_GROUPS:
        items = [a for a in adjustments if a.group == group and a.amount != 0]
        for start in range(0, len(items), 6):
            seg: Segment = ["CAS", group]
            for adj in items[start:start + 6]:
                seg += [text(adj.reason, 5), amount(adj.amount),
                        quantity(adj.quantity) if adj.quantity is not None else ""]
            segs.append(trim(seg))
    unknown = {a.group for a in adjustments} - set(_CAS_GROUPS)
    if unknown:
        raise ClaimBuildError(claim_id, "adjustment.group", f"unknown CAS group code(s) {sorted(unknown)}")
    if len(segs) > 5:
        raise ClaimBuildError(claim_id, "adjustments", "more than five CAS segments for one payer")
    return segs


def _total(adjustments: Sequence[AdjudicatedAdjustment]) -> Decimal:
    return sum((a.amount for a in adjustments), Decimal("0.00"))


def _coverage_for(claim: Claim, payer_id: str) -> Coverage:
    for cov in claim.other_coverage:
        if cov.payer_id == payer_id:
            return cov
    raise ClaimBuildError(claim.claim_id, "other_coverage", f"no other coverage for earlier payer {payer_id}")


def check_balance(claim: Claim, adjudication: PrimaryAdjudication) -> None:
    """The COB balancing the guides require: per line charge - CAS = paid; claim charge - all CAS = paid."""
    line_cas = Decimal("0.00")
    for line in claim.lines:
        adjudicated = adjudication.line(line.line_id)
        if adjudicated is None:
            continue
        adjusted = _total(adjudicated.adjustments)
        if line.charge - adjusted != adjudicated.paid:
            raise ClaimBuildError(
                claim.claim_id, f"line {line.line_id}",
                f"payer {adjudication.payer_id} paid {adjudicated.paid} on a {line.charge} charge with "
                f"{adjusted} adjusted: the line does not balance",
            )
        line_cas += adjusted
    claim_cas = _total(adjudication.claim_adjustments)
    if claim.total_charge - claim_cas - line_cas != adjudication.paid:
        raise ClaimBuildError(
            claim.claim_id, "adjudication",
            f"payer {adjudication.payer_id} paid {adjudication.paid} on {claim.total_charge} with "
            f"{claim_cas + line_cas} adjusted: the claim does not balance",
        )
    known = {line.line_id for line in claim.lines}
    stray = [a.line_id for a in adjudication.lines if a.line_id not in known]
    if stray:
        raise ClaimBuildError(claim.claim_id, "adjudication.lines", f"adjudicated lines {stray} are not on the claim")


def other_payer_segments(claim: Claim, adjudication: PrimaryAdjudication, *, filing: str,
                         responsibility: str) -> list[Segment]:
    """Loop 2320 with its 2330A (other subscriber) and 2330B (other payer) for one earlier payer."""
    check_balance(claim, adjudication)
    coverage = _coverage_for(claim, adjudication.payer_id)
    relationship = "18" if coverage.relationship is Relationship.self_ else coverage.relationship.x12_code
    segs: list[Segment] = [
        trim(["SBR", responsibility, relationship, text(coverage.group_number, 50), "", "", "", "", "", filing])
    ]
    segs += cas_segments(adjudication.claim_adjustments, claim_id=claim.claim_id)
    segs.append(["AMT", "D", amount(adjudication.paid)])
    if adjudication.patient_responsibility > 0:
        segs.append(["AMT", "EAF", amount(adjudication.patient_responsibility)])
    segs.append(["OI", "", "", "Y", "", "", "Y"])
    # 2330A: the other payer's subscriber
    patient = claim.encounter.patient
    if coverage.relationship is Relationship.self_:
        segs.append(person_nm1("IL", last=patient.last_name, first=patient.first_name, middle=patient.middle_name,
                               member_id=coverage.member_id or "", claim_id=claim.claim_id,
                               field="patient.last_name"))
        if patient.address is not None:
            segs += address_segments(patient.address)
    else:
        sub = coverage.subscriber
        if sub is None:
            raise ClaimBuildError(claim.claim_id, "other_coverage.subscriber", "the other subscriber is missing")
        segs.append(person_nm1("IL", last=sub.last_name, first=sub.first_name, middle=None,
                               member_id=coverage.member_id or "", claim_id=claim.claim_id,
                               field="other_coverage.subscriber.last_name"))
        if sub.address is not None:
            segs += address_segments(sub.address)
    # 2330B: the other payer; its remittance date at claim level when it did not adjudicate lines
    other_payer_id = required_identifier(claim.claim_id, "other payer id", adjudication.payer_id, 80)
    segs.append(["NM1", "PR", "2", text(adjudication.payer_name, 60) or text(adjudication.payer_id, 60),
                 "", "", "", "", "PI", other_payer_id])
    if not adjudication.lines:
        segs.append(["DTP", "573", "D8", ccyymmdd(adjudication.paid_date)])
    other_number = identifier(adjudication.payer_claim_number, 50)
    if other_number:
        segs.append(["REF", "F8", other_number])
    return segs


def line_adjudication_segments(claim: Claim, line: ServiceLine, adjudications: Sequence[PrimaryAdjudication],
                               *, institutional: bool) -> list[Segment]:
    """Loop 2430 (SVD, CAS, DTP*573) for each earlier payer that adjudicated this line."""
    segs: list[Segment] = []
    for adjudication in adjudications:
        adjudicated = adjudication.line(line.line_id)
        if adjudicated is None:
            continue
        procedure: list[str] = ["HC", line.code, *line.modifiers]
        units = adjudicated.paid_units if adjudicated.paid_units is not None else line.units
        svd: Segment = ["SVD", required_identifier(claim.claim_id, "other payer id", adjudication.payer_id, 80),
                        amount(adjudicated.paid)]
        if institutional:
            svd += [procedure if line.code else "", line.revenue_code or "", quantity(units)]
        else:
            svd += [procedure, "", quantity(units)]
        segs.append(trim(svd))
        segs += cas_segments(adjudicated.adjustments, claim_id=claim.claim_id)
        segs.append(["DTP", "573", "D8", ccyymmdd(adjudicated.paid_date or adjudication.paid_date)])
    return segs
