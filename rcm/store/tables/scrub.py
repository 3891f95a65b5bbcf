"""Scrubber runs, the findings they raised, and the overrides billers recorded."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rcm.store.tables.base import Base, utcnow

__all__ = ["FindingOverride", "ScrubFinding", "ScrubRun"]


class ScrubRun(Base):
    __tablename__ = "scrub_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    rules_version: Mapped[str] = mapped_column(String(80))
    claims: Mapped[int] = mapped_column(default=0)
    clean: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)


class ScrubFinding(Base):
    """One edit that fired on a claim (active until the claim is re-scrubbed clean or overridden)."""

    __tablename__ = "scrub_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    encounter_version_id: Mapped[int] = mapped_column(ForeignKey("encounter_versions.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scrub_runs.id"), index=True)
    line_id: Mapped[str | None] = mapped_column(String(50))
    rule_id: Mapped[str] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))  # error / warning / info
    message: Mapped[str] = mapped_column(Text)
    fix_hint: Mapped[str | None] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class FindingOverride(Base):
    """A biller accepted a finding on purpose, with a reason; it applies to that encounter version only."""

    __tablename__ = "finding_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    encounter_version_id: Mapped[int] = mapped_column(ForeignKey("encounter_versions.id"))
    rule_id: Mapped[str] = mapped_column(String(80))
    line_id: Mapped[str | None] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(80))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
