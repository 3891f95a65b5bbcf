"""The transfer ledger: every file sent to or fetched from a clearinghouse's SFTP server, and how far the move got
(so a run after a crash neither loses a file nor moves it twice).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:59:43
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "file_transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("clearinghouse", sa.String(length=80), nullable=False),
        sa.Column("direction", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("remote_path", sa.String(length=1000), nullable=False),
        sa.Column("local_path", sa.String(length=1000), nullable=False),
        sa.Column("remote_mtime", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("detail", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_transfers")),
        sa.UniqueConstraint(
            "clearinghouse", "direction", "name", "content_hash",
            name=op.f("uq_file_transfers_clearinghouse_direction_name_content_hash"),
        ),
    )
    op.create_index(
        op.f("ix_file_transfers_clearinghouse"), "file_transfers", ["clearinghouse", "direction", "name"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_file_transfers_clearinghouse"), table_name="file_transfers")
    op.drop_table("file_transfers")
