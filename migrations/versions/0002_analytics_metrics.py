"""Analytics snapshots and metrics history (design.md §4).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_snapshots")),
    )
    op.create_index(
        op.f("ix_analytics_snapshots_kind_key_taken_at"),
        "analytics_snapshots",
        ["kind", "key", "taken_at"],
    )
    op.create_table(
        "metrics_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_history")),
    )
    op.create_index(op.f("ix_metrics_history_taken_at"), "metrics_history", ["taken_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_metrics_history_taken_at"), table_name="metrics_history")
    op.drop_table("metrics_history")
    op.drop_index(
        op.f("ix_analytics_snapshots_kind_key_taken_at"), table_name="analytics_snapshots"
    )
    op.drop_table("analytics_snapshots")
