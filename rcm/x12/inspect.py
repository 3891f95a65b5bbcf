"""`inspect`: what is in an X12 file, per transaction, with its figures and every finding, as one JSON object.

    {"file": path, "transactions": [...], "findings": [...]}

Each transaction: set, version (ST03 or GS08), control number, actual segment count ST..SE; 835s add trace,
payment, claims, claims_paid, plb, balanced; 837s add claims and charges.  Amounts are two-place decimal
strings.  The file is streamed: one transaction is held at a time.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from rcm.collector import collector_paused
from rcm.errors import UnreadableFileError
from rcm.x12.balancing import claims_837, summarize_835
from rcm.x12.findings import Finding
from rcm.x12.validation import sort_findings, validate_transaction
from rcm.x12.validation.guide import check_envelope_elements

__all__ = ["exit_code", "inspect_file", "inspect_or_report", "money_text"]

_CENT = Decimal("0.01")


def money_text(value: Decimal | None) -> str | None:
    """A two-place decimal string ("1234.50", "-12.00"); None stays None."""
    if value is None:
        return None
    cents = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    return str(cents.copy_abs() if cents.is_zero() else cents)  # "-0.00" (a sender's "-0") prints as "0.00"


def _summary(tx: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "set": tx.set_id,
        "version": tx.version,
        "control_number": tx.control_number,
        "segment_count": len(tx.segments),
    }
    if tx.set_id == "835":
        b = summarize_835(tx)
        out.update(
            trace=b.trace or None,
            payment=money_text(b.payment),
            claims=b.claims,
            claims_paid=money_text(b.claims_paid),
            plb=money_text(b.plb),
            balanced=b.balanced,
        )
    elif tx.set_id == "837":
        count, charges = claims_837(tx.segments)
        out.update(claims=count, charges=money_text(charges))
    return out


def inspect_file(path: str | Path) -> dict[str, Any]:
    """The inspect object of one file.  Raises NotX12Error (an UnreadableFileError) when it is not X12."""
    from rcm.x12.reader import read_transactions

    reader = read_transactions(path)
    transactions: list[dict[str, Any]] = []
    findings: list[Finding] = []
    with collector_paused():  # no reference cycles in what is built here (see rcm.x12.validation.validate_file)
        for tx in reader:
            transactions.append(_summary(tx))
            findings.extend(validate_transaction(tx))
    findings.extend(reader.findings)
    findings.extend(check_envelope_elements(reader.interchanges))
    return {
        "file": str(path),
        "transactions": transactions,
        "findings": [f.as_json() for f in sort_findings(findings)],
    }


def exit_code(report: dict[str, Any]) -> int:
    """0 when no finding is an error, else 1 (2 is for files that are not X12, see ``inspect_or_report``)."""
    return 1 if any(f["severity"] == "error" for f in report["findings"]) else 0


def inspect_or_report(path: str | Path) -> tuple[dict[str, Any], int]:
    """``inspect_file`` that never raises: an unreadable file gives one file-level finding and exit code 2."""
    try:
        report = inspect_file(path)
    except UnreadableFileError as exc:
        return _failed(path, "not_x12", f"not readable as X12: {exc.reason}"), 2
    except RecursionError:
        return _failed(path, "internal_error", "the file is nested too deeply to read"), 1
    except Exception as exc:  # a bug of ours must not become a traceback for the biller; the type says which
        return _failed(path, "internal_error", f"internal error while reading ({type(exc).__name__})"), 1
    return report, exit_code(report)


def _failed(path: str | Path, code: str, message: str) -> dict[str, Any]:
    return {"file": str(path), "transactions": [], "findings": [Finding("error", code, message).as_json()]}
