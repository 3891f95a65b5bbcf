"""`rcm x12 validate FILE... [--json] [--pyx12]` and `rcm x12 inspect FILE... [--json]`.

Both print one result per file (with --json: one JSON object per file, one per line) and exit 0 when no
finding is an error, 1 when some are, 2 when a file cannot be read as X12 at all.  Never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

__all__ = ["register"]

x12_app = typer.Typer(help="X12 files: validate (SNIP 1-2 and balancing) and inspect.", no_args_is_help=True)


def _validate_one(path: Path, use_pyx12: bool) -> tuple[dict[str, Any], int]:
    from rcm.errors import UnreadableFileError
    from rcm.x12.validation import validate_file

    try:
        findings = validate_file(path, pyx12=use_pyx12)
    except UnreadableFileError as exc:
        failed = {
            "severity": "error",
            "code": "not_x12",
            "message": f"not readable as X12: {exc.reason}",
            "segment": None,
        }
        return {"file": str(path), "findings": [failed]}, 2
    except Exception as exc:  # our bug must not reach the biller as a traceback; the type says which
        failed = {
            "severity": "error",
            "code": "internal_error",
            "message": f"internal error while validating ({type(exc).__name__})",
            "segment": None,
        }
        return {"file": str(path), "findings": [failed]}, 1
    report = {"file": str(path), "findings": [f.as_json() for f in findings]}
    return report, 1 if any(f.severity == "error" for f in findings) else 0


def _print_findings(report: dict[str, Any], code: int) -> None:
    findings = report["findings"]
    errors = sum(1 for f in findings if f["severity"] == "error")
    status = "not X12" if code == 2 else "errors" if errors else "ok"
    typer.echo(f"{report['file']}: {status} ({errors} errors, {len(findings) - errors} warnings)")
    for f in findings:
        where = f"segment {f['segment']}" if f["segment"] is not None else "file"
        typer.echo(f"  {f['severity']:7} {where:>14}  {f['code']}: {f['message']}")


@x12_app.command("validate")
def validate_command(
    files: list[Path] = typer.Argument(..., help="X12 files to validate."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per file: {file, findings}."),
    use_pyx12: bool = typer.Option(False, "--pyx12", help="Merge in pyx12's findings where it has a map."),
) -> None:
    """Structural (SNIP 1-2) validation and balancing of each file."""
    worst = 0
    for path in files:
        report, code = _validate_one(path, use_pyx12)
        worst = max(worst, code)
        if as_json:
            typer.echo(json.dumps(report))
        else:
            _print_findings(report, code)
    raise typer.Exit(worst)


@x12_app.command("inspect")
def inspect_command(
    files: list[Path] = typer.Argument(..., help="X12 files to inspect."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per file: {file, transactions, findings}."),
) -> None:
    """What each file holds: transactions with their counts and amounts, and every finding."""
    from rcm.x12.inspect import inspect_or_report

    worst = 0
    for path in files:
        report, code = inspect_or_report(path)
        worst = max(worst, code)
        if as_json:
            typer.echo(json.dumps(report))
            continue
        for tx in report["transactions"]:
            figures = ", ".join(f"{k} {v}" for k, v in tx.items() if k not in ("set", "version", "control_number"))
            typer.echo(f"{report['file']}: {tx['set']} {tx['version']} #{tx['control_number']}: {figures}")
        _print_findings(report, code)
    raise typer.Exit(worst)


def register(app: typer.Typer) -> None:
    """Add `rcm x12 ...` to the main app."""
    app.add_typer(x12_app, name="x12")
