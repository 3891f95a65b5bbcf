"""A small billing office built through the product's own steps: an EMR export ingested, scrubbed, the clean
claims sent in an 837, and one 835 posted back (synthetic people only).

Seven encounters (services in 2026; scrubbed as of AS_OF):
- W1 BCBS1 99213 125.00: sent; paid 80.00, CO-45 25.00, PR-2 20.00 (balance 20.00 left to the patient)
- W2 BCBS1 99213 125.00 + 87880 50.00: sent; line 1 paid 100.00 (CO-45 25.00), line 2 denied CO-97 (RARC M15)
- W3 AET01 99214 150.00: sent; denied CO-197 (RARC N54, claim status 4)
- W7 AET01 99213 200.00 (service 2026-01-15): sent, nothing back yet (open 200.00, 61-90 days on AR_AS_OF)
- W4 BCBS1 diagnosis E11 (not billable): held with an error (ICD10-NOT-BILLABLE)
- W5 AET01 place of service 10 without modifier 95: held with a warning (POS-TELEHEALTH-MODIFIER)
- W6 BCBS1 another rendering provider, service 2026-01-10, charge 0.00: held with an error (CHARGE-NOT-POSITIVE)
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from rcm.codes import npi_with_check_digit
from rcm.coding import RuleBook
from rcm.coding.service import scrub_pending
from rcm.config import Settings, load_settings
from rcm.intake.service import ingest_export
from rcm.remits.files import post_file
from rcm.store import ClaimRecord, find_claim
from rcm.store.database import session_factory
from rcm.x12.writer import GroupOut, TransactionOut, write_interchange

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = REPO_ROOT / "rules"
AS_OF = date(2026, 3, 20)
SENT_AT = datetime(2026, 3, 16, 18, 0, tzinfo=UTC)
POSTED_AT = datetime(2026, 3, 25, 9, 0, tzinfo=UTC)
AR_AS_OF = date(2026, 3, 25)
BILLING_NPI = npi_with_check_digit("112345670")
RENDERING_NPI = npi_with_check_digit("123456780")
OTHER_NPI = npi_with_check_digit("145678900")
PASSWORD = "correct horse battery staple"

_ADDRESS = {"line1": "1 Test St", "city": "Lowell", "state": "MA", "zip": "01852"}
_PAYERS = {
    "BCBS1": {"priority": "primary", "payer_id": "BCBS1", "payer_name": "Blue Cross Blue Shield",
              "member_id": "XBC100000001"},
    "AET01": {"priority": "primary", "payer_id": "AET01", "payer_name": "Aetna", "member_id": "W100000002"},
}


def _line(line_id: str, code: str, charge: str, *modifiers: str) -> dict[str, Any]:
    return {"line_id": line_id, "code": code, "modifiers": list(modifiers), "units": "1", "charge": charge,
            "diagnosis_pointers": [1]}


def encounter(number: str, payer: str, lines: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "encounter_id": number,
        "date_of_service": "2026-03-02",
        "place_of_service": "11",
        "patient": {"id": f"P-{number}", "first_name": "Testa", "last_name": f"Sample{number}",
                    "birth_date": "1985-06-15", "sex": "F", "address": _ADDRESS},
        "coverage": [copy.deepcopy(_PAYERS[payer])],
        "billing_provider": {"npi": BILLING_NPI, "name": "Riverbend Family Medicine", "tax_id": "041234567",
                             "address": {"line1": "100 Riverbend Pkwy", "city": "Lowell", "state": "MA",
                                         "zip": "01852"}},
        "rendering_provider": {"npi": RENDERING_NPI, "first_name": "Dana", "last_name": "Okafor"},
        "diagnoses": ["J02.0"],
        "lines": lines,
    }
    data.update(changes)
    return data


def export_records() -> list[dict[str, Any]]:
    return [
        encounter("W1", "BCBS1", [_line("1", "99213", "125.00")]),
        encounter("W2", "BCBS1", [_line("1", "99213", "125.00"), _line("2", "87880", "50.00")]),
        encounter("W3", "AET01", [_line("1", "99214", "150.00")]),
        encounter("W7", "AET01", [_line("1", "99213", "200.00")], date_of_service="2026-01-15"),
        encounter("W4", "BCBS1", [_line("1", "99213", "125.00")], diagnoses=["E11"]),
        encounter("W5", "AET01", [_line("1", "99213", "125.00")], place_of_service="10"),
        encounter("W6", "BCBS1", [_line("1", "99213", "0.00")], date_of_service="2026-01-10",
                  rendering_provider={"npi": OTHER_NPI, "first_name": "Luis", "last_name": "Brandt"}),
    ]


def _svc(code: str, charge: str, paid: str, line_id: str, *cas: tuple[str, str, str],
         remarks: tuple[str, ...] = ()) -> list[list[Any]]:
    segments: list[list[Any]] = [["SVC", ["HC", code], charge, paid, "", "1"], ["DTM", "472", "20260302"]]
    for group, reason, amount in cas:
        segments.append(["CAS", group, reason, amount])
    segments.append(["REF", "6R", line_id])
    segments.extend(["LQ", "HE", r] for r in remarks)
    return segments


def _remittance(payer: str, trace: str, claims: list[list[list[Any]]], paid: str) -> list[list[Any]]:
    body: list[list[Any]] = [
        ["BPR", "I", paid, "C", "ACH", "CCP", "01", "011000015", "DA", "1234567", "1999999999", "", "01",
         "021000021", "DA", "7654321", "20260325"],
        ["TRN", "1", trace, "1999999999"],
        ["DTM", "405", "20260325"],
        ["N1", "PR", payer],
        ["N3", "PO BOX 1000"],
        ["N4", "HARTFORD", "CT", "06101"],
        ["PER", "BL", "PROVIDER SERVICES", "TE", "8005550199"],
        ["N1", "PE", "RIVERBEND FAMILY MEDICINE", "XX", BILLING_NPI],
        ["LX", "1"],
    ]
    for claim in claims:
        body.extend(claim)
    return body


def _clp(number: str, status: str, charge: str, paid: str, patient: str) -> list[Any]:
    return ["CLP", number, status, charge, paid, patient, "12", f"PCN{number}", "11", "1"]


def remittance_file() -> bytes:
    """One interchange, two payments: BCBS1 pays W1 and W2 (one line of W2 denied), Aetna denies W3."""
    bcbs = _remittance("BLUE CROSS", "TRACE-BCBS-1", [
        [_clp("W1", "1", "125.00", "80.00", "20.00"),
         *_svc("99213", "125.00", "80.00", "1", ("CO", "45", "25.00"), ("PR", "2", "20.00"))],
        [_clp("W2", "1", "175.00", "100.00", "0.00"),
         *_svc("99213", "125.00", "100.00", "1", ("CO", "45", "25.00")),
         *_svc("87880", "50.00", "0.00", "2", ("CO", "97", "50.00"), remarks=("M15",))],
    ], "180.00")
    aetna = _remittance("AETNA", "TRACE-AET-1", [
        [_clp("W3", "4", "150.00", "0.00", "0.00"),
         *_svc("99214", "150.00", "0.00", "1", ("CO", "197", "150.00"), remarks=("N54",))],
    ], "0.00")
    aetna[0] = ["BPR", "H", "0.00", "C", "NON", "", "", "", "", "", "", "", "", "", "", "", "20260325"]
    transactions = [TransactionOut("835", "0001", bcbs), TransactionOut("835", "0002", aetna)]
    group = GroupOut("HP", "PAYERS", "RCMSUBMITTER", 7001, "005010X221A1", date(2026, 3, 25), "0900", transactions)
    return write_interchange(sender_qualifier="ZZ", sender_id="PAYERS", receiver_qualifier="ZZ",
                             receiver_id="RCMSUBMITTER", control_number=7001, date=date(2026, 3, 25), time="0900",
                             usage="T", groups=[group])


@dataclass(frozen=True)
class Office:
    """The seeded office: where it lives and the internal id of each claim by claim number."""

    engine: Engine
    settings: Settings
    claim_ids: dict[str, int]


def build_office(engine: Engine, data_dir: Path, book: RuleBook) -> Office:
    from rcm.claims.submission import build_claims

    url = engine.url.render_as_string(hide_password=False)
    settings = load_settings({"RCM_DATA_DIR": str(data_dir), "RCM_DATABASE_URL": url, "RCM_RULES_DIR": str(RULES_DIR)})
    settings.ensure_dirs()
    export = data_dir / "export.jsonl"
    export.write_text("".join(json.dumps(r) + "\n" for r in export_records()), encoding="utf-8")
    remit = data_dir / "remit.835"
    remit.write_bytes(remittance_file())
    sessions = session_factory(engine)
    with sessions() as session:
        ingested = ingest_export(session, export, "jsonl", rules_dir=RULES_DIR)
        assert ingested.quarantined == 0, ingested.quarantine
        scrub_pending(session, book, as_of=AS_OF)
        session.commit()
        report = build_claims(session, settings, now=SENT_AT)
        assert sum(f.claims for f in report.files) == 4 and not report.skipped, report
        posted = post_file(session, remit, now=POSTED_AT)
        assert all(t.balanced and t.matched == t.claims for t in posted.result.transactions), posted.result
        session.commit()
        ids = {}
        for number in ("W1", "W2", "W3", "W4", "W5", "W6", "W7"):
            claim = find_claim(session, number)
            assert isinstance(claim, ClaimRecord)
            ids[number] = claim.id
    return Office(engine, settings, ids)


EXPECTED_BALANCES = {"W1": Decimal("20.00"), "W7": Decimal("200.00")}
