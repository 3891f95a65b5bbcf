"""A clearinghouse simulator for the demo: answers each 837 we drop with a 999 (a TA1 when called for), a 277CA
and, for the claims accepted, an 835 per payer and payee adjudicated by the synthetic payer side."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from rcm.domain import Coverage, CoveragePriority, Encounter, Patient, ServiceLine
from rcm.drops import replace_file
from rcm.errors import InputError, RcmError, UnreadableFileError
from rcm.payer_sim.adjudication import Enrollment, PayerSide
from rcm.payer_sim.history import Adjudication, SubmittedClaim
from rcm.payer_sim.practice import PayerRules, load_payer_rules
from rcm.payer_sim.remit835 import remittance_segments
from rcm.x12.acks import OurIds, build_999, build_ta1, interchange_note
from rcm.x12.findings import Finding
from rcm.x12.reader import Transaction, X12File, read_file
from rcm.x12.sets.claim837 import ClaimBatch
from rcm.x12.sets.claim837 import SubmittedClaim as BilledClaim
from rcm.x12.tokenizer import iter_segments
from rcm.x12.validation import validate_transaction
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange

__all__ = ["LEDGER_NAME", "respond_to_837", "respond_to_outbound"]

log = logging.getLogger(__name__)

LEDGER_NAME = "clearinghouse-sim.json"
VERSION_277CA = "005010X214"
VERSION_835 = "005010X221A1"
_BLOCK = 100  # control numbers reserved per answered 837 (999, TA1, 277CA, one per 835)
_REJECT_RATE = 0.04  # share of clean claims the payer front end rejects anyway (member or birth date unknown)
_PAYER_REJECTIONS = (("A7", "33", "IL"), ("A7", "164", "IL"), ("A7", "85", "IL"))
# 837 SBR09 codes the 835's CLP06 code list lacks (commercial and Blue plans are reported as PPO there).
_CLP06 = {"CI": "12", "BL": "12"}

Segments = list[list[ElementValue]]


@dataclass(frozen=True, slots=True)
class _Verdict:
    """The 277CA answer for one claim: accepted (A2:20) or the rejection category, status code and entity."""

    claim: BilledClaim
    payer_claim_number: str
    category: str
    code: str
    entity: str

    @property
    def accepted(self) -> bool:
        return self.category in ("A1", "A2")


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# Envelope and header segments that carry when and under which control number a file was written, not what it bills.
_WHEN_AND_WHO = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE", "BHT"})


def _claims_digest(x12file: X12File) -> str:
    """A digest of what the 837 bills (every segment but the envelope and BHT): the payers' seeded decisions
    follow it, so the same claims sent again (another night, another control number) meet the same fate."""
    h = hashlib.sha256()
    for tx in x12file.transactions:
        for s in tx.segments:
            if s.id not in _WHEN_AND_WHO:
                h.update(s.text().encode("utf-8"))
                h.update(b"\n")
    return h.hexdigest()


def _amount(d: Decimal) -> str:
    return f"{d:.2f}"


def _d8(d: date) -> str:
    return f"{d:%Y%m%d}"


# ------------------------------------------------------------------------------------------- front end


def _findings(x12file: X12File) -> list[Finding]:
    findings: list[Finding] = []
    for tx in x12file.transactions:
        findings.extend(validate_transaction(tx))
    seen = set(findings)
    findings.extend(f for f in x12file.findings if f not in seen)
    return findings


def _syntax_accepted(tx: Transaction, findings: Sequence[Finding]) -> bool:
    """What the 999 says of one transaction (IK5 R when any error falls inside it)."""
    lo, hi = tx.segments[0].number, tx.segments[-1].number
    return not any(f.severity == "error" and f.segment is not None and lo <= f.segment <= hi for f in findings)


def _payer_id(claim: BilledClaim) -> str:
    sub = claim.subscriber
    return sub.payer.id.strip() if sub is not None and sub.payer is not None else ""


def _member_id(claim: BilledClaim) -> str:
    sub = claim.subscriber
    return sub.person.id.strip() if sub is not None and sub.person is not None else ""


def _service_dates(claim: BilledClaim) -> list[date]:
    return [d for ln in claim.lines for d in (ln.service_date, ln.service_end_date) if d is not None]


def _payer_claim_number(payer_id: str, digest: str, claim_id: str) -> str:
    """The payer's claim number (277CA REF*1K = 835 CLP07): unique per file and claim, stable on a re-run."""
    n = int(hashlib.sha256(f"{digest}:{claim_id}".encode()).hexdigest()[:15], 16) % 10**12
    return f"{payer_id[:5]}{n:012d}"


def _verdict(claim: BilledClaim, payers: dict[str, PayerRules], *, digest: str, seed: int, today: date) -> _Verdict:
    """Front-end edits in the order a clearinghouse runs them, then the payer's own intake (seeded)."""
    payer_id = _payer_id(claim)
    pcn = _payer_claim_number(payer_id or "UNK", digest, claim.patient_control_number)

    def no(category: str, code: str, entity: str = "") -> _Verdict:
        return _Verdict(claim, pcn, category, code, entity)

    if payer_id not in payers:
        return no("A3", "26", "PR")  # payer not found: the clearinghouse cannot route the claim
    if not _member_id(claim):
        return no("A6", "164", "IL")  # subscriber contract/member number missing
    if claim.charge != claim.line_total:
        return no("A7", "400")  # claim is out of balance
    if any(d > today for d in _service_dates(claim)):
        return no("A7", "510")  # date of service in the future
    rng = random.Random(f"{seed}:{digest}:{claim.patient_control_number}:intake")
    if rng.random() < _REJECT_RATE:
        return no(*rng.choice(_PAYER_REJECTIONS))
    return _Verdict(claim, pcn, "A2", "20", "PR")


# -------------------------------------------------------------------------------------------- 277CA


def _party_name(claim: BilledClaim) -> tuple[str, str]:
    """(last, first) of the patient: the 2000C patient when there is one, else the subscriber."""
    person = claim.patient.person if claim.patient is not None else None
    if person is None and claim.subscriber is not None:
        person = claim.subscriber.person
    return (person.last_name, person.first_name) if person is not None else ("UNKNOWN", "")


def _claim_status_segments(v: _Verdict, today: date, trace: str) -> Segments:
    claim = v.claim
    action = "WQ" if v.accepted else "U"
    stc: list[ElementValue] = ["STC", [v.category, v.code, v.entity] if v.entity else [v.category, v.code],
                               _d8(today), action, _amount(claim.charge)]
    segs: Segments = [["TRN", "2", claim.patient_control_number], stc]
    if v.accepted:
        segs.append(["REF", "1K", v.payer_claim_number])
    segs.append(["REF", "D9", trace])
    dates = _service_dates(claim)
    if dates:
        first, last = min(dates), max(dates)
        segs.append(["DTP", "472", "RD8", f"{_d8(first)}-{_d8(last)}"])
    return segs


def _segments_277ca(batch: ClaimBatch, verdicts: Sequence[_Verdict], *, receiver: tuple[str, str],
                    source: tuple[str, str], today: date, trace: str) -> Segments:
    """X214 body: source (clearinghouse) / receiver (our submitter, TRN*2 = our BHT03) / billing provider /
    patient with the claim's TRN*2 = CLM01, STC, REF*1K (accepted), REF*D9 and the service dates."""
    accepted = [v for v in verdicts if v.accepted]
    rejected = [v for v in verdicts if not v.accepted]
    total = sum((v.claim.charge for v in verdicts), Decimal("0.00"))
    segs: Segments = [
        ["BHT", "0085", "08", trace, _d8(today), "1200", "TH"],
        ["HL", "1", "", "20", "1"],
        ["NM1", "AY", "2", source[1], "", "", "", "", "46", source[0]],
        ["TRN", "1", trace],
        ["DTP", "050", "D8", _d8(batch.created or today)],
        ["DTP", "009", "D8", _d8(today)],
        ["HL", "2", "1", "21", "1"],
        ["NM1", "41", "2", receiver[1], "", "", "", "", "46", receiver[0]],
        ["TRN", "2", batch.reference or batch.control_number],
        ["STC", ["A1", "19", "PR"], _d8(today), "WQ", _amount(total)],
    ]
    if accepted:
        segs += [["QTY", "90", str(len(accepted))]]
    if rejected:
        segs += [["QTY", "AA", str(len(rejected))]]
    if accepted:
        segs += [["AMT", "YU", _amount(sum((v.claim.charge for v in accepted), Decimal("0.00")))]]
    if rejected:
        segs += [["AMT", "YY", _amount(sum((v.claim.charge for v in rejected), Decimal("0.00")))]]
    hl = 2
    by_provider: dict[str, list[_Verdict]] = {}
    for v in verdicts:
        bp = v.claim.billing_provider.party if v.claim.billing_provider is not None else None
        by_provider.setdefault(bp.npi or bp.id if bp is not None else "", []).append(v)
    for npi, items in by_provider.items():
        hl += 1
        provider_hl = hl
        bp = items[0].claim.billing_provider.party if items[0].claim.billing_provider is not None else None
        segs.append(["HL", str(provider_hl), "2", "19", "1"])
        segs.append(["NM1", "85", "2", (bp.name if bp is not None else "") or "BILLING PROVIDER", "", "", "", "",
                     "XX", npi or "0000000000"])
        took = [v for v in items if v.accepted]
        left = [v for v in items if not v.accepted]
        segs.append(["TRN", "1", f"{trace}P{provider_hl}"[:50]])
        segs.append(["STC", ["A1", "19"], "", "WQ",  # no effective date at the provider level (X214)
                     _amount(sum((v.claim.charge for v in items), Decimal("0.00")))])
        segs += [["QTY", q, str(len(vs))] for q, vs in (("QA", took), ("QC", left)) if vs]
        segs += [["AMT", a, _amount(sum((v.claim.charge for v in vs), Decimal("0.00")))]
                 for a, vs in (("YU", took), ("YY", left)) if vs]
        for n, v in enumerate(items, start=1):
            hl += 1
            last, first = _party_name(v.claim)
            segs.append(["HL", str(hl), str(provider_hl), "PT"])
            segs.append(["NM1", "QC", "1", last or "UNKNOWN", first, "", "", "", "MI", _member_id(v.claim) or "NONE"])
            segs += _claim_status_segments(v, today, f"{trace}{n:04d}"[:50])
    return segs


# ---------------------------------------------------------------------------------------------- 835


def _encounter(claim: BilledClaim, *, fallback_day: date) -> Encounter:
    """The payer's view of a billed claim as a domain Encounter (raises pydantic's ValidationError on bad shapes)."""
    sub = claim.subscriber
    priority = {"S": CoveragePriority.secondary, "T": CoveragePriority.tertiary}.get(
        sub.responsibility if sub is not None else "", CoveragePriority.primary)
    person = claim.patient.person if claim.patient is not None else (sub.person if sub is not None else None)
    dates = _service_dates(claim)
    lines = [
        ServiceLine(
            line_id=(ln.line_item_control_number or ln.number or str(i))[:50],
            code=ln.procedure.code if ln.procedure is not None else "",
            modifiers=ln.procedure.modifiers if ln.procedure is not None else [],
            units=ln.units if ln.units is not None else Decimal(1),
            charge=ln.charge,
            diagnosis_pointers=ln.diagnosis_pointers,
            date_of_service=ln.service_date,
            date_of_service_end=ln.service_end_date,
        )
        for i, ln in enumerate(claim.lines, start=1)
    ]
    return Encounter(
        encounter_id=claim.patient_control_number[:38],
        date_of_service=min(dates) if dates else fallback_day,
        patient=Patient(
            id=_member_id(claim) or claim.patient_control_number,
            first_name=person.first_name if person is not None else None,
            last_name=person.last_name if person is not None else None,
        ),
        coverage=[Coverage(priority=priority, payer_id=_payer_id(claim), member_id=_member_id(claim) or None)],
        prior_authorization=claim.prior_authorization,
        diagnoses=[c.code for c in claim.diagnoses if c.qualifier in ("ABK", "ABF", "BK", "BF")][:12],
        lines=lines,
    )


def _enrollment(claims: Sequence[SubmittedClaim], payers: dict[str, PayerRules], seed: int) -> Enrollment:
    """The payer's member file: everyone covered, except a seeded few whose coverage ended (the payer's churn)."""
    out: Enrollment = {}
    for c in claims:
        member = c.encounter.patient.id
        key = (c.payer_id, member)
        if key in out:
            continue
        dos = c.encounter.date_of_service
        rng = random.Random(f"{seed}:{c.payer_id}:{member}:enrolment")
        lapsed = rng.random() < payers[c.payer_id].eligibility_churn
        out[key] = (dos - timedelta(days=730), dos - timedelta(days=1 + rng.randrange(60)) if lapsed else None)
    return out


def _payee_segments(claim: BilledClaim) -> Segments:
    bp = claim.billing_provider.party if claim.billing_provider is not None else None
    name = (bp.name if bp is not None else "") or "BILLING PROVIDER"
    segs: Segments = [["N1", "PE", name, "XX", (bp.npi if bp is not None else None) or "0000000000"]]
    tax_id = bp.tax_id if bp is not None else None
    if tax_id:
        segs.append(["REF", "TJ", tax_id])
    return segs


def _remittance(rules: PayerRules, adjudications: list[Adjudication], claims: dict[str, SubmittedClaim],
                billed: dict[str, BilledClaim], *, payment_date: date, trace: str) -> Segments:
    """The payer side's 835 body, with our payee (N1*PE/REF*TJ), facility code (CLP08) and, for secondary and
    tertiary claims, CLP02 2/3."""
    body = remittance_segments(rules, adjudications, claims, payment_date=payment_date, trace_number=trace)
    first = billed[adjudications[0].claim_id]
    out: Segments = []
    skip_tj = False
    for seg in body:
        sid = seg[0]
        if sid == "N1" and seg[1] == "PE":
            out += _payee_segments(first)
            skip_tj = True
            continue
        if sid == "REF" and seg[1] == "TJ" and skip_tj:
            skip_tj = False
            continue
        if sid == "TRN" or (sid == "BPR" and len(seg) > 10 and seg[10]):
            # the payer's company id (TRN03, BPR10): one per payer, so that posting tells payers apart
            at = 3 if sid == "TRN" else 10
            out.append([*seg[:at], _payer_tin(rules.payer_id), *seg[at + 1:]])
            continue
        if sid == "CLP":
            claim = billed[str(seg[1])]
            clp: list[ElementValue] = list(seg)
            clp[6] = _CLP06.get(str(clp[6]), clp[6])
            clp[8] = claim.facility_code or "11"
            clp[9] = claim.frequency or "1"
            responsibility = claim.subscriber.responsibility if claim.subscriber is not None else "P"
            if clp[2] == "1" and responsibility in ("S", "T"):
                clp[2] = "2" if responsibility == "S" else "3"
            out.append(clp)
            continue
        out.append(list(seg))
    return out


def _payer_tin(payer_id: str) -> str:
    """A stable ten-character originating company id for a payer ("1" + nine digits)."""
    return f"1{int(hashlib.sha256(payer_id.encode()).hexdigest()[:12], 16) % 10**9:09d}"


def _trace_number(digest: str, payer_id: str, payee: str, seed: int) -> str:
    n = int(hashlib.sha256(f"{digest}:{payer_id}:{payee}:{seed}".encode()).hexdigest()[:15], 16) % 10**15
    return f"{n:015d}"


# ------------------------------------------------------------------------------------------ answers


def _control_base(digest: str) -> int:
    return (int(digest[:12], 16) % 9_000_000) * _BLOCK + 1


def respond_to_837(
    content: bytes,
    *,
    seed: int = 0,
    today: date | None = None,
    control_number: int | None = None,
    payers: dict[str, PayerRules] | None = None,
) -> dict[str, bytes]:
    """Answer one 837 file as a clearinghouse and its payers would: file name -> bytes.

    ``TA1_<icn>_<hash>.x12`` when the interchange is bad or asked for one (a rejected interchange gets nothing
    else), ``999_...`` for every functional group, ``277CA_...`` for the transactions the 999 accepted, and
    ``835_<payer>_...`` per payer and payee for the claims the 277CA accepted.  ``control_number`` is the first of
    100 interchange control numbers the answers may use (default: derived from the content).  Same content, seed
    and day give the same bytes.  Raises NotX12Error when the content is not X12, InputError when it holds no 837.
    """
    day = today or datetime.now(UTC).date()
    now = datetime(day.year, day.month, day.day, 12, 0, tzinfo=UTC)
    digest = _digest(content)
    base = control_number if control_number is not None else _control_base(digest)
    x12file = read_file(content)
    decided = _claims_digest(x12file)
    claim_txs = [tx for tx in x12file.transactions if tx.set_id == "837"]
    headers = [i.header for i in x12file.interchanges if i.header is not None]
    if not claim_txs or not headers:
        raise InputError(f"837 file {digest[:12]}: no 837 transaction set inside an ISA interchange")
    isa = headers[0]
    group = claim_txs[0].group
    ch_id = isa.receiver_id.strip() or "CLEARINGHOUSE"
    ours = OurIds(isa.receiver_qualifier.strip() or "ZZ", ch_id, (group.receiver_id if group else "") or ch_id)
    stem = f"{isa.control_number.strip() or '0'}_{digest[:8]}"
    answers: dict[str, bytes] = {}
    findings = _findings(x12file)

    for i, header in enumerate(headers):
        next_isa = headers[i + 1].segment if i + 1 < len(headers) else None
        code, note = interchange_note(findings, header, next_isa)
        if code != "A" or header.ack_requested == "1":
            answers[f"TA1_{stem}.x12"] = build_ta1(header, note, ack_code=code, ours=ours,
                                                   control_number=base + 1, now=now)
            if code == "R":
                return answers
            break
    answers[f"999_{stem}.x12"] = build_999(x12file, findings, ours=ours, control_number=base, now=now)

    rules = payers if payers is not None else load_payer_rules()
    accepted_txs = [tx for tx in claim_txs if _syntax_accepted(tx, findings)]
    if not accepted_txs:
        return answers
    status_sets: list[TransactionOut] = []
    verdicts: list[_Verdict] = []
    for n, tx in enumerate(accepted_txs, start=1):
        batch: ClaimBatch = tx.model
        mine = [_verdict(c, rules, digest=decided, seed=seed, today=day) for c in batch.claims]
        verdicts += mine
        receiver = (isa.sender_id.strip(), batch.submitter.name if batch.submitter else "SUBMITTER")
        body = _segments_277ca(batch, mine, receiver=receiver, source=(ch_id, "CLEARINGHOUSE"), today=day,
                               trace=f"{base + 2}{n:04d}")
        status_sets.append(TransactionOut("277", f"{n:04d}", body, VERSION_277CA))
    envelope = {
        "sender_qualifier": ours.qualifier, "receiver_qualifier": isa.sender_qualifier.strip() or "ZZ",
        "receiver_id": isa.sender_id.strip() or "SUBMITTER", "date": day, "time": "1200",
        "usage": isa.usage if isa.usage in ("P", "T") else "P",
    }
    app_receiver = (group.sender_id if group else "") or str(envelope["receiver_id"])
    answers[f"277CA_{stem}.x12"] = write_interchange(
        sender_id=ch_id, control_number=base + 2,
        groups=[GroupOut("HN", ours.application_id, app_receiver, base + 2, VERSION_277CA, day, "1200",
                         status_sets)],
        **envelope,  # type: ignore[arg-type]
    )
    answers.update(_remittances(verdicts, rules, digest=decided, seed=seed, day=day, base=base + 3, stem=stem,
                                envelope=envelope, app_receiver=app_receiver))
    return answers


def _remittances(verdicts: Sequence[_Verdict], rules: dict[str, PayerRules], *, digest: str, seed: int, day: date,
                 base: int, stem: str, envelope: dict[str, Any], app_receiver: str) -> dict[str, bytes]:
    """One 835 per (payer, billing provider) for the accepted claims, adjudicated in the order they were billed."""
    submitted: dict[str, SubmittedClaim] = {}
    billed: dict[str, BilledClaim] = {}
    pcns: dict[str, str] = {}
    sent_on = day
    for v in verdicts:
        if not v.accepted or v.claim.patient_control_number in submitted:
            continue
        try:
            encounter = _encounter(v.claim, fallback_day=day)
        except ValidationError:
            # e.g. an 837I line billed by revenue code alone: the payer side prices procedure codes only, so the
            # claim stays accepted and unpaid (as a claim pending at the payer would)
            log.warning("835 %s: claim %s not adjudicated (a line without a procedure code, or a code or amount "
                        "of the wrong shape)", stem, v.claim.patient_control_number)
            continue
        claim_id = v.claim.patient_control_number
        submitted[claim_id] = SubmittedClaim(claim_id, encounter, _payer_id(v.claim), sent_on, "active", None, [])
        billed[claim_id] = v.claim
        pcns[claim_id] = v.payer_claim_number
    side = PayerSide(rules, _enrollment(list(submitted.values()), rules, seed), seed=seed)
    groups: dict[tuple[str, str], list[Adjudication]] = {}
    for claim_id, claim in submitted.items():
        adj = side.adjudicate(claim)
        # The simulation is time-compressed: received, decided and paid on the day the 837 is answered.
        adj.payer_claim_number = pcns[claim_id]
        adj.received_on = day
        adj.adjudicated_on = day
        bp = billed[claim_id].billing_provider
        payee = (bp.party.npi or "") if bp is not None and bp.party is not None else ""
        groups.setdefault((claim.payer_id, payee), []).append(adj)
    out: dict[str, bytes] = {}
    for n, ((payer_id, payee), items) in enumerate(sorted(groups.items()), start=0):
        trace = _trace_number(digest, payer_id, payee, seed)
        body = _remittance(rules[payer_id], items, submitted, billed, payment_date=day, trace=trace)
        tx = TransactionOut("835", "0001", body, VERSION_835)
        out[f"835_{payer_id}_{stem}_{n + 1}.x12"] = write_interchange(
            sender_id=payer_id, control_number=base + n,
            groups=[GroupOut("HP", payer_id, app_receiver, base + n, VERSION_835, day, "1200", [tx])],
            **{**envelope, "sender_qualifier": "ZZ"},
        )
    return out


# ------------------------------------------------------------------------------------------ the drop


def _is_837(content: bytes) -> bool:
    try:
        for seg in iter_segments(content):
            if seg.id == "ST":
                return seg.get(1) == "837"
    except (RcmError, OSError):
        return False
    return False


def _load_ledger(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"next_control_number": 1, "answered": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise UnreadableFileError(str(path), "the clearinghouse simulator's ledger is not readable JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("answered"), dict):
        raise UnreadableFileError(str(path), "the clearinghouse simulator's ledger has no 'answered' table")
    data.setdefault("next_control_number", 1)
    return data


def _default_ledger(outbound_dir: Path, inbound_dir: Path) -> Path:
    """Beside both drops (their common folder, the data dir), so nothing reading either folder trips on it."""
    try:
        common = Path(os.path.commonpath([outbound_dir.resolve(), inbound_dir.resolve()]))
    except ValueError:
        common = inbound_dir.resolve().parent
    if common in (outbound_dir.resolve(), inbound_dir.resolve()) or common == Path(common.anchor):
        common = inbound_dir.resolve().parent
    return common / LEDGER_NAME


def respond_to_outbound(
    outbound_dir: Path,
    inbound_dir: Path,
    *,
    seed: int = 0,
    today: date | None = None,
    ledger: Path | None = None,
    payers: dict[str, PayerRules] | None = None,
) -> list[Path]:
    """Answer every 837 in ``outbound_dir`` (and below) not answered before; the answers land atomically in
    ``inbound_dir``.  A ledger (default ``<common parent>/clearinghouse-sim.json``) keyed by the 837's SHA-256
    makes a re-run answer nothing twice.  Returns the files written."""
    ledger_path = ledger or _default_ledger(outbound_dir, inbound_dir)
    book = _load_ledger(ledger_path)
    answered: dict[str, Any] = book["answered"]
    rules = payers if payers is not None else load_payer_rules()
    written: list[Path] = []
    if not outbound_dir.is_dir():
        return written
    candidates = sorted(p for p in outbound_dir.rglob("*") if p.is_file() and not p.name.startswith("."))
    for path in candidates:
        try:
            content = path.read_bytes()
        except OSError as exc:
            log.warning("outbound file %s not answered: cannot be read (%s)", path.name, type(exc).__name__)
            continue
        digest = _digest(content)
        if digest in answered or not _is_837(content):
            continue
        start = int(book["next_control_number"])
        if start + _BLOCK > 999_999_999:  # ISA13 has nine digits: start over
            start = 1
        try:
            answers = respond_to_837(content, seed=seed, today=today, control_number=start, payers=rules)
        except InputError as exc:
            log.warning("outbound file %s not answered: %s", path.name, exc)
            answers = {}
        inbound_dir.mkdir(parents=True, exist_ok=True)
        names: list[str] = []
        for name, data in answers.items():
            target = inbound_dir / name
            replace_file(target, data)
            written.append(target)
            names.append(name)
        book["next_control_number"] = start + _BLOCK
        answered[digest] = {"file": path.name, "answered_at": datetime.now(UTC).isoformat(timespec="seconds"),
                            "answers": names}
        ledger_path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(ledger_path, (json.dumps(book, indent=2, sort_keys=True) + "\n").encode("utf-8"))
        log.info("answered %s with %d file(s)", path.name, len(names))
    return written
