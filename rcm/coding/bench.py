"""Scrubber benchmark: rule book load time (cold compile and warm cache) and claims scrubbed per second on one core.

``run_benchmark()`` loads every shipped rule and the full NCCI table, builds a fixed, seeded mix of realistic
claims (office visits, procedures, labs, drugs, therapy; a share with errors; history and eligibility facts),
scrubs them and returns the figures. Claim throughput is measured in CPU time of this process (one core).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from rcm.codes import npi_with_check_digit
from rcm.coding.engine import ScrubContext
from rcm.coding.history import CoverageFact, InMemoryEligibility, InMemoryHistory, PastService
from rcm.coding.rulebook import RuleBook, load_rulebook
from rcm.domain import Encounter

__all__ = ["make_claims", "run_benchmark"]

_PAYERS = ("MCR01", "MCD01", "BCBS1", "UHC01", "AET01", "HUM01")
_VISITS: tuple[tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...], int], ...]], ...] = (
    (("J02.0", "R50.9"), (("99213", (), 1), ("87880", ("QW",), 1))),
    (("E11.9", "I10", "E78.5"), (("99214", (), 1), ("83036", (), 1), ("80048", (), 1), ("36415", (), 1))),
    (("L82.1",), (("99213", ("25",), 1), ("11102", (), 1))),
    (("M17.11",), (("99214", ("25",), 1), ("20610", ("RT",), 1), ("J3301", (), 4))),
    (("I10",), (("99213", (), 1), ("93000", (), 1))),
    (("M54.50",), (("97110", ("GP",), 3), ("97140", ("GP", "59"), 2), ("97530", ("GP",), 1))),
    (("Z23",), (("90471", (), 1), ("90686", (), 1))),
    (("S93.401A",), (("99203", ("25",), 1), ("73610", ("RT",), 1), ("29540", ("RT",), 1))),
    (("F41.1",), (("99213", ("95",), 1),)),
    (("N39.0", "R30.0"), (("99213", (), 1), ("81002", (), 1), ("87086", (), 1))),
)
_BAD_DX = ("E11", "A00.5", "G63", "Z38.00", "N40.0")


def _provider(stem: str) -> dict[str, Any]:
    return {"npi": npi_with_check_digit(stem), "first_name": "Bench", "last_name": "Mark"}


def make_claims(book: RuleBook, count: int, *, seed: int = 7) -> list[Encounter]:
    """A seeded mix of claims: common visits, random NCCI procedure pairs, and about one in six with a mistake."""
    rng = random.Random(seed)
    table = book.ptp_for("practitioner")
    column1 = table.column1_list() if table is not None else []
    procedures = [c for c in column1 if c.isdigit() and "10004" <= c <= "69990"][:4000]
    billing = {
        **_provider("112345670"),
        "name": "Bench Clinic",
        "tax_id": "041234567",
        "address": {"line1": "1 Main St", "city": "Lowell", "state": "MA", "zip": "01852"},
    }
    claims: list[Encounter] = []
    start = date(2026, 1, 5)
    for n in range(count):
        dos = start + timedelta(days=rng.randint(0, 150))
        age = rng.randint(1, 90)
        diagnoses, lines = rng.choice(_VISITS)
        line_specs = list(lines)
        if procedures and rng.random() < 0.3:
            line_specs = [(rng.choice(procedures), (), 1), (rng.choice(procedures), (), 1)]
        dx = list(diagnoses)
        if rng.random() < 0.15:
            dx[0] = rng.choice(_BAD_DX)
        payer = rng.choice(_PAYERS)
        data = {
            "encounter_id": f"B{n:07d}",
            "date_of_service": dos.isoformat(),
            "place_of_service": "10" if any("95" in m for _, m, _ in line_specs) else "11",
            "patient": {
                "id": f"BP{n % 5000:05d}",
                "first_name": "Bench",
                "last_name": "Patient",
                "birth_date": date(2026 - age, 6, 15).isoformat(),
                "sex": rng.choice("FM"),
                "address": {"line1": "2 Elm St", "city": "Lowell", "state": "MA", "zip": "01852"},
            },
            "coverage": [{"priority": "primary", "payer_id": payer, "member_id": f"M{n:09d}"}],
            "billing_provider": billing,
            "rendering_provider": _provider("123456780"),
            "prior_authorization": "PA1" if rng.random() < 0.8 else None,
            "diagnoses": dx,
            "lines": [
                {
                    "line_id": str(i),
                    "code": code,
                    "modifiers": list(mods),
                    "units": units,
                    "charge": "0.00" if rng.random() < 0.01 else f"{rng.randint(15, 250)}.00",
                    "diagnosis_pointers": [1],
                }
                for i, (code, mods, units) in enumerate(line_specs, start=1)
            ],
        }
        claims.append(Encounter.model_validate(data))
    return claims


def _history(claims: list[Encounter]) -> tuple[InMemoryHistory, InMemoryEligibility]:
    history = InMemoryHistory()
    eligibility = InMemoryEligibility()
    for i, claim in enumerate(claims[::10]):
        for line in claim.lines:
            history.add(
                claim.patient.id,
                PastService(f"H{i}", claim.coverage[0].payer_id, claim.date_of_service, line.code, units=Decimal(1)),
            )
        status = "inactive" if i % 20 == 0 else "active"
        eligibility.add(claim.patient.id, CoverageFact(claim.coverage[0].payer_id, claim.date_of_service, status))
    return history, eligibility


def run_benchmark(
    claims: int = 20_000, *, rules_dir: Path | None = None, data_dir: Path | None = None
) -> dict[str, Any]:
    """Measure load times and scrub throughput; prints the figures and returns them."""
    from rcm.config import DEFAULT_RULES_DIR

    rules = rules_dir or DEFAULT_RULES_DIR
    with tempfile.TemporaryDirectory(prefix="rcm-bench-") as tmp:
        cache_dir = data_dir or Path(tmp)
        t0 = time.perf_counter()
        load_rulebook(rules, cache_dir)
        first_load = time.perf_counter() - t0
        t0 = time.perf_counter()
        book = load_rulebook(rules, cache_dir)
        warm_load = time.perf_counter() - t0
    batch = make_claims(book, claims)
    history, eligibility = _history(batch)
    context = ScrubContext(book, as_of=date(2026, 7, 1), history=history, eligibility=eligibility)
    scrubber = context.scrubber()
    figures: dict[str, Any] = {
        "rules": len(book.rules),
        "ncci_edit_rows": sum(len(t) for t in book.ptp.values()),
        "first_load_seconds": round(first_load, 2),
        "cached_load_seconds": round(warm_load, 2),
        "claims": len(batch),
        "lines": sum(len(c.lines) for c in batch),
    }
    for label in ("first_pass", "steady"):
        found: Counter[str] = Counter()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for claim in batch:
            for finding in scrubber.scrub(claim):
                found[finding.category] += 1
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        figures[f"{label}_claims_per_cpu_second"] = round(len(batch) / cpu) if cpu else None
        figures[f"{label}_claims_per_wall_second"] = round(len(batch) / wall) if wall else None
        figures["findings"] = sum(found.values())
        figures["findings_by_category"] = dict(found.most_common())
    figures["meets_20000_per_second"] = (figures["steady_claims_per_cpu_second"] or 0) >= 20_000
    figures["meets_5_second_load"] = warm_load < 5
    for key, value in figures.items():
        print(f"scrub bench {key}: {value}")
    return figures


if __name__ == "__main__":  # pragma: no cover - `python -m rcm.coding.bench`
    run_benchmark()
