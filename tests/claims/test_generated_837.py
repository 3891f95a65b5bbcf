"""Every generated claim shape builds, and the files they make pass pyx12 (X222A1 / X223A2) with zero errors."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from rcm.claims.batching import plan_transactions
from rcm.claims.clearinghouses import Clearinghouse
from rcm.claims.elements import Segment
from rcm.claims.transaction import ClaimBlock, build_claim_block, transaction_segments, version_for
from rcm.domain import ClaimType
from rcm.x12.pyx12_oracle import pyx12_findings
from rcm.x12.validation import validate_file

from .shapes import make_claim

N_CLAIMS = 360


def _element(e: str | list[str]) -> str:
    return ":".join(e) if isinstance(e, list) else e


def envelope(ch: Clearinghouse, claim_type: ClaimType, transactions: list[list[Segment]]) -> bytes:
    """Plain interchange text for pyx12 (the product uses rcm.x12.writer; this keeps the builder test independent)."""
    version = version_for(claim_type)
    lines = [
        f"ISA*00*          *00*          *{ch.sender_qualifier}*{ch.sender_id:<15}*{ch.receiver_qualifier}*"
        f"{ch.receiver_id:<15}*240601*1200*^*00501*000000001*0*T*:",
        f"GS*HC*{ch.sender_id}*{ch.receiver_id}*20240601*1200*1*X*{version}",
    ]
    for n, body in enumerate(transactions, start=1):
        segs: list[Segment] = [["ST", "837", f"{n:04d}", version], *body]
        lines += ["*".join(_element(e) for e in s) for s in segs]
        lines.append(f"SE*{len(segs) + 1}*{n:04d}")
    lines += [f"GE*{len(transactions)}*1", "IEA*1*000000001"]
    return ("~\n".join(lines) + "~\n").encode("ascii")


@pytest.fixture(scope="module")
def blocks() -> list[ClaimBlock]:
    return [build_claim_block(make_claim(i)) for i in range(N_CLAIMS)]


def test_every_option_is_exercised(blocks: list[ClaimBlock]) -> None:
    seen: Counter[str] = Counter()
    for b in blocks:
        for seg in [*b.billing, *b.subscriber, *(b.patient or []), *b.body]:
            key = str(seg[0]) + ("*" + str(seg[1]) if len(seg) > 1 and isinstance(seg[1], str) else "")
            seen[key] += 1
        seen["CLM05-3=" + b.claim.frequency_code.value] += 1
        seen["lines=" + str(len(b.claim.lines))] += 1
        seen["dx=" + str(len(b.claim.encounter.diagnoses))] += 1
        seen["mods=" + str(max(len(ln.modifiers) for ln in b.claim.lines))] += 1
    for needed in ["PRV*BI", "NM1*85", "NM1*87", "PAT*19", "PAT*01", "PAT*G8", "NM1*QC", "NM1*DN",
                   "NM1*82", "PRV*PE", "NM1*71", "PRV*AT", "REF*G1", "REF*F8", "SBR*P", "SBR*S", "SBR*T", "CAS*CO",
                   "CAS*PR", "AMT*D", "AMT*EAF", "OI", "SVD", "DTP*573", "LIN", "CTP", "SV1", "SV2", "CL1",
                   "DTP*434", "DTP*435", "DTP*472", "REF*6R", "CLM05-3=1", "CLM05-3=7", "CLM05-3=8", "lines=50",
                   "dx=12", "mods=4", "N3", "DMG*D8"]:
        assert any(k == needed or k.startswith(needed + "*") for k in seen), needed


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("claim_type", [ClaimType.professional, ClaimType.institutional])
def test_generated_files_pass_pyx12(blocks: list[ClaimBlock], clearinghouse: Clearinghouse,
                                    claim_type: ClaimType) -> None:
    chosen = [b for b in blocks if b.claim.claim_type is claim_type]
    plans = plan_transactions(chosen, max_claims_per_transaction=40)
    assert len(plans) > 1
    created = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    bodies = [transaction_segments(p.blocks, clearinghouse=clearinghouse, reference=f"B{n}", created=created)
              for n, p in enumerate(plans)]
    report = pyx12_findings(envelope(clearinghouse, claim_type, bodies))
    assert report.mapped and report.failed is None
    assert [f"{f.segment}:{f.code}:{f.message}" for f in report.findings] == []


def test_pyx12_oracle_notices_a_broken_claim(blocks: list[ClaimBlock], clearinghouse: Clearinghouse) -> None:
    """The oracle is not blind: the same kind of file with the diagnosis segment dropped is reported."""
    block = next(b for b in blocks if b.claim.claim_type is ClaimType.professional)
    body = transaction_segments([block], clearinghouse=clearinghouse, reference="X",
                                created=datetime(2024, 6, 1, tzinfo=UTC))
    broken = [s for s in body if s[0] != "HI"]
    report = pyx12_findings(envelope(clearinghouse, ClaimType.professional, [broken]))
    assert any(f.segment_id == "HI" or "HI" in f.message for f in report.findings)


@pytest.mark.parametrize("claim_type", [ClaimType.professional, ClaimType.institutional])
def test_generated_files_pass_our_validator_and_balancing(blocks: list[ClaimBlock], clearinghouse: Clearinghouse,
                                                          claim_type: ClaimType) -> None:
    """rcm.x12.validation (structure, elements, guide rules, 837 balancing) finds nothing in what we write."""
    chosen = [b for b in blocks if b.claim.claim_type is claim_type]
    plans = plan_transactions(chosen, max_claims_per_transaction=60)
    created = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    bodies = [transaction_segments(p.blocks, clearinghouse=clearinghouse, reference=f"B{n}", created=created)
              for n, p in enumerate(plans)]
    findings = validate_file(envelope(clearinghouse, claim_type, bodies))
    assert [f"{f.segment}:{f.code}:{f.message}" for f in findings] == []


def test_our_balancing_notices_a_wrong_total(blocks: list[ClaimBlock], clearinghouse: Clearinghouse) -> None:
    block = next(b for b in blocks if b.claim.claim_type is ClaimType.professional)
    body = transaction_segments([block], clearinghouse=clearinghouse, reference="X",
                                created=datetime(2024, 6, 1, tzinfo=UTC))
    tampered = [[*s[:2], "999999.99", *s[3:]] if s[0] == "CLM" else s for s in body]
    findings = validate_file(envelope(clearinghouse, ClaimType.professional, [tampered]))
    assert any(f.severity == "error" and "balanc" in (f.code + f.message).lower() for f in findings)
