"""How fast the denial training data comes out of the store: a synthetic practice's year of claims, read by
``load_training_from_store`` (model training), and the dashboard's denial figures (the facts `rcm denials report`
counts too) and A/R aging (one page view), in SQLite and PostgreSQL.

`run_benchmark()` writes the history in bulk (each claim as sent, its eligibility answer, the scrubber warnings a
biller overrode, the 835 result and its denials), then prints and returns the figures: best of a few runs, and the
SQL statements each took. PostgreSQL is measured when RCM_DATABASE_URL (or RCM_BENCH_POSTGRES_URL) names one, in a
throw-away schema.

The dashboard is then measured again on about ``dashboard_claims`` claims (100,000 by default): the year's claims,
encounters, submissions, payments and denials copied by the database itself under new ids and claim numbers (the
same remittances, the same days), which takes seconds where writing them one by one would take minutes.
"""

from __future__ import annotations

import gc
import hashlib
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, event, func, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from rcm.denials.dashboard import Period, ar_aging, denial_figures
from rcm.denials.store_source import load_training_from_store
from rcm.payer_sim import SynthConfig, SynthHistory, generate_history, load_payer_rules
from rcm.store.database import session_factory
from rcm.store.tables import (
    Base,
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    ClaimSubmission,
    CoverageSnapshot,
    DenialRecord,
    EncounterVersion,
    FindingOverride,
    Patient,
    Payer,
    Remittance,
    ScrubFinding,
    X12FileRecord,
)
from rcm.store.testing import bench_postgres_url, fresh_database

__all__ = ["run_benchmark"]

_REPEATS = 3
_ROWS_PER_INSERT = 5_000


def _noon(day: date) -> datetime:
    return datetime.combine(day, day_time(12, 0), tzinfo=UTC)


def _history(claims: int) -> SynthHistory:
    """A year of a practice seeing about ``claims`` claims (the generator's volume is per month)."""
    return generate_history(SynthConfig(months=12, seed=7, encounters_per_month=max(20, claims * 3 // 40)))


def _insert(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        session.execute(insert(model), list(rows[start:start + _ROWS_PER_INSERT]))


def _file(file_id: int, direction: str, kind: str) -> dict[str, Any]:
    name = f"bench-{kind}.x12"
    return {"id": file_id, "direction": direction, "kind": kind, "name": name, "path": f"/bench/{name}",
            "content_hash": hashlib.sha256(name.encode()).hexdigest(), "size": 0}


def _seed(engine: Engine, history: SynthHistory) -> int:
    """Every claim of ``history`` sent, with what the pipeline stores around it; returns the claims written."""
    rules = load_payer_rules()
    payers = sorted({c.payer_id for c in history.claims})
    patients: dict[str, int] = {}
    versions: list[dict[str, Any]] = []
    claims: list[dict[str, Any]] = []
    submissions: list[dict[str, Any]] = []
    snapshots: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    overrides: list[dict[str, Any]] = []
    remittances: dict[tuple[str, date], dict[str, Any]] = {}
    payments: list[dict[str, Any]] = []
    denials: list[dict[str, Any]] = []
    for claim_id, sub in enumerate(history.claims, start=1):
        enc = sub.encounter
        patient_id = patients.setdefault(enc.patient.id, len(patients) + 1)
        sent_at = _noon(sub.submitted_on)
        charge = sum((ln.charge for ln in enc.lines), Decimal("0.00"))
        versions.append({"id": claim_id, "encounter_id": enc.encounter_id, "version": 1,
                         "content_hash": f"{claim_id:064d}", "date_of_service": enc.date_of_service,
                         "patient_id": patient_id, "payload": enc.model_dump(mode="json"), "source_file": "bench"})
        claims.append({"id": claim_id, "claim_number": sub.claim_id, "encounter_id": enc.encounter_id,
                       "encounter_version_id": claim_id, "payer_id": sub.payer_id, "total_charge": charge,
                       "balance": charge, "status": ClaimStatus.submitted})
        submissions.append({"id": claim_id, "claim_id": claim_id, "file_id": 1, "submission_number": 1,
                            "submitted_at": sent_at})
        if sub.eligibility_checked_on is not None:
            snapshots.append({"patient_id": patient_id, "payer_id": sub.payer_id, "as_of": sub.eligibility_checked_on,
                              "status": sub.eligibility_status, "received_at": _noon(sub.eligibility_checked_on)})
        for rule in sub.warnings:
            findings.append({"claim_id": claim_id, "encounter_version_id": claim_id, "rule_id": rule,
                             "category": "edit", "severity": "warning", "message": f"{rule} on the claim",
                             "created_at": sent_at - timedelta(hours=2)})
            overrides.append({"claim_id": claim_id, "encounter_version_id": claim_id, "rule_id": rule,
                              "actor": "biller", "reason": "sent anyway", "at": sent_at - timedelta(hours=1)})
        adj = history.adjudications.get(sub.claim_id)
        if adj is None:
            continue
        key = (adj.payer_id, adj.adjudicated_on)
        if key not in remittances:
            remittances[key] = {"id": len(remittances) + 1, "file_id": 2, "payment_amount": Decimal("0.00"),
                                "trace_number": f"{adj.payer_id}{adj.adjudicated_on:%Y%m%d}",
                                "payer_key": adj.payer_id, "posted_at": _noon(adj.adjudicated_on)}
        payment_id = len(payments) + 1
        payments.append({"id": payment_id, "remittance_id": remittances[key]["id"], "claim_id": claim_id,
                         "patient_control_number": sub.claim_id, "status_code": adj.status_code,
                         "charge": adj.charge, "paid": adj.paid, "patient_responsibility": adj.patient_responsibility,
                         "payer_claim_number": adj.payer_claim_number})
        for line in adj.lines:
            if line.denied:
                cas = line.adjustments[0]
                denials.append({"claim_id": claim_id, "claim_payment_id": payment_id, "line_id": line.line_id,
                                "group_code": cas.group, "reason_code": cas.reason, "remark_codes": line.remarks,
                                "amount": cas.amount, "denied_at": _noon(adj.adjudicated_on)})
    with session_factory(engine)() as session, session.begin():
        _insert(session, Payer, [{"id": n, "payer_id": p, "name": rules[p].name if p in rules else p,
                                  "timely_filing_days": rules[p].timely_filing_days if p in rules else None}
                                 for n, p in enumerate(payers, start=1)])
        _insert(session, Patient, [{"id": n, "external_id": external} for external, n in patients.items()])
        _insert(session, EncounterVersion, versions)
        _insert(session, ClaimRecord, claims)
        _insert(session, X12FileRecord, [_file(1, "out", "837P"), _file(2, "in", "835")])
        _insert(session, ClaimSubmission, submissions)
        _insert(session, CoverageSnapshot, snapshots)
        _insert(session, ScrubFinding, findings)
        _insert(session, FindingOverride, overrides)
        _insert(session, Remittance, list(remittances.values()))
        _insert(session, ClaimPayment, payments)
        _insert(session, DenialRecord, denials)
        if engine.dialect.name == "postgresql":
            for name in ("payers", "patients", "encounter_versions", "claims", "x12_files", "claim_submissions",
                         "remittances", "claim_payments"):
                session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )
    return len(claims)


def _best(engine: Engine, work: Callable[[Session], Any]) -> tuple[float, int, Any]:
    """Best wall time of a few runs (each in a fresh session), the statements one run sends, its result."""
    best = float("inf")
    statements = 0
    result: Any = None

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    for _ in range(_REPEATS):
        statements = 0
        event.listen(engine, "before_cursor_execute", count)
        try:
            with session_factory(engine)() as session:
                started = time.perf_counter()
                result = work(session)
                best = min(best, time.perf_counter() - started)
        finally:
            event.remove(engine, "before_cursor_execute", count)
    return best, statements, result


def _copy_rows(engine: Engine, copies: int) -> None:
    """Each sent claim ``copies - 1`` more times, with its encounter version, submissions, payments and denials
    (INSERT ... SELECT: the rows never leave the database)."""
    tables = [Base.metadata.tables[name] for name in
              ("encounter_versions", "claims", "claim_submissions", "claim_payments", "denials")]
    versions, claims, submissions, payments, denials = tables
    with engine.begin() as conn:
        top = {table.name: int(conn.scalar(select(func.max(table.c.id))) or 0) for table in tables}
        for k in range(1, copies):
            suffix = f"~{k}"
            changed: dict[Table, dict[str, Any]] = {
                versions: {"encounter_id": versions.c.encounter_id + suffix},
                claims: {"claim_number": claims.c.claim_number + suffix, "encounter_id": claims.c.encounter_id + suffix,
                         "encounter_version_id": claims.c.encounter_version_id + k * top["encounter_versions"]},
                submissions: {"claim_id": submissions.c.claim_id + k * top["claims"]},
                payments: {"claim_id": payments.c.claim_id + k * top["claims"],
                           "patient_control_number": payments.c.patient_control_number + suffix},
                denials: {"claim_id": denials.c.claim_id + k * top["claims"],
                          "claim_payment_id": denials.c.claim_payment_id + k * top["claim_payments"]},
            }
            for table in tables:
                values = {c.name: c for c in table.c} | {"id": table.c.id + k * top[table.name]} | changed[table]
                conn.execute(insert(table).from_select(list(values), select(*values.values())
                                                       .where(table.c.id <= top[table.name])))
        if engine.dialect.name == "postgresql":
            for table in tables:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                  f"(SELECT max(id) FROM {table.name}))"))


def _measure(engine: Engine, claims: int, dashboard_claims: int = 0) -> dict[str, Any]:
    history = _history(claims)
    started = time.perf_counter()
    written = _seed(engine, history)
    seed_seconds = time.perf_counter() - started
    period = Period.months_ending(max(a.adjudicated_on for a in history.adjudications.values()), 12)
    # A server holds no synthetic history: left alive, its objects would make every garbage collection during the
    # measurement scan them (a second or more at 20,000 claims).
    del history
    gc.collect()
    load_seconds, load_statements, (loaded, outcomes) = _best(engine, load_training_from_store)
    claims_loaded, outcomes_loaded = len(loaded), len(outcomes)
    # A page view holds no training data either (the same collector cost as the history's above).
    del loaded, outcomes
    gc.collect()
    page_seconds, page_statements, figures = _best(engine, lambda s: denial_figures(s, period))
    as_of = period.end
    aging_seconds, _, _ = _best(engine, lambda s: ar_aging(s, as_of))
    larger: dict[str, Any] = {}
    if dashboard_claims > written:
        started = time.perf_counter()
        _copy_rows(engine, round(dashboard_claims / written))
        copy_seconds = time.perf_counter() - started
        with session_factory(engine)() as session:
            in_store = session.scalar(select(func.count()).select_from(ClaimSubmission))
        seconds, statements, more = _best(engine, lambda s: denial_figures(s, period))
        large_aging_seconds, _, _ = _best(engine, lambda s: ar_aging(s, as_of))
        larger = {"large_claims": in_store, "large_copy_seconds": round(copy_seconds, 2),
                  "large_ar_aging_seconds": round(large_aging_seconds, 3),
                  "large_dashboard_claims": more.claims, "large_dashboard_denial_figures_seconds": round(seconds, 3),
                  "large_dashboard_denial_figures_statements": statements}
    return {
        "backend": engine.dialect.name,
        "claims": written,
        "seed_seconds": round(seed_seconds, 2),
        "claims_loaded": claims_loaded,
        "outcomes_loaded": outcomes_loaded,
        "load_seconds": round(load_seconds, 3),
        "load_statements": load_statements,
        "claims_per_second_loading": round(claims_loaded / load_seconds),
        "dashboard_period": f"{period.first}..{period.last}",
        "dashboard_claims": figures.claims,
        "dashboard_denial_figures_seconds": round(page_seconds, 3),
        "dashboard_ar_aging_seconds": round(aging_seconds, 3),
        "dashboard_denial_figures_statements": page_statements,
        **larger,
    }


def run_benchmark(claims: int = 20_000, dashboard_claims: int = 100_000) -> dict[str, Any]:
    """Load a year of about ``claims`` claims from SQLite and (when configured) PostgreSQL, and show the dashboard
    on it and on about ``dashboard_claims`` claims (0: not); print and return."""
    figures: dict[str, Any] = {"denials_load": []}
    with tempfile.TemporaryDirectory(prefix="rcm-denials-bench-") as tmp:
        work_dir = Path(tmp)
        for url in (f"sqlite:///{work_dir / 'bench.db'}", bench_postgres_url()):
            if url is None:
                figures["denials_load"].append({"backend": "postgresql", "skipped": "no PostgreSQL URL configured"})
                continue
            try:
                with fresh_database(work_dir, url=url) as engine:
                    figures["denials_load"].append(_measure(engine, claims, dashboard_claims))
            except OperationalError as exc:
                figures["denials_load"].append(
                    {"backend": make_url(url).get_backend_name(), "skipped": f"not reachable ({type(exc).__name__})"}
                )
    for row in figures["denials_load"]:
        if "skipped" in row:
            print(f"denials load [{row['backend']}]: skipped ({row['skipped']})")
            continue
        print(
            f"denials load [{row['backend']}]: {row['claims_loaded']} claims, {row['outcomes_loaded']} outcomes in "
            f"{row['load_seconds']} s ({row['claims_per_second_loading']} claims/s, {row['load_statements']} SQL "
            f"statements); dashboard denial figures {row['dashboard_period']} ({row['dashboard_claims']} claims) "
            f"in {row['dashboard_denial_figures_seconds']} s ({row['dashboard_denial_figures_statements']} "
            f"statements), A/R aging in {row['dashboard_ar_aging_seconds']} s"
        )
        if "large_claims" in row:
            print(
                f"dashboard at scale [{row['backend']}]: {row['large_claims']} claims (copied in "
                f"{row['large_copy_seconds']} s); denial figures {row['dashboard_period']} "
                f"({row['large_dashboard_claims']} claims) in {row['large_dashboard_denial_figures_seconds']} s "
                f"({row['large_dashboard_denial_figures_statements']} statements), A/R aging in "
                f"{row['large_ar_aging_seconds']} s"
            )
    return figures
