"""Claim lines keep half of each page free (PostgreSQL fillfactor 50), so posting a payment updates them in place.

Posting moves a line's paid, adjusted and balance (columns no index covers): with room on the page, PostgreSQL
writes the new row version next to the old one (a HOT update) instead of on another page with a new entry in
each of the table's three indexes. A line is written once and updated at least once per payment, so half a
page is what one full round of updates needs. SQLite has no fillfactor: nothing to do there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE claim_lines SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE claim_lines RESET (fillfactor)")
