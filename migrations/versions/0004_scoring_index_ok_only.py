"""The scoring indexes hold only events that parsed: a garbled `pt1;9` keeps its wire code for
the operator to find, but has no side or value and must not reach the point counts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must keep creating what it created when it was written.
CODES = (
    "(code = 'pt1' OR code = 'pt2' OR code = 'hl1' OR code = 'hl2' OR code = 'wg1'"
    " OR code = 'wg2' OR code = 'rnd')"
)
OK_ONLY = f"parse_status = 'ok' AND {CODES}"


def _create(condition: str) -> None:
    op.create_index(
        "ix_events_scoring",
        "events",
        ["match_id", "code", "side", "value"],
        sqlite_where=sa.text(condition),
        postgresql_where=sa.text(condition),
    )
    op.create_index(
        "ix_events_scoring_scope",
        "events",
        ["tournament_id", "code", "value", "tournament_day_id"],
        sqlite_where=sa.text(condition),
        postgresql_where=sa.text(condition),
    )


def _drop() -> None:
    op.drop_index("ix_events_scoring_scope", table_name="events")
    op.drop_index("ix_events_scoring", table_name="events")


def upgrade() -> None:
    _drop()
    _create(OK_ONLY)


def downgrade() -> None:
    _drop()
    _create(CODES)
