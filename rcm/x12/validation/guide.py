"""Implementation-guide (SNIP 2) rules that a segment dictionary cannot express: the HL hierarchy, LX
numbering, NPIs, the claim type each 837 guide requires, and ST/GS agreement.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rcm.x12.findings import Finding
from rcm.x12.tokenizer import Segment
from rcm.x12.validation.values import check_time

if TYPE_CHECKING:
    from rcm.x12.reader import Interchange

__all__ = ["FUNCTIONAL_IDS", "check_envelope_elements", "check_guide_rules", "valid_npi"]

# GS01 functional identifier code for each transaction set.
FUNCTIONAL_IDS: dict[str, str] = {
    "837": "HC", "835": "HP", "270": "HS", "271": "HB", "276": "HR", "277": "HN", "999": "FA", "997": "FA",
    "834": "BE", "278": "HI", "820": "RA", "275": "PI", "TA1": "",
}  # fmt: skip


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


_NPI_SEEN: dict[str, bool] = {}


def valid_npi(npi: str) -> bool:
    """10 digits, first 1 or 2, Luhn check digit over "80840" + the first nine (the prefix adds 24)."""
    known = _NPI_SEEN.get(npi)
    if known is not None:
        return known
    ok = len(npi) == 10 and npi.isdigit() and npi[0] in "12"
    if ok:
        total = 24
        for i in range(9):
            d = ord(npi[i]) - 48
            total += _DOUBLED[d] if i % 2 == 0 else d
        ok = (10 - total % 10) % 10 == ord(npi[9]) - 48
    if len(_NPI_SEEN) > 4096:  # the same few providers recur file after file; keep the memo small
        _NPI_SEEN.clear()
    _NPI_SEEN[npi] = ok
    return ok


# The segments these rules look at (everything else is skipped at the cost of one set lookup).
_RULED = frozenset({"HL", "CLM", "LX", "NM1", "N1"})


def _finding(
    tx_control: str,
    seg: Segment,
    code: str,
    message: str,
    *,
    severity: str = "error",
    element: int | None = None,
    component: int | None = None,
    ik4: str | None = None,
) -> Finding:
    return Finding(
        severity="error" if severity == "error" else "warning",
        code=code,
        message=message,
        segment=seg.number,
        transaction=tx_control,
        segment_id=seg.id,
        element=element,
        component=component,
        ik3_code="8" if ik4 is not None else None,
        ik4_code=ik4,
    )


def check_guide_rules(
    set_id: str, version: str, control: str, segments: Iterable[Segment], group_id: str | None
) -> list[Finding]:
    """Guide rules over one transaction's segments (ST..SE)."""
    out: list[Finding] = []
    segments = list(segments)
    if segments:
        st = segments[0]
        expected_group = FUNCTIONAL_IDS.get(set_id)
        if group_id and expected_group and group_id != expected_group:
            out.append(
                _finding(
                    control,
                    st,
                    "group_set_mismatch",
                    f"transaction set {set_id} in functional group {group_id} (expected {expected_group})",
                    severity="warning",
                )
            )
        # ST03 against GS08: the envelope reader reports it (version_mismatch) for every transaction it reads.
    claim_type = "B" if version.startswith("005010X222") else "A" if version.startswith("005010X223") else None
    hl_ids: set[str] = set()
    expected_hl = 1
    expected_lx = 1
    for seg in segments:
        sid = seg.id
        if sid not in _RULED:
            continue
        if sid == "HL":
            hl_id, parent = seg.get(1), seg.get(2)
            if hl_id and hl_id != str(expected_hl):
                out.append(
                    _finding(
                        control,
                        seg,
                        "hl_sequence",
                        f"HL01 {hl_id[:12]} out of sequence (expected {expected_hl})",
                        element=1,
                        ik4="7",
                    )
                )
            if hl_id.isdigit():
                expected_hl = int(hl_id) + 1
            if parent and parent not in hl_ids:
                out.append(
                    _finding(
                        control,
                        seg,
                        "hl_parent",
                        f"HL02 parent {parent[:12]} is not an earlier HL01",
                        element=2,
                        ik4="7",
                    )
                )
            hl_ids.add(hl_id)
        elif sid == "CLM":
            expected_lx = 1
            if claim_type is not None:
                qualifier = seg.component(5, 2)
                if not qualifier:
                    out.append(
                        _finding(
                            control,
                            seg,
                            "element_missing",
                            f"CLM05-2 (facility code qualifier): required in {version}",
                            element=5,
                            component=2,
                            ik4="1",
                        )
                    )
                elif qualifier != claim_type and qualifier in ("A", "B"):  # other values: invalid_code already
                    out.append(
                        _finding(
                            control,
                            seg,
                            "invalid_code",
                            f"CLM05-2 (facility code qualifier): must be {claim_type} in {version}",
                            element=5,
                            component=2,
                            ik4="7",
                        )
                    )
        elif sid == "LX" and set_id == "837":
            number = seg.get(1)
            if number and number != str(expected_lx):
                out.append(
                    _finding(
                        control,
                        seg,
                        "lx_sequence",
                        f"LX01 {number[:6]} out of sequence (expected {expected_lx})",
                        severity="warning",
                    )
                )
            expected_lx = int(number) + 1 if number.isdigit() else expected_lx + 1
        elif (sid == "NM1" and seg.get(8) == "XX") or (sid == "N1" and seg.get(3) == "XX"):
            at = 9 if sid == "NM1" else 4
            npi = seg.get(at)
            if npi and not valid_npi(npi):
                out.append(
                    _finding(
                        control,
                        seg,
                        "invalid_npi",
                        f"{sid}{at:02d}: not a valid NPI (10 digits, check digit)",
                        severity="warning",
                        element=at,
                    )
                )
    return out


def check_envelope_elements(interchanges: Sequence[Interchange]) -> list[Finding]:
    """ISA10 and GS04/GS05/GS06/GS08 values (the envelope reader checks counts, control numbers and ISA09)."""
    out: list[Finding] = []
    for interchange in interchanges:
        header = interchange.header
        if header is not None and check_time(header.time):
            out.append(
                Finding(
                    "error", "isa_time", "ISA10 is not a valid HHMM time", header.segment, segment_id="ISA", element=10
                )
            )
        for group in interchange.groups:
            gs = group.header
            if gs is None:
                continue
            if gs.date is None:
                out.append(
                    Finding(
                        "error", "gs_date", "GS04 is not a valid CCYYMMDD date", gs.segment, segment_id="GS", element=4
                    )
                )
            if check_time(gs.time):
                out.append(
                    Finding("error", "gs_time", "GS05 is not a valid time", gs.segment, segment_id="GS", element=5)
                )
            if not (gs.control_number.isdigit() and len(gs.control_number) <= 9):
                out.append(
                    Finding(
                        "error",
                        "gs_control_number",
                        "GS06 group control number is not 1-9 digits",
                        gs.segment,
                        segment_id="GS",
                        element=6,
                    )
                )
            if not gs.version:
                out.append(
                    Finding(
                        "error",
                        "gs_version",
                        "GS08 version / release / industry identifier is missing",
                        gs.segment,
                        segment_id="GS",
                        element=8,
                    )
                )
    return out
