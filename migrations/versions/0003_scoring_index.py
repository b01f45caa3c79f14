"""Partial indexes on the scoring events, for analytics (design.md §5: queries at 5 M events).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must keep creating what it created when it was written.
SCORING_CONDITION = (
    "(code = 'pt1' OR code = 'pt2' OR code = 'hl1' OR code = 'hl2' OR code = 'wg1'"
    " OR code = 'wg2' OR code = 'rnd')"
)


def upgrade() -> None:
    op.create_index(
        "ix_events_scoring",
        "events",
        ["match_id", "code", "side", "value"],
        sqlite_where=sa.text(SCORING_CONDITION),
        postgresql_where=sa.text(SCORING_CONDITION),
    )
    op.create_index(
        "ix_events_scoring_scope",
        "events",
        ["tournament_id", "code", "value", "tournament_day_id"],
        sqlite_where=sa.text(SCORING_CONDITION),
        postgresql_where=sa.text(SCORING_CONDITION),
    )


def downgrade() -> None:
    op.drop_index("ix_events_scoring_scope", table_name="events")
    op.drop_index("ix_events_scoring", table_name="events")
