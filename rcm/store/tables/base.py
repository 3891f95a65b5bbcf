"""The declarative base of every table: naming convention, column types for money, units, time and JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from rcm.store.types import ExactDecimal, JSONValue, UTCDateTime

__all__ = ["NAMING_CONVENTION", "ZERO", "Base", "Money", "Percent", "Units", "utcnow"]

Money = ExactDecimal(12, 2)
Units = ExactDecimal(9, 3)
Percent = ExactDecimal(7, 4)  # a fraction as the 271 sends it (EB08 0.2 = 20 %)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ZERO = Decimal("0.00")


def utcnow() -> datetime:
    """Now, timezone-aware UTC (the only kind of timestamp the store accepts)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        Decimal: Money,
        datetime: UTCDateTime(),
        dict[str, Any]: JSONValue,
        list[Any]: JSONValue,
    }
