"""`rcm acks ingest FILE...`: apply TA1, 999 and 277CA acknowledgments to the claims we sent."""

from __future__ import annotations

import json
from pathlib import Path

import typer

__all__ = ["register"]

acks_app = typer.Typer(help="Acknowledgments: TA1, 999 and 277CA files.", no_args_is_help=True)


@acks_app.command("ingest")
def ingest_command(
    files: list[Path] = typer.Argument(..., help="Acknowledgment files (TA1, 999, 277CA)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON report for all files."),
) -> None:
    """Tie each acknowledgment to what we sent and update the claims; the same file twice changes nothing."""
    from rcm.claims.ack_ingest import ingest_ack_file
    from rcm.cli._store import store_engine
    from rcm.errors import InputError
    from rcm.store.database import session_factory

    reports: list[dict[str, object]] = []
    failed = 0
    with store_engine() as engine:
        for path in files:
            with session_factory(engine)() as session:
                try:
                    report = ingest_ack_file(session, path)
                    session.commit()
                except InputError as exc:
                    session.rollback()
                    failed += 1
                    reports.append({"file": str(path), "error": str(exc)})
                    if not as_json:
                        typer.echo(f"error: {exc}", err=True)
                    continue
            reports.append(report.as_json())
            if not as_json:
                dup = " (already ingested: nothing changed)" if report.duplicate else ""
                typer.echo(f"{path}: {report.kind}{dup}: {report.accepted} accepted, "
                           f"{report.accepted_with_errors} accepted with errors, {report.rejected} rejected, "
                           f"{len(report.unmatched)} unmatched")
                for u in report.unmatched:
                    typer.echo("  unmatched: " + ", ".join(f"{k} {v}" for k, v in u.items() if k != "reason")
                               + f": {u['reason']}")
                for c in report.claims:
                    if c.changed:
                        typer.echo(f"  claim {c.claim} -> {c.status}: {c.reason}")
    if as_json:
        typer.echo(json.dumps({"files": reports}, indent=2))
    if failed:
        raise typer.Exit(code=2 if failed == len(files) else 1)


def register(app: typer.Typer) -> None:
    """Add `rcm acks ...` to the main app."""
    app.add_typer(acks_app, name="acks")
