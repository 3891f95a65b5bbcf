"""`rcm remits post FILE... [--json]`: post received 835 files, each in one transaction, and answer each with a 999.

With --json, one JSON object per file per line: {"file", "transactions": [{"trace", "payer", "payment", "claims",
"matched", "unmatched", "paid", "adjusted", "patient_responsibility", "plb", "balanced", "duplicate"}]}.
Exit code 2 when a file cannot be read as an 835 (the others are still posted), 1 when the database fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError

from rcm.config import get_settings
from rcm.errors import RcmError, StoreError, UnreadableFileError
from rcm.remits.files import PreparedFile, drop_acknowledgment, post_file
from rcm.remits.report import FileResult
from rcm.store.database import is_up_to_date, make_engine, redacted_url, session_factory, upgrade

__all__ = ["post_files", "register"]

remits_app = typer.Typer(
    help="Remittance (835): post payments, adjustments and denials to claims.", no_args_is_help=True
)

_ATTEMPTS = 3


def _is_retryable(exc: SQLAlchemyError) -> bool:
    # A concurrent run took the same payment or file (unique key), or PostgreSQL chose us as a deadlock victim:
    # run the whole file again; the second time it sees the other run's committed rows.
    if isinstance(exc, IntegrityError):
        return True
    if isinstance(exc, OperationalError) and "database is locked" in str(exc.orig):
        return True  # SQLite: another writer committed between our read and our first write
    if isinstance(exc, OperationalError | DBAPIError):
        code = getattr(getattr(exc, "orig", None), "sqlstate", None)
        return code in {"40001", "40P01"}
    return False


def _post_one(engine: Engine, path: Path, outbound: Path) -> FileResult:
    factory = session_factory(engine)
    for attempt in range(1, _ATTEMPTS + 1):
        prepared: PreparedFile
        try:
            with factory() as session, session.begin():
                prepared = post_file(session, path)
        except SQLAlchemyError as exc:
            if attempt < _ATTEMPTS and _is_retryable(exc):
                continue
            raise StoreError(f"{path}: the database refused the posting ({type(exc).__name__})") from exc
        drop_acknowledgment(prepared, outbound)
        return prepared.result
    raise StoreError(f"{path}: could not post after {_ATTEMPTS} attempts")  # pragma: no cover - loop returns


def post_files(paths: list[Path], *, engine: Engine | None = None) -> tuple[list[FileResult], list[RcmError]]:
    """Post each file in its own transaction; returns the results and the errors (one per file that failed)."""
    settings = get_settings()
    settings.ensure_dirs()
    own_engine = engine is None
    engine = engine or make_engine(settings.database_url)
    results: list[FileResult] = []
    errors: list[RcmError] = []
    try:
        try:
            if not is_up_to_date(engine):
                upgrade(engine)
        except SQLAlchemyError as exc:
            raise StoreError(f"database {redacted_url(engine.url)} cannot be reached ({type(exc).__name__})") from exc
        for path in paths:
            try:
                results.append(_post_one(engine, path, settings.outbound_dir))
            except RcmError as exc:
                errors.append(exc)
    finally:
        if own_engine:
            engine.dispose()
    return results, errors


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


@remits_app.command("post")
def post_command(
    files: list[Path] = typer.Argument(..., help="835 files to post (each posts in one transaction)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file (one per line)."),
) -> None:
    """Post 835 remittances: match claims, post payments, adjustments, denials, reversals and PLB, exactly once."""
    results, errors = post_files(files)
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
