"""The `rcm` command: one Typer app; each stage registers its own commands from its own module."""

from __future__ import annotations

import importlib
import sys

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="rcm",
    help="Revenue-cycle pipeline: ingest encounters, check eligibility, scrub, build 837s, post 835s, score denials.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module defines `register(app)`. Order is the order in `rcm --help`.
_COMMAND_MODULES = (
    "db",
    "ingest",
    "eligibility",
    "scrub",
    "rules",
    "claims",
    "acks",
    "remits",
    "transfer",
    "denials",
    "x12",
    "run",
    "web",
)

for _name in _COMMAND_MODULES:
    importlib.import_module(f"rcm.cli.{_name}").register(app)


def main() -> None:
    """Console entry point: never a traceback for errors we raise on purpose."""
    from rcm.errors import RcmError, UnreadableFileError

    try:
        app()
    except UnreadableFileError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except RcmError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
