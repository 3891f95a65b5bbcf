"""Guide usage: elements the 5010 implementation guides require where the X12 standard leaves them optional
(NM103/NM108/NM109 of the parties, HL04, BHT, SBR09, CLM06-09, TRN03, BPR16, CLP06-07, SVC03, N1 ids)."""

from __future__ import annotations

from collections.abc import Iterable

from rcm.x12.findings import Finding
from rcm.x12.tokenizer import Segment

__all__ = ["check_required_usage", "required_elements"]

Rule = tuple[str | None, tuple[int, ...]]  # (value of element 1, or None for any; required positions)

_PARTIES_837: tuple[Rule, ...] = tuple((q, (3, 8, 9)) for q in ("41", "40", "85", "IL", "PR"))
_CLAIM_COMMON: dict[str, tuple[Rule, ...]] = {
    "BHT": ((None, (1, 2, 3, 4, 5, 6)),),
    "HL": ((None, (1, 3, 4)),),
    "NM1": _PARTIES_837,
    "SBR": ((None, (9,)),),
    "DMG": ((None, (1, 2, 3)),),
}
_BY_GUIDE: dict[str, dict[str, tuple[Rule, ...]]] = {
    "005010X222": {**_CLAIM_COMMON, "CLM": ((None, (6, 7, 8, 9)),)},
    "005010X223": {**_CLAIM_COMMON, "CLM": ((None, (7, 8, 9)),)},
    "005010X221": {
        "TRN": ((None, (1, 2, 3)),),
        "BPR": ((None, (16,)),),
        "CLP": ((None, (6, 7)),),
        "SVC": ((None, (3,)),),
        "N1": (("PR", (2,)), ("PE", (2, 3, 4))),
    },
    "005010X279": {
        "BHT": ((None, (1, 2, 3, 4, 5)),),
        "HL": ((None, (1, 3, 4)),),
        "TRN": ((None, (1, 2, 3)),),
        "NM1": (("PR", (3, 8, 9)),),
    },
    # 276/277: the last HL level carries no HL04 (not used there)
    "005010X212": {"BHT": ((None, (1, 2, 3, 4, 5)),), "HL": ((None, (1, 3)),)},
    "005010X214": {"BHT": ((None, (1, 2, 3, 4, 5, 6)),), "HL": ((None, (1, 3)),)},
}


def required_elements(version: str) -> dict[str, tuple[Rule, ...]]:
    """The guide-required elements of a version (ST03/GS08), by segment id; {} for guides not described."""
    return next((rules for prefix, rules in _BY_GUIDE.items() if version.startswith(prefix)), {})


# Rules that hold only before the first claim of a billing provider: inside a claim, NM1*85 is the other payer's
# billing provider (837 loop 2330G), which carries NM101 and NM102 only.
_OUTSIDE_CLAIMS: dict[str, frozenset[tuple[str, str]]] = {
    "005010X222": frozenset({("NM1", "85")}),
    "005010X223": frozenset({("NM1", "85")}),
}


def check_required_usage(version: str, control: str, segments: Iterable[Segment]) -> list[Finding]:
    """Elements the guide requires but the segment leaves empty."""
    table = required_elements(version)
    if not table:
        return []
    outside_claims = next((v for prefix, v in _OUTSIDE_CLAIMS.items() if version.startswith(prefix)), frozenset())
    in_claim = False  # after a CLM, until the next billing provider (HL03 20)
    out: list[Finding] = []
    for seg in segments:
        sid = seg.id
        if outside_claims:
            if sid == "CLM":
                in_claim = True
            elif sid == "HL" and seg.get(3) == "20":
                in_claim = False
        rules = table.get(sid)
        if rules is None:
            continue
        els = seg.elements
        n = len(els)
        qualifier = els[0] if els else ""
        for wanted, positions in rules:
            if wanted is not None and wanted != qualifier:
                continue
            if in_claim and (sid, wanted) in outside_claims:
                continue
            for p in positions:
                if p > n or not els[p - 1]:
                    label = f"{seg.id}*{qualifier}" if wanted is not None else seg.id
                    out.append(
                        Finding(
                            "error",
                            "element_missing",
                            f"{seg.id}{p:02d}: required by {version[:10]} in {label} but empty",
                            seg.number,
                            transaction=control,
                            segment_id=seg.id,
                            element=p,
                            ik3_code="8",
                            ik4_code="1",
                        )
                    )
    return out
