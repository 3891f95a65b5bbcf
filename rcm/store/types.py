"""Column types that behave the same on SQLite and PostgreSQL: exact decimals, UTC timestamps, string enums.

Each is a TypeDecorator over a plain SQLAlchemy type, so the schema (and the Alembic migration) sees
NUMERIC(p, s), TIMESTAMP WITH TIME ZONE / DATETIME and VARCHAR(n) while Python sees Decimal, aware datetime, Enum.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import JSON, DateTime, Dialect, Numeric, String
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["ExactDecimal", "JSONValue", "StrEnum", "UTCDateTime"]

E = TypeVar("E", bound=enum.Enum)


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC(precision, scale) that takes and gives ``Decimal`` and never rounds silently.

    Floats are refused (money is never float); a value with more decimal places than the column holds is
    refused rather than rounded. SQLite has no decimal type, so values travel as floats there: with at most
    12 significant digits a double holds them exactly and we rebuild the Decimal at the column's scale.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            # asdecimal=False: we build the Decimal ourselves (and SQLAlchemy does not warn about floats).
            return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=False))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal):
            # Floats are refused on purpose: money must never pass through binary floating point.
            raise TypeError(f"NUMERIC({self.precision},{self.scale}) takes Decimal or int, not {type(value).__name__}")
        if not value.is_finite():
            raise ValueError("a decimal column cannot hold NaN or infinity")
        exact = value.quantize(self._quantum)
        if exact != value:
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        if len(exact.as_tuple().digits) > self.precision and exact != 0:
            raise ValueError(f"{value} does not fit NUMERIC({self.precision},{self.scale})")
        if dialect.name == "sqlite":
            return float(exact)
        return exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value.quantize(self._quantum)
        if isinstance(value, float):
            return Decimal(f"{value:.{self.scale}f}")
        return Decimal(str(value)).quantize(self._quantum)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC; naive datetimes are refused.

    PostgreSQL keeps TIMESTAMP WITH TIME ZONE; SQLite keeps the UTC wall time and we put UTC back on read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"a timestamp column takes datetime, not {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("timestamps must be timezone-aware (use datetime.now(UTC))")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    @property
    def python_type(self) -> type[datetime]:
        return datetime


class StrEnum(TypeDecorator[E], Generic[E]):
    """A string-valued Enum kept as VARCHAR(length) holding the member's value (readable in SQL)."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        super().__init__(length=length)
        self.enum_class = enum_class
        self.length = length

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        # Accept the member or its value; anything else is a programming error worth failing on.
        member = value if isinstance(value, self.enum_class) else self.enum_class(value)
        return str(member.value)

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        if value is None:
            return None
        return self.enum_class(value)

    @property
    def python_type(self) -> type[E]:
        return self.enum_class


# JSON that stores Python None as SQL NULL (not the JSON literal null) on both backends.
JSONValue = JSON(none_as_null=True)
