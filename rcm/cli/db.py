"""`rcm db upgrade` and `rcm db current`: bring the database schema to this version and say where it stands."""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from rcm.config import get_settings
from rcm.store.database import current_revision, head_revision, make_engine, redacted_url, upgrade

__all__ = ["register"]

db_app = typer.Typer(help="Database schema: create or upgrade it, show its revision.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade_command(
    revision: str = typer.Option("head", help="Alembic revision to upgrade to (default: the newest)."),
) -> None:
    """Create the tables or apply pending migrations (safe to run again)."""
    settings = get_settings()
    if settings.is_sqlite:
        settings.ensure_dirs()
    engine = make_engine(settings.database_url)
    try:
        where = redacted_url(engine.url)
        before = current_revision(engine)
        upgrade(engine, revision)
        after = current_revision(engine)
    finally:
        engine.dispose()
    if before == after:
        typer.echo(f"database {where}: already at revision {after}, nothing to do")
    else:
        typer.echo(f"database {where}: upgraded from {before or 'an empty database'} to revision {after}")


@db_app.command("current")
def current_command(
    check: bool = typer.Option(
        False, "--check", help="Exit with code 1 unless the database is at the newest revision."
    ),
) -> None:
    """Show the database's schema revision and whether it is up to date."""
    settings = get_settings()
    head = head_revision()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        # Do not create an empty database file just to report that it is empty.
        typer.echo(f"database {url.database}: does not exist yet, this version needs {head}: run `rcm db upgrade`")
        if check:
            raise typer.Exit(code=1)
        return
    engine = make_engine(settings.database_url)
    try:
        where = redacted_url(engine.url)
        current = current_revision(engine)
    finally:
        engine.dispose()
    if current == head:
        typer.echo(f"database {where}: revision {current} (up to date)")
        return
    state = "empty" if current is None else f"at revision {current}"
    typer.echo(f"database {where}: {state}, this version needs {head}: run `rcm db upgrade`")
    if check:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    """Add `rcm db ...` to the main app."""
    app.add_typer(db_app, name="db")
