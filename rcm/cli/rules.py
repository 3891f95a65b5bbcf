"""`rcm rules`: import CMS NCCI PTP and MUE tables, list the scrubber's rules and the tables in force."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import typer

from rcm.config import get_settings
from rcm.errors import ConfigError

__all__ = ["register"]

rules_app = typer.Typer(help="Scrubber rules and edit tables (NCCI, MUE).", no_args_is_help=True)

_SETTING_HELP = "practitioner, hospital or dme (default: guessed from the file name, e.g. ccipra = practitioner)."


def _setting(value: str | None, files: list[Path]) -> str:
    from rcm.coding.tables import SETTINGS, guess_setting

    if value is None:
        guessed = {guess_setting(f) for f in files}
        if len(guessed) != 1 or None in guessed:
            raise ConfigError("cannot tell the service setting from the file names: give --setting")
        value = cast(str, guessed.pop())
    if value not in SETTINGS:
        raise ConfigError(f"--setting {value!r}: expected one of {', '.join(SETTINGS)}")
    return value


@rules_app.command("import-ncci")
def import_ncci_command(
    files: list[Path] = typer.Argument(..., help="PTP files: the CMS quarterly files (txt/csv/zip) or codesets CSV."),
    setting: str | None = typer.Option(None, "--setting", help=_SETTING_HELP),
    deletion: str = typer.Option(
        "auto",
        "--deletion",
        help="Deletion Date meaning: first_day_after (CMS files), last_day (rules/codesets CSV) or auto.",
    ),
) -> None:
    """Compile NCCI procedure-to-procedure edits (all files together replace that setting's table)."""
    from rcm.coding.ncci import DeletionConvention
    from rcm.coding.tables import ServiceSetting, TableStore

    if deletion not in ("auto", "first_day_after", "last_day"):
        raise ConfigError(f"--deletion {deletion!r}: expected auto, first_day_after or last_day")
    settings = get_settings()
    chosen = cast(ServiceSetting, _setting(setting, files))
    entry = TableStore(settings.data_dir, settings.rules_dir).import_ncci(
        files, setting=chosen, deletion=cast(DeletionConvention, deletion)
    )
    for f in entry["files"]:
        typer.echo(f"{f['path']}: {f['rows']} edit rows (deletion dates: {f['deletion']})")
    typer.echo(f"NCCI {chosen} table: {entry['rows']} edit rows compiled into {settings.data_dir / 'coding'}")


@rules_app.command("import-mue")
def import_mue_command(
    files: list[Path] = typer.Argument(..., help="MUE files in the CMS layout (csv/txt/zip) or code,mue,mai CSV."),
    setting: str | None = typer.Option(None, "--setting", help=_SETTING_HELP),
) -> None:
    """Compile Medically Unlikely Edit tables (all files together replace that setting's table)."""
    from rcm.coding.tables import ServiceSetting, TableStore

    settings = get_settings()
    chosen = cast(ServiceSetting, _setting(setting, files))
    entry = TableStore(settings.data_dir, settings.rules_dir).import_mue(files, setting=chosen)
    typer.echo(f"MUE {chosen} table: {entry['rows']} codes compiled into {settings.data_dir / 'coding'}")


@rules_app.command("list")
def list_command(
    as_json: bool = typer.Option(False, "--json", help="Print the rules as JSON."),
    payer: str | None = typer.Option(None, "--payer", help="Only rules that apply to this payer id."),
) -> None:
    """Check and list every rule (id, category, severity, scope, dates) and the code tables in force."""
    from rcm.coding.rulebook import default_rulebook

    book = default_rulebook()
    rules = [r for r in book.rules if payer is None or r.applies_to_payer(payer)]
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "version": book.version,
                    "sources": book.sources,
                    "notices": book.notices,
                    "rules": [r.model_dump(mode="json", exclude_none=True) for r in rules],
                },
                indent=2,
            )
        )
        return
    typer.echo(f"rules version {book.version}: {len(rules)} rule(s)")
    for r in rules:
        scope = "all payers" if r.payers == "all" else ",".join(r.payers)
        dates = ""
        if r.effective_from or r.effective_to:
            dates = f" [{r.effective_from or '...'} to {r.effective_to or '...'}]"
        state = "" if r.enabled else " (disabled)"
        typer.echo(f"  {r.id:32s} {r.category:18s} {r.severity:8s} {scope}{dates}{state}")
    typer.echo("tables:")
    for source in book.sources:
        typer.echo(f"  {source}")
    for notice in book.notices:
        typer.echo(f"note: {notice}")


def register(app: typer.Typer) -> None:
    """Add `rcm rules ...` to the main app."""
    app.add_typer(rules_app, name="rules")
