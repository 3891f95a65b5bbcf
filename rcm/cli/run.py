"""`rcm run`: the nightly steps in order, without Prefect (the flow in flows/nightly.py runs the same steps)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

__all__ = ["register"]


def run_command(
    export: Path | None = typer.Option(None, "--export", help="An EMR export to ingest first."),
    export_format: str = typer.Option("jsonl", "--format", help="jsonl, csv or synthea."),
    sample: bool = typer.Option(False, "--sample", help="The bundled sample, answered by the simulated clearinghouse."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole summary as JSON."),
) -> None:
    """Ingest, read what came back, scrub, score denial risk, build the 837 files."""
    from rcm import nightly

    if sample and export is None:
        export = nightly.sample_export_path()
    summary = nightly.run_nightly(
        export,
        export_format,
        simulate_clearinghouse=sample,
        bootstrap_model=sample,
        as_of=nightly.SAMPLE_EXPORT_DATE if sample else None,
    )
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    for line in nightly.summary_lines(summary):
        typer.echo(line)


def register(app: typer.Typer) -> None:
    """Add `rcm run`."""
    app.command("run")(run_command)
