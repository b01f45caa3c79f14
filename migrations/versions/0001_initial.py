"""Initial schema: tournaments, days, courts, athletes, matches, events, checkpoint, audit log.

Also seeds the rows the application expects to exist: the ingest checkpoint (id 1, seq 0) and a
default court ("Court 1" on UDP port 6000) that the operator window's empty state shows.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "athletes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("short_name", sa.String(length=100), nullable=False),
        sa.Column("long_name", sa.String(length=200), nullable=False),
        sa.Column("noc", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_athletes")),
        sa.UniqueConstraint("long_name", "noc", name=op.f("uq_athletes_long_name_noc")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    checkpoint = op.create_table(
        "ingest_checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ingest_checkpoint_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_checkpoint")),
    )
    op.create_table(
        "tournaments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=64), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'active', 'completed')", name=op.f("ck_tournaments_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tournaments")),
    )
    op.create_table(
        "tournament_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tournament_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'active', 'completed')", name=op.f("ck_tournament_days_status")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_tournament_days_number")),
        sa.ForeignKeyConstraint(
            ["tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_tournament_days_tournament_id_tournaments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tournament_days")),
        sa.UniqueConstraint(
            "tournament_id", "number", name=op.f("uq_tournament_days_tournament_id_number")
        ),
    )
    # At most one active day per tournament.
    op.create_index(
        "uq_tournament_days_one_active",
        "tournament_days",
        ["tournament_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    courts = op.create_table(
        "courts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("bind_address", sa.String(length=64), nullable=False),
        sa.Column("allowed_sources", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("context_tournament_id", sa.Integer(), nullable=True),
        sa.Column("context_day_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("port BETWEEN 1 AND 65535", name=op.f("ck_courts_port")),
        sa.ForeignKeyConstraint(
            ["context_day_id"],
            ["tournament_days.id"],
            name=op.f("fk_courts_context_day_id_tournament_days"),
        ),
        sa.ForeignKeyConstraint(
            ["context_tournament_id"],
            ["tournaments.id"],
            name=op.f("fk_courts_context_tournament_id_tournaments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courts")),
        sa.UniqueConstraint("bind_address", "port", name=op.f("uq_courts_bind_address_port")),
        sa.UniqueConstraint("name", name=op.f("uq_courts_name")),
    )
    op.create_table(
        "matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tournament_id", sa.Integer(), nullable=True),
        sa.Column("tournament_day_id", sa.Integer(), nullable=True),
        sa.Column("court_id", sa.Integer(), nullable=True),
        sa.Column("match_number", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("phase", sa.String(length=100), nullable=True),
        sa.Column("division", sa.String(length=100), nullable=True),
        sa.Column("blue_athlete_id", sa.Integer(), nullable=True),
        sa.Column("red_athlete_id", sa.Integer(), nullable=True),
        sa.Column("loaded_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("round_count", sa.Integer(), nullable=True),
        sa.Column("rounds", sa.JSON(), nullable=False),
        sa.Column("round_wins_blue", sa.Integer(), nullable=False),
        sa.Column("round_wins_red", sa.Integer(), nullable=False),
        sa.Column("blue_score", sa.Integer(), nullable=True),
        sa.Column("red_score", sa.Integer(), nullable=True),
        sa.Column("winner", sa.String(length=16), nullable=True),
        sa.Column("decision", sa.String(length=100), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("unknown_count", sa.Integer(), nullable=False),
        sa.Column("malformed_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('loaded', 'running', 'finished', 'abandoned')",
            name=op.f("ck_matches_status"),
        ),
        sa.CheckConstraint(
            "winner IS NULL OR winner IN ('blue', 'red', 'tie')", name=op.f("ck_matches_winner")
        ),
        sa.ForeignKeyConstraint(
            ["blue_athlete_id"], ["athletes.id"], name=op.f("fk_matches_blue_athlete_id_athletes")
        ),
        sa.ForeignKeyConstraint(
            ["court_id"], ["courts.id"], name=op.f("fk_matches_court_id_courts")
        ),
        sa.ForeignKeyConstraint(
            ["red_athlete_id"], ["athletes.id"], name=op.f("fk_matches_red_athlete_id_athletes")
        ),
        sa.ForeignKeyConstraint(
            ["tournament_day_id"],
            ["tournament_days.id"],
            name=op.f("fk_matches_tournament_day_id_tournament_days"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"], ["tournaments.id"], name=op.f("fk_matches_tournament_id_tournaments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_matches")),
    )
    op.create_index(op.f("ix_matches_court_id"), "matches", ["court_id"])
    op.create_index(
        op.f("ix_matches_tournament_id_tournament_day_id"),
        "matches",
        ["tournament_id", "tournament_day_id"],
    )
    op.create_table(
        "events",
        # INTEGER PRIMARY KEY on SQLite: an alias of the rowid, no separate key index.
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("sub_index", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.Double(), nullable=False),
        sa.Column("monotonic_ns", sa.BigInteger(), nullable=False),
        sa.Column("court_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("local_port", sa.Integer(), nullable=True),
        sa.Column("tournament_id", sa.Integer(), nullable=True),
        sa.Column("tournament_day_id", sa.Integer(), nullable=True),
        sa.Column("match_id", sa.Integer(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=True),
        sa.Column("clock", sa.String(length=16), nullable=True),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("side", sa.Integer(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("parse_status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("encoding_error", sa.Boolean(), nullable=False),
        sa.Column("foreign", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["court_id"], ["courts.id"], name=op.f("fk_events_court_id_courts")),
        sa.ForeignKeyConstraint(
            ["match_id"], ["matches.id"], name=op.f("fk_events_match_id_matches")
        ),
        sa.ForeignKeyConstraint(
            ["tournament_day_id"],
            ["tournament_days.id"],
            name=op.f("fk_events_tournament_day_id_tournament_days"),
        ),
        sa.ForeignKeyConstraint(
            ["tournament_id"], ["tournaments.id"], name=op.f("fk_events_tournament_id_tournaments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("seq", "sub_index", name=op.f("uq_events_seq_sub_index")),
    )
    op.create_index(op.f("ix_events_code"), "events", ["code"])
    op.create_index(op.f("ix_events_match_id_seq"), "events", ["match_id", "seq"])
    op.create_index(op.f("ix_events_received_at"), "events", ["received_at"])
    op.create_index(
        op.f("ix_events_tournament_id_tournament_day_id"),
        "events",
        ["tournament_id", "tournament_day_id"],
    )

    op.bulk_insert(checkpoint, [{"id": 1, "last_seq": 0}])
    op.bulk_insert(
        courts,
        [
            {
                "id": 1,
                "name": "Court 1",
                "port": 6000,
                "bind_address": "0.0.0.0",
                "allowed_sources": [],
                "enabled": True,
                "context_tournament_id": None,
                "context_day_id": None,
            }
        ],
    )


def downgrade() -> None:
    for table in (
        "events",
        "matches",
        "courts",
        "tournament_days",
        "tournaments",
        "ingest_checkpoint",
        "audit_log",
        "athletes",
    ):
        op.drop_table(table)
