"""Drop the index on events.code: no query reads it, and it cost the ingest writer a fifth of
each event row's insert. Counts by code are always scoped to a match, day or tournament, which
their own indexes serve; the scoring queries have their partial indexes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_events_code", table_name="events")


def downgrade() -> None:
    op.create_index("ix_events_code", "events", ["code"])
