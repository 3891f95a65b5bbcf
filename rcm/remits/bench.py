"""How fast 835 posting is: a synthetic practice's claims, one 835 paying them all, posted into SQLite and PostgreSQL.

`run_benchmark()` seeds N submitted claims (bulk), writes an 835 paying them (paid, coinsurance, partial and full
denials), reads it with the X12 core and posts it in one transaction, then prints and returns the figures.
PostgreSQL is measured when RCM_DATABASE_URL (or RCM_BENCH_POSTGRES_URL) names one, in a throw-away schema.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from rcm.remits.bulk import bulk_insert
from rcm.remits.posting import post_remittances
from rcm.remits.reading import read_remittances
from rcm.store.database import session_factory
from rcm.store.repositories.files import record_file
from rcm.store.tables import (
    ClaimLineRecord,
    ClaimPayment,
    ClaimRecord,
    ClaimStatus,
    EncounterVersion,
    Patient,
    Payer,
    utcnow,
)
from rcm.store.testing import bench_postgres_url, fresh_database

__all__ = ["run_benchmark", "synthetic_835"]

TARGET_CLAIMS_PER_SECOND = 5_000
_DOS = date(2026, 10, 3)
_PAYER = "BENCHPAYER"


def _claim_number(i: int) -> str:
    return f"BENCH{i:07d}"


def synthetic_835(claims: int, *, trace: str = "BENCHTRACE1", start: int = 0) -> bytes:
    """One 835 (balanced) paying claims ``start`` .. ``start + claims - 1`` of the seeded practice.

    Every 20th claim is denied (CO-16 with N290), every 10th has a line denied (CO-97), every 5th leaves
    coinsurance to the patient (PR-2); the rest are paid less the contractual CO-45.
    """
    segments: list[str] = []
    total = Decimal("0.00")
    body: list[str] = []
    for i in range(start, start + claims):
        number = _claim_number(i)
        if i % 20 == 19:
            body += [
                f"CLP*{number}*4*150.00*0*0*12*PAYER{i}", f"NM1*QC*1*PATIENT*BENCH****MI*M{i}",
                "SVC*HC:99213*100.00*0**1", "DTM*472*20261003", "CAS*CO*16*100.00", f"REF*6R*{number}-1",
                "LQ*HE*N290",
                "SVC*HC:87880*50.00*0**1", "DTM*472*20261003", "CAS*CO*16*50.00", f"REF*6R*{number}-2",
            ]
            continue
        if i % 10 == 9:
            body += [
                f"CLP*{number}*1*150.00*80.00*0*12*PAYER{i}", f"NM1*QC*1*PATIENT*BENCH****MI*M{i}",
                "SVC*HC:99213*100.00*80.00**1", "DTM*472*20261003", "CAS*CO*45*20.00", f"REF*6R*{number}-1",
                "SVC*HC:87880*50.00*0**1", "DTM*472*20261003", "CAS*CO*97*50.00", f"REF*6R*{number}-2",
            ]
            total += Decimal("80.00")
            continue
        patient = Decimal("16.00") if i % 5 == 4 else Decimal("0.00")
        paid = Decimal("120.00") - patient
        body += [f"CLP*{number}*1*150.00*{paid}*{patient}*12*PAYER{i}", f"NM1*QC*1*PATIENT*BENCH****MI*M{i}"]
        body += ["SVC*HC:99213:25*100.00*" + str(Decimal("80.00") - patient) + "**1", "DTM*472*20261003"]
        body += ["CAS*CO*45*20.00" + (f"*PR*2*{patient}" if patient else ""), f"REF*6R*{number}-1", "AMT*B6*80.00"]
        body += ["SVC*HC:87880*50.00*40.00**1", "DTM*472*20261003", "CAS*CO*45*10.00", f"REF*6R*{number}-2"]
        total += paid
    segments = [
        "ST*835*0001*005010X221A1",
        f"BPR*I*{total}*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20261101",
        f"TRN*1*{trace}*1512345678",
        "DTM*405*20261101",
        "N1*PR*BENCH HEALTH PLAN",
        "N3*1 PLAN WAY",
        "N4*BOSTON*MA*02110",
        "REF*2U*BENCHPAYER",
        "N1*PE*BENCH CLINIC*XX*1234567893",
        "LX*1",
        *body,
    ]
    segments.append(f"SE*{len(segments) + 1}*0001")
    isa = (
        "ISA*00*          *00*          *ZZ*BENCHPAYER     *ZZ*RCMSUBMITTER   *261101*1200*^*00501*000000001*0*T*:"
    )
    text = [isa, "GS*HP*BENCHPAYER*RCMSUBMITTER*20261101*1200*1*X*005010X221A1", *segments, "GE*1*1", "IEA*1*000000001"]
    return ("~\n".join(text) + "~\n").encode("ascii")


def _seed(engine: Engine, claims: int) -> None:
    """N submitted claims with two lines each, written in bulk into an empty database (ids 1..N)."""
    now = utcnow()
    ids = range(1, claims + 1)
    with session_factory(engine)() as session, session.begin():
        bulk_insert(session, _table(Payer), ["id", "payer_id", "name"], [(1, _PAYER, "Bench Health Plan")])
        bulk_insert(
            session, _table(Patient), ["id", "external_id", "sex", "created_at", "updated_at"],
            [(i, f"BP{i}", "U", now, now) for i in ids],
        )
        bulk_insert(
            session, _table(EncounterVersion),
            ["id", "encounter_id", "version", "content_hash", "is_current", "date_of_service", "patient_id",
             "payload", "source_file", "ingested_at"],
            [(i, _claim_number(i - 1), 1, f"{i:064d}", True, _DOS, i, {}, "bench", now) for i in ids],
        )
        bulk_insert(
            session, _table(ClaimRecord),
            ["id", "claim_number", "encounter_id", "encounter_version_id", "payer_id", "coverage_priority",
             "claim_type", "frequency_code", "total_charge", "balance", "paid_amount", "patient_responsibility",
             "status", "status_changed_at", "created_at", "updated_at"],
            [
                (i, _claim_number(i - 1), _claim_number(i - 1), i, _PAYER, "primary", "professional", "1",
                 Decimal("150.00"), Decimal("150.00"), Decimal("0.00"), Decimal("0.00"), ClaimStatus.submitted,
                 now, now, now)
                for i in ids
            ],
        )
        lines: list[tuple[Any, ...]] = []
        for i in ids:
            for n, (code, charge, modifier) in enumerate((("99213", "100.00", "25"), ("87880", "50.00", None)), 1):
                lines.append(
                    (2 * (i - 1) + n, i, n, f"{_claim_number(i - 1)}-{n}", code, modifier, Decimal(1),
                     Decimal(charge), "", _DOS, Decimal("0.00"), Decimal("0.00"), Decimal(charge))
                )
        bulk_insert(
            session, _table(ClaimLineRecord),
            ["id", "claim_id", "line_number", "line_id", "code", "modifier1", "units", "charge",
             "diagnosis_pointers", "date_from", "paid", "adjusted", "balance"],
            lines,
        )
        if engine.dialect.name == "postgresql":
            for name in ("payers", "patients", "encounter_versions", "claims", "claim_lines"):
                session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))")
                )


def _table(model: Any) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _measure(engine: Engine, claims: int, work_dir: Path) -> dict[str, Any]:
    _seed(engine, claims)
    path = work_dir / f"bench-{engine.dialect.name}.835"
    path.write_bytes(synthetic_835(claims))
    started = time.perf_counter()
    remittances = read_remittances(path.read_bytes(), name=path.name).remittances
    read_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    with session_factory(engine)() as session, session.begin():
        record, _ = record_file(
            session, direction="in", kind="835", name=path.name, path=str(path), content=path.read_bytes()
        )
        [result] = post_remittances(session, remittances, file_id=record.id)
    post_seconds = time.perf_counter() - started
    post_cpu_seconds = time.process_time() - cpu_started
    with session_factory(engine)() as session:
        posted = session.scalar(select(func.count()).select_from(ClaimPayment).where(ClaimPayment.matched)) or 0
    return {
        "backend": engine.dialect.name,
        "claims": claims,
        "matched": result.matched,
        "posted_claim_payments": int(posted),
        "balanced": result.balanced,
        "read_seconds": round(read_seconds, 3),
        "post_seconds": round(post_seconds, 3),
        "post_cpu_seconds_in_this_process": round(post_cpu_seconds, 3),
        "claims_per_second_posting": round(claims / post_seconds),
        "claims_per_second_read_and_post": round(claims / (read_seconds + post_seconds)),
        "target_claims_per_second": TARGET_CLAIMS_PER_SECOND,
    }


def run_benchmark(claims: int = 20_000) -> dict[str, Any]:
    """Post one 835 of ``claims`` claims into SQLite and (when configured) PostgreSQL; print and return figures."""
    figures: dict[str, Any] = {"remits_post": []}
    with tempfile.TemporaryDirectory(prefix="rcm-remits-bench-") as tmp:
        work_dir = Path(tmp)
        targets: list[str | None] = [f"sqlite:///{work_dir / 'bench.db'}"]
        postgres = bench_postgres_url()
        targets.append(postgres)
        for url in targets:
            if url is None:
                figures["remits_post"].append({"backend": "postgresql", "skipped": "no PostgreSQL URL configured"})
                continue
            try:
                with fresh_database(work_dir, url=url) as engine:
                    figures["remits_post"].append(_measure(engine, claims, work_dir))
            except OperationalError as exc:
                figures["remits_post"].append(
                    {"backend": make_url(url).get_backend_name(), "skipped": f"not reachable ({type(exc).__name__})"}
                )
    for row in figures["remits_post"]:
        if "skipped" in row:
            print(f"remits post [{row['backend']}]: skipped ({row['skipped']})")
            continue
        verdict = "ok" if row["claims_per_second_posting"] >= TARGET_CLAIMS_PER_SECOND else "BELOW TARGET"
        print(
            f"remits post [{row['backend']}]: {row['claims']} claims, read {row['read_seconds']} s, "
            f"post {row['post_seconds']} s (cpu here {row['post_cpu_seconds_in_this_process']} s) = "
            f"{row['claims_per_second_posting']} claims/s posting, "
            f"{row['claims_per_second_read_and_post']} claims/s read+post "
            f"(target {TARGET_CLAIMS_PER_SECOND}: {verdict})"
        )
    return figures
