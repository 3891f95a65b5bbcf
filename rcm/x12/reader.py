"""Segments to transactions: the envelope state machine (ISA/GS/ST ... SE/GE/IEA), streaming or whole-file.

``read_transactions`` yields each transaction set as soon as its SE is read (memory flat in the number of
transactions); ``read_file`` keeps everything.  Envelope problems become findings and reading goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from rcm.collector import collector_paused
from rcm.x12.envelope import (
    GroupHeader,
    InterchangeHeader,
    check_group_trailer,
    check_interchange_header,
    check_interchange_trailer,
    check_transaction_trailer,
)
from rcm.x12.errors import X12Error
from rcm.x12.findings import Finding
from rcm.x12.tokenizer import ENVELOPE_IDS, Delimiters, Segment, iter_segment_batches, source_name

if TYPE_CHECKING:
    from rcm.x12.engine import EarlyReading, GrowingTree, Loop

__all__ = [
    "FunctionalGroup",
    "Interchange",
    "Transaction",
    "TransactionReader",
    "X12File",
    "read_file",
    "read_transactions",
]


# Segments that may sit between ISA and GS: TA1 acknowledgments and the interchange service segments.
_INTERCHANGE_SERVICE = frozenset({"TA1", "ISB", "ISE", "TA3"})
# Segments that end or interrupt a transaction set.
_ENVELOPE_IDS = ENVELOPE_IDS
# Text read at a time when trees are built as the segments are read: a stretch whose segments, loops and
# models stay in the CPU caches from the tokenizer to the model builder.
_GROWING_CHUNK = 1 << 15
# The 4010 837 guides a header REF*87 may name: institutional, dental, professional.
_4010_CLAIM_GUIDES = frozenset({"004010X096", "004010X097", "004010X098"})


class Transaction:
    """One transaction set, ST to SE inclusive, with the envelope it came in.

    ``findings`` holds the envelope findings (SE01/SE02, missing SE...); the first access to ``tree`` or
    ``model`` runs the loop engine and adds its structure findings to ``findings`` too (they are also in
    ``structure_findings``).
    """

    __slots__ = (
        "_failure",
        "_forgotten",
        "_grow_wanted",
        "_growing",
        "_guide",
        "_let_go",
        "_model",
        "_reading",
        "_structure_findings",
        "_tree",
        "control_number",
        "findings",
        "group",
        "interchange",
        "segments",
        "set_id",
        "version",
    )

    def __init__(
        self,
        st: Segment,
        *,
        interchange: InterchangeHeader | None = None,
        group: GroupHeader | None = None,
        segments: list[Segment] | None = None,
        grow: bool = False,
        let_go: bool = False,
    ) -> None:
        self.set_id = st.get(1)
        self.control_number = st.get(2)
        self.version = st.get(3) or (group.version if group else "")
        self.interchange = interchange
        self.group = group
        self.segments: list[Segment] = segments if segments is not None else [st]
        self.findings: list[Finding] = []
        self._tree: Loop | None = None
        self._structure_findings: list[Finding] | None = None
        self._model: Any = None
        # read_transactions(models=True): the tree (and the model's claims) built as the segments are read, and
        # with keep_segments=False, each claim's segments let go once read
        self._grow_wanted = grow
        self._let_go = let_go
        self._growing: GrowingTree | None = None
        self._reading: EarlyReading | None = None
        self._forgotten = 0  # segments let go once read (models=True)
        self._failure: Exception | None = None
        self._guide = ""  # known once growing starts (the header segments it is read from may be let go)

    @property
    def delimiters(self) -> Delimiters:
        return self.segments[0].delimiters

    @property
    def guide(self) -> str:
        """The implementation guide to read this transaction by: ``version`` (ST03, else GS08), except for a 4010
        837 whose header REF*87 names another 4010 837 guide (X096 institutional, X097 dental, X098
        professional): 4010 had no ST03, and some submitters send one guide's claims under another's GS08."""
        if self._guide:
            return self._guide
        version = self.version
        if self.set_id != "837" or not version.startswith("004010"):
            return version
        for s in self.segments[1:4]:  # ST, BHT, then REF*87 in the 4010 header
            if s.id == "REF" and s.get(1) == "87":
                named = s.get(2).strip()
                if named[:10] in _4010_CLAIM_GUIDES and named[:10] != version[:10]:
                    return named
                break
        return version

    @property
    def first_segment(self) -> int:
        return self.segments[0].number

    def _build(self, on_close: Callable[[Loop], None] | None = None, watch: frozenset[str] = frozenset()) -> None:
        from rcm.x12.engine import build_tree
        from rcm.x12.sets.registry import spec_for

        if self._forgotten:
            raise self._no_tree()
        spec = spec_for(self.set_id, self.guide, control_number=self.control_number)
        with collector_paused():
            tree, found = build_tree(
                spec, self.segments, transaction=self.control_number, on_close=on_close, watch=watch
            )
        self._tree = tree
        self._structure_findings = found
        self.findings.extend(found)

    def _grow(self, final: bool = False) -> None:
        """Take the segments read so far into the tree (``final``: the transaction has ended; finish it).

        Only for a transaction read with ``read_transactions(models=True)`` whose set is registered.  For the sets
        read claim by claim (835, 837) the model's early reading listens, and with ``keep_segments=False`` each
        claim's segments are let go once read (see ``GrowingTree``); otherwise the whole tree is kept.  An
        exception while growing (a claim the model builder cannot read) stops it: when nothing was let go yet,
        ``tree`` and ``model`` build afresh when asked, and raise there as for any transaction; else ``model``
        raises it."""
        growing = self._growing
        if growing is None:
            if not self._grow_wanted or self._tree is not None or (not final and len(self.segments) < 4):
                return  # (the guide may be named by the header's REF*87: see ``guide``)
            from rcm.x12.engine import GrowingTree
            from rcm.x12.sets.registry import lookup

            self._grow_wanted = False
            self._guide = self.guide
            entry = lookup(self.set_id, self._guide)
            if entry is None:
                return
            try:
                reading = entry.early(self) if entry.early is not None else None
                growing = GrowingTree(
                    entry.spec, self.segments, transaction=self.control_number,
                    on_close=reading.on_close if reading is not None else None,
                    watch=reading.watch if reading is not None else frozenset(),
                    forget=self._let_go and reading is not None,
                )
            except Exception:  # see the docstring: the error surfaces where the tree is asked for
                return
            self._growing, self._reading = growing, reading
        try:
            if not final:
                growing.feed()
                return
            tree, found = growing.finish()
        except Exception as exc:  # as above
            self._growing = self._reading = None
            if growing.forgotten:
                self._failure = exc
            return
        finally:
            self._forgotten = growing.forgotten
        self._growing = None
        self._tree = tree
        self._structure_findings = found
        self.findings.extend(found)

    @property
    def segment_count(self) -> int:
        """The number of segments read, ST to SE (those let go after reading included: see ``segments``)."""
        return len(self.segments) + self._forgotten

    @property
    def segments_let_go(self) -> bool:
        """Whether this transaction's claims were read into its model and their segments let go
        (``read_transactions(models=True, keep_segments=False)``): ``segments`` then holds ST, SE and what was not
        read, and there is no ``tree``; ``model``, ``findings``, ``guide`` and ``segment_count`` are whole."""
        return self._forgotten > 0

    @property
    def tree(self) -> Loop:
        """The loop tree (built once, on first access).  Raises UnknownTransactionError for unknown sets."""
        if self._forgotten:
            raise self._no_tree()
        if self._tree is None:
            self._build()
        assert self._tree is not None
        return self._tree

    def _no_tree(self) -> X12Error:
        return X12Error(
            f"transaction {self.control_number} was read for its model only (keep_segments=False): its segments were "
            "let go once read, so it has no loop tree; read it with read_transactions(source) for that"
        )

    def tree_telling(self, on_close: Callable[[Loop], None], watch: frozenset[str]) -> Loop:
        """The loop tree, calling ``on_close`` with each loop whose id is in ``watch`` as the engine closes it
        (see ``build_tree``) when the tree is built now; when it was built already, nobody is called, and the
        caller reads those loops from the tree as usual."""
        if self._forgotten:
            raise self._no_tree()
        if self._tree is None:
            self._build(on_close, watch)
        assert self._tree is not None
        return self._tree

    @property
    def structure_findings(self) -> list[Finding]:
        if self._structure_findings is None:
            self._build()
        assert self._structure_findings is not None
        return self._structure_findings

    @property
    def model(self) -> Any:
        """The typed model of this transaction set (Remittance, ClaimBatch, ...), built once."""
        if self._model is None:
            if self._failure is not None:
                raise self._failure
            reading = self._reading
            if reading is not None and self._tree is not None:  # grown as it was read: claims read already
                self._reading = None
                with collector_paused():
                    self._model = reading.finish(self._tree)
                return self._model
            from rcm.x12.sets.registry import parser_for

            parse = parser_for(self.set_id, self.guide, control_number=self.control_number)
            with collector_paused():
                self._model = parse(self)
        return self._model

    def __repr__(self) -> str:
        return (
            f"Transaction({self.set_id} {self.control_number} {self.version}, "
            f"{len(self.segments)} segments from {self.first_segment})"
        )


@dataclass(slots=True)
class FunctionalGroup:
    """One GS..GE group (``header`` None for transactions found without a GS)."""

    header: GroupHeader | None
    transactions: list[Transaction] = field(default_factory=list)
    transaction_count: int = 0
    trailer: Segment | None = None
    gs: Segment | None = None


@dataclass(slots=True)
class Interchange:
    """One ISA..IEA interchange (``header`` None for a file without ISA); TA1 segments in ``acknowledgments``."""

    header: InterchangeHeader | None
    groups: list[FunctionalGroup] = field(default_factory=list)
    acknowledgments: list[Segment] = field(default_factory=list)
    services: list[Segment] = field(default_factory=list)
    trailer: Segment | None = None
    isa: Segment | None = None


@dataclass(slots=True)
class X12File:
    """A whole file read: interchanges (with groups and transactions), all transactions, envelope findings."""

    name: str
    delimiters: Delimiters
    interchanges: list[Interchange]
    transactions: list[Transaction]
    findings: list[Finding]
    segment_count: int
    stray: list[Segment] = field(default_factory=list)


class TransactionReader:
    """Iterates transactions of one source; afterwards ``findings`` holds every envelope finding (including
    those already put on transactions) and ``interchanges`` the envelope skeleton (with transactions only
    when ``keep`` is true).

    While the iteration runs the cyclic garbage collector is paused (reference counting still frees
    everything dropped); it is switched back on when the iterator is exhausted, closed or dropped.
    """

    def __init__(
        self,
        source: str | Path | bytes | BinaryIO,
        *,
        keep: bool = False,
        models: bool = False,
        keep_segments: bool = True,
    ) -> None:
        self._machine = _EnvelopeMachine(source_name(source), keep, models, keep_segments)
        # The generator references the machine, never this reader: no reference cycle, so dropping the
        # reader closes the generator at once (and restores the collector) even with the collector paused.
        batches = iter_segment_batches(source, chunk_size=_GROWING_CHUNK) if models else iter_segment_batches(source)
        self._iter = _paused_gc_iteration(self._machine, batches)

    @property
    def name(self) -> str:
        return self._machine.name

    @property
    def findings(self) -> list[Finding]:
        return self._machine.findings

    @property
    def interchanges(self) -> list[Interchange]:
        return self._machine.interchanges

    @property
    def delimiters(self) -> Delimiters | None:
        return self._machine.delimiters

    @property
    def segment_count(self) -> int:
        return self._machine.segment_count

    def __iter__(self) -> Iterator[Transaction]:
        return self._iter

    def __next__(self) -> Transaction:
        return next(self._iter)


def _paused_gc_iteration(
    machine: _EnvelopeMachine, batches: Iterator[tuple[list[Segment], list[int]]]
) -> Iterator[Transaction]:
    # The cyclic collector is paused for the whole iteration (segments, trees and models hold no reference
    # cycles, so refcounting frees them as the caller drops each transaction); without this, collections
    # rescanning each transaction's objects cost a third of the parse.  The caller's setting is restored
    # when the iteration ends or the iterator is closed or dropped.
    with collector_paused():
        yield from machine.envelopes(batches)


class _EnvelopeMachine:
    """The ISA/GS/ST state machine and what it learns about the envelopes."""

    def __init__(self, name: str, keep: bool, models: bool = False, keep_segments: bool = True) -> None:
        self.name = name
        self.keep = keep
        self.models = models
        self.keep_segments = keep_segments
        self.findings: list[Finding] = []
        self.interchanges: list[Interchange] = []
        self.delimiters: Delimiters | None = None
        self.segment_count = 0
        # Segments kept nowhere else (outside any transaction, unmatched GE/IEA), for faithful rewriting.
        self.stray: list[Segment] = []
        # Where the reading is: the open interchange, group and transaction set.
        self._interchange: Interchange | None = None
        self._group: FunctionalGroup | None = None
        self._tx: Transaction | None = None
        self._bare_noted = False
        self._text_noted = False  # one finding for a run of non-X12 text outside the interchanges

    def _note(self, code: str, message: str, seg: Segment | None, *, severity: str = "error",
              transaction: str | None = None) -> Finding:
        f = Finding(
            severity="error" if severity == "error" else "warning",
            code=code,
            message=message,
            segment=seg.number if seg is not None else None,
            transaction=transaction,
            segment_id=seg.id if seg is not None else None,
        )
        self.findings.append(f)
        return f

    def envelopes(self, batches: Iterator[tuple[list[Segment], list[int]]]) -> Iterator[Transaction]:
        """Transactions from the tokenizer's batches: the runs of segments inside a transaction set are taken
        as slices; only envelope segments (and segments outside any transaction) are looked at one by one."""
        step = self._step
        grow = self.models
        last: Segment | None = None
        for batch, marks in batches:
            pos = 0
            for k in marks:
                if k > pos:
                    tx = self._tx
                    if tx is not None:
                        tx.segments += batch[pos:k]
                        if grow:
                            tx._grow()
                    else:
                        for seg in batch[pos:k]:
                            yield from step(seg)
                yield from step(batch[k])
                pos = k + 1
            if pos < len(batch):
                tx = self._tx
                if tx is not None:
                    tx.segments += batch[pos:] if pos else batch
                    if grow:
                        tx._grow()
                else:
                    for seg in batch[pos:]:
                        yield from step(seg)
            last = batch[-1]
        self.segment_count = last.number if last is not None else 0
        if self.delimiters is None and last is not None:
            self.delimiters = last.delimiters
        if self._tx is not None:
            done = self._close_tx(last)
            self._tx = None
            yield done
        if self._group is not None:
            self._close_group(last)
        interchange = self._interchange
        if interchange is not None and interchange.header is not None and interchange.trailer is None:
            self._note("missing_iea", f"interchange (ISA at segment {interchange.header.segment}) has no IEA", last)

    def _close_tx(self, at: Segment | None) -> Transaction:
        tx = self._tx
        assert tx is not None
        f = self._note(
            "missing_se",
            f"transaction {tx.control_number} (ST at segment {tx.first_segment}) has no SE",
            at, transaction=tx.control_number,
        )
        tx.findings.append(f)
        tx._grow(final=True)
        return tx

    def _close_group(self, at: Segment | None) -> None:
        group = self._group
        assert group is not None
        if group.header is not None:
            self._note("missing_ge", f"functional group (GS at segment {group.header.segment}) has no GE", at)

    def _add_group(self, g: FunctionalGroup) -> None:
        if self._interchange is None:
            self._interchange = Interchange(header=None)
            self.interchanges.append(self._interchange)
        self._interchange.groups.append(g)

    def _step(self, seg: Segment) -> Iterator[Transaction]:
        """One segment that is an envelope segment or lies outside any transaction set."""
        sid = seg.id
        tx = self._tx
        if tx is not None:
            if sid not in _ENVELOPE_IDS:
                tx.segments.append(seg)
                return
            if sid == "SE":
                tx.segments.append(seg)
                found = check_transaction_trailer(tx.segments[0], seg, tx.segment_count)
                tx.findings.extend(found)
                self.findings.extend(found)
                self._tx = None
                tx._grow(final=True)
                yield tx
                return
            done = self._close_tx(seg)
            self._tx = None
            yield done
        group = self._group
        interchange = self._interchange
        if sid == "ST":
            if group is None:
                if interchange is None or interchange.header is None:
                    if not self._bare_noted:
                        self._note("no_envelope", "transaction sets without ISA/GS envelope", seg, severity="warning")
                        self._bare_noted = True
                else:
                    self._note("missing_gs", "ST without a GS functional group header", seg)
                group = self._group = FunctionalGroup(header=None)
                self._add_group(group)
                interchange = self._interchange
            tx = self._tx = Transaction(
                seg,
                interchange=interchange.header if interchange else None,
                group=group.header,
                grow=self.models,
                let_go=not self.keep_segments,
            )
            if group.header is not None and seg.get(3) and group.header.version and (
                seg.get(3) != group.header.version
            ):
                tx.findings.append(self._note(
                    "version_mismatch",
                    f"ST03 {seg.get(3)!r} differs from GS08 {group.header.version!r} "
                    f"(segment {group.header.segment})",
                    seg, severity="warning", transaction=tx.control_number,
                ))
            group.transaction_count += 1
            if self.keep:
                group.transactions.append(tx)
        elif sid == "GS":
            if group is not None:
                self._close_group(seg)
            if interchange is None or interchange.header is None:
                self._note("missing_isa", "GS without an ISA interchange header", seg)
            self._group = FunctionalGroup(header=GroupHeader.from_segment(seg), gs=seg)
            self._add_group(self._group)
        elif sid == "GE":
            if group is None or group.header is None:
                self._note("unexpected_ge", "GE without a matching GS", seg)
                self.stray.append(seg)
                self._group = None
                return
            group.trailer = seg
            self.findings.extend(check_group_trailer(group.header, seg, group.transaction_count))
            self._group = None
        elif sid == "ISA":
            if group is not None:
                self._close_group(seg)
                self._group = None
            if interchange is not None and interchange.header is not None and interchange.trailer is None:
                self._note("missing_iea", f"interchange (ISA at segment {interchange.header.segment}) has no IEA",
                           seg)
            if self.delimiters is None:
                self.delimiters = seg.delimiters
            self._text_noted = False
            self._interchange = Interchange(header=InterchangeHeader.from_segment(seg), isa=seg)
            self.interchanges.append(self._interchange)
            self.findings.extend(check_interchange_header(seg))
        elif sid == "IEA":
            if group is not None:
                self._close_group(seg)
                self._group = None
            if interchange is None or interchange.header is None or interchange.trailer is not None:
                self._note("unexpected_iea", "IEA without a matching ISA", seg)
                self.stray.append(seg)
                return
            interchange.trailer = seg
            count = sum(1 for g in interchange.groups if g.header is not None)
            self.findings.extend(check_interchange_trailer(
                interchange.header, seg, count, acknowledgments=len(interchange.acknowledgments)
            ))
        elif sid in _INTERCHANGE_SERVICE and group is None and interchange is not None:
            (interchange.acknowledgments if sid == "TA1" else interchange.services).append(seg)
        elif sid == "TA1" and group is None:
            if interchange is None:
                interchange = self._interchange = Interchange(header=None)
                self.interchanges.append(interchange)
            interchange.acknowledgments.append(seg)
        else:
            outside = interchange is None or interchange.header is None or interchange.trailer is not None
            if group is None and outside and not _is_segment_id(sid):
                # Not X12 at all, outside every interchange: a mail footer, a VAN's framing characters (ETX, EOT)
                # after the last IEA.  Text before the first ISA is skipped the same way by the tokenizer.
                if not self._text_noted:
                    self._note("text_outside_interchange", "text that is not X12 outside any interchange, ignored",
                               seg, severity="warning")
                    self._text_noted = True
            else:
                self._note("segment_outside_transaction", f"{sid[:3]!r} segment outside any transaction set", seg)
            self.stray.append(seg)


def _is_segment_id(sid: str) -> bool:
    """Whether ``sid`` can be an X12 segment id: two or three capitals and digits, a capital first."""
    return 2 <= len(sid) <= 3 and sid.isascii() and sid.isalnum() and sid.isupper() and sid[0].isalpha()


def read_transactions(
    source: str | Path | bytes | BinaryIO, *, models: bool = False, keep_segments: bool = True
) -> TransactionReader:
    """Stream the transaction sets of a file (an iterator; envelope findings on ``.findings`` afterwards).

    ``models=True`` is for a caller that reads every transaction's ``tree`` or ``model``: each transaction's
    loop tree is then built, and its claims read into the model, a short stretch at a time while the segments
    are being read (still in the CPU caches), instead of in passes over the whole transaction once its SE has
    been read.  The trees, models and findings are the same either way.

    ``keep_segments=False`` (with ``models=True``) is for a caller that wants the models only: each 835/837
    claim's segments and loops are let go as soon as the claim is read, so memory holds one transaction's
    models, not its segments, however large the transaction; ``tx.model``, ``tx.findings`` (envelope and
    structure) and ``tx.segment_count`` are whole, ``tx.segments`` keeps ST and SE, and ``tx.tree`` raises
    (``tx.segments_let_go``).  Validation needs the segments: it reads with them kept."""
    if not keep_segments and not models:
        raise ValueError("keep_segments=False lets segments go once the model has read them: it needs models=True")
    return TransactionReader(source, models=models, keep_segments=keep_segments)


def read_file(source: str | Path | bytes | BinaryIO, *, models: bool = False) -> X12File:
    """Read a whole file: envelopes, transactions and envelope findings.  Raises NotX12Error if unreadable.
    ``models=True``: each transaction's tree and model built as it is read (see ``read_transactions``)."""
    reader = TransactionReader(source, keep=True, models=models)
    transactions = list(reader)
    return X12File(
        name=reader.name,
        delimiters=reader.delimiters or Delimiters.default(),
        interchanges=reader.interchanges,
        transactions=transactions,
        findings=reader.findings,
        segment_count=reader.segment_count,
        stray=reader._machine.stray,
    )
