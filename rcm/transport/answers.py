"""Our answers to the files clearinghouses send us (the 999 for an 835 or a 271): the outbound folder of the
clearinghouse the file came from, and a record of each answer on the received file, so that a file read again is
answered once and an answer lost in a crash is written again.

    route_answer(settings, path, ids=..., clearinghouse=None) -> AnswerRoute: the clearinghouse, its folder, why
    answer_state(session, received, created=...)              -> NEEDED | ANSWERED | IN_FLIGHT
    record_answer(session, received, ...)                     -> PreparedAnswer, on record as "prepared"
    drop_answer(answer), then confirm_dropped(...)            into the folder (after the commit), then on record
    mark_not_dropped(...)                                     when it could not be written

The entry points (rcm.nightly, rcm.cli) choose the route; when not told, the stages (remits, eligibility), which
read the file's ISA anyway, choose it with the same function. The stages record and drop.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rcm.config import Settings
from rcm.drops import write_new_file
from rcm.errors import ConfigError
from rcm.store.repositories.files import record_file
from rcm.store.tables import FileTransfer, X12FileRecord

__all__ = [
    "ANSWERED",
    "DEFAULT_CLEARINGHOUSE",
    "IN_FLIGHT",
    "NEEDED",
    "AnswerRoute",
    "InterchangeIds",
    "PreparedAnswer",
    "answer_on_record",
    "answer_state",
    "confirm_dropped",
    "drop_answer",
    "mark_not_dropped",
    "outbound_folder",
    "record_answer",
    "require_clearinghouse",
    "route_answer",
]

DEFAULT_CLEARINGHOUSE = "default"

# What a received file needs (answer_state).
NEEDED = "needed"  # never answered, or its answer never reached the drop
ANSWERED = "answered"  # its answer is in the drop or was sent (or it was read before answers were recorded)
IN_FLIGHT = "in flight"  # another run recorded its answer moments ago and is writing it: look again next run

# Status of an answer's own file record.
PREPARED = "prepared"  # on record, not yet known to be in the drop
DROPPED = "dropped"  # in the outbound folder (``path`` is where it landed)
NEVER_DROPPED = "never_dropped"  # lost before it reached the drop (a crash after the commit); answered anew

# The key on the received file's record that names its answer's record.
_LINK = "answer_file_id"
# How long a prepared answer is taken to be still on its way into the drop (the run that recorded it drops it right
# after its commit). Older than this, it was lost: the next reading of the file answers it again.
IN_FLIGHT_FOR = timedelta(minutes=10)


# ------------------------------------------------------------------------------------------------ routing


@dataclass(frozen=True, slots=True)
class AnswerRoute:
    """Where the answer to one received file goes: ``clearinghouse`` (None only when none is configured), its
    ``outbound`` folder, and ``chosen_by``: "named", "inbound folder", "interchange ids", "default",
    "only clearinghouse" or "no clearinghouse configured"."""

    clearinghouse: str | None
    outbound: Path
    chosen_by: str

    def describe(self, data_dir: Path) -> dict[str, str | None]:
        """The route in words fit for a summary (the folder relative to the data directory when inside it)."""
        folder = self.outbound.relative_to(data_dir) if self.outbound.is_relative_to(data_dir) else self.outbound
        return {"clearinghouse": self.clearinghouse, "folder": str(folder), "chosen_by": self.chosen_by}


@dataclass(frozen=True, slots=True)
class InterchangeIds:
    """The interchange sender (ISA06) and receiver (ISA08) of a received file (read by whoever reads the file)."""

    sender_id: str
    receiver_id: str

    @classmethod
    def of(cls, sender_id: str | None, receiver_id: str | None) -> InterchangeIds | None:
        """From an ISA's ids (blanks stripped); None when the file had no ISA."""
        if sender_id is None and receiver_id is None:
            return None
        return cls((sender_id or "").strip(), (receiver_id or "").strip())


def outbound_folder(settings: Settings, entry: dict[str, Any]) -> Path:
    """A clearinghouse's outbound folder as the transport reads it (relative to the data directory)."""
    return _folder(settings, entry, "outbound")


def _folder(settings: Settings, entry: dict[str, Any], key: str) -> Path:
    folder = Path(str(entry.get(key) or key)).expanduser()
    return folder if folder.is_absolute() else settings.data_dir / folder


def _same_id(a: object, b: str) -> bool:
    return bool(b) and str(a or "").strip().upper() == b.upper()


def _by_inbound_folder(settings: Settings, path: Path) -> list[str]:
    """The clearinghouses whose own inbound folder (the deepest one holding the file) is where it was found.

    A clearinghouse whose inbound folder is the generic inbound drop itself has no folder of its own."""
    where = path.resolve()
    generic = settings.inbound_dir.resolve()
    holding: dict[Path, list[str]] = {}
    for name, entry in settings.clearinghouses.items():
        if not entry.get("inbound"):
            continue
        folder = _folder(settings, entry, "inbound").resolve()
        if folder != generic and where.is_relative_to(folder):
            holding.setdefault(folder, []).append(name)
    if not holding:
        return []
    return holding[max(holding, key=lambda f: len(f.parts))]


def _by_interchange_ids(settings: Settings, candidates: list[str], ids: InterchangeIds | None) -> list[str]:
    """The candidates the ISA names best: the file's sender is the clearinghouse id we send to (its receiver_id),
    which counts more than the file's receiver being our id with it (its sender_id, often shared)."""
    if ids is None:
        return []
    scores: dict[str, int] = {}
    for name in candidates:
        entry = settings.clearinghouses[name]
        score = 2 * _same_id(entry.get("receiver_id"), ids.sender_id) + _same_id(entry.get("sender_id"),
                                                                                ids.receiver_id)
        if score:
            scores[name] = score
    if not scores:
        return []
    best = max(scores.values())
    return [name for name, score in scores.items() if score == best]


def require_clearinghouse(settings: Settings, name: str) -> None:
    """Raise ConfigError, naming the ones there are, unless ``name`` is a configured clearinghouse."""
    if name not in settings.clearinghouses:
        known = ", ".join(sorted(settings.clearinghouses)) or "none"
        raise ConfigError(f"no clearinghouse named {name!r} in {settings.rules_dir / 'clearinghouses.yaml'} "
                          f"(configured: {known})")


def route_answer(settings: Settings, path: Path, *, ids: InterchangeIds | None,
                 clearinghouse: str | None = None) -> AnswerRoute:
    """The clearinghouse whose outbound folder answers the file found at ``path`` whose ISA held ``ids``.

    The one named; else the one whose own inbound folder holds the file; else the one its ISA names (ISA06 our
    configured receiver_id, ISA08 our sender_id); else ``default``. Raises ConfigError for a name not configured,
    or when nothing decides and there is no ``default`` clearinghouse to fall back on.
    """
    entries = settings.clearinghouses
    where = settings.rules_dir / "clearinghouses.yaml"
    if clearinghouse is not None:
        require_clearinghouse(settings, clearinghouse)
        return AnswerRoute(clearinghouse, outbound_folder(settings, entries[clearinghouse]), "named")
    if not entries:
        return AnswerRoute(None, settings.outbound_dir, "no clearinghouse configured")
    found_in = _by_inbound_folder(settings, path)
    if len(found_in) == 1:
        return AnswerRoute(found_in[0], outbound_folder(settings, entries[found_in[0]]), "inbound folder")
    named = _by_interchange_ids(settings, found_in or list(entries), ids)
    if len(named) == 1:
        return AnswerRoute(named[0], outbound_folder(settings, entries[named[0]]), "interchange ids")
    if DEFAULT_CLEARINGHOUSE in entries:
        return AnswerRoute(DEFAULT_CLEARINGHOUSE, outbound_folder(settings, entries[DEFAULT_CLEARINGHOUSE]),
                           "default")
    if len(entries) == 1:
        (only,) = entries
        return AnswerRoute(only, outbound_folder(settings, entries[only]), "only clearinghouse")
    raise ConfigError(f"{path.name}: cannot tell which clearinghouse sent it (neither its folder nor its ISA ids "
                      f"decide) and {where} has no '{DEFAULT_CLEARINGHOUSE}' clearinghouse to answer through; "
                      "name one (--clearinghouse) or configure a default")


# ------------------------------------------------------------------------------------------------ the record


@dataclass(frozen=True, slots=True)
class PreparedAnswer:
    """An answer on record (``file_id``), to be written as ``name`` into ``route.outbound``."""

    file_id: int
    name: str
    content: bytes
    route: AnswerRoute


def answer_on_record(session: Session, received: X12FileRecord) -> X12FileRecord | None:
    """The record of the answer written for a received file, if one was."""
    detail = received.detail if isinstance(received.detail, dict) else {}
    file_id = detail.get(_LINK)
    return session.get(X12FileRecord, file_id) if isinstance(file_id, int) else None


def _hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _in_the_drop(answer: X12FileRecord) -> Path | None:
    """The answer's file still waiting in its folder (under its name, or the numbered name a taken one got)."""
    planned = Path(answer.path)
    if not planned.is_absolute() or not planned.parent.is_dir():
        return None
    stem, suffix = os.path.splitext(planned.name)
    for candidate in sorted(planned.parent.iterdir()):
        numbered = candidate.name.startswith(f"{stem}_") and candidate.suffix == suffix
        if (candidate.name == planned.name or numbered) and _hash(candidate) == answer.content_hash:
            return candidate
    return None


def _was_sent(session: Session, answer: X12FileRecord) -> bool:
    """Whether the transport sent the answer's bytes to a clearinghouse (it then left the drop)."""
    return session.scalars(
        select(FileTransfer.id).where(FileTransfer.direction == "send",
                                      FileTransfer.content_hash == answer.content_hash)
    ).first() is not None


def answer_state(session: Session, received: X12FileRecord, *, created: bool, now: datetime | None = None) -> str:
    """Whether a received file still needs its answer, in the caller's transaction.

    NEEDED for a file read for the first time (``created``), or whose answer on record never reached the drop (it
    is then marked ``never_dropped``); IN_FLIGHT when that answer was recorded moments ago (another run is writing
    it); ANSWERED otherwise, including a file read before answers were recorded (answered then, not again now).
    """
    if created:
        return NEEDED
    answer = answer_on_record(session, received)
    if answer is None or answer.status == DROPPED:
        return ANSWERED
    if answer.status == PREPARED:
        landed = _in_the_drop(answer)
        if landed is not None or _was_sent(session, answer):
            confirm_dropped(session, answer.id, landed or Path(answer.path))
            return ANSWERED
        if (now or datetime.now(UTC)) - answer.created_at < IN_FLIGHT_FOR:
            return IN_FLIGHT
        answer.status = NEVER_DROPPED
    return NEEDED


def record_answer(session: Session, received: X12FileRecord, *, kind: str, name: str, content: bytes,
                  route: AnswerRoute) -> PreparedAnswer:
    """Put an answer on record (status ``prepared``, with the clearinghouse and the path it is meant for) and link
    it to the received file, in the caller's transaction."""
    record, _ = record_file(
        session, direction="out", kind=kind, name=name[:255], path=str(route.outbound / name)[:1000],
        content=content, clearinghouse=route.clearinghouse[:80] if route.clearinghouse else None, status=PREPARED,
        detail={"answers": received.id, "chosen_by": route.chosen_by},
    )
    detail = received.detail if isinstance(received.detail, dict) else {}
    received.detail = {**detail, _LINK: record.id}
    session.flush()
    return PreparedAnswer(record.id, name, content, route)


def drop_answer(answer: PreparedAnswer) -> Path:
    """Write the answer into its clearinghouse's outbound folder: whole or not at all, never over another file."""
    return write_new_file(answer.route.outbound, answer.name, answer.content)


def confirm_dropped(session: Session, file_id: int, final: Path) -> None:
    """Say on record that the answer is in the drop (``final``: where it landed), in the caller's transaction."""
    record = session.get(X12FileRecord, file_id)
    if record is None:
        return
    record.status = DROPPED
    record.path = str(final)[:1000]
    session.flush()


def mark_not_dropped(session: Session, file_id: int) -> None:
    """Say on record that the answer could not be written into the drop: the next reading of its file answers it."""
    record = session.get(X12FileRecord, file_id)
    if record is not None:
        record.status = NEVER_DROPPED
        session.flush()
