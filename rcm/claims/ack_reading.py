"""Reading acknowledgments: TA1 (interchange), 999 or 997 (functional group / transaction sets, with IK3/IK4 or
AK3/AK4 errors) and 277CA (claim and service line STC) from any X12 file, into small records an ingest can match.

The file is read by the X12 core (``rcm.x12.reader``): the TA1 segments of its interchanges
(``rcm.x12.sets.ta1``), and the typed model of each 999/997 (``rcm.x12.sets.x999``) and 277 transaction set
(``rcm.x12.sets.status277``); the records below are made from those, so there is one reading of these files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rcm.collector import collector_paused
from rcm.x12.reader import read_transactions
from rcm.x12.sets.common import Reference
from rcm.x12.sets.status277 import ClaimStatusReport, LineStatus, StatusInfo
from rcm.x12.sets.ta1 import InterchangeAcknowledgment
from rcm.x12.sets.x999 import ImplementationAcknowledgment
from rcm.x12.sets.x999 import SegmentError as SegmentErrorModel

__all__ = [
    "AckFile",
    "ClaimAck",
    "ElementError",
    "GroupAck",
    "InterchangeAck",
    "LineAck",
    "SegmentError",
    "StatusReason",
    "TransactionAck",
    "read_acks",
]


@dataclass(frozen=True, slots=True)
class InterchangeAck:
    """TA1: what happened to one interchange we sent (TA101 is our ISA13)."""

    interchange_control_number: str
    status: str  # A accepted, E accepted with errors, R rejected
    note_code: str
    segment: int


@dataclass(frozen=True, slots=True)
class ElementError:
    position: int | None
    component: int | None
    code: str  # IK403


@dataclass(slots=True)
class SegmentError:
    """IK3 (and its IK4s): which segment of our transaction was wrong and why; CTX may name the claim."""

    segment_id: str
    position: int | None  # IK302: segment number within the transaction set
    loop: str
    code: str  # IK304
    elements: list[ElementError] = field(default_factory=list)
    claim_id: str | None = None  # from CTX*CLM01:<patient control number>


@dataclass(slots=True)
class TransactionAck:
    """AK2..IK5 (AK5 in a 997): one transaction set we sent (AK202 is our ST02)."""

    set_id: str
    control_number: str
    status: str = ""  # IK501: A, E, R (also M, W, X)
    codes: list[str] = field(default_factory=list)  # IK502..IK506
    errors: list[SegmentError] = field(default_factory=list)
    segment: int = 0


@dataclass(slots=True)
class GroupAck:
    """AK1..AK9 of a 999: one functional group we sent (AK102 is our GS06)."""

    functional_id: str
    group_control_number: str
    version: str
    status: str = ""  # AK901: A, E, P, R
    codes: list[str] = field(default_factory=list)  # AK905..AK909
    transactions: list[TransactionAck] = field(default_factory=list)
    segment: int = 0
    ack_set: str = "999"  # the acknowledgment's own ST01: 999 or 997


@dataclass(frozen=True, slots=True)
class StatusReason:
    """One STC composite: category (507), status (508) and the entity it is about."""

    category: str
    code: str
    entity: str


@dataclass(slots=True)
class LineAck:
    """A 277CA service line status (loop 2220D: SVC, STC, REF*FJ our line item control number, DTP*472)."""

    procedure: str  # SVC01 as sent back, components joined with ":" whatever the file's separator (HC:99213:25)
    charge: str  # SVC02
    statuses: list[StatusReason] = field(default_factory=list)
    line_control_number: str | None = None  # REF*FJ: the REF*6R we sent
    service_date: str | None = None  # DTP*472
    segment: int = 0


@dataclass(slots=True)
class ClaimAck:
    """A 277CA status at the claim level (HL PT: TRN*2 is our CLM01) or the batch level (HL 21: TRN*2 is our
    BHT03 reference), with the claim's service line statuses when the payer gives them."""

    level: str  # "claim" or "batch"
    reference: str  # TRN02
    statuses: list[StatusReason] = field(default_factory=list)
    payer_claim_number: str | None = None  # REF*1K
    amount: str | None = None  # STC04
    segment: int = 0
    lines: list[LineAck] = field(default_factory=list)


@dataclass(slots=True)
class AckFile:
    """Everything acknowledgment-like found in one file."""

    interchange_acks: list[InterchangeAck] = field(default_factory=list)
    group_acks: list[GroupAck] = field(default_factory=list)
    claim_acks: list[ClaimAck] = field(default_factory=list)
    sender_id: str = ""
    receiver_id: str = ""
    interchange_control_number: str = ""
    kinds: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        """999, TA1, 277CA, or the kinds joined with '+' for a mixed file ('' when none)."""
        order = ("TA1", "999", "997", "277CA", "277")
        return "+".join(k for k in order if k in self.kinds)


def read_acks(source: str | Path | bytes) -> AckFile:
    """Read the file once and collect its TA1, 999/997 and 277/277CA content (other sets are ignored)."""
    # The models and records hold no reference cycles: the cyclic collector would only rescan them (a 277CA of
    # 10,000 claims makes some 200,000 objects), so it waits until the file is read.
    with collector_paused():
        return _read(source)


def _read(source: str | Path | bytes) -> AckFile:
    result = AckFile()
    claim_acks: list[ClaimAck] = []
    # (not models=True: that would read the claims of any 837 or 835 in the file into models as well)
    reader = read_transactions(source)
    for tx in reader:  # one transaction at a time: only the acknowledgment sets are modelled
        set_id = tx.set_id
        if set_id in ("999", "997"):
            result.kinds.add(set_id)
            _group_ack(tx.model, set_id, result.group_acks)
        elif set_id == "277":
            report: ClaimStatusReport = tx.model
            # X214 is the claim acknowledgment; X212 a claim status response read the same way
            result.kinds.add("277" if report.kind == "277" else "277CA")
            _claim_acks(report, claim_acks)
    claim_acks.sort(key=_segment)  # batch (2200B) and claim (2200D/E) statuses in file order
    result.claim_acks = claim_acks
    for interchange in reader.interchanges:
        header = interchange.header
        if header is not None and not result.interchange_control_number:
            result.sender_id, result.receiver_id = header.sender_id, header.receiver_id
            result.interchange_control_number = header.control_number
        for segment in interchange.acknowledgments:
            ta1 = InterchangeAcknowledgment.of(segment)
            result.kinds.add("TA1")
            result.interchange_acks.append(InterchangeAck(ta1.control_number, ta1.status.strip(),
                                                          ta1.note_code.strip(), ta1.segment))
    return result


def _segment(ack: ClaimAck) -> int:
    return ack.segment


def _group_ack(model: ImplementationAcknowledgment, set_id: str, out: list[GroupAck]) -> None:
    for group in model.groups:  # one per AK1 (none without: no group named, nothing to match)
        ack = GroupAck(group.functional_id.strip(), group.group_control_number.strip(), group.version.strip(),
                       status=group.status, codes=list(group.codes), segment=group.segment, ack_set=set_id)
        for response in group.responses:
            ack.transactions.append(TransactionAck(
                response.set_id.strip(), response.control_number.strip(), response.status, list(response.codes),
                [_segment_error(e) for e in response.errors], response.segment,
            ))
        out.append(ack)


def _segment_error(error: SegmentErrorModel) -> SegmentError:
    claim_id: str | None = None
    contexts = [*error.contexts, *(c for element in error.elements for c in element.contexts)]
    contexts.sort(key=lambda c: c.segment)
    for context in contexts:  # the last CTX*CLM01:<patient control number> names the claim
        if context.name == "CLM01" and context.reference is not None:
            claim_id = context.reference
    return SegmentError(error.segment_id, error.position, error.loop, error.code,
                        [ElementError(e.position, e.component, e.code) for e in error.elements], claim_id)


def _claim_acks(report: ClaimStatusReport, out: list[ClaimAck]) -> None:
    for trace in report.traces:
        if trace.level == "B" and trace.trace_type == "2":  # TRN*2 = the BHT03 of our batch
            out.append(_claim_ack("batch", trace.reference, trace.segment, trace.statuses, trace.references))
    for claim in report.claims:
        if claim.trace_type == "2":  # TRN*2 = our CLM01
            ack = _claim_ack("claim", claim.patient_control_number, claim.segment, claim.statuses, claim.references)
            if claim.lines:
                ack.lines = [_line_ack(line) for line in claim.lines]
            out.append(ack)


def _claim_ack(level: str, reference: str, segment: int, statuses: list[StatusInfo],
               references: list[Reference]) -> ClaimAck:
    ack = ClaimAck(level, reference, _reasons(statuses), segment=segment)
    for s in statuses:
        if s.charge_raw:  # STC04 of the first status that gives it
            ack.amount = s.charge_raw
            break
    for ref in references:
        if ref.qualifier == "1K":
            ack.payer_claim_number = ref.value
    return ack


def _line_ack(line: LineStatus) -> LineAck:
    ack = LineAck(":".join(line.procedure_parts), line.charge_raw, _reasons(line.statuses), segment=line.segment)
    for ref in line.references:
        if ref.qualifier == "FJ":
            ack.line_control_number = ref.value
    for when in line.dates:
        if when.qualifier == "472":
            ack.service_date = when.raw
    return ack


def _reasons(statuses: list[StatusInfo]) -> list[StatusReason]:
    """The STC01/STC10/STC11 composites that name a category, in order."""
    reasons = []
    for s in statuses:
        if s.category:
            reasons.append(StatusReason(s.category, s.code, s.entity))
        if s.more:
            reasons.extend(StatusReason(*more) for more in s.more if more[0])
    return reasons
