"""`rcm transfer send | fetch`: move files between our drops and the clearinghouses' SFTP servers now (the nightly
run does the same: fetch before reading the inbound drop, send after building the 837s)."""

from __future__ import annotations

import json

import typer

__all__ = ["register"]

transfer_app = typer.Typer(
    help="Clearinghouse file transfers: send the outbound drop to SFTP inboxes, fetch what waits in their outboxes.",
    no_args_is_help=True,
)

_CLEARINGHOUSE = typer.Option(None, "--clearinghouse", help="Only this clearinghouse (default: every one).")
_JSON = typer.Option(False, "--json", help="Print one JSON report.")


def _transfer(direction: str, clearinghouse: str | None, as_json: bool) -> None:
    from rcm.cli._store import store_engine
    from rcm.config import get_settings
    from rcm.transport import fetch_all, send_all

    settings = get_settings()
    move = send_all if direction == "send" else fetch_all
    with store_engine() as engine:
        reports = move(settings, engine, clearinghouse=clearinghouse)
    errors = [e for r in reports for e in r.errors]
    if as_json:
        typer.echo(json.dumps({"direction": direction, "clearinghouses": [r.as_json() for r in reports],
                               "moved": sum(len(r.moved()) for r in reports), "errors": len(errors)}, indent=2))
    else:
        verb = "sent" if direction == "send" else "fetched"
        for report in reports:
            if report.transport == "local":
                typer.echo(f"{report.clearinghouse}: local folders, nothing to move")
                continue
            typer.echo(f"{report.clearinghouse} ({report.host}): {len(report.moved())} file(s) {verb}")
            for item in report.files:
                typer.echo(f"  {item.name}: {item.outcome.replace('_', ' ')} ({item.size} bytes)")
        for error in errors:
            typer.echo(f"error: {error['error']} (left for the next run)", err=True)
    if errors:
        raise typer.Exit(code=1)


@transfer_app.command("send")
def send_command(clearinghouse: str | None = _CLEARINGHOUSE, as_json: bool = _JSON) -> None:
    """Upload every file waiting in the outbound drop of each SFTP clearinghouse; each goes exactly once."""
    _transfer("send", clearinghouse, as_json)


@transfer_app.command("fetch")
def fetch_command(clearinghouse: str | None = _CLEARINGHOUSE, as_json: bool = _JSON) -> None:
    """Download what each SFTP clearinghouse left for us into the inbound drop, then clear it on the server."""
    _transfer("fetch", clearinghouse, as_json)


def register(app: typer.Typer) -> None:
    """Add `rcm transfer ...` to the main app."""
    app.add_typer(transfer_app, name="transfer")
