"""Control numbers for the files we send: ISA13, GS06 and ST02 from database counters, unique per sender and
never reused across runs (the database owns them)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rcm.errors import StateError
from rcm.store import repositories

__all__ = ["next_group_number", "next_interchange_number", "next_transaction_number"]

_MAX_9_DIGITS = 999_999_999


def _next(session: Session, name: str) -> int:
    value = repositories.next_control_number(session, name)
    if value > _MAX_9_DIGITS:
        raise StateError(f"control counter {name} is exhausted (more than nine digits)")
    return value


def next_interchange_number(session: Session, sender_id: str) -> int:
    """ISA13: unique per sender id across all interchanges we ever send."""
    return _next(session, f"isa13:{sender_id}")


def next_group_number(session: Session, sender_id: str) -> int:
    """GS06: unique per sender, so a 999's AK102 names exactly one group we sent."""
    return _next(session, f"gs06:{sender_id}")


def next_transaction_number(session: Session, sender_id: str) -> str:
    """ST02: unique per sender (not only within the group), at least four digits."""
    return f"{_next(session, f'st02:{sender_id}'):04d}"
