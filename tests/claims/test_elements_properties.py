"""Properties of element text and amounts: nothing a person types can break the file's delimiters."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from rcm.claims.elements import amount, text


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200), st.integers(min_value=1, max_value=80))
def test_text_never_carries_a_delimiter_or_exceeds_its_length(value: str, limit: int) -> None:
    out = text(value, limit)
    assert len(out) <= limit
    assert not set(out) & set("*~:^|>\r\n\t")
    assert out == out.strip() and "  " not in out
    assert out.isascii()


@settings(max_examples=60, deadline=None)
@given(st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"), places=2))
def test_amount_text_reads_back_as_the_same_money(value: Decimal) -> None:
    written = amount(value)
    assert Decimal(written) == value
    assert not written.endswith(".") and (("." not in written) or not written.endswith("0"))
