"""Received files and clearinghouse set-ups for the tests of where our 999s go (synthetic: no real person).

Two clearinghouses: ``default`` (we are RCMSUBMITTER to it, it is CLEARINGHOUSE) and ``acme`` (we are RCMACME, it
is ACMECH), each with its own outbound and inbound folder under the data directory (``acme``'s may be given
elsewhere), and on request a third, ``other``.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from rcm.cli import app
from rcm.config import DEFAULT_RULES_DIR
from tests.eligibility.test_interpretation import _file as eligibility_271
from tests.remits.bench_files import paying_835

__all__ = [
    "ACME",
    "DEFAULT",
    "OTHER",
    "eligibility_response",
    "remittance",
    "rules_with",
    "run_cli",
    "with_ids",
]

DEFAULT = ("CLEARINGHOUSE", "RCMSUBMITTER")  # (its id, our id with it)
ACME = ("ACMECH", "RCMACME")
OTHER = ("OTHERCH", "RCMOTHER")


def _entry(name: str, ids: tuple[str, str], *, inbound: str | None = None, outbound: str | None = None) -> str:
    their, ours = ids
    lines = [
        f"  {name}:",
        '    sender_qualifier: "ZZ"',
        f'    sender_id: "{ours}"',
        '    receiver_qualifier: "ZZ"',
        f'    receiver_id: "{their}"',
        '    submitter_name: "RCM BILLING OFFICE"',
        '    submitter_contact: "BILLING DESK"',
        '    submitter_phone: "6175550100"',
        f'    receiver_name: "{name.upper()} CLEARINGHOUSE"',
        '    usage: "T"',
        "    transport: local",
        f"    outbound: {outbound or f'outbound/{name}'}",
        f"    inbound: {inbound or f'inbound/{name}'}",
    ]
    return "\n".join(lines) + "\n"


def rules_with(folder: Path, *, default: bool = True, acme: bool = True, other: bool = False,
               acme_inbound: str | None = None, acme_outbound: str | None = None) -> Path:
    """A rules directory: the repository's rules, with a clearinghouses.yaml of our own (``other``: a third
    clearinghouse, OTHERCH, with folders of its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in DEFAULT_RULES_DIR.iterdir():
        if entry.name != "clearinghouses.yaml":
            (folder / entry.name).symlink_to(entry)
    text = "clearinghouses:\n"
    if default:
        text += _entry("default", DEFAULT)
    if acme:
        text += _entry("acme", ACME, inbound=acme_inbound, outbound=acme_outbound)
    if other:
        text += _entry("other", OTHER)
    (folder / "clearinghouses.yaml").write_text(text, encoding="utf-8")
    return folder


def with_ids(content: bytes, sender: str, receiver: str) -> bytes:
    """The file with its ISA06 (sender) and ISA08 (receiver) replaced (ISA is fixed width: padded to 15)."""
    text = content.decode("ascii")
    sep = text[3]
    elements = text[:text.index("~")].split(sep)
    elements[6], elements[8] = f"{sender:<15}", f"{receiver:<15}"
    return (sep.join(elements) + text[text.index("~"):]).encode("ascii")


def remittance(trace: str, *, sender: str, receiver: str, claims: tuple[str, ...] = ("X1",)) -> bytes:
    """An 835 paying claims we may not know (they are then reported unmatched), from ``sender`` to ``receiver``."""
    return with_ids(paying_835(list(claims), trace=trace), sender, receiver)


def eligibility_response(plan: str, *, sender: str, receiver: str) -> bytes:
    """A 271 saying an unknown member is active in ``plan``, from ``sender`` to ``receiver``."""
    content = eligibility_271(f"EB*1*IND*30**{plan}~")
    return with_ids(content, sender, receiver)


def run_cli(*args: str) -> tuple[int, str, str]:
    """``rcm ARGS...`` in this process: exit code, standard output, standard error (a crash fails the test)."""
    result = CliRunner().invoke(app, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr
