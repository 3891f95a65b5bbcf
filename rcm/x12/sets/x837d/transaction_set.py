"""The 837 dental claim (005010X224A2): its loop description; the model is ``ClaimBatch``."""

from __future__ import annotations

from rcm.x12.engine import seg
from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.loops837 import LINE_ADJUDICATION, name_loop, spec_837

__all__ = ["SPEC", "ClaimBatch"]

SPEC = spec_837(
    name="837 health care claim: dental",
    claim_segments=(
        seg("DTP", "claim dates", "S", 8, q=(1, ["439", "452", "472", "050", "441", "196", "198", "197", "096",
                                                  "435"])),
        seg("DN1", "orthodontic total months of treatment", "S"),
        seg("DN2", "tooth status", "S", 35),
        seg("PWK", "claim supplemental information", "S", 10),
        seg("CN1", "contract information", "S"),
        seg("AMT", "patient amount paid", "S", q=(1, ["F5"])),
        seg("REF", "claim identifiers", "S", 10),
        seg("K3", "file information", "S", 10),
        seg("NTE", "claim note", "S"),
        seg("HI", "health care diagnosis code", "S"),
        seg("HCP", "claim pricing/repricing information", "S"),
    ),
    claim_parties=(
        name_loop("2310A", "referring provider name", ["DN", "P3"], max_repeat=2, refs=3),
        name_loop("2310B", "rendering provider name", ["82"], prv=True, refs=4),
        name_loop("2310C", "service facility location name", ["77"], address=True, refs=3),
        name_loop("2310D", "assistant surgeon name", ["DD"], prv=True, refs=4),
        name_loop("2310E", "supervising provider name", ["DQ"], refs=4),
    ),
    other_payer_parties=(
        name_loop("2330C", "other payer referring provider", ["DN", "P3"], max_repeat=2, refs=3),
        name_loop("2330D", "other payer rendering provider", ["82"], refs=3),
        name_loop("2330E", "other payer supervising provider", ["DQ"], refs=3),
        name_loop("2330F", "other payer billing provider", ["85"], refs=2),
        name_loop("2330G", "other payer service facility location", ["77"], refs=3),
        name_loop("2330H", "other payer assistant surgeon", ["DD"], refs=3),
    ),
    line_segments=(
        seg("SV3", "dental service", "R"),
        seg("TOO", "tooth information", "S", 32),
        seg("DTP", "line dates", "S", 5),
        seg("QTY", "anesthesia quantity", "S", 5),
        seg("REF", "line identifiers", "S", 10),
        seg("AMT", "sales tax amount", "S"),
        seg("NTE", "line note", "S"),
        seg("HCP", "line pricing/repricing information", "S"),
    ),
    line_children=(
        name_loop("2420A", "rendering provider name", ["82"], prv=True, refs=20),
        name_loop("2420B", "assistant surgeon name", ["DD"], prv=True, refs=20),
        name_loop("2420C", "supervising provider name", ["DQ"], refs=20),
        name_loop("2420D", "service facility location", ["77"], address=True, refs=3),
        LINE_ADJUDICATION,
    ),
    max_lines=50,
)
