"""`rcm ingest PATH`: load an EMR export (JSON Lines, CSV or a Synthea folder) and say what happened to every record."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from rcm.cli._store import store_session
from rcm.config import get_settings
from rcm.errors import UnreadableFileError
from rcm.intake.service import ExportFormat, IngestResult, guess_format, read_export, store_reading

__all__ = ["register"]


def _summary(result: IngestResult) -> str:
    lines = [
        f"{result.source} ({result.format}): read {result.read}, accepted {result.accepted} "
        f"({result.new} new, {result.new_versions} new versions), duplicates {result.duplicates}, "
        f"quarantined {result.quarantined}",
    ]
    for reason, count in sorted(result.reasons.items()):
        lines.append(f"  {reason}: {count}")
    for item in result.quarantine[:20]:
        lines.append(f"  - {item.record}: {item.detail}")
    if len(result.quarantine) > 20:
        lines.append(f"  ... and {len(result.quarantine) - 20} more (use --json for all)")
    unmapped = result.mapping.get("unmapped") if result.mapping else None
    if isinstance(unmapped, dict):
        for group, counts in unmapped.items():
            if counts:
                lines.append(f"  unmapped {group}: " + ", ".join(f"{k} ({v})" for k, v in counts.items()))
    return "\n".join(lines)


def ingest_command(
    path: Path = typer.Argument(..., help="The export: a .jsonl or .csv file, or a Synthea CSV folder."),
    export_format: ExportFormat | None = typer.Option(
        None, "--format", "-f", help="jsonl, csv or synthea (default: guessed from the path)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the counts and reasons."),
) -> None:
    """Ingest an EMR export: valid encounters are stored (new or new version), bad records are quarantined."""
    fmt = export_format or guess_format(path)
    settings = get_settings()
    try:
        # Read and validate the whole file first: an unreadable file must not leave anything half-written.
        reading = read_export(path, fmt, rules_dir=settings.rules_dir)
    except UnreadableFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from None
    with store_session() as session, session.begin():
        result = store_reading(session, reading)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        typer.echo(_summary(result))


def register(app: typer.Typer) -> None:
    """Add `rcm ingest` to the main app."""
    app.command("ingest")(ingest_command)
