"""One 837 transaction set body (BHT to the last claim, ST/SE added by the writer): claims of one type, one
payer and one billing provider under a single 2000A, each claim with its own 2000B (and 2000C)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.coordination import PrimaryAdjudication
from rcm.claims.elements import Segment, text
from rcm.claims.errors import ClaimBuildError
from rcm.claims.institutional import VERSION as INSTITUTIONAL_VERSION
from rcm.claims.institutional import institutional_claim_segments
from rcm.claims.parties import (
    billing_provider_segments,
    is_dependent,
    patient_segments,
    submitter_segments,
    subscriber_segments,
)
from rcm.claims.professional import VERSION as PROFESSIONAL_VERSION
from rcm.claims.professional import professional_claim_segments
from rcm.domain import Claim, ClaimType

__all__ = [
    "ClaimBlock",
    "OutgoingClaim",
    "batch_reference",
    "build_claim_block",
    "transaction_segments",
    "version_for",
]


def batch_reference(interchange_control_number: int, transaction_control_number: str) -> str:
    """BHT03 of a transaction we send: a 277CA echoes it (HL 21 TRN*2) to name the batch it answers."""
    return f"{interchange_control_number}-{transaction_control_number}"


def version_for(claim_type: ClaimType) -> str:
    """The implementation guide (GS08/ST03) of a claim type."""
    return PROFESSIONAL_VERSION if claim_type is ClaimType.professional else INSTITUTIONAL_VERSION


@dataclass(frozen=True, slots=True)
class OutgoingClaim:
    """A claim on its way out with what the builder needs beside it: SBR09 for the payer billed and, for a
    secondary or tertiary claim, the earlier payers' adjudications with their SBR09."""

    claim: Claim
    filing_indicator: str = "CI"
    adjudications: tuple[PrimaryAdjudication, ...] = ()
    other_filing_indicators: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClaimBlock:
    """One claim's segments, built and checked before any file is assembled (HL numbers come later)."""

    outgoing: OutgoingClaim
    billing: list[Segment]
    subscriber: list[Segment]
    patient: list[Segment] | None
    body: list[Segment] = field(default_factory=list)

    @property
    def claim(self) -> Claim:
        return self.outgoing.claim

    @property
    def billing_key(self) -> str:
        """Claims whose 2000A would be identical can share one billing provider level."""
        return repr(self.billing)


def build_claim_block(outgoing: OutgoingClaim) -> ClaimBlock:
    """All of one claim's loops; raises ClaimBuildError (claim id + field) when the guide cannot be met."""
    claim = outgoing.claim
    institutional = claim.claim_type is ClaimType.institutional
    coverage = claim.coverage
    if coverage.payer_id != claim.payer.payer_id:
        raise ClaimBuildError(claim.claim_id, "coverage", "the coverage is not the payer billed")
    expected = len(outgoing.adjudications)
    priority_index = {"primary": 0, "secondary": 1, "tertiary": 2}[coverage.priority.value]
    if expected != priority_index:
        raise ClaimBuildError(
            claim.claim_id, "adjudications",
            f"a {coverage.priority.value} claim needs {priority_index} earlier adjudication(s), got {expected}",
        )
    billing = billing_provider_segments(claim, institutional=institutional)
    subscriber = subscriber_segments(claim, coverage, filing=outgoing.filing_indicator)
    patient = patient_segments(claim, coverage) if is_dependent(coverage) else None
    build = institutional_claim_segments if institutional else professional_claim_segments
    body = build(claim, adjudications=outgoing.adjudications, filing_indicators=outgoing.other_filing_indicators)
    return ClaimBlock(outgoing, billing, subscriber, patient, body)


def transaction_segments(blocks: Sequence[ClaimBlock], *, clearinghouse: Clearinghouse, reference: str,
                         created: datetime) -> list[Segment]:
    """BHT, 1000A/B, then one 2000A with every claim's 2000B/2000C/2300 (all blocks share the billing key)."""
    if not blocks:
        raise ValueError("a transaction needs at least one claim")
    keys = {b.billing_key for b in blocks}
    if len(keys) != 1:
        raise ValueError("claims of different billing providers belong in different transactions")
    segs: list[Segment] = [
        ["BHT", "0019", "00", text(reference, 50), created.strftime("%Y%m%d"), created.strftime("%H%M"), "CH"],
        *submitter_segments(clearinghouse),
        ["HL", "1", "", "20", "1"],
        *blocks[0].billing,
    ]
    hl = 1
    for block in blocks:
        hl += 1
        subscriber_hl = hl
        segs.append(["HL", str(subscriber_hl), "1", "22", "1" if block.patient else "0"])
        segs += block.subscriber
        if block.patient is not None:
            hl += 1
            segs.append(["HL", str(hl), str(subscriber_hl), "23", "0"])
            segs += block.patient
        segs += block.body
    return segs
