"""The 999 implementation acknowledgment (005010X231A1), and the 4010 997 read the same way: loop
descriptions and the ``ImplementationAcknowledgment`` model."""

from __future__ import annotations

from dataclasses import dataclass, field

from rcm.x12.engine import LoopSpec, seg
from rcm.x12.sets.x999.loops import GroupResponse, SetResponse

__all__ = ["SPEC", "SPEC_997", "ImplementationAcknowledgment"]

SPEC = LoopSpec(
    "ST", "999 implementation acknowledgment",
    (seg("ST", "transaction set header", "R"), seg("AK1", "functional group response header", "R")),
    usage="R",
    children=(
        LoopSpec(
            "2000", "transaction set response header",
            (seg("AK2", "transaction set response header", "R"),),
            usage="S", max_repeat=None,
            children=(
                LoopSpec(
                    "2100", "error identification",
                    (seg("IK3", "error identification", "R"), seg("CTX", "segment context", "S", 10)),
                    usage="S", max_repeat=None,
                    children=(
                        LoopSpec("2110", "implementation data element note",
                                 (seg("IK4", "implementation data element note", "R"),
                                  seg("CTX", "element context", "S", 10)),
                                 usage="S", max_repeat=99),
                    ),
                ),
            ),
            trailer=(seg("IK5", "transaction set response trailer", "R"),),
        ),
    ),
    trailer=(seg("AK9", "functional group response trailer", "R"), seg("SE", "transaction set trailer", "R")),
)

SPEC_997 = LoopSpec(
    "ST", "997 functional acknowledgment",
    (seg("ST", "transaction set header", "R"), seg("AK1", "functional group response header", "R")),
    usage="R",
    children=(
        LoopSpec(
            "AK2", "transaction set response header",
            (seg("AK2", "transaction set response header", "R"),),
            usage="S", max_repeat=None,
            children=(
                LoopSpec("AK3", "data segment note",
                         (seg("AK3", "data segment note", "R"), seg("AK4", "data element note", "S", 99)),
                         usage="S", max_repeat=None),
            ),
            trailer=(seg("AK5", "transaction set response trailer", "R"),),
        ),
    ),
    trailer=(seg("AK9", "functional group response trailer", "R"), seg("SE", "transaction set trailer", "R")),
)


@dataclass(slots=True)
class ImplementationAcknowledgment:
    """A 999 (or 997): the group acknowledged (AK1), each set's response, and the group verdict (AK9:
    A accepted, E accepted with errors, P partially accepted, R rejected) with its counts; ``groups`` holds the
    same per AK1 (one for a well-formed set, none without AK1: see ``GroupResponse``)."""

    control_number: str
    version: str
    functional_id: str
    group_control_number: str
    group_version: str
    group_status: str
    sets_included: int | None
    sets_received: int | None
    sets_accepted: int | None
    group_codes: list[str]
    segment: int
    responses: list[SetResponse] = field(default_factory=list)
    groups: list[GroupResponse] = field(default_factory=list)

    def response_for(self, control_number: str) -> SetResponse | None:
        """The response about the transaction set with this ST02."""
        for r in self.responses:
            if r.control_number == control_number:
                return r
        return None
