"""`rcm remits post FILE... [--clearinghouse NAME] [--json]`: post received 835 files, each in one transaction, and
answer each with a 999 in the outbound folder of the clearinghouse named (default: the one whose inbound folder holds
the file, else the one its ISA ids name, else `default`). A file posted before is not answered again.

With --json, one JSON object per file per line: {"file", "transactions": [{"trace", "payer", "payment", "claims",
"matched", "unmatched", "paid", "adjusted", "patient_responsibility", "plb", "balanced", "duplicate"}]}.
Exit code 2 when a file cannot be read as an 835 (the others are still posted), 1 when the database fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rcm.config import get_settings
from rcm.errors import ConfigError, UnreadableFileError
from rcm.remits.files import post_received_files
from rcm.remits.report import FileResult
from rcm.transport.answers import require_clearinghouse

__all__ = ["register"]

remits_app = typer.Typer(
    help="Remittance (835): post payments, adjustments and denials to claims.", no_args_is_help=True
)

def _print_human(result: FileResult) -> None:
    typer.echo(f"{result.file}: {len(result.transactions)} payment(s)")
    for tx in result.transactions:
        typer.echo(f"  {tx.summary_line()}")
        for finding in tx.imbalances:
            typer.echo(f"    segment {finding.segment}: {finding.message}")
        if tx.denied or tx.reversed or tx.queued_for_next_payer:
            typer.echo(
                f"    {tx.denied} denied, {tx.reversed} reversal(s), "
                f"{tx.queued_for_next_payer} queued for the next payer"
            )
    if result.acknowledgment is not None:
        typer.echo(f"  999 written: {result.acknowledgment}")
    else:
        typer.echo("  no new 999: this file was answered when it was first read (or another run is answering it)")


@remits_app.command("post")
def post_command(
    files: list[Path] = typer.Argument(..., help="835 files to post (each posts in one transaction)."),
    clearinghouse: str | None = typer.Option(
        None, "--clearinghouse", help="Answer through this clearinghouse (default: the one the file came from)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file (one per line)."),
) -> None:
    """Post 835 remittances: match claims, post payments, adjustments, denials, reversals and PLB, exactly once."""
    if clearinghouse is not None:
        try:
            require_clearinghouse(get_settings(), clearinghouse)
        except ConfigError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=1) from None
    results, errors = post_received_files(files, clearinghouse=clearinghouse)
    for result in results:
        if as_json:
            typer.echo(json.dumps(result.as_json()))
        else:
            _print_human(result)
    for error in errors:
        typer.echo(f"error: {error}", err=True)
    if any(isinstance(e, UnreadableFileError) for e in errors):
        raise typer.Exit(code=2)
    if errors:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add `rcm remits ...` to the main app."""
    app.add_typer(remits_app, name="remits")
