"""The explicit registry of transaction sets: (ST01, implementation guide) to loop description and parser.

Lookup tries the guide named in ST03/GS08 (by prefix, so A1/A2/A3 errata match), then the 4010 guide of the
same business purpose, then the set's default guide; an unknown ST01 raises ``UnknownTransactionError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rcm.x12.engine import EarlyReading, LoopSpec
from rcm.x12.errors import UnknownTransactionError
from rcm.x12.sets import x270, x271, x276, x277, x277ca, x835, x837d, x837i, x837p, x999

if TYPE_CHECKING:
    from rcm.x12.reader import Transaction

__all__ = ["TransactionSetEntry", "entries", "lookup", "parser_for", "spec_for"]


@dataclass(frozen=True, slots=True)
class TransactionSetEntry:
    """One registered transaction set: ST01, guide prefix (``005010X221``), name, description and parser."""

    set_id: str
    guide: str
    name: str
    spec: LoopSpec
    parse: Callable[[Transaction], Any]
    also: tuple[str, ...] = ()  # older or sibling guide prefixes read with the same description
    # Reads the model while the tree is built (claims as their loops close), for the large sets.
    early: Callable[[Transaction], EarlyReading] | None = None


_ENTRIES: tuple[TransactionSetEntry, ...] = (
    TransactionSetEntry("835", "005010X221", "835", x835.SPEC, x835.parse_835, ("004010X091", "00401", "00501"),
                       x835.early_835),
    TransactionSetEntry("837", "005010X222", "837P", x837p.SPEC, x837p.parse_837p, ("004010X098",),
                       x837p.early_837p),
    TransactionSetEntry("837", "005010X223", "837I", x837i.SPEC, x837i.parse_837i, ("004010X096",),
                       x837i.early_837i),
    TransactionSetEntry("837", "005010X224", "837D", x837d.SPEC, x837d.parse_837d, ("004010X097",),
                       x837d.early_837d),
    TransactionSetEntry("999", "005010X231", "999", x999.SPEC, x999.parse_999, ("00501",)),
    TransactionSetEntry("997", "004010", "997", x999.SPEC_997, x999.parse_999, ("00501", "00401")),
    TransactionSetEntry("270", "005010X279", "270", x270.SPEC, x270.parse_270, ("004010X092",)),
    TransactionSetEntry("271", "005010X279", "271", x271.SPEC, x271.parse_271, ("004010X092",)),
    TransactionSetEntry("277", "005010X214", "277CA", x277ca.SPEC, x277ca.parse_277ca),
    TransactionSetEntry("277", "005010X212", "277", x277.SPEC, x277.parse_277, ("004010X093",)),
    TransactionSetEntry("276", "005010X212", "276", x276.SPEC, x276.parse_276, ("004010X093",)),
)


def entries() -> tuple[TransactionSetEntry, ...]:
    return _ENTRIES


def lookup(set_id: str, version: str) -> TransactionSetEntry | None:
    """The entry for this ST01 and version (ST03, else GS08), or None when the set is not registered."""
    candidates = [e for e in _ENTRIES if e.set_id == set_id]
    if not candidates:
        return None
    v = version.strip()
    for e in candidates:
        if v.startswith(e.guide):
            return e
    for e in candidates:
        if any(v.startswith(a) for a in e.also):
            return e
    return candidates[0]


def spec_for(set_id: str, version: str, *, control_number: str | None = None) -> LoopSpec:
    e = lookup(set_id, version)
    if e is None:
        raise UnknownTransactionError(set_id, version, control_number=control_number)
    return e.spec


def parser_for(set_id: str, version: str, *, control_number: str | None = None) -> Callable[[Transaction], Any]:
    e = lookup(set_id, version)
    if e is None:
        raise UnknownTransactionError(set_id, version, control_number=control_number)
    return e.parse
