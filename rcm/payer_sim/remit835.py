"""835 remittance segments for a payer's adjudications: what the simulated payer sends back, balanced to the cent.

The segments are plain lists (``[id, element, ...]``, a composite as a list) for rcm.x12.writer, which adds
ST/SE and the envelopes. BPR02 = the sum of CLP04 (the simulation takes no provider-level adjustments).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from rcm.payer_sim.history import Adjudication, CasAdjustment, SubmittedClaim
from rcm.payer_sim.practice import BILLING_NPI, BILLING_TAX_ID, PayerRules

__all__ = ["Segment", "remittance_segments", "render_835"]

Segment = list[str | list[str]]


def _amount(d: Decimal) -> str:
    return f"{d:.2f}"


def _cas_segments(adjustments: Sequence[CasAdjustment]) -> list[Segment]:
    """One CAS per group code, up to six reason/amount pairs each (X12 allows six triples per CAS)."""
    out: list[Segment] = []
    groups: dict[str, list[CasAdjustment]] = {}
    for adj in adjustments:
        groups.setdefault(adj.group, []).append(adj)
    for group, items in groups.items():
        for start in range(0, len(items), 6):
            seg: Segment = ["CAS", group]
            for adj in items[start : start + 6]:
                seg.extend([adj.reason, _amount(adj.amount), ""])
            while seg and seg[-1] == "":
                seg.pop()
            out.append(seg)
    return out


def remittance_segments(
    rules: PayerRules,
    adjudications: Sequence[Adjudication],
    claims: dict[str, SubmittedClaim],
    *,
    payment_date: date,
    trace_number: str,
) -> list[Segment]:
    """The body of one 835 (BPR to the last claim) paying ``adjudications`` in one EFT, or a notice when zero."""
    total = sum((a.paid for a in adjudications), Decimal("0.00"))
    payer_tin = "1" + "".join(ch for ch in rules.payer_id if ch.isdigit()).rjust(9, "0")[-9:]
    day = f"{payment_date:%Y%m%d}"
    if total > 0:
        bpr: Segment = ["BPR", "I", _amount(total), "C", "ACH", "CCP", "01", "011000015", "DA", "1234567",
                        payer_tin, "", "01", "021000021", "DA", "7654321", day]
    else:
        bpr = ["BPR", "H", "0.00", "C", "NON", "", "", "", "", "", "", "", "", "", "", "", day]
    segments: list[Segment] = [
        bpr,
        ["TRN", "1", trace_number, payer_tin],
        ["DTM", "405", day],
        ["N1", "PR", rules.name.upper()],
        ["N3", "PO BOX 1000"],
        ["N4", "HARTFORD", "CT", "06101"],
        ["PER", "BL", "PROVIDER SERVICES", "TE", "8005550199"],
        ["N1", "PE", "RIVERSIDE MEDICAL GROUP", "XX", BILLING_NPI],
        ["REF", "TJ", BILLING_TAX_ID],
        ["LX", "1"],
    ]
    for adj in adjudications:
        claim = claims[adj.claim_id]
        enc = claim.encounter
        coverage = enc.primary_coverage
        segments.append(
            ["CLP", adj.claim_id, adj.status_code, _amount(adj.charge), _amount(adj.paid),
             _amount(adj.patient_responsibility), rules.filing_indicator, adj.payer_claim_number, "11", "1"]
        )
        segments.append(
            ["NM1", "QC", "1", enc.patient.last_name or "", enc.patient.first_name or "", "", "", "", "MI",
             (coverage.member_id if coverage and coverage.member_id else enc.patient.id)]
        )
        segments.append(["DTM", "050", f"{adj.received_on:%Y%m%d}"])
        for line, source in zip(adj.lines, enc.lines, strict=True):
            svc_id: list[str] = ["HC", line.code, *line.modifiers]
            units = f"{line.units.normalize():f}"
            segments.append(["SVC", svc_id, _amount(line.charge), _amount(line.paid), "", units])
            segments.append(["DTM", "472", f"{(source.date_of_service or enc.date_of_service):%Y%m%d}"])
            segments.extend(_cas_segments(line.adjustments))
            segments.append(["REF", "6R", line.line_id])
            if not line.denied:
                segments.append(["AMT", "B6", _amount(line.allowed)])
            segments.extend(["LQ", "HE", rarc] for rarc in line.remarks)
    return segments


def render_835(
    rules: PayerRules,
    adjudications: Sequence[Adjudication],
    claims: dict[str, SubmittedClaim],
    *,
    payment_date: date,
    trace_number: str,
    control_number: int,
) -> bytes:
    """The whole 835 interchange as bytes, through rcm.x12.writer (ImportError until the writer has landed)."""
    writer = importlib.import_module("rcm.x12.writer")
    body = remittance_segments(rules, adjudications, claims, payment_date=payment_date, trace_number=trace_number)
    tx = writer.TransactionOut("835", "0001", body)
    group = writer.GroupOut("HP", rules.payer_id, "RCMSUBMITTER", control_number, "005010X221A1",
                     payment_date, "1200", [tx])
    out: bytes = writer.write_interchange(
        sender_qualifier="ZZ", sender_id=rules.payer_id, receiver_qualifier="ZZ", receiver_id="RCMSUBMITTER",
        control_number=control_number, date=payment_date, time="1200", usage="T", groups=[group],
    )
    return out
