"""Files moved between our drops and a clearinghouse's server: the ledger that makes each move happen once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rcm.store.tables.base import Base, utcnow

__all__ = ["FileTransfer"]


class FileTransfer(Base):
    """One file sent to or fetched from a clearinghouse, and how far the move got.

    Sending: ``renaming`` (the whole file is on the server under its temporary name and the rename to the final
    name is under way) then ``sent``. Fetching: ``fetched`` (the file is in our inbound drop) then ``cleared``
    (removed from, or archived on, the server; or kept there by configuration).
    """

    __tablename__ = "file_transfers"
    __table_args__ = (
        UniqueConstraint("clearinghouse", "direction", "name", "content_hash"),
        Index(None, "clearinghouse", "direction", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    clearinghouse: Mapped[str] = mapped_column(String(80))
    direction: Mapped[str] = mapped_column(String(5))  # send / fetch
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex
    remote_path: Mapped[str] = mapped_column(String(1000))
    local_path: Mapped[str] = mapped_column(String(1000))
    remote_mtime: Mapped[int | None] = mapped_column(BigInteger)  # seconds since the epoch, as the server says
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any] | None]
