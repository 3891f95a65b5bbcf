"""Loop descriptions the three 837 guides share (submitter/receiver, billing provider, subscriber, patient,
name loops, other payers 2320/2330, line adjudication 2430), and ``spec_837`` that assembles one guide."""

from __future__ import annotations

from collections.abc import Sequence

from rcm.x12.engine import LoopSpec, SegmentSpec, seg

__all__ = [
    "DRUG_IDENTIFICATION",
    "FORM_IDENTIFICATION",
    "LINE_ADJUDICATION",
    "name_loop",
    "other_payer_loop",
    "spec_837",
]

def name_loop(
    loop_id: str,
    name: str,
    entities: Sequence[str],
    *,
    usage: str = "S",
    max_repeat: int | None = 1,
    address: bool = False,
    prv: bool = False,
    dmg: bool = False,
    contact: bool = False,
    dates: Sequence[str] = (),
    refs: int = 5,
) -> LoopSpec:
    """An NM1-started loop with its usual followers."""
    segs: list[SegmentSpec] = [seg("NM1", name, "R", q=(1, list(entities)))]
    if prv:
        segs.append(seg("PRV", "provider specialty", "S"))
    if address:
        segs += [seg("N3", "address", "S"), seg("N4", "city, state, zip code", "S")]
    if dmg:
        segs.append(seg("DMG", "demographic information", "S"))
    if dates:
        segs.append(seg("DTP", "date", "S", len(dates), q=(1, list(dates))))
    segs.append(seg("REF", "secondary identification", "S", refs))
    if contact:
        segs.append(seg("PER", "contact information", "S", 2))
    return LoopSpec(loop_id, name, tuple(segs), usage=usage, max_repeat=max_repeat)


def other_payer_loop(parties: Sequence[LoopSpec]) -> LoopSpec:
    """2320 other subscriber information with 2330A (subscriber), 2330B (payer) and the guide's others."""
    return LoopSpec(
        "2320", "other subscriber information",
        (
            seg("SBR", "other subscriber information", "R"),
            seg("CAS", "claim level adjustments", "S", 5),
            seg("AMT", "coordination of benefits amounts", "S", 3, q=(1, ["D", "A8", "EAF", "B6", "DY", "F2",
                                                                          "T3", "N8", "P3", "F5"])),
            seg("OI", "other insurance coverage information", "R"),
            seg("MIA", "inpatient adjudication information", "S"),
            seg("MOA", "outpatient adjudication information", "S"),
        ),
        usage="S", max_repeat=10,
        children=(
            name_loop("2330A", "other subscriber name", ["IL"], usage="R", address=True),
            LoopSpec(
                "2330B", "other payer name",
                (
                    seg("NM1", "other payer name", "R", q=(1, ["PR"])),
                    seg("N3", "other payer address", "S"),
                    seg("N4", "other payer city, state, zip code", "S"),
                    seg("DTP", "claim check or remittance date", "S", q=(1, ["573"])),
                    seg("REF", "other payer secondary identifier", "S", 6),
                ),
                usage="R",
            ),
            *parties,
        ),
    )


LINE_ADJUDICATION = LoopSpec(
    "2430", "line adjudication information",
    (
        seg("SVD", "line adjudication information", "R"),
        seg("CAS", "line adjustment", "S", 5),
        seg("DTP", "line check or remittance date", "R", q=(1, ["573"])),
        seg("AMT", "remaining patient liability", "S", q=(1, ["EAF"])),
    ),
    usage="S", max_repeat=15,
)

FORM_IDENTIFICATION = LoopSpec(
    "2440", "form identification code",
    (seg("LQ", "form identification code", "R", q=(1, ["AS", "UT"])), seg("FRM", "supporting documentation", "R", 99)),
    usage="S", max_repeat=None,
)

DRUG_IDENTIFICATION = LoopSpec(
    "2410", "drug identification",
    (
        seg("LIN", "drug identification", "R"),
        seg("CTP", "drug quantity", "R"),
        seg("REF", "prescription or compound drug association number", "S"),
    ),
    usage="S",
)


def spec_837(
    *,
    name: str,
    claim_segments: Sequence[SegmentSpec],
    claim_parties: Sequence[LoopSpec],
    other_payer_parties: Sequence[LoopSpec],
    line_segments: Sequence[SegmentSpec],
    line_children: Sequence[LoopSpec],
    max_lines: int,
) -> LoopSpec:
    """The whole 837 hierarchy with one guide's claim (2300) and line (2400) contents."""
    line = LoopSpec(
        "2400", "service line number",
        (seg("LX", "service line number", "R"), *line_segments),
        usage="R", max_repeat=max_lines, children=tuple(line_children),
    )
    claim = LoopSpec(
        "2300", "claim information",
        (seg("CLM", "claim information", "R"), *claim_segments),
        usage="S", max_repeat=100,
        children=(*claim_parties, other_payer_loop(other_payer_parties), line),
    )
    patient = LoopSpec(
        "2000C", "patient hierarchical level",
        (seg("HL", "patient hierarchical level", "R", q=(3, ["23"])), seg("PAT", "patient information", "R")),
        usage="S", max_repeat=None,
        children=(
            name_loop("2010CA", "patient name", ["QC"], usage="R", address=True, dmg=True),
            claim,
        ),
    )
    subscriber = LoopSpec(
        "2000B", "subscriber hierarchical level",
        (
            seg("HL", "subscriber hierarchical level", "R", q=(3, ["22"])),
            seg("SBR", "subscriber information", "R"),
            seg("PAT", "patient information", "S"),
        ),
        usage="R", max_repeat=None,
        children=(
            name_loop("2010BA", "subscriber name", ["IL"], usage="R", address=True, dmg=True),
            name_loop("2010BB", "payer name", ["PR"], usage="R", address=True),
            claim,
            patient,
        ),
    )
    billing = LoopSpec(
        "2000A", "billing provider hierarchical level",
        (
            seg("HL", "billing provider hierarchical level", "R", q=(3, ["20"])),
            seg("PRV", "billing provider specialty information", "S"),
            seg("CUR", "foreign currency information", "S"),
        ),
        usage="R", max_repeat=None,
        children=(
            name_loop("2010AA", "billing provider name", ["85"], usage="R", address=True, contact=True, refs=3),
            name_loop("2010AB", "pay-to address name", ["87"], address=True),
            name_loop("2010AC", "pay-to plan name", ["PE"], address=True),
            subscriber,
        ),
    )
    return LoopSpec(
        "ST", name,
        (
            seg("ST", "transaction set header", "R"),
            seg("BHT", "beginning of hierarchical transaction", "R"),
            seg("REF", "transmission type identification", "S", q=(1, ["87"])),
        ),
        usage="R",
        children=(
            LoopSpec("1000A", "submitter name",
                     (seg("NM1", "submitter name", "R", q=(1, ["41"])), seg("N2", "additional name", "S"),
                      seg("PER", "submitter contact information", "R", 2)),
                     usage="R"),
            LoopSpec("1000B", "receiver name", (seg("NM1", "receiver name", "R", q=(1, ["40"])),), usage="R"),
            billing,
        ),
        trailer=(seg("SE", "transaction set trailer", "R"),),
    )
