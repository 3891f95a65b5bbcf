"""Staff sign-ins kept on the server: the signed-in sessions (signing out ends one for good, a copied cookie
included) and recent failed sign-ins (the lockout holds across restarts and worker processes).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 04:23:39
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_name"), "web_sessions", ["user_name"], unique=False)
    op.create_table(
        "web_sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(length=40), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sign_in_failures")),
    )
    op.create_index(
        op.f("ix_web_sign_in_failures_user_name"), "web_sign_in_failures", ["user_name", "failed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_web_sign_in_failures_user_name"), table_name="web_sign_in_failures")
    op.drop_table("web_sign_in_failures")
    op.drop_index(op.f("ix_web_sessions_user_name"), table_name="web_sessions")
    op.drop_table("web_sessions")
