"""The 837 professional claim (005010X222A1): its loop description; the model is ``ClaimBatch``."""

from __future__ import annotations

from rcm.x12.engine import seg
from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.loops837 import (
    DRUG_IDENTIFICATION,
    FORM_IDENTIFICATION,
    LINE_ADJUDICATION,
    name_loop,
    spec_837,
)

__all__ = ["SPEC", "ClaimBatch"]

_CLAIM_DATES = ["431", "454", "304", "453", "439", "484", "455", "471", "314", "360", "361", "297", "296", "435",
                "096", "090", "091", "444", "050"]

SPEC = spec_837(
    name="837 health care claim: professional",
    claim_segments=(
        seg("DTP", "claim dates", "S", 20, q=(1, _CLAIM_DATES)),
        seg("PWK", "claim supplemental information", "S", 10),
        seg("CN1", "contract information", "S"),
        seg("AMT", "patient amount paid", "S", q=(1, ["F5"])),
        seg("REF", "claim identifiers", "S", 14),
        seg("K3", "file information", "S", 10),
        seg("NTE", "claim note", "S"),
        seg("CR1", "ambulance transport information", "S"),
        seg("CR2", "spinal manipulation service information", "S"),
        seg("CRC", "condition information", "S", 8),
        seg("HI", "health care diagnosis code", "R", 4),
        seg("HCP", "claim pricing/repricing information", "S"),
    ),
    claim_parties=(
        name_loop("2310A", "referring provider name", ["DN", "P3"], max_repeat=2, refs=3),
        name_loop("2310B", "rendering provider name", ["82"], prv=True, refs=4),
        name_loop("2310C", "service facility location name", ["77"], address=True, contact=True, refs=3),
        name_loop("2310D", "supervising provider name", ["DQ"], refs=4),
        name_loop("2310E", "ambulance pick-up location", ["PW"], address=True),
        name_loop("2310F", "ambulance drop-off location", ["45"], address=True),
    ),
    other_payer_parties=(
        name_loop("2330C", "other payer referring provider", ["DN", "P3"], max_repeat=2, refs=3),
        name_loop("2330D", "other payer rendering provider", ["82"], refs=3),
        name_loop("2330E", "other payer service facility location", ["77"], refs=3),
        name_loop("2330F", "other payer supervising provider", ["DQ"], refs=3),
        name_loop("2330G", "other payer billing provider", ["85"], refs=2),
    ),
    line_segments=(
        seg("SV1", "professional service", "R"),
        seg("SV5", "durable medical equipment service", "S"),
        seg("PWK", "line supplemental information", "S", 10),
        seg("CR1", "ambulance transport information", "S"),
        seg("CR3", "durable medical equipment certification", "S"),
        seg("CRC", "condition indicator", "S", 5),
        seg("DTP", "line dates", "S", 12),
        seg("QTY", "ambulance patient count / obstetric additional units", "S", 2),
        seg("MEA", "test result", "S", 5),
        seg("CN1", "contract information", "S"),
        seg("REF", "line identifiers", "S", 17),
        seg("AMT", "sales tax / postage claimed amount", "S", 2),
        seg("K3", "file information", "S", 10),
        seg("NTE", "line note / third party organization notes", "S", 2),
        seg("PS1", "purchased service information", "S"),
        seg("HCP", "line pricing/repricing information", "S"),
    ),
    line_children=(
        DRUG_IDENTIFICATION,
        name_loop("2420A", "rendering provider name", ["82"], prv=True, refs=20),
        name_loop("2420B", "purchased service provider name", ["QB"], refs=20),
        name_loop("2420C", "service facility location name", ["77"], address=True, refs=3),
        name_loop("2420D", "supervising provider name", ["DQ"], refs=20),
        name_loop("2420E", "ordering provider name", ["DK"], address=True, contact=True, refs=20),
        name_loop("2420F", "referring provider name", ["DN", "P3"], max_repeat=2, refs=20),
        name_loop("2420G", "ambulance pick-up location", ["PW"], address=True),
        name_loop("2420H", "ambulance drop-off location", ["45"], address=True),
        LINE_ADJUDICATION,
        FORM_IDENTIFICATION,
    ),
    max_lines=50,
)
