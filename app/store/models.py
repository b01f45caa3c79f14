"""The database schema as SQLAlchemy 2 typed ORM models (design.md §4).

Conventions:
- Statuses are `StrEnum`s stored as short text (`EnumText`): readable in any SQLite browser, no
  per-row conversion when the batch writer inserts plain strings, enum members when read back.
- Timestamps other than `events.received_at` are UTC `datetime`s (`UtcDateTime`: stored naive
  ISO text, returned timezone-aware).
- `events.received_at` is a REAL: UTC seconds since the Unix epoch (`received_ns / 1e9`). A float
  is 8 bytes, sorts and range-scans numerically, needs no formatting in the 50,000 rows/s insert
  path, and a double keeps sub-microsecond resolution for today's dates. `epoch_to_utc` and
  `utc_to_epoch` convert at the edges.
- `events.details` is JSON *text* written as-is by the ingest layer (which already serialises it);
  an `sa.JSON` column would encode it a second time.
- The metadata has a naming convention so alembic's batch mode (SQLite table rebuilds) can find
  and recreate every constraint by name.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# One definition each: the statuses the pure layers produce are the ones stored.
from app.match.state import MatchStatus
from app.protocol.messages import ParseStatus

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# An id that is a rowid alias on SQLite (only the exact type "INTEGER PRIMARY KEY" is) and a
# 64-bit column on PostgreSQL.
RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class TournamentStatus(enum.StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"


class DayStatus(enum.StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    COMPLETED = "completed"


class Winner(enum.StrEnum):
    BLUE = "blue"
    RED = "red"
    TIE = "tie"


def epoch_to_utc(seconds: float) -> datetime:
    """`events.received_at` as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def utc_to_epoch(moment: datetime) -> float:
    """An aware datetime (naive means UTC) as the `events.received_at` representation."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


E = TypeVar("E", bound=enum.StrEnum)


class EnumText(sa.types.TypeDecorator[E]):
    """A StrEnum stored as its value in a VARCHAR column.

    Binding needs no conversion (a StrEnum member *is* its string value, and the batch writer
    passes plain strings), so only results are converted: inserts stay as cheap as plain text.
    """

    impl = sa.String(16)
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int = 16) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_class(value)

    def __repr__(self) -> str:  # shown by alembic autogenerate
        return f"EnumText({self.enum_class.__name__})"


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A UTC timestamp: aware datetimes in, aware UTC datetimes out (stored naive UTC)."""

    impl = sa.DateTime()
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class Tournament(Base):
    __tablename__ = "tournaments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    country: Mapped[str | None] = mapped_column(sa.String(64))
    start_date: Mapped[date | None] = mapped_column(sa.Date)
    end_date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[TournamentStatus] = mapped_column(
        EnumText(TournamentStatus), default=TournamentStatus.PLANNED
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    days: Mapped[list[TournamentDay]] = relationship(
        back_populates="tournament", order_by="TournamentDay.number"
    )

    __table_args__ = (
        sa.CheckConstraint("status IN ('planned', 'active', 'completed')", name="status"),
    )


class TournamentDay(Base):
    __tablename__ = "tournament_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int] = mapped_column(sa.ForeignKey("tournaments.id"))
    number: Mapped[int]
    date: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[DayStatus] = mapped_column(EnumText(DayStatus), default=DayStatus.PENDING)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    tournament: Mapped[Tournament] = relationship(back_populates="days")

    __table_args__ = (
        sa.UniqueConstraint("tournament_id", "number"),
        sa.CheckConstraint("status IN ('pending', 'active', 'completed')", name="status"),
        sa.CheckConstraint("number >= 1", name="number"),
        # At most one active day per tournament, guaranteed by the database even if two
        # processes race (the repository checks first to give a readable message).
        sa.Index(
            "uq_tournament_days_one_active",
            "tournament_id",
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        ),
    )


class Court(Base):
    __tablename__ = "courts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    port: Mapped[int]
    bind_address: Mapped[str] = mapped_column(sa.String(64), default="0.0.0.0")
    # Source IPs allowed to feed this court; empty means any. Others are stored as foreign.
    allowed_sources: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    # The recording context, persisted so a restart resumes into the same tournament day.
    context_tournament_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tournaments.id"))
    context_day_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tournament_days.id"))

    __table_args__ = (
        sa.UniqueConstraint("bind_address", "port"),
        sa.CheckConstraint("port BETWEEN 1 AND 65535", name="port"),
    )


class Athlete(Base):
    __tablename__ = "athletes"

    id: Mapped[int] = mapped_column(primary_key=True)
    short_name: Mapped[str] = mapped_column(sa.String(100))
    long_name: Mapped[str] = mapped_column(sa.String(200))
    noc: Mapped[str] = mapped_column(sa.String(16))

    __table_args__ = (sa.UniqueConstraint("long_name", "noc"),)


class Match(Base):
    __tablename__ = "matches"

    id: Mapped[int] = mapped_column(primary_key=True)
    tournament_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tournaments.id"))
    tournament_day_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tournament_days.id"))
    court_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courts.id"))
    # Text, never int: PSS match numbers look like "245.A".
    match_number: Mapped[str | None] = mapped_column(sa.String(32))
    category: Mapped[str | None] = mapped_column(sa.String(100))
    phase: Mapped[str | None] = mapped_column(sa.String(100))
    division: Mapped[str | None] = mapped_column(sa.String(100))
    blue_athlete_id: Mapped[int | None] = mapped_column(sa.ForeignKey("athletes.id"))
    red_athlete_id: Mapped[int | None] = mapped_column(sa.ForeignKey("athletes.id"))
    loaded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    round_count: Mapped[int | None]
    # Points stated by the PSS per round: [[blue, red], ...].
    rounds: Mapped[list[list[int]]] = mapped_column(sa.JSON, default=list)
    round_wins_blue: Mapped[int] = mapped_column(default=0)
    round_wins_red: Mapped[int] = mapped_column(default=0)
    blue_score: Mapped[int | None]
    red_score: Mapped[int | None]
    winner: Mapped[Winner | None] = mapped_column(EnumText(Winner))
    decision: Mapped[str | None] = mapped_column(sa.String(100))  # result text, e.g. "2-1 PTF"
    method: Mapped[str | None] = mapped_column(sa.String(32))  # e.g. "PTF"
    status: Mapped[MatchStatus] = mapped_column(EnumText(MatchStatus), default=MatchStatus.LOADED)
    warnings: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    event_count: Mapped[int] = mapped_column(default=0)
    unknown_count: Mapped[int] = mapped_column(default=0)
    malformed_count: Mapped[int] = mapped_column(default=0)

    blue_athlete: Mapped[Athlete | None] = relationship(foreign_keys=[blue_athlete_id])
    red_athlete: Mapped[Athlete | None] = relationship(foreign_keys=[red_athlete_id])

    __table_args__ = (
        sa.Index(None, "tournament_id", "tournament_day_id"),
        sa.Index(None, "court_id"),
        sa.CheckConstraint(
            "status IN ('loaded', 'running', 'finished', 'abandoned')", name="status"
        ),
        sa.CheckConstraint("winner IS NULL OR winner IN ('blue', 'red', 'tie')", name="winner"),
    )


#: The scoring codes analytics aggregate (points, hit levels, gam-jeoms, rounds) and the
#: condition of their partial indexes, written exactly as queries must repeat it: SQLite uses a
#: partial index only for a query whose WHERE clause contains the index's condition. A chain of
#: ORs, not `code IN (...)`: SQLite tests the condition on every inserted row, and an IN list
#: cost the writer a quarter of its insert rate where the comparisons cost a few percent.
SCORING_CODES = ("pt1", "pt2", "hl1", "hl2", "wg1", "wg2", "rnd")
#: Only events that parsed: a garbled `pt1;9` keeps its wire code but has no side or value.
SCORING_CONDITION = "parse_status = 'ok' AND ({})".format(
    " OR ".join(f"code = '{code}'" for code in SCORING_CODES)
)


class Event(Base):
    """One PSS message as received. Lean on purpose: written 50,000 rows/s by Core executemany,
    so no ORM-side defaults or type conversions on insert and only the indexes queries need."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(RowId, primary_key=True)
    seq: Mapped[int] = mapped_column(sa.BigInteger)  # global receive sequence (journal)
    sub_index: Mapped[int] = mapped_column(default=0)  # message index inside the datagram
    received_at: Mapped[float]  # UTC epoch seconds, see the module docstring
    monotonic_ns: Mapped[int] = mapped_column(sa.BigInteger)
    court_id: Mapped[int | None] = mapped_column(sa.ForeignKey("courts.id"))
    source: Mapped[str] = mapped_column(sa.String(64))  # "ip:port"
    local_port: Mapped[int | None]
    tournament_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tournaments.id"))
    tournament_day_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tournament_days.id"))
    match_id: Mapped[int | None] = mapped_column(sa.ForeignKey("matches.id"))
    round: Mapped[int | None]
    clock: Mapped[str | None] = mapped_column(sa.String(16))
    code: Mapped[str] = mapped_column(sa.Text)  # wire code: "pt1", "clk", "" for empty
    side: Mapped[int | None]  # app.protocol.messages.Side: 1 blue, 2 red
    value: Mapped[int | None]
    details: Mapped[str | None] = mapped_column(sa.Text)  # JSON text of the parsed fields
    raw: Mapped[bytes] = mapped_column(sa.LargeBinary)  # the datagram exactly as received
    text: Mapped[str] = mapped_column(sa.Text)  # the decoded line
    parse_status: Mapped[ParseStatus] = mapped_column(EnumText(ParseStatus))
    error: Mapped[str | None] = mapped_column(sa.Text)
    encoding_error: Mapped[bool] = mapped_column(default=False)
    foreign: Mapped[bool] = mapped_column(default=False)  # source not in the court's allow-list

    __table_args__ = (
        sa.UniqueConstraint("seq", "sub_index"),
        sa.Index(None, "tournament_id", "tournament_day_id"),
        sa.Index(None, "match_id", "seq"),
        sa.Index(None, "received_at"),
        # Analytics: points, hits and penalties per match, and points per tournament or day,
        # without reading the clock ticks around them. Partial, so the ~95% of events that are
        # not scoring cost nothing more to insert; covering what the aggregates read, in the
        # order they group by (no sorting of a tournament's points).
        sa.Index(
            "ix_events_scoring",
            "match_id",
            "code",
            "side",
            "value",
            sqlite_where=sa.text(SCORING_CONDITION),
            postgresql_where=sa.text(SCORING_CONDITION),
        ),
        sa.Index(
            "ix_events_scoring_scope",
            "tournament_id",
            "code",
            "value",
            "tournament_day_id",
            sqlite_where=sa.text(SCORING_CONDITION),
            postgresql_where=sa.text(SCORING_CONDITION),
        ),
    )


class IngestCheckpoint(Base):
    """A single row (id 1, created by the first migration): the last seq the database holds
    completely. Journal records after it are replayed on start."""

    __tablename__ = "ingest_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    actor: Mapped[str] = mapped_column(sa.String(100))
    action: Mapped[str] = mapped_column(sa.String(100))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    __table_args__ = (sa.Index(None, "at"),)


class AnalyticsSnapshot(Base):
    """Tournament analytics as they stood at `taken_at` (every N minutes and at day end), so the
    history can be read later without recomputing from events that may have been archived."""

    __tablename__ = "analytics_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))  # "tournament", "day", ...
    key: Mapped[str] = mapped_column(sa.String(64))  # e.g. the tournament id as text
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    __table_args__ = (sa.Index(None, "kind", "key", "taken_at"),)


class MetricsHistory(Base):
    """One monitor sample every 60 s (rates, latency, memory, queue): the statistics charts."""

    __tablename__ = "metrics_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    data: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    __table_args__ = (sa.Index(None, "taken_at"),)
