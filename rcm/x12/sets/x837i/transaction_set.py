"""The 837 institutional claim (005010X223A2): its loop description; the model is ``ClaimBatch``."""

from __future__ import annotations

from rcm.x12.engine import seg
from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.loops837 import DRUG_IDENTIFICATION, LINE_ADJUDICATION, name_loop, spec_837

__all__ = ["SPEC", "ClaimBatch"]

SPEC = spec_837(
    name="837 health care claim: institutional",
    claim_segments=(
        seg("DTP", "claim dates", "S", 4, q=(1, ["096", "434", "435", "050"])),
        seg("CL1", "institutional claim code", "S"),
        seg("PWK", "claim supplemental information", "S", 10),
        seg("CN1", "contract information", "S"),
        seg("AMT", "patient estimated amount due", "S", q=(1, ["F3"])),
        seg("REF", "claim identifiers", "S", 14),
        seg("K3", "file information", "S", 10),
        seg("NTE", "claim note / billing note", "S", 11),
        seg("CR6", "home health care information", "S"),
        seg("CRC", "EPSDT referral", "S"),
        seg("HI", "diagnosis, procedure, occurrence, value, condition and treatment codes", "R", 28),
        seg("HCP", "claim pricing/repricing information", "S"),
    ),
    claim_parties=(
        name_loop("2310A", "attending provider name", ["71"], prv=True, refs=4),
        name_loop("2310B", "operating physician name", ["72"], refs=4),
        name_loop("2310C", "other operating physician name", ["ZZ"], refs=4),
        name_loop("2310D", "rendering provider name", ["82"], refs=4),
        name_loop("2310E", "service facility location name", ["77"], address=True, refs=3),
        name_loop("2310F", "referring provider name", ["DN"], refs=3),
    ),
    other_payer_parties=(
        name_loop("2330C", "other payer attending provider", ["71"], refs=3),
        name_loop("2330D", "other payer operating physician", ["72"], refs=3),
        name_loop("2330E", "other payer other operating physician", ["ZZ"], refs=3),
        name_loop("2330F", "other payer service facility location", ["77"], refs=3),
        name_loop("2330G", "other payer rendering provider name", ["82"], refs=3),
        name_loop("2330H", "other payer referring provider", ["DN"], refs=3),
        name_loop("2330I", "other payer billing provider", ["85"], refs=2),
    ),
    line_segments=(
        seg("SV2", "institutional service line", "R"),
        seg("PWK", "line supplemental information", "S", 10),
        seg("DTP", "date - service date", "S", q=(1, ["472"])),
        seg("REF", "line identifiers", "S", 7),
        seg("AMT", "service tax / facility tax amount", "S", 2),
        seg("NTE", "third party organization notes", "S"),
        seg("HCP", "line pricing/repricing information", "S"),
    ),
    line_children=(
        DRUG_IDENTIFICATION,
        name_loop("2420A", "operating physician name", ["72"], refs=20),
        name_loop("2420B", "other operating physician name", ["ZZ"], refs=20),
        name_loop("2420C", "rendering provider name", ["82"], refs=20),
        name_loop("2420D", "referring provider name", ["DN"], refs=20),
        LINE_ADJUDICATION,
    ),
    max_lines=999,
)
