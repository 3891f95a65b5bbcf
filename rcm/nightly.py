"""The nightly claim run as plain steps: each opens its own transaction, commits its own work, returns a summary.

Flows (flows/nightly.py) and `rcm run` call these in order; nothing here imports prefect. Every step is safe to
run again: stages deduplicate by content hash, trace number and claim state, so a re-run creates nothing twice.
"""

from __future__ import annotations

import logging
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from rcm.config import Settings, get_settings
from rcm.errors import InputError, RcmError
from rcm.store.database import is_up_to_date, make_engine, session_factory, upgrade

if TYPE_CHECKING:
    from rcm.transport import TransferReport

__all__ = [
    "InboundFile",
    "NightlyRun",
    "answer_eligibility_as_payers",
    "bootstrap_denial_model",
    "build_claim_files",
    "classify_inbound",
    "fetch_from_clearinghouses",
    "ingest_export",
    "open_run",
    "process_inbound",
    "request_eligibility",
    "respond_as_clearinghouse",
    "run_nightly",
    "sample_export_path",
    "score_denial_risk",
    "scrub_claims",
    "send_to_clearinghouses",
    "summary_lines",
]

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent


# The bundled sample is an export taken on this day (services January to June 2026); the demo scrubs as of it.
SAMPLE_EXPORT_DATE = date(2026, 7, 1)


def sample_export_path() -> Path:
    """The bundled synthetic EMR export (samples/encounters.jsonl)."""
    return REPO_ROOT / "samples" / "encounters.jsonl"


@dataclass(slots=True)
class NightlyRun:
    """What the steps share: settings and an engine on the migrated database."""

    settings: Settings
    engine: Engine
    summary: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end of the block, or rolls back on error."""
        with session_factory(self.engine)() as session, session.begin():
            yield session

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for steps that commit themselves (file drops commit together with their records)."""
        with session_factory(self.engine)() as session:
            yield session


def open_run(settings: Settings | None = None) -> NightlyRun:
    """Create the data folders and bring the database to the current schema."""
    settings = settings or get_settings()
    settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    if not is_up_to_date(engine):
        upgrade(engine)
    return NightlyRun(settings=settings, engine=engine)


def ingest_export(run: NightlyRun, path: Path, export_format: str = "jsonl") -> dict[str, Any]:
    """Load an EMR export: every record ends accepted, a duplicate, or quarantined with its reason."""
    from rcm.intake.service import read_export, store_reading

    reading = read_export(path, export_format, rules_dir=run.settings.rules_dir)  # unreadable file: nothing written
    with run.transaction() as session:
        result = store_reading(session, reading)
    return dict(result.as_dict())


def scrub_claims(run: NightlyRun, *, as_of: date | None = None) -> dict[str, Any]:
    """Run every edit on claims waiting for it: clean claims become ready, the rest are held with findings.

    ``as_of`` is the day the edits judge by (timely filing, code-set year); default today. Replaying an old
    export uses its export date, as the demo does with the bundled sample.
    """
    from rcm.coding.service import scrub_pending

    with run.transaction() as session:
        summary = scrub_pending(session, as_of=as_of)
    rate = summary.clean_claim_rate
    return {
        "claims": summary.claims,
        "clean": summary.clean,
        "held": summary.held,
        "clean_claim_rate": None if rate is None else round(rate, 4),
        "top_rules": [{"rule": rule, "claims": n} for rule, n in summary.top_rules(5)],
    }


def bootstrap_denial_model(run: NightlyRun, *, months: int = 8, seed: int = 7) -> dict[str, Any]:
    """A new office has no remittance history yet: train the first model on a synthetic one, once.

    Later runs keep the active model; `rcm denials train` retrains from the office's own posted history.
    """
    from rcm.denials.records import from_synth_history
    from rcm.denials.registry import active_model, models_dir_for, retrain
    from rcm.payer_sim.generator import SynthConfig, generate_history

    models_dir = models_dir_for(run.settings.data_dir)
    if active_model(models_dir) is not None:
        return {"trained": False, "reason": "an active model is already in place"}
    history = generate_history(SynthConfig(months=months, seed=seed, encounters_per_month=300))
    claims, outcomes = from_synth_history(history)
    with run.transaction() as session:
        decision = retrain(claims, outcomes, models_dir, session=session)
    metrics = decision.trained.metrics
    return {
        "trained": True,
        "model_version": decision.new.version,
        "decision": decision.decision,
        "roc_auc": metrics.get("roc_auc"),
        "recall_at_10pct": metrics.get("recall_at_10pct"),
    }


def score_denial_risk(run: NightlyRun) -> dict[str, Any]:
    """Score every claim about to go out; hold those above the model's threshold, with the explanation."""
    from rcm.denials.registry import active_model, models_dir_for
    from rcm.denials.scoring import score_pending_claims

    model = active_model(models_dir_for(run.settings.data_dir))
    if model is None:
        return {"scored": 0, "held": 0, "note": "no denial model yet: run `rcm denials train`"}
    with run.transaction() as session:
        scored = score_pending_claims(session, model)
    return {"model_version": model.version, "scored": len(scored), "held": sum(1 for s in scored if s.held)}


def build_claim_files(run: NightlyRun, clearinghouse: str | None = None) -> dict[str, Any]:
    """Write 837 files for every ready claim into the outbound drop (atomic, recorded with the file)."""
    from rcm.claims.submission import build_claims

    with run.session() as session:
        report = build_claims(session, run.settings, clearinghouse=clearinghouse)
    return dict(report.as_json())


@dataclass(frozen=True, slots=True)
class InboundFile:
    path: Path
    kind: str  # "271", "999", "TA1", "277CA", "835" or "unknown"
    sender_id: str | None = None  # ISA06 and ISA08 of its first interchange: who it came from, who it was for
    receiver_id: str | None = None


def classify_inbound(path: Path) -> str:
    """What kind of file the clearinghouse dropped, from its first transaction set (or a lone TA1)."""
    return _read_inbound(path).kind


def _read_inbound(path: Path) -> InboundFile:
    """The file's kind and its first ISA's ids (read up to its first ST or TA1)."""
    from rcm.x12.errors import NotX12Error
    from rcm.x12.tokenizer import iter_segments

    ids: tuple[str, str] | None = None
    try:
        for segment in iter_segments(path):
            if segment.id == "ISA" and ids is None:
                ids = (segment.get(6), segment.get(8))
            if segment.id == "TA1":
                return InboundFile(path, "TA1", *(ids or (None, None)))
            if segment.id == "ST":
                set_id = segment.get(1)
                version = segment.get(3)
                kind = "277CA" if set_id == "277" and "X214" in version else (set_id or "unknown")
                return InboundFile(path, kind, *(ids or (None, None)))
    except (NotX12Error, RcmError, OSError):
        return InboundFile(path, "unknown")
    return InboundFile(path, "unknown", *(ids or (None, None)))


def _inbound_files(folder: Path) -> list[InboundFile]:
    if not folder.is_dir():
        return []
    # Dot files are still being written (a drop's or a fetch's temporary file): they are read once renamed.
    return [_read_inbound(p) for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")]


def _inbound_folders(settings: Settings) -> list[Path]:
    """The inbound drop, and any clearinghouse's inbound folder configured outside it (files are fetched there)."""
    folders = [settings.inbound_dir]
    for entry in settings.clearinghouses.values():
        configured = entry.get("inbound")
        if not configured:
            continue
        folder = Path(str(configured)).expanduser()
        folder = folder if folder.is_absolute() else settings.data_dir / folder
        if not any(folder == f or folder.is_relative_to(f) for f in folders):
            folders.append(folder)
    return folders


def _archive(run: NightlyRun, item: InboundFile) -> None:
    target = run.settings.archive_dir / item.kind.lower()
    target.mkdir(parents=True, exist_ok=True)
    shutil.move(str(item.path), str(target / item.path.name))


def process_inbound(
    run: NightlyRun, *, kinds: tuple[str, ...] = ("271", "TA1", "999", "277CA", "835")
) -> dict[str, Any]:
    """Read what the clearinghouse dropped, in a safe order: eligibility, acknowledgments, then remittances.

    A file that fails stays in the inbound folder with its error reported; it is tried again next run.
    Files processed are moved to the archive; reading the same file again would change nothing anyway (nor answer
    it twice). Each 835 and 271 is answered with a 999 in the outbound folder of the clearinghouse it came from
    (its own inbound folder, else the ids in its ISA, else ``default``); its entry's ``acknowledgment`` says which
    999 went to which folder, and why (file names and folders only).
    """
    from rcm.claims.ack_ingest import ingest_ack_file

    results: dict[str, Any] = {"files": [], "errors": [], "left": []}
    order = {k: i for i, k in enumerate(kinds)}
    found = [item for folder in _inbound_folders(run.settings) for item in _inbound_files(folder)]
    files = sorted(found, key=lambda f: (order.get(f.kind, 99), str(f.path)))
    for item in files:
        if item.kind not in order:
            results["left"].append({"file": item.path.name, "kind": item.kind, "reason": "not a file we read"})
            continue
        answer: dict[str, Any] | None = None
        try:
            if item.kind in ("835", "271"):
                outcome, answer = _read_and_answer(run, item)
            else:
                with run.transaction() as session:
                    outcome = ingest_ack_file(session, item.path).as_json()
        except (InputError, RcmError) as exc:
            log.warning("inbound file %s (%s) not processed: %s", item.path.name, item.kind, exc)
            results["errors"].append({"file": item.path.name, "kind": item.kind, "error": str(exc)})
            continue
        if answer is not None and answer["state"] == "in flight":
            results["left"].append({"file": item.path.name, "kind": item.kind, "acknowledgment": answer,
                                    "reason": "read; its 999 is being written by another run: looked at again "
                                              "next run"})
            continue
        _archive(run, item)
        results["files"].append({"kind": item.kind, **outcome, **({"acknowledgment": answer} if answer else {})})
    return results


def _read_and_answer(run: NightlyRun, item: InboundFile) -> tuple[dict[str, Any], dict[str, Any]]:
    """Post an 835 or read a 271, each in its own transaction, and drop its 999 into the outbound folder of the
    clearinghouse it came from; returns the outcome and the 999: its file name, ``state`` ("written", "answered
    before", "in flight"), clearinghouse, folder and ``chosen_by``."""
    from rcm.drops import remove_dropped
    from rcm.transport.answers import IN_FLIGHT, InterchangeIds, route_answer

    route = route_answer(run.settings, item.path, ids=InterchangeIds.of(item.sender_id, item.receiver_id))
    written: Path | None = None
    in_flight = False
    if item.kind == "835":
        from rcm.remits.files import deliver_acknowledgment, post_file

        with run.transaction() as session:
            prepared = post_file(session, item.path, answer_to=route)
        try:
            written = deliver_acknowledgment(run.engine, prepared)
        except OSError as exc:  # posted; the 999 is on record as not dropped, so the next reading answers it
            raise RcmError(f"{item.path.name}: posted, but its 999 could not be written into "
                           f"{route.describe(run.settings.data_dir)['folder']} ({type(exc).__name__})") from exc
        outcome: dict[str, Any] = prepared.result.as_json()
        in_flight = prepared.answer_state == IN_FLIGHT
    else:
        from rcm.eligibility.responses import EligibilityFileReport, ingest_271_file

        report: EligibilityFileReport | None = None
        try:
            with run.transaction() as session:
                report = ingest_271_file(session, item.path, settings=run.settings, answer_to=route)
        except BaseException:
            if report is not None and report.ack_file:  # the commit failed: the 999 answers nothing on record
                remove_dropped(Path(report.ack_file))
            raise
        written = Path(report.ack_file) if report.ack_file else None
        outcome = report.as_json()
    state = "written" if written is not None else ("in flight" if in_flight else "answered before")
    answer = {"file": written.name if written is not None else None, "state": state,
              **route.describe(run.settings.data_dir)}
    return outcome, answer


def _transfer_summary(direction: str, move: Callable[[Settings, Engine], list[TransferReport]],
                      run: NightlyRun) -> dict[str, Any]:
    try:
        reports = move(run.settings, run.engine)
    except (RcmError, OSError) as exc:  # e.g. the clearinghouse file cannot be read: the other steps still run
        log.error("%s to/from clearinghouses not done: %s", direction, exc)
        return {"clearinghouses": [], "moved": 0, "remote": True,
                "errors": [{"clearinghouse": None, "file": None, "error": str(exc), "kind": type(exc).__name__}]}
    errors = [{"clearinghouse": r.clearinghouse, **e} for r in reports for e in r.errors]
    for error in errors:
        log.warning("%s not finished, tried again next run: %s", direction, error["error"])
    return {
        "clearinghouses": [r.as_json() for r in reports],
        "moved": sum(len(r.moved()) for r in reports),
        "remote": any(r.transport != "local" for r in reports),
        "errors": errors,
    }


def fetch_from_clearinghouses(run: NightlyRun) -> dict[str, Any]:
    """Bring what SFTP clearinghouses left for us into the inbound drop (before the inbound files are read).

    Never raises for a transfer fault: a clearinghouse that cannot be reached is reported in ``errors``, the rest
    of the run goes on, and its files are fetched next run (nothing was taken off its server). Clearinghouses with
    the local transport need nothing: their inbound folder is the exchange.
    """
    from rcm.transport import fetch_all

    return _transfer_summary("fetch", fetch_all, run)


def send_to_clearinghouses(run: NightlyRun) -> dict[str, Any]:
    """Upload the 837s and 270s waiting in each SFTP clearinghouse's outbound drop (after they are built).

    Never raises for a transfer fault: what could not be sent stays in the drop, is reported in ``errors``, and
    goes next run, exactly once.
    """
    from rcm.transport import send_all

    return _transfer_summary("send", send_all, run)


def respond_as_clearinghouse(run: NightlyRun, *, seed: int = 0, today: date | None = None) -> dict[str, Any]:
    """Demo only: the simulated clearinghouse and payers answer the 837s we sent (TA1, 999, 277CA, 835)."""
    from rcm.payer_sim.clearinghouse import respond_to_outbound

    written = respond_to_outbound(run.settings.outbound_dir, run.settings.inbound_dir, seed=seed, today=today)
    return {"files": [p.name for p in written]}


def answer_eligibility_as_payers(run: NightlyRun, *, seed: int = 0) -> dict[str, Any]:
    """Demo only: the simulated payers answer the 270s we sent with 271s."""
    from rcm.payer_sim.eligibility import answer_outbound_270s

    written = answer_outbound_270s(run.settings.outbound_dir, run.settings.inbound_dir, seed=seed)
    return {"files": [p.name for p in written]}


def request_eligibility(run: NightlyRun) -> dict[str, Any]:
    """270 inquiries for encounters whose coverage is unverified or stale, into the outbound drop."""
    from rcm.drops import remove_dropped
    from rcm.eligibility.inquiries import request_eligibility as request

    with run.session() as session:
        report = request(session, run.settings)
        try:
            session.commit()
        except Exception:
            for written in report.files:  # the inquiries are not on record: take the 270s back
                remove_dropped(Path(written.path))
            raise
    return dict(report.as_json())


def run_nightly(
    export: Path | None,
    export_format: str = "jsonl",
    *,
    settings: Settings | None = None,
    simulate_clearinghouse: bool = False,
    bootstrap_model: bool = False,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Every step in order, without Prefect (what `rcm run` does; the Prefect flow calls the same steps)."""
    run = open_run(settings)
    summary: dict[str, Any] = {}
    if export is not None:
        summary["ingest"] = ingest_export(run, export, export_format)
    summary["eligibility"] = request_eligibility(run)
    if simulate_clearinghouse:
        summary["payer_271"] = answer_eligibility_as_payers(run)
    summary["fetch"] = fetch_from_clearinghouses(run)  # SFTP clearinghouses: their outbox into our inbound drop
    summary["inbound_before"] = process_inbound(run)  # 271s and whatever else arrived since the last run
    summary["scrub"] = scrub_claims(run, as_of=as_of)
    if bootstrap_model:
        summary["model"] = bootstrap_denial_model(run)
    summary["risk"] = score_denial_risk(run)
    summary["claims"] = build_claim_files(run)
    summary["send"] = send_to_clearinghouses(run)  # SFTP clearinghouses: the 837s and 270s to their inbox
    if simulate_clearinghouse:
        summary["clearinghouse"] = respond_as_clearinghouse(run, today=as_of)
        summary["inbound_after"] = process_inbound(run)
    run.engine.dispose()
    return summary


def _eligibility_words(report: dict[str, Any]) -> str:
    inquiries = report.get("inquiries", report.get("sent"))
    files = report.get("files", [])
    if inquiries is None:
        return ", ".join(f"{k} {v}" for k, v in report.items() if isinstance(v, int | str)) or "nothing to ask"
    return f"{inquiries} inquiries in {len(files)} file(s)"


def _count_kinds(inbound: dict[str, Any]) -> str:
    kinds: dict[str, int] = {}
    for item in inbound.get("files", []):
        kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
    text = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "nothing"
    if inbound.get("errors"):
        text += f"; {len(inbound['errors'])} file(s) not read (left in inbound)"
    return text


def _transfer_lines(verb: str, transfer: dict[str, Any] | None) -> list[str]:
    # Nothing to say when every clearinghouse is a local folder (the demo): the summary stays as it was.
    if not transfer or not (transfer.get("remote") or transfer.get("errors")):
        return []
    counts = ", ".join(f"{c['clearinghouse']} {c['moved']}" for c in transfer.get("clearinghouses", [])
                       if c.get("transport") != "local")
    lines = [f"{verb} clearinghouses: {transfer.get('moved', 0)} file(s)" + (f" ({counts})" if counts else "")]
    lines.extend(f"  left for the next run: {e['error']}" for e in transfer.get("errors", []))
    return lines


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The run summary in a biller's words: what the CLI prints and the Prefect artifact shows."""
    lines: list[str] = []
    if ing := summary.get("ingest"):
        lines.append(
            f"ingest: read {ing['read']}, accepted {ing['accepted']}, duplicates {ing['duplicates']}, "
            f"quarantined {ing['quarantined']}"
            + (f" ({', '.join(f'{k} {v}' for k, v in sorted(ing['reasons'].items()))})" if ing.get("reasons") else "")
        )
    lines.extend(_transfer_lines("fetched from", summary.get("fetch")))
    if "inbound_before" in summary:
        lines.append(f"received and read before scrubbing: {_count_kinds(summary['inbound_before'])}")
    if elig := summary.get("eligibility"):
        lines.append(f"eligibility: {_eligibility_words(elig)}")
    for item in summary.get("inbound_before", {}).get("files", []):
        if item.get("kind") == "271":
            lines.append(f"  271: {item['responses']} answers: {item['active']} active, {item['inactive']} inactive, "
                         f"{item['rejected']} rejected, {item['unmatched']} unmatched")
    if sc := summary.get("scrub"):
        rate = sc.get("clean_claim_rate")
        rate_text = "n/a" if rate is None else f"{rate:.1%}"
        top = ", ".join(f"{t['rule']} ({t['claims']})" for t in sc.get("top_rules", []))
        lines.append(f"scrub: {sc['claims']} claims, {sc['clean']} clean, {sc['held']} held; clean claim rate "
                     f"{rate_text}" + (f"; top rules {top}" if top else ""))
    if (model := summary.get("model")) and model.get("trained"):
        lines.append(f"denial model: {model['decision']}")
    if risk := summary.get("risk"):
        lines.append(f"denial risk: scored {risk.get('scored', 0)}, held for review {risk.get('held', 0)}"
                     + (f" ({risk['note']})" if risk.get("note") else ""))
    if claims := summary.get("claims"):
        files = claims.get("files", [])
        n_claims = sum(f.get("claims", 0) for f in files)
        charges = sum(Decimal(str(f.get("charges", "0"))) for f in files)
        lines.append(f"837: {len(files)} file(s), {n_claims} claims, charges {charges:.2f}"
                     + (f"; {len(claims.get('skipped', []))} skipped" if claims.get("skipped") else ""))
    lines.extend(_transfer_lines("sent to", summary.get("send")))
    if ch := summary.get("clearinghouse"):
        lines.append(f"clearinghouse (simulated) answered with {len(ch['files'])} file(s)")
    if "inbound_after" in summary:
        lines.append(f"received and read: {_count_kinds(summary['inbound_after'])}")
        for item in summary["inbound_after"].get("files", []):
            if item.get("kind") == "835":
                for tx in item.get("transactions", []):
                    lines.append(f"  835 trace {tx['trace']}: {tx['claims']} claims ({tx['matched']} matched), "
                                 f"paid {tx['paid']}, patient responsibility {tx['patient_responsibility']}, "
                                 f"{'balanced' if tx['balanced'] else 'NOT balanced'}"
                                 + (", duplicate (nothing posted)" if tx.get("duplicate") else ""))
    lines.extend(_answer_lines(summary))
    return lines


def _answer_lines(summary: dict[str, Any]) -> list[str]:
    """How many 999s this run wrote, per outbound folder (they go out with the next send)."""
    written: Counter[str] = Counter()
    for key in ("inbound_before", "inbound_after"):
        for item in summary.get(key, {}).get("files", []):
            answer = item.get("acknowledgment")
            if answer and answer.get("state") == "written":
                written[str(answer.get("folder", ""))] += 1
    return [f"999s written: {n} to {folder}" for folder, n in sorted(written.items())]
