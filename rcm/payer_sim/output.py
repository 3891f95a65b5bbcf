"""Write a synthetic history to a folder month by month, and read it back.

Layout: ``manifest.json`` (seed, months, counts), then one folder per month ``YYYY-MM/`` with
``emr_export.jsonl`` (encounters by date of service, the EMR export shape), ``submissions.jsonl`` (what the
office knew when it sent each claim, by submission month), ``adjudications.jsonl`` (the payers' decisions,
by remittance month) and, when rcm.x12.writer is available, ``835_<payer>.x12`` per payer (and 837s
written by the caller). File names carry no patient data.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from rcm.domain import Encounter
from rcm.errors import UnreadableFileError
from rcm.payer_sim.history import Adjudication, SubmittedClaim, SynthHistory
from rcm.payer_sim.practice import PayerRules, load_payer_rules
from rcm.payer_sim.remit835 import render_835

__all__ = ["load_history", "write_history"]

ClaimFileWriter = Callable[[str, list[SubmittedClaim]], dict[str, bytes]]
"""(month 'YYYY-MM', claims submitted that month) -> {file name: 837 bytes}; supplied by the caller."""


def _month(d: date) -> str:
    return f"{d:%Y-%m}"


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, sort_keys=True) + "\n")


def write_history(
    history: SynthHistory,
    out_dir: Path,
    *,
    payers: dict[str, PayerRules] | None = None,
    claim_files: ClaimFileWriter | None = None,
    remits: bool = True,
) -> dict[str, Any]:
    """Write every month's files; returns the manifest (also written as manifest.json)."""
    rules = payers or load_payer_rules()
    out_dir.mkdir(parents=True, exist_ok=True)
    by_dos: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_sent: dict[str, list[SubmittedClaim]] = defaultdict(list)
    by_remit: dict[str, list[Adjudication]] = defaultdict(list)
    for claim in history.claims:
        by_dos[_month(claim.encounter.date_of_service)].append(claim.encounter.model_dump(mode="json"))
        by_sent[_month(claim.submitted_on)].append(claim)
    for adj in history.adjudications.values():
        by_remit[_month(adj.adjudicated_on)].append(adj)
    claims = {c.claim_id: c for c in history.claims}
    months = sorted(set(by_dos) | set(by_sent) | set(by_remit))
    x12_written = 0
    x12_missing: str | None = None if remits else "835 files not asked for"
    control = 1
    for month in months:
        folder = out_dir / month
        folder.mkdir(exist_ok=True)
        _write_jsonl(folder / "emr_export.jsonl", by_dos.get(month, []))
        _write_jsonl(folder / "submissions.jsonl", [c.to_json() for c in by_sent.get(month, [])])
        paid = sorted(by_remit.get(month, []), key=lambda a: (a.payer_id, a.adjudicated_on, a.claim_id))
        _write_jsonl(folder / "adjudications.jsonl", [a.to_json() for a in paid])
        if claim_files is not None and by_sent.get(month):
            for name, content in claim_files(month, by_sent[month]).items():
                (folder / name).write_bytes(content)
                x12_written += 1
        if x12_missing is None:
            per_payer: dict[str, list[Adjudication]] = defaultdict(list)
            for adj in paid:
                per_payer[adj.payer_id].append(adj)
            for payer_id, items in sorted(per_payer.items()):
                pay_day = max(a.adjudicated_on for a in items)
                try:
                    content = render_835(rules[payer_id], items, claims, payment_date=pay_day,
                                         trace_number=f"{payer_id}{month.replace('-', '')}", control_number=control)
                except ImportError as exc:
                    x12_missing = f"835 files not written: {exc}"
                    break
                (folder / f"835_{payer_id}.x12").write_bytes(content)
                control += 1
                x12_written += 1
    denied = sum(1 for a in history.adjudications.values() if a.denied)
    manifest: dict[str, Any] = {
        "seed": history.seed,
        "start": history.start.isoformat(),
        "months": history.months,
        "claims": len(history.claims),
        "denied": denied,
        "denial_rate": round(denied / max(1, len(history.claims)), 4),
        "month_folders": months,
        "x12_files": x12_written,
    }
    if x12_missing and remits:
        manifest["note"] = x12_missing
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not path.exists():
        return rows
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    raise UnreadableFileError(str(path), f"line {n} is not JSON") from None
    return rows


def load_history(folder: Path) -> SynthHistory:
    """Read a folder written by write_history back into memory (claims, what was known, outcomes)."""
    manifest_path = folder / "manifest.json"
    if not manifest_path.exists():
        raise UnreadableFileError(str(folder), "no manifest.json: not a synthetic history folder")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    encounters: dict[str, Encounter] = {}
    sent: list[dict[str, Any]] = []
    adjudications: dict[str, Adjudication] = {}
    for month in manifest["month_folders"]:
        for row in _read_jsonl(folder / month / "emr_export.jsonl"):
            enc = Encounter.model_validate(row)
            encounters[enc.encounter_id] = enc
        sent.extend(_read_jsonl(folder / month / "submissions.jsonl"))
        for row in _read_jsonl(folder / month / "adjudications.jsonl"):
            adj = Adjudication.from_json(row)
            adjudications[adj.claim_id] = adj
    claims: list[SubmittedClaim] = []
    for row in sent:
        found = encounters.get(row["encounter_id"])
        if found is None:
            raise UnreadableFileError(str(folder), f"claim {row['claim_id']} has no encounter in the export")
        checked = row.get("eligibility_checked_on")
        claims.append(
            SubmittedClaim(
                claim_id=row["claim_id"],
                encounter=found,
                payer_id=row["payer_id"],
                submitted_on=date.fromisoformat(row["submitted_on"]),
                eligibility_status=row["eligibility_status"],
                eligibility_checked_on=date.fromisoformat(checked) if checked else None,
                warnings=list(row.get("warnings", [])),
            )
        )
    claims.sort(key=lambda c: (c.submitted_on, c.claim_id))
    return SynthHistory(
        seed=int(manifest["seed"]),
        start=date.fromisoformat(manifest["start"]),
        months=int(manifest["months"]),
        claims=claims,
        adjudications=adjudications,
    )
