"""`rcm denials train|score|report|appeal` and `rcm synth`: the denial-risk model and its synthetic history.

Data comes from the store by default; `--history DIR` uses a folder written by `rcm synth` instead.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from rcm.cli._store import store_session
from rcm.config import get_settings

__all__ = ["register"]

denials_app = typer.Typer(help="Denial risk: train the model, score claims before submission, report, appeal.",
                          no_args_is_help=True)

_HISTORY_HELP = "Use a synthetic history folder written by `rcm synth` instead of the store."


def _models_dir() -> Path:
    from rcm.denials.registry import models_dir_for

    return models_dir_for(get_settings().data_dir)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _metrics_view(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = ("roc_auc", "pr_auc", "brier", "recall_at_10pct")
    return {
        **{k: metrics.get(k) for k in keys},
        "baselines": {name: {k: b.get(k) for k in keys} for name, b in metrics.get("baselines", {}).items()},
    }


@denials_app.command("train")
def train_command(
    as_json: bool = typer.Option(False, "--json", help="Print the held-out metrics as JSON."),
    history: Path | None = typer.Option(None, "--history", help=_HISTORY_HELP),
    holdout_months: int | None = typer.Option(None, "--holdout-months", help="Latest months held out (default 25 %)."),
    random_state: int = typer.Option(20260, "--random-state", help="Seed for the model (explicit, no global seed)."),
) -> None:
    """Train on the posted history; keep the previous model if the new one is worse on the same held-out months."""
    from rcm.denials.registry import retrain

    models_dir = _models_dir()
    if history is not None:
        from rcm.denials.records import from_synth_history
        from rcm.payer_sim.output import load_history

        claims, outcomes = from_synth_history(load_history(history))
        decision = retrain(claims, outcomes, models_dir, random_state=random_state, holdout_months=holdout_months)
    else:
        from rcm.denials.store_source import load_training_from_store

        with store_session() as session:
            claims, outcomes = load_training_from_store(session)
            decision = retrain(claims, outcomes, models_dir, session=session, random_state=random_state,
                               holdout_months=holdout_months)
            session.commit()
    view = _metrics_view(decision.trained.metrics)
    if as_json:
        _echo_json({**view, "model_version": decision.new.version, "accepted": decision.accepted,
                    "active_version": decision.active_version, "decision": decision.decision,
                    "threshold": decision.trained.threshold})
        return
    typer.echo(f"model {decision.new.version}: {decision.decision}")
    typer.echo(f"{'scorer':18} {'ROC-AUC':>8} {'PR-AUC':>8} {'Brier':>8} {'recall@10%':>11}")
    rows = [("model", view), *((f"baseline {n}", b) for n, b in view["baselines"].items())]
    for name, m in rows:
        typer.echo(f"{name:18} {m['roc_auc'] or 0:8.3f} {m['pr_auc'] or 0:8.3f} {m['brier'] or 0:8.3f} "
                   f"{(m['recall_at_10pct'] or 0) * 100:10.1f}%")


def _active_model() -> Any:
    from rcm.denials.registry import active_model
    from rcm.errors import ConfigError

    model = active_model(_models_dir())
    if model is None:
        raise ConfigError(f"no denial model in {_models_dir()}: run `rcm denials train` first")
    return model


@denials_app.command("score")
def score_command(
    as_json: bool = typer.Option(False, "--json", help="Print every score as JSON."),
    threshold: float | None = typer.Option(None, "--threshold", help="Hold claims at or above this probability."),
    history: Path | None = typer.Option(
        None, "--history", help="Score the last submission month of a synthetic history (nothing is held)."
    ),
) -> None:
    """Score every claim waiting to be sent; hold those above the threshold with their explanation."""
    from rcm.denials.scoring import score_claims, score_pending_claims

    model = _active_model()
    if history is not None:
        from rcm.denials.records import from_synth_history
        from rcm.payer_sim.output import load_history

        claims, outcomes = from_synth_history(load_history(history))
        last = max(f"{c.submitted_on:%Y-%m}" for c in claims)
        pending = [c for c in claims if f"{c.submitted_on:%Y-%m}" == last]
        earlier = [c for c in claims if f"{c.submitted_on:%Y-%m}" != last]
        known = {k: v for k, v in outcomes.items() if v.known_on < pending[0].submitted_on}
        scored = score_claims(model, pending, history=earlier, outcomes=known, threshold=threshold)
    else:
        with store_session() as session:
            scored = score_pending_claims(session, model, threshold=threshold)
            session.commit()
    if as_json:
        _echo_json({"model_version": model.version, "claims": [s.to_json() for s in scored]})
        return
    held = [s for s in scored if s.held]
    typer.echo(f"model {model.version}: scored {len(scored)} claims, {len(held)} held for review")
    for s in sorted(held, key=lambda s: -s.score):
        typer.echo(f"  {s.claim_id:20} {s.score * 100:5.1f} %  {s.explanation['summary']}")


@denials_app.command("report")
def report_command(
    html: Path | None = typer.Option(None, "--html", help="Write the report as one offline HTML page here."),
    history: Path | None = typer.Option(None, "--history", help=_HISTORY_HELP),
) -> None:
    """Denial rates by payer, CARC, code and provider over time."""
    from rcm.denials.registry import active_model
    from rcm.denials.report import build_summary, facts_from_history, facts_from_store, render_html, render_text
    from rcm.errors import ConfigError

    if history is not None:
        from rcm.payer_sim.output import load_history

        facts = facts_from_history(load_history(history))
    else:
        with store_session() as session:
            facts = facts_from_store(session)
    summary = build_summary(facts)
    if html is None:
        typer.echo(render_text(summary), nl=False)
        return
    try:
        card = active_model(_models_dir())
    except ConfigError:
        card = None
    html.write_text(render_html(summary, model_card=card.card if card else None), encoding="utf-8")
    typer.echo(f"wrote {html} ({summary['claims']} claims, {summary['denied']} denied)")


@denials_app.command("appeal")
def appeal_command(
    claim: str = typer.Argument(..., help="The claim's patient control number."),
    history: Path | None = typer.Option(None, "--history", help=_HISTORY_HELP),
    out: Path | None = typer.Option(None, "--out", help="Write the draft to this file instead of printing it."),
) -> None:
    """Draft an appeal letter for a denied claim from the template of its CARC family."""
    from rcm.denials.appeals import draft_appeal, facts_from_store, facts_from_synth

    if history is not None:
        from rcm.payer_sim.output import load_history
        from rcm.payer_sim.practice import load_payer_rules

        names = {pid: r.name for pid, r in load_payer_rules().items()}
        letter = draft_appeal(facts_from_synth(load_history(history), claim, names))
    else:
        with store_session() as session:
            letter = draft_appeal(facts_from_store(session, claim))
    if out is not None:
        out.write_text(letter, encoding="utf-8")
        typer.echo(f"wrote the draft appeal for claim {claim} to {out}")
    else:
        typer.echo(letter, nl=False)


def _claim_files(month: str, claims: list[Any]) -> dict[str, bytes]:
    """837P files for one submission month: one interchange per payer, built by rcm.claims."""
    from rcm.claims.clearinghouses import load_clearinghouses
    from rcm.claims.errors import ClaimBuildError
    from rcm.claims.transaction import OutgoingClaim, build_claim_block, transaction_segments, version_for
    from rcm.domain import Claim, ClaimType
    from rcm.payer_sim.practice import load_payer_rules
    from rcm.x12.writer import GroupOut, TransactionOut, write_interchange

    settings = get_settings()
    house = load_clearinghouses(settings.rules_dir)["default"]
    rules = load_payer_rules(settings.rules_dir)
    by_payer: dict[str, list[Any]] = {}
    for c in claims:
        by_payer.setdefault(c.payer_id, []).append(c)
    out: dict[str, bytes] = {}
    for n, (payer_id, items) in enumerate(sorted(by_payer.items()), start=1):
        blocks = []
        for c in items:
            cov = c.encounter.primary_coverage
            try:
                blocks.append(build_claim_block(OutgoingClaim(
                    Claim(claim_id=c.claim_id, encounter=c.encounter, payer=cov.payer, coverage=cov),
                    filing_indicator=rules[payer_id].filing_indicator)))
            except ClaimBuildError:
                continue  # the scrubber's business; the synthetic claims are built to pass
        if not blocks:
            continue
        last = max(c.submitted_on for c in items)
        created = datetime(last.year, last.month, last.day, 18, 0, tzinfo=UTC)
        control = int(month.replace("-", "")) % 10000 * 100 + n
        version = version_for(ClaimType.professional)
        body: list[Any] = transaction_segments(blocks, clearinghouse=house, reference=f"{month}{payer_id}",
                                               created=created)
        tx = TransactionOut("837", "0001", body)
        group = GroupOut("HC", house.sender_id, house.receiver_id, control, version, last, "1800", [tx])
        out[f"837P_{payer_id}.x12"] = write_interchange(
            sender_qualifier=house.sender_qualifier, sender_id=house.sender_id,
            receiver_qualifier=house.receiver_qualifier, receiver_id=house.receiver_id, control_number=control,
            date=last, time="1800", usage="T", groups=[group])
    return out


def synth_command(
    months: int = typer.Option(..., "--months", min=1, max=60, help="How many months of activity."),
    seed: int = typer.Option(..., "--seed", help="Same seed, same history."),
    out: Path = typer.Option(..., "--out", help="Folder to write (one subfolder per month)."),
    encounters_per_month: int = typer.Option(900, "--encounters-per-month", min=20, help="Practice volume."),
    x12: bool = typer.Option(True, "--x12/--no-x12", help="Also write the 837 and 835 files."),
) -> None:
    """Write a synthetic practice's history: EMR export, 837s and 835s, month by month, deterministic by seed."""
    from rcm.payer_sim.generator import SynthConfig, generate_history
    from rcm.payer_sim.output import write_history

    history = generate_history(SynthConfig(months=months, seed=seed, encounters_per_month=encounters_per_month))
    manifest = write_history(history, out, claim_files=_claim_files if x12 else None, remits=x12)
    typer.echo(f"wrote {manifest['claims']} claims over {months} months to {out} "
               f"(denial rate {manifest['denial_rate'] * 100:.1f} %, {manifest['x12_files']} X12 files)")


def register(app: typer.Typer) -> None:
    """Add `rcm denials ...` and `rcm synth` to the main app."""
    app.add_typer(denials_app, name="denials")
    app.command("synth")(synth_command)
