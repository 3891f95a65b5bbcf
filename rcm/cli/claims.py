"""`rcm claims build | show | list`: write the 837 files, read a claim's timeline, list claims in a status."""

from __future__ import annotations

import json
from typing import Any

import typer

from rcm.cli._store import store_session
from rcm.config import get_settings

__all__ = ["register"]

claims_app = typer.Typer(help="Claims: build 837 files, show a claim's history, list claims by status.",
                         no_args_is_help=True)


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2))


@claims_app.command("build")
def build_command(
    clearinghouse: str | None = typer.Option(None, "--clearinghouse", help="Only claims routed to this one."),
    as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
) -> None:
    """Build 837P/837I files from every `ready` claim into the outbound drop (one file per clearinghouse)."""
    from rcm.claims.submission import build_claims

    settings = get_settings()
    settings.ensure_dirs()
    with store_session() as session:
        report = build_claims(session, settings, clearinghouse=clearinghouse)
    if as_json:
        _echo_json(report.as_json())
        return
    if not report.files:
        typer.echo("no claims ready to send")
    for f in report.files:
        typer.echo(f"{f.path}: interchange {f.interchange_control_number}, {f.transactions} transaction(s), "
                   f"{f.claims} claim(s), charges {f.charges:.2f}")
    for s in report.skipped:
        typer.echo(f"not sent: claim {s.claim}: {s.reason}")


@claims_app.command("show")
def show_command(
    claim_id: str = typer.Argument(..., help="The claim's patient control number (CLM01)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Print a claim's status and its timeline: every change with time, cause and source file."""
    from rcm.claims.lifecycle import claim_timeline_view

    with store_session() as session:
        view = claim_timeline_view(session, claim_id)
    if as_json:
        _echo_json(view)
        return
    typer.echo(f"claim {view['claim']} ({view['type']}, payer {view['payer']}, {view['priority']}): "
               f"{view['status']}; charge {view['charge']}, paid {view['paid']}, balance {view['balance']}")
    for s in view["submissions"]:
        typer.echo(f"  submission {s['number']} at {s['at']} in {s['file']} (frequency {s['frequency']})")
    for step in view["timeline"]:
        source = step["source"] + (f", {step['file']}" if step["file"] else "")
        typer.echo(f"  {step['at']}  {step['from'] or '-'} -> {step['to']}  {step['cause']}  [{source}]")


@claims_app.command("list")
def list_command(
    status: str = typer.Option(..., "--status", help="ready, submitted, acknowledged, rejected, ..."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List the claims currently in a status."""
    from rcm.claims.lifecycle import claims_in_status, parse_status

    wanted = parse_status(status)
    with store_session() as session:
        rows = claims_in_status(session, wanted)
    if as_json:
        _echo_json({"status": wanted.value, "claims": rows})
        return
    if not rows:
        typer.echo(f"no claims {wanted.value}")
    for r in rows:
        extra = f"  {r['hold_reason']}" if r["hold_reason"] else ""
        typer.echo(f"{r['claim']}  {r['payer']}  {r['charge']}  since {r['status_changed_at']}{extra}")


def register(app: typer.Typer) -> None:
    """Add `rcm claims ...` to the main app."""
    app.add_typer(claims_app, name="claims")
