"""Draft appeal letters for denied claims, one Jinja2 template per CARC family, filled with the claim's facts.

The drafts are for staff to edit (bracketed parts ask for what only a person can know). They hold patient
details because a payer needs them; they are returned as text, never logged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from rcm.errors import StateError
from rcm.payer_sim.history import REASON_GROUPS, reason_group_for_carc

__all__ = ["AppealFacts", "DeniedLine", "appeal_family", "draft_appeal", "facts_from_store", "facts_from_synth"]

_FAMILY_TEMPLATE = {
    "authorization": "appeal_authorization.txt.j2",
    "medical_necessity": "appeal_medical_necessity.txt.j2",
    "bundling": "appeal_bundling.txt.j2",
    "modifier": "appeal_modifier.txt.j2",
    "timely_filing": "appeal_timely_filing.txt.j2",
    "eligibility": "appeal_eligibility.txt.j2",
    "frequency": "appeal_frequency.txt.j2",
    "duplicate": "appeal_duplicate.txt.j2",
    "information": "appeal_information.txt.j2",
}


@dataclass(frozen=True, slots=True)
class DeniedLine:
    line_id: str
    code: str
    modifiers: tuple[str, ...]
    charge: Decimal
    group: str
    carc: str
    rarc: str | None


@dataclass(slots=True)
class AppealFacts:
    claim_id: str
    payer_id: str
    payer_name: str
    payer_claim_number: str
    date_of_service: date
    patient_name: str
    member_id: str
    provider_name: str
    provider_npi: str
    billing_name: str
    diagnoses: list[str]
    lines: list[DeniedLine]
    prior_authorization: str | None = None
    submitted_on: date | None = None
    received_on: date | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def carcs(self) -> list[str]:
        return sorted({ln.carc for ln in self.lines})


def appeal_family(carcs: list[str]) -> str:
    """The denial family whose letter fits best (the first in the office's working order)."""
    groups = {reason_group_for_carc(c) for c in carcs}
    return next((g for g in REASON_GROUPS if g in groups), "other")


def draft_appeal(facts: AppealFacts, *, today: date | None = None) -> str:
    """The letter text for the claim's main denial family."""
    if not facts.lines:
        raise StateError(f"claim {facts.claim_id}: no denied lines, nothing to appeal")
    env = Environment(loader=PackageLoader("rcm.denials", "templates"), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=True)
    family = appeal_family(facts.carcs)
    template = env.get_template(_FAMILY_TEMPLATE.get(family, "appeal_generic.txt.j2"))
    return template.render(
        today=(today or date.today()).isoformat(),
        claim_id=facts.claim_id,
        payer_id=facts.payer_id,
        payer_name=facts.payer_name,
        payer_claim_number=facts.payer_claim_number,
        date_of_service=facts.date_of_service.isoformat(),
        patient_name=facts.patient_name,
        member_id=facts.member_id,
        provider_name=facts.provider_name,
        provider_npi=facts.provider_npi,
        billing_name=facts.billing_name,
        diagnoses=[d if len(d) <= 3 else f"{d[:3]}.{d[3:]}" for d in facts.diagnoses],
        lines=[{"line_id": ln.line_id, "code": ln.code, "modifiers": list(ln.modifiers), "charge": f"{ln.charge:.2f}",
                "group": ln.group, "carc": ln.carc, "rarc": ln.rarc} for ln in facts.lines],
        carcs=facts.carcs,
        rarcs=sorted({ln.rarc for ln in facts.lines if ln.rarc}),
        prior_authorization=facts.prior_authorization,
        submitted_on=facts.submitted_on.isoformat() if facts.submitted_on else None,
        received_on=facts.received_on.isoformat() if facts.received_on else None,
        has_modifier_25=any("25" in ln.modifiers for ln in facts.lines),
    )


def _person(first: str | None, last: str | None, fallback: str) -> str:
    return " ".join(p for p in (first, last) if p) or fallback


def facts_from_synth(history: Any, claim_id: str, payer_names: dict[str, str] | None = None) -> AppealFacts:
    """Appeal facts for a claim of an rcm.payer_sim SynthHistory."""
    claim = next((c for c in history.claims if c.claim_id == claim_id), None)
    adj = history.adjudications.get(claim_id)
    if claim is None or adj is None:
        raise StateError(f"claim {claim_id}: not in this history")
    enc = claim.encounter
    cov = enc.primary_coverage
    rendering = enc.rendering_provider
    billing = enc.billing_provider
    lines: list[DeniedLine] = []
    for ln in adj.lines:
        if not ln.denied:
            continue
        cas = next((a for a in ln.adjustments if not (a.group == "CO" and a.reason == "45")), None)
        lines.append(DeniedLine(ln.line_id, ln.code, tuple(ln.modifiers), ln.charge,
                                cas.group if cas else "CO", cas.reason if cas else "", ln.remarks[0]
                                if ln.remarks else None))
    return AppealFacts(
        claim_id=claim_id,
        payer_id=adj.payer_id,
        payer_name=(payer_names or {}).get(adj.payer_id) or (cov.payer_name if cov and cov.payer_name else
                                                             adj.payer_id),
        payer_claim_number=adj.payer_claim_number,
        date_of_service=enc.date_of_service,
        patient_name=_person(enc.patient.first_name, enc.patient.last_name, enc.patient.id),
        member_id=(cov.member_id if cov and cov.member_id else ""),
        provider_name=_person(rendering.first_name, rendering.last_name, rendering.name or "")
        if rendering else "",
        provider_npi=rendering.npi if rendering else "",
        billing_name=(billing.name if billing and billing.name else "Billing office"),
        diagnoses=list(enc.diagnoses),
        lines=lines,
        prior_authorization=enc.prior_authorization,
        submitted_on=claim.submitted_on,
        received_on=adj.received_on,
    )


def facts_from_store(session: Any, claim_number: str) -> AppealFacts:
    """Appeal facts for a stored claim from its denial records and the encounter version it was built from."""
    from sqlalchemy import select

    from rcm.domain import Encounter
    from rcm.store import ClaimPayment, DenialRecord, EncounterVersion, Payer, find_claim

    claim = find_claim(session, claim_number)
    if claim is None:
        raise StateError(f"claim {claim_number}: not found")
    denials = session.scalars(select(DenialRecord).where(DenialRecord.claim_id == claim.id)
                              .order_by(DenialRecord.id)).all()
    if not denials:
        raise StateError(f"claim {claim_number}: no denial recorded, nothing to appeal")
    version = session.get(EncounterVersion, claim.encounter_version_id)
    enc = Encounter.model_validate(version.payload)
    payer = session.scalar(select(Payer).where(Payer.payer_id == claim.payer_id))
    payment = session.get(ClaimPayment, denials[0].claim_payment_id)
    by_line = {ln.line_id: ln for ln in enc.lines}
    lines: list[DeniedLine] = []
    for d in denials:
        targets = [by_line[d.line_id]] if d.line_id in by_line else list(enc.lines)
        remarks = d.remark_codes or []
        for ln in targets:
            lines.append(DeniedLine(ln.line_id, ln.code, tuple(ln.modifiers),
                                    Decimal(d.amount) if d.line_id else ln.charge, d.group_code, d.reason_code,
                                    remarks[0] if remarks else None))
    cov = next((c for c in enc.coverage if c.payer_id == claim.payer_id), enc.primary_coverage)
    rendering = enc.rendering_provider
    billing = enc.billing_provider
    return AppealFacts(
        claim_id=claim.claim_number,
        payer_id=claim.payer_id,
        payer_name=payer.name if payer else claim.payer_id,
        payer_claim_number=(payment.payer_claim_number if payment else None) or claim.payer_claim_number or "",
        date_of_service=enc.date_of_service,
        patient_name=_person(enc.patient.first_name, enc.patient.last_name, enc.patient.id),
        member_id=(cov.member_id if cov and cov.member_id else ""),
        provider_name=_person(rendering.first_name, rendering.last_name, rendering.name or "")
        if rendering else "",
        provider_npi=rendering.npi if rendering else "",
        billing_name=(billing.name if billing and billing.name else "Billing office"),
        diagnoses=list(enc.diagnoses),
        lines=lines,
        prior_authorization=enc.prior_authorization,
    )
