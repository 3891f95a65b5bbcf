"""`rcm scrub`: scrub pending claims, print the summary or JSON, write the worklist; `rcm scrub override`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from rcm.config import get_settings
from rcm.errors import ConfigError

__all__ = ["register"]

scrub_app = typer.Typer(
    help="Coding validation: check pending claims against the rule files and code tables, work the findings."
)


@contextmanager
def _session() -> Iterator[Session]:
    from rcm.store.database import make_engine, require_current_schema, session_factory

    engine = make_engine(get_settings().database_url)
    try:
        require_current_schema(engine)
        session = session_factory(engine)()
        try:
            yield session
        finally:
            session.close()
    finally:
        engine.dispose()


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None


@scrub_app.callback(invoke_without_command=True)
def scrub_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print claims, clean, held and every finding as JSON."),
    report: Path | None = typer.Option(None, "--report", help="Write the worklist as HTML to this file."),
    csv_path: Path | None = typer.Option(None, "--csv", help="Write the worklist as CSV to this file."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date filing limits are measured to (default today)."),
    include_ready: bool = typer.Option(
        False, "--all", help="Also re-scrub claims already released as ready (e.g. after a rule change)."
    ),
) -> None:
    """Scrub ingested claims (and re-scrub held ones): hold claims with errors or open warnings, release the rest."""
    if ctx.invoked_subcommand is not None:
        return
    from rcm.coding.report import load_worklist, render_worklist_html, summary_lines, write_worklist_csv
    from rcm.coding.rulebook import default_rulebook
    from rcm.coding.service import scrub_pending

    when = _as_of(as_of)
    book = default_rulebook()
    with _session() as session:
        summary = scrub_pending(session, book, as_of=when, include_ready=include_ready)
        session.commit()
        worklist = load_worklist(session) if (report or csv_path) else []
    if report is not None:
        report.write_text(render_worklist_html(worklist, summary), encoding="utf-8")
    if csv_path is not None:
        write_worklist_csv(worklist, csv_path)
    if as_json:
        typer.echo(json.dumps(summary.as_json(), indent=2))
        return
    for line in summary_lines(summary):
        typer.echo(line)
    if report is not None:
        typer.echo(f"worklist: {report}")
    if csv_path is not None:
        typer.echo(f"worklist CSV: {csv_path}")


@scrub_app.command("override")
def override_command(
    claim: str = typer.Argument(..., help="Claim number (patient control number)."),
    rule: str = typer.Argument(..., help="Rule id of the finding, e.g. POS-TELEHEALTH-MODIFIER."),
    line: str | None = typer.Option(None, "--line", help="Line id of the finding (omit for claim-level findings)."),
    actor: str = typer.Option(..., "--actor", help="Who accepts the finding."),
    reason: str = typer.Option(..., "--reason", help="Why the claim may go out as it is."),
) -> None:
    """Accept a warning on the claim's current version (logged with who, when and why); run `rcm scrub` next."""
    from rcm.coding.rulefiles import load_rule_files, rule_files_in
    from rcm.coding.service import override_finding

    rules, _, _ = load_rule_files(rule_files_in(get_settings().rules_dir / "scrub"))
    with _session() as session:
        override_finding(session, claim, rule, line, actor=actor, reason=reason, rules={r.id: r for r in rules})
        session.commit()
    where = f"claim {claim}, rule {rule}" + (f", line {line}" if line else "")
    typer.echo(f"{where}: overridden by {actor}; run `rcm scrub` to release the claim")


def register(app: typer.Typer) -> None:
    """Add `rcm scrub` (and `rcm scrub override`) to the main app."""
    app.add_typer(scrub_app, name="scrub")
