"""`rcm eligibility request | ingest`: write 270 inquiries to the outbound drop; read 271 answers into the store.

`ingest FILE... [--clearinghouse NAME]` answers each file with a 999 in the outbound folder of the clearinghouse
named (default: the one whose inbound folder holds the file, else the one its ISA ids name, else `default`); a file
read before is not answered again. `ingest FILE... --json` prints one JSON object per file per line:
{"file", "responses", "active", "inactive", "rejected", "unmatched"}.  Exit code 2 when a file cannot be read as
a 271 (the others are still read), 1 when the database fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy.exc import SQLAlchemyError

from rcm.cli._store import store_engine
from rcm.config import get_settings
from rcm.errors import ConfigError, RcmError, StoreError, UnreadableFileError

__all__ = ["register"]

eligibility_app = typer.Typer(
    help="Eligibility (270/271): ask payers who is covered, read their answers.", no_args_is_help=True
)


@eligibility_app.command("request")
def request_command(
    max_age_days: int = typer.Option(30, "--max-age-days", min=0, help="Re-verify coverage older than this."),
    as_json: bool = typer.Option(False, "--json", help="Print what was written as JSON."),
) -> None:
    """Write 270 inquiries for encounters whose coverage is unverified or older than the window."""
    from rcm.drops import remove_dropped
    from rcm.eligibility.inquiries import request_eligibility
    from rcm.store.database import session_factory

    settings = get_settings()
    with store_engine() as engine, session_factory(engine)() as session:
        report = request_eligibility(session, settings, max_age_days=max_age_days)
        try:
            session.commit()
        except SQLAlchemyError as exc:
            for written in report.files:
                remove_dropped(Path(written.path))
            raise StoreError(f"the database refused the inquiries ({type(exc).__name__}); no 270 was left in "
                             "the drop") from exc
    if as_json:
        typer.echo(json.dumps(report.as_json()))
        return
    typer.echo(f"{report.inquiries} inquiry(ies) in {len(report.files)} file(s); {report.skipped} encounter(s) "
               "already verified or asked within the window")
    for written in report.files:
        typer.echo(f"  {written.path}: {written.inquiries} inquiry(ies) to {written.clearinghouse}")


@eligibility_app.command("ingest")
def ingest_command(
    files: list[Path] = typer.Argument(..., help="271 files to read (each in one transaction)."),
    clearinghouse: str | None = typer.Option(
        None, "--clearinghouse", help="Answer through this clearinghouse (default: the one the file came from)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file (one per line)."),
) -> None:
    """Read 271 eligibility responses: coverage snapshots, holds on claims, and a 999 for every file."""
    from rcm.drops import remove_dropped
    from rcm.eligibility.responses import ingest_271_file
    from rcm.store.database import session_factory
    from rcm.transport.answers import require_clearinghouse, route_answer

    settings = get_settings()
    if clearinghouse is not None:
        try:
            require_clearinghouse(settings, clearinghouse)
        except ConfigError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=1) from None
    errors: list[RcmError] = []
    with store_engine() as engine:
        factory = session_factory(engine)
        for path in files:
            report = None
            try:
                route = route_answer(settings, path, ids=None, clearinghouse=clearinghouse) if clearinghouse else None
                with factory() as session, session.begin():
                    report = ingest_271_file(session, path, settings=settings, answer_to=route)
            except RcmError as exc:
                errors.append(exc)
                continue
            except SQLAlchemyError as exc:
                if report is not None and report.ack_file:
                    remove_dropped(Path(report.ack_file))
                errors.append(StoreError(f"{path}: the database refused the file ({type(exc).__name__})"))
                continue
            if as_json:
                typer.echo(json.dumps(report.as_json()))
            else:
                note = " (already read: nothing changed)" if report.duplicate else ""
                typer.echo(f"{path}: {report.responses} response(s): {report.active} active, {report.inactive} "
                           f"inactive, {report.rejected} rejected, {report.unmatched} unmatched{note}")
                if report.errors:
                    typer.echo(f"  {report.errors} structural error(s) found by our validation (reported in the 999)")
                if report.envelope_rejections:
                    typer.echo(f"  payer rejected the request above the member level: AAA "
                               f"{', '.join(report.envelope_rejections)}")
                for outcome in report.outcomes:
                    if outcome.held:
                        typer.echo(f"  held: {', '.join(outcome.held)} ({outcome.status})")
                if report.ack_file:
                    typer.echo(f"  999 written: {report.ack_file}")
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    if any(isinstance(e, UnreadableFileError) for e in errors):
        raise typer.Exit(code=2)
    if errors:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add `rcm eligibility ...` to the main app."""
    app.add_typer(eligibility_app, name="eligibility")
