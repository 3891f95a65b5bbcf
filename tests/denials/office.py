"""A billing office's claim history built through the product's own steps, for the denial training data tests.

An EMR export is ingested and scrubbed (warnings overridden by a biller, errors held), the clean claims are sent
in 837s, and 835s are posted back; the next payers' claims are built from what the primary payers paid, a changed
encounter goes out again as a replacement claim. Each encounter's fate is set below (FATES), so every outcome is
known by hand: paid, paid with a deductible, partly paid, denied line by line, denied at claim level, denied
without a reason code, paid then reversed and denied, denied then paid, sent and never answered, held and never
sent. Eligibility answers (coverage snapshots) are stored around the moments the claims left.
Synthetic people only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from rcm.codes import npi_with_check_digit
from rcm.coding import RuleBook
from rcm.coding.service import override_finding, scrub_pending
from rcm.config import Settings, load_settings
from rcm.intake.service import ingest_export
from rcm.payer_sim import load_payer_rules
from rcm.remits.files import post_file
from rcm.store import (
    ClaimRecord,
    ClaimStatus,
    ClaimSubmission,
    CoverageSnapshot,
    FindingOverride,
    Payer,
    ScrubFinding,
    find_claim,
    set_claim_status,
)
from rcm.store.database import session_factory
from rcm.x12.writer import ElementValue, GroupOut, TransactionOut, write_interchange

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = REPO_ROOT / "rules"
SCRUB_AS_OF = date(2026, 11, 6)
BILLING_NPI = npi_with_check_digit("112345670")
RENDERING = (npi_with_check_digit("123456780"), "207Q00000X")
OTHER_RENDERING = (npi_with_check_digit("145678900"), "208D00000X")

_ADDRESS = {"line1": "1 Test St", "city": "Lowell", "state": "MA", "zip": "01852"}
_PAYER_NAMES = {"BCBS1": "Blue Cross Blue Shield", "AET01": "Aetna", "UHC01": "UnitedHealthcare",
                "MCR01": "Medicare Part B", "MCD01": "State Medicaid", "HUM01": "Humana"}
_PLAN_TYPES = {"MCR01": "MB", "MCD01": "MC", "UHC01": "CI"}  # as the EMR lists them (the others list none)
_CODES = {"99213": "125.00", "99214": "150.00", "87880": "50.00", "81002": "20.00", "36415": "15.00",
          "90686": "40.00"}

# What the payer does with each encounter's (primary) claim:
#   paid          every line paid at 80 % (CO-45 for the rest), coinsurance PR-2 on the first line
#   deductible    paid nothing, all patient responsibility (PR-1): not a denial
#   partial       the last line denied CO-97 (RARC M15), the others paid
#   line_denied   CLP02 4, every line paid 0 with CO-197 (RARC N54)
#   claim_denied  CLP02 4, a claim-level CO-29 and no service lines (a whole-claim denial)
#   unsorted      CLP02 4 with a claim-level OA-23, a reason outside the denial families the office works
#   reversed      paid, later reversed (CLP02 22) and denied CO-50 in the same later file
#   repaid        denied CO-16 at claim level, later paid in full in another file
#   unanswered    sent, nothing came back
#   corrected     paid; the encounter is re-exported changed, and the replacement claim goes out again
#   secondary     paid by the primary with coinsurance left; the secondary payer pays (CLP02 2) or denies
#   held          held by the scrubber (an error, or a warning nobody overrode): never sent
# fmt: off
FATES: dict[str, tuple[str, str, str | None, tuple[str, ...], dict[str, Any]]] = {
    # encounter: (fate, patient, secondary payer, codes, changes)
    "D01": ("paid", "P01", None, ("99213",), {"payer": "BCBS1"}),
    "D02": ("partial", "P02", None, ("99213", "87880"), {"payer": "BCBS1"}),
    "D03": ("line_denied", "P03", None, ("99214", "36415"), {"payer": "AET01"}),
    "D04": ("claim_denied", "P04", None, ("99213", "81002", "36415"), {"payer": "UHC01"}),
    "D05": ("unsorted", "P05", None, ("99213",), {"payer": "HUM01"}),
    "D06": ("reversed", "P06", None, ("99214",), {"payer": "MCR01"}),
    "D07": ("repaid", "P07", None, ("99213", "90686"), {"payer": "AET01"}),
    "D08": ("unanswered", "P08", None, ("99213",), {"payer": "UHC01"}),
    "D09": ("deductible", "P09", None, ("99213", "81002"), {"payer": "BCBS1"}),
    "D10": ("paid", "P01", None, ("99214", "87880"), {"payer": "BCBS1", "date_of_service": "2026-10-20"}),
    "D11": ("secondary", "P10", "AET01", ("99213", "36415"), {"payer": "MCR01"}),
    "D12": ("secondary", "P11", "BCBS1", ("99214",), {"payer": "UHC01"}),
    "D13": ("corrected", "P12", None, ("99213",), {"payer": "HUM01"}),
    "D14": ("partial", "P13", None, ("99213", "81002", "87880"), {"payer": "MCD01",
                                                                  "rendering": OTHER_RENDERING}),
    "D15": ("line_denied", "P02", None, ("99213",), {"payer": "BCBS1", "date_of_service": "2026-10-12"}),
    "D16": ("paid", "P14", None, ("99213",), {"payer": "AET01", "place_of_service": "10"}),  # warning, overridden
    "D17": ("held", "P15", None, ("99213",), {"payer": "UHC01", "place_of_service": "10"}),  # an error
    "D18": ("paid", "P16", None, ("99213",), {"payer": "BCBS1", "place_of_service": "10"}),  # warning, overridden
    "D19": ("unanswered", "P03", None, ("99214", "81002"), {"payer": "AET01", "date_of_service": "2026-10-15"}),
    "D20": ("claim_denied", "P17", None, ("99213",), {"payer": "MCR01", "rendering": OTHER_RENDERING}),
    "D21": ("paid", "P18", None, ("99213", "36415"), {"payer": "MCD01", "prior_authorization": "AUTH123"}),
    "D22": ("repaid", "P19", None, ("99214",), {"payer": "HUM01", "birth_date": "1950-02-03", "sex": "M"}),
    "D23": ("held", "P20", None, ("99213",), {"payer": "AET01", "place_of_service": "10"}),  # warning kept
}
# fmt: on


def _line(n: int, code: str) -> dict[str, Any]:
    return {"line_id": str(n), "code": code, "modifiers": [], "units": "1", "charge": _CODES[code],
            "diagnosis_pointers": [1]}


def _coverage(priority: str, payer: str, patient: str) -> dict[str, Any]:
    coverage = {"priority": priority, "payer_id": payer, "payer_name": _PAYER_NAMES[payer],
                "member_id": f"M{payer}{patient}00"}
    if payer in _PLAN_TYPES:
        coverage["plan_type"] = _PLAN_TYPES[payer]
    return coverage


def encounter(number: str, changed: bool = False) -> dict[str, Any]:
    _, patient, secondary, codes, extra = FATES[number]
    payer = extra["payer"]
    npi, taxonomy = extra.get("rendering", RENDERING)
    coverage = [_coverage("primary", payer, patient)]
    if secondary:
        coverage.append(_coverage("secondary", secondary, patient))
    lines = [_line(n, code) for n, code in enumerate(codes, start=1)]
    if changed:  # a replacement of the claim the payer paid
        lines[0]["charge"] = "135.00"
    data: dict[str, Any] = {
        "encounter_id": number,
        "date_of_service": extra.get("date_of_service", "2026-10-05"),
        "place_of_service": extra.get("place_of_service", "11"),
        "patient": {"id": patient, "first_name": "Testa", "last_name": f"Sample{patient}",
                    "birth_date": extra.get("birth_date", "1985-06-15"), "sex": extra.get("sex", "F"),
                    "address": _ADDRESS},
        "coverage": coverage,
        "billing_provider": {"npi": BILLING_NPI, "name": "Riverbend Family Medicine", "tax_id": "041234567",
                             "address": {"line1": "100 Riverbend Pkwy", "city": "Lowell", "state": "MA",
                                         "zip": "01852"}},
        "rendering_provider": {"npi": npi, "first_name": "Dana", "last_name": "Okafor", "taxonomy": taxonomy},
        "diagnoses": extra.get("diagnoses", ["J02.0"]),
        "lines": lines,
    }
    if "prior_authorization" in extra:
        data["prior_authorization"] = extra["prior_authorization"]
    if changed:
        data.update(frequency_code="7", payer_claim_number=f"PCN{number}")
    return data


# ------------------------------------------------------------------------------------------------ 835 files

Segments = list[list[ElementValue]]


def _money(d: Decimal) -> str:
    return f"{d:.2f}"


@dataclass
class _Claim835:
    """One CLP loop and what it pays, for the BPR total."""

    segments: Segments
    paid: Decimal


@dataclass
class Remit:
    """One 835 payment from one payer (built claim by claim)."""

    payer: str
    trace: str
    claims: list[_Claim835] = field(default_factory=list)

    def add(self, number: str, status: str, charge: Decimal, paid: Decimal, patient: Decimal,
            body: Segments, sign: int = 1) -> None:
        clp: list[ElementValue] = ["CLP", number, status, _money(sign * charge), _money(sign * paid),
                                   _money(sign * patient), "12", f"PCN{number}", "11", "1"]
        self.claims.append(_Claim835([clp, *body], sign * paid))

    def segments(self, day: date) -> Segments:
        total = sum((c.paid for c in self.claims), Decimal("0.00"))
        method = ["BPR", "I", _money(total), "C", "ACH", "CCP", "01", "011000015", "DA", "1234567", "1999999999",
                  "", "01", "021000021", "DA", "7654321", f"{day:%Y%m%d}"]
        if total == 0:
            method = ["BPR", "H", "0.00", "C", "NON", "", "", "", "", "", "", "", "", "", "", "", f"{day:%Y%m%d}"]
        body: Segments = [
            method,  # type: ignore[list-item]
            ["TRN", "1", self.trace, "1999999999"],
            ["DTM", "405", f"{day:%Y%m%d}"],
            ["N1", "PR", _PAYER_NAMES[self.payer].upper()],
            ["N3", "PO BOX 1000"],
            ["N4", "HARTFORD", "CT", "06101"],
            ["PER", "BL", "PROVIDER SERVICES", "TE", "8005550199"],
            ["N1", "PE", "RIVERBEND FAMILY MEDICINE", "XX", BILLING_NPI],
            ["LX", "1"],
        ]
        for claim in self.claims:
            body.extend(claim.segments)
        return body


def _svc(code: str, charge: Decimal, paid: Decimal, line_id: str, dos: date, *cas: tuple[str, str, Decimal],
         remarks: tuple[str, ...] = (), sign: int = 1) -> Segments:
    out: Segments = [["SVC", ["HC", code], _money(sign * charge), _money(sign * paid), "", "1"],
                     ["DTM", "472", f"{dos:%Y%m%d}"]]
    out.extend(["CAS", group, reason, _money(sign * amount)] for group, reason, amount in cas)
    out.append(["REF", "6R", line_id])
    out.extend(["LQ", "HE", r] for r in remarks)
    return out


def _write_835(path: Path, remits: list[Remit], day: date, control: int) -> Path:
    transactions = [TransactionOut("835", f"{n:04d}", r.segments(day)) for n, r in enumerate(remits, start=1)]
    group = GroupOut("HP", "PAYERS", "RCMSUBMITTER", control, "005010X221A1", day, "0900", transactions)
    path.write_bytes(write_interchange(sender_qualifier="ZZ", sender_id="PAYERS", receiver_qualifier="ZZ",
                                       receiver_id="RCMSUBMITTER", control_number=control, date=day, time="0900",
                                       usage="T", groups=[group]))
    return path


@dataclass(frozen=True, slots=True)
class _Line:
    line_id: str
    code: str
    charge: Decimal
    dos: date


def _lines(claim: ClaimRecord) -> list[_Line]:
    return [_Line(ln.line_id or str(ln.line_number), ln.code, ln.charge, ln.date_from or date(2026, 10, 5))
            for ln in claim.lines]


def _pay(remit: Remit, number: str, lines: list[_Line], *, status: str = "1", coinsurance: bool = True,
         sign: int = 1) -> None:
    body: Segments = []
    paid_total = patient_total = Decimal("0.00")
    for n, ln in enumerate(lines):
        allowed = (ln.charge * Decimal("0.80")).quantize(Decimal("0.01"))
        patient = (allowed * Decimal("0.20")).quantize(Decimal("0.01")) if coinsurance and n == 0 else Decimal("0")
        paid = allowed - patient
        adjustments = [("CO", "45", ln.charge - allowed)]
        if patient:
            adjustments.append(("PR", "2", patient))
        body += _svc(ln.code, ln.charge, paid, ln.line_id, ln.dos, *adjustments, sign=sign)
        paid_total += paid
        patient_total += patient
    remit.add(number, status, sum((ln.charge for ln in lines), Decimal("0")), paid_total, patient_total, body,
              sign=sign)


def _deny_lines(remit: Remit, number: str, lines: list[_Line], carc: str, rarc: str) -> None:
    body: Segments = []
    for ln in lines:
        body += _svc(ln.code, ln.charge, Decimal("0"), ln.line_id, ln.dos, ("CO", carc, ln.charge), remarks=(rarc,))
    remit.add(number, "4", sum((ln.charge for ln in lines), Decimal("0")), Decimal("0"), Decimal("0"), body)


def _deny_claim(remit: Remit, number: str, lines: list[_Line], group: str, carc: str) -> None:
    charge = sum((ln.charge for ln in lines), Decimal("0"))
    remit.add(number, "4", charge, Decimal("0"), Decimal("0"), [["CAS", group, carc, _money(charge)]])


def _partial(remit: Remit, number: str, lines: list[_Line]) -> None:
    body: Segments = []
    paid_total = Decimal("0.00")
    for ln in lines[:-1]:
        allowed = (ln.charge * Decimal("0.80")).quantize(Decimal("0.01"))
        body += _svc(ln.code, ln.charge, allowed, ln.line_id, ln.dos, ("CO", "45", ln.charge - allowed))
        paid_total += allowed
    last = lines[-1]
    body += _svc(last.code, last.charge, Decimal("0"), last.line_id, last.dos, ("CO", "97", last.charge),
                 remarks=("M15",))
    remit.add(number, "1", sum((ln.charge for ln in lines), Decimal("0")), paid_total, Decimal("0"), body)


def _deductible(remit: Remit, number: str, lines: list[_Line]) -> None:
    body: Segments = []
    for ln in lines:
        body += _svc(ln.code, ln.charge, Decimal("0"), ln.line_id, ln.dos, ("PR", "1", ln.charge))
    charge = sum((ln.charge for ln in lines), Decimal("0"))
    remit.add(number, "1", charge, Decimal("0"), charge, body)


# ------------------------------------------------------------------------------------------------ the office


@dataclass(frozen=True)
class History:
    """The built office: settings, and when each claim left and each 835 was posted."""

    engine: Engine
    settings: Settings
    first_sent: dict[str, datetime]  # claim number -> first submission
    posted: dict[str, datetime]  # "first", "second", "third": when each 835 file was posted
    sent_at: dict[str, datetime] = field(default_factory=dict)  # "first", "second", "third" build


def _submissions(session: Session) -> dict[str, datetime]:
    rows = session.execute(
        select(ClaimRecord.claim_number, ClaimSubmission.submitted_at)
        .join(ClaimSubmission, ClaimSubmission.claim_id == ClaimRecord.id)
        .order_by(ClaimSubmission.submitted_at)
    )
    first: dict[str, datetime] = {}
    for number, at in rows:
        first.setdefault(number, at)
    return first


def _export(path: Path, numbers: list[str], *, changed: frozenset[str] = frozenset()) -> Path:
    path.write_text("".join(json.dumps(encounter(n, n in changed)) + "\n" for n in numbers), encoding="utf-8")
    return path


def build_history(engine: Engine, data_dir: Path, book: RuleBook) -> History:
    """The office above, through ingest, scrub, override, build, post (three nights of it)."""
    from rcm.claims.submission import build_claims

    url = engine.url.render_as_string(hide_password=False)
    settings = load_settings({"RCM_DATA_DIR": str(data_dir), "RCM_DATABASE_URL": url, "RCM_RULES_DIR": str(RULES_DIR)})
    settings.ensure_dirs()
    sessions = session_factory(engine)
    posted: dict[str, datetime] = {}
    sent: dict[str, datetime] = {}
    numbers = sorted(FATES)
    with sessions() as session:
        # Night 1: the export in, scrubbed; a biller overrides the warnings but one before the claims go out.
        ingested = ingest_export(session, _export(data_dir / "export-1.jsonl", numbers), "jsonl",
                                 rules_dir=RULES_DIR)
        assert ingested.quarantined == 0, ingested.quarantine
        scrub_pending(session, book, as_of=SCRUB_AS_OF)
        session.commit()
        warned = session.scalars(select(ScrubFinding).where(ScrubFinding.severity == "warning")).all()
        for finding in warned:
            claim = session.get(ClaimRecord, finding.claim_id)
            assert claim is not None
            if claim.claim_number == "D23":
                continue
            override_finding(session, claim.claim_number, finding.rule_id, finding.line_id, actor="biller",
                             reason="telehealth documented in the note")
        scrub_pending(session, book, as_of=SCRUB_AS_OF)
        session.commit()
        not_ready = {c.claim_number: c.status for c in session.scalars(select(ClaimRecord))
                     if c.status is not ClaimStatus.ready}
        assert set(not_ready) == {"D17", "D23"}, not_ready
        report = build_claims(session, settings)
        assert not report.skipped, report
        first = _submissions(session)
        sent["first"] = max(first.values())
        # Night 2: the 835s for night 1 (the unanswered claims get nothing).
        posted["first"] = sent["first"] + timedelta(days=6)
        remits = {p: Remit(p, f"TRACE-{p}-1") for p in _PAYER_NAMES}
        for number in numbers:
            fate, _, _, _, extra = FATES[number]
            claim = find_claim(session, number)
            assert isinstance(claim, ClaimRecord)
            lines, remit = _lines(claim), remits[extra["payer"]]
            if fate in ("paid", "reversed", "corrected", "secondary"):
                _pay(remit, number, lines)
            elif fate == "deductible":
                _deductible(remit, number, lines)
            elif fate == "partial":
                _partial(remit, number, lines)
            elif fate == "line_denied":
                _deny_lines(remit, number, lines, "197", "N54")
            elif fate == "claim_denied":
                _deny_claim(remit, number, lines, "CO", "29")
            elif fate == "unsorted":
                _deny_claim(remit, number, lines, "OA", "23")
            elif fate == "repaid":
                _deny_claim(remit, number, lines, "CO", "16")
        day = posted["first"].date()
        path = _write_835(data_dir / "remit-1.835", [r for r in remits.values() if r.claims], day, 9001)
        result = post_file(session, path, now=posted["first"])
        assert all(t.balanced and t.matched == t.claims for t in result.result.transactions), result.result
        session.commit()
        # Night 3: the secondary claims go out, and the changed encounter as a replacement claim (released by a
        # biller, as a corrected claim is).
        ingested = ingest_export(session, _export(data_dir / "export-2.jsonl", ["D13"], changed=frozenset({"D13"})),
                                 "jsonl", rules_dir=RULES_DIR)
        assert ingested.quarantined == 0, ingested.quarantine
        corrected = find_claim(session, "D13")
        assert isinstance(corrected, ClaimRecord) and corrected.status is ClaimStatus.corrected, corrected
        set_claim_status(session, corrected, ClaimStatus.ready, cause="corrected and re-scrubbed", source_kind="scrub")
        session.commit()
        report = build_claims(session, settings)
        assert not report.skipped, report
        sent["second"] = max(_submissions(session).values())
        assert session.scalar(select(func.count()).select_from(ClaimSubmission)
                              .where(ClaimSubmission.claim_id == corrected.id)) == 2
        # Night 4: the secondary payers answer, a payment is reversed, a denial is paid after all, the
        # replacement claim is paid again.
        posted["second"] = posted["first"] + timedelta(days=10)
        remits = {p: Remit(p, f"TRACE-{p}-2") for p in _PAYER_NAMES}
        for number in numbers:
            fate, _, secondary, _, extra = FATES[number]
            claim = find_claim(session, number)
            assert isinstance(claim, ClaimRecord)
            lines = _lines(claim)
            if fate == "secondary" and secondary:
                second = find_claim(session, number + "-S")
                assert isinstance(second, ClaimRecord), f"{number}: the secondary claim was built"
                if secondary == "AET01":
                    _pay(remits[secondary], second.claim_number, lines, status="2", coinsurance=False)
                else:
                    _deny_lines(remits[secondary], second.claim_number, lines, "96", "N130")
            elif fate == "reversed":
                _pay(remits[extra["payer"]], number, lines, status="22", sign=-1)
                _deny_lines(remits[extra["payer"]], number, lines, "50", "N115")
            elif fate == "repaid":
                _pay(remits[extra["payer"]], number, lines, coinsurance=False)
            elif fate == "corrected":
                _pay(remits[extra["payer"]], number, lines)
        path = _write_835(data_dir / "remit-2.835", [r for r in remits.values() if r.claims],
                          posted["second"].date(), 9002)
        result = post_file(session, path, now=posted["second"])
        assert all(t.balanced and t.matched == t.claims for t in result.result.transactions), result.result
        session.commit()
        first = _submissions(session)
        # The payer list as configured: filing limits for all but one payer (and one payer's plan type).
        rules = load_payer_rules()
        for payer in session.scalars(select(Payer)):
            if payer.payer_id in rules and payer.payer_id != "HUM01":
                payer.timely_filing_days = rules[payer.payer_id].timely_filing_days
            if payer.payer_id == "BCBS1":
                payer.plan_type = "BL"  # configured for the payer: it wins over what the EMR lists
        # Eligibility answers around the moments the claims left (stored as the 271 reader would).
        for number, at in first.items():
            claim = find_claim(session, number)
            assert isinstance(claim, ClaimRecord)
            patient_id = claim.encounter_version.patient_id
            index = int(number[1:3])
            if index % 5 == 0:
                continue  # never checked
            session.add(CoverageSnapshot(patient_id=patient_id, payer_id=claim.payer_id,
                                         as_of=at.date() - timedelta(days=20), status="active",
                                         received_at=at - timedelta(days=20)))
            if index % 3 == 0:  # a later answer still before it left, and two at the same moment
                for status in ("inactive", "unknown"):
                    session.add(CoverageSnapshot(patient_id=patient_id, payer_id=claim.payer_id,
                                                 as_of=at.date() - timedelta(days=2), status=status,
                                                 received_at=at - timedelta(days=2)))
            if index % 4 == 0:  # an answer after it left does not count
                session.add(CoverageSnapshot(patient_id=patient_id, payer_id=claim.payer_id, as_of=at.date(),
                                             status="inactive", received_at=at + timedelta(seconds=1)))
            if index % 7 == 0:  # an answer received at the very moment it left counts
                session.add(CoverageSnapshot(patient_id=patient_id, payer_id=claim.payer_id, as_of=at.date(),
                                             status="rejected", received_at=at))
            # Another payer's answer for the same patient never counts.
            session.add(CoverageSnapshot(patient_id=patient_id, payer_id="ZZZ99", as_of=at.date(), status="active",
                                         received_at=at - timedelta(days=1)))
        # A warning raised and one overridden after the claim left (a re-scrub of the next version) do not count.
        late = find_claim(session, "D13")
        assert isinstance(late, ClaimRecord)
        session.add(ScrubFinding(claim_id=late.id, encounter_version_id=late.encounter_version_id,
                                 rule_id="LATE-WARNING", category="edit", severity="warning", message="later",
                                 created_at=first["D13"] + timedelta(days=1)))
        session.add(FindingOverride(claim_id=late.id, encounter_version_id=late.encounter_version_id,
                                    rule_id="LATE-OVERRIDE", actor="biller", reason="later",
                                    at=first["D13"] + timedelta(days=1)))
        session.commit()
    return History(engine, settings, first, posted, sent)
