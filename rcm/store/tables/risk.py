"""The denial-risk model: trained versions and the scores they gave claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rcm.store.tables.base import Base, utcnow
from rcm.store.types import JSONValue

__all__ = ["ModelVersion", "RiskScore"]


class RiskScore(Base):
    __tablename__ = "risk_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id"), index=True)
    encounter_version_id: Mapped[int] = mapped_column(ForeignKey("encounter_versions.id"))
    model_version: Mapped[str] = mapped_column(String(80))
    score: Mapped[float] = mapped_column(Float)  # a probability, not money
    threshold: Mapped[float] = mapped_column(Float)
    explanation: Mapped[Any | None] = mapped_column(JSONValue)
    scored_at: Mapped[datetime] = mapped_column(default=utcnow)


class ModelVersion(Base):
    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(80), unique=True)
    path: Mapped[str] = mapped_column(String(1000))
    card: Mapped[dict[str, Any]]
    trained_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    decision: Mapped[str | None] = mapped_column(Text)
