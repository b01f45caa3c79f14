"""The database reads behind the analytics: each returns the plain rows of `rows.py`.

Aggregates that would otherwise move hundreds of thousands of rows (points by technique over a
tournament, hits per match) are grouped in SQL; everything else is computed in Python by the
pure calculations. The scoring events (`pt`, `hl`, `wg`, `rnd`) have their own partial indexes
(`ix_events_scoring` by match, `ix_events_scoring_scope` by tournament; migration 0003): a
query uses a partial index only when its WHERE clause repeats the index's condition, so every
query on those codes includes `SCORING_CONDITION` word for word.

Every function takes an open Connection; the service runs one computation's reads in one
transaction, so they see one consistent snapshot while the recorder keeps writing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select, text

from app.analytics.figures import AthleteInfo
from app.analytics.rows import (
    CourtCount,
    EventRow,
    HitRow,
    MatchEventRow,
    MatchRow,
    MetricsRow,
    ScopeMatchRow,
    TechniqueRow,
)
from app.match.state import MatchStatus
from app.store.models import (
    SCORING_CONDITION,
    AnalyticsSnapshot,
    Athlete,
    Court,
    DayStatus,
    Event,
    Match,
    MetricsHistory,
    Tournament,
    TournamentDay,
)

_MATCH_COLUMNS = (
    Match.id,
    Match.match_number,
    Match.tournament_id,
    Match.tournament_day_id,
    Match.court_id,
    Match.category,
    Match.phase,
    Match.blue_athlete_id,
    Match.red_athlete_id,
    Match.status,
    Match.winner,
    Match.decision,
    Match.method,
    Match.started_at,
    Match.ended_at,
    Match.event_count,
    Match.blue_score,
    Match.red_score,
)


def _epoch(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _match(row: Any) -> MatchRow:
    return MatchRow(
        id=row.id,
        match_number=row.match_number,
        tournament_id=row.tournament_id,
        day_id=row.tournament_day_id,
        court_id=row.court_id,
        category=row.category,
        phase=row.phase,
        blue_athlete_id=row.blue_athlete_id,
        red_athlete_id=row.red_athlete_id,
        status=MatchStatus(row.status),
        winner=row.winner.value if row.winner is not None else None,
        decision=row.decision,
        method=row.method,
        started_at=_epoch(row.started_at),
        ended_at=_epoch(row.ended_at),
        event_count=row.event_count,
        blue_score=row.blue_score,
        red_score=row.red_score,
    )


def _placeholders(prefix: str, values: Sequence[int]) -> tuple[str, dict[str, int]]:
    names = [f"{prefix}{index}" for index in range(len(values))]
    return ", ".join(f":{name}" for name in names), dict(zip(names, values, strict=True))


# --- matches and athletes -----------------------------------------------------------------------
def match_row(conn: Connection, match_id: int) -> MatchRow | None:
    row = conn.execute(select(*_MATCH_COLUMNS).where(Match.id == match_id)).first()
    return _match(row) if row is not None else None


_STATUSES = {status.value: status for status in MatchStatus}


def _seconds_between(conn: Connection, start: str, end: str) -> str:
    """SQL for the seconds from one timestamp column to another, in this database's dialect
    (a tournament's thousands of match times are subtracted in SQL, not parsed in Python)."""
    if conn.dialect.name == "sqlite":
        return f"(julianday({end}) - julianday({start})) * 86400.0"
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


def scope_matches(conn: Connection, tournament_id: int, day_id: int | None) -> list[ScopeMatchRow]:
    day_filter = " AND m.tournament_day_id = :day" if day_id is not None else ""
    sql = (
        "SELECT m.status, m.method, a.noc, m.court_id, m.event_count,"
        f" {_seconds_between(conn, 'm.started_at', 'm.ended_at')}"
        " FROM matches m LEFT JOIN athletes a ON a.id = CASE m.winner"
        " WHEN 'blue' THEN m.blue_athlete_id WHEN 'red' THEN m.red_athlete_id END"
        f" WHERE m.tournament_id = :tournament{day_filter}"
    )
    params = {"tournament": tournament_id, "day": day_id}
    return [
        ScopeMatchRow(_STATUSES[status], method, noc, court_id, events, seconds)
        for status, method, noc, court_id, events, seconds in conn.execute(text(sql), params)
    ]


def matches_of_athlete(
    conn: Connection, athlete_id: int, tournament_id: int | None
) -> list[MatchRow]:
    query = select(*_MATCH_COLUMNS).where(
        (Match.blue_athlete_id == athlete_id) | (Match.red_athlete_id == athlete_id)
    )
    if tournament_id is not None:
        query = query.where(Match.tournament_id == tournament_id)
    return [_match(row) for row in conn.execute(query.order_by(Match.id))]


def matches_by_number(
    conn: Connection, match_number: str, tournament_id: int | None = None
) -> list[MatchRow]:
    query = select(*_MATCH_COLUMNS).where(Match.match_number == match_number)
    if tournament_id is not None:
        query = query.where(Match.tournament_id == tournament_id)
    return [_match(row) for row in conn.execute(query.order_by(Match.id))]


def latest_matches(conn: Connection, tournament_id: int, limit: int) -> list[MatchRow]:
    query = (
        select(*_MATCH_COLUMNS)
        .where(Match.tournament_id == tournament_id)
        .order_by(Match.id.desc())
        .limit(limit)
    )
    return [_match(row) for row in conn.execute(query)]


def athletes(conn: Connection, ids: Iterable[int | None]) -> dict[int, AthleteInfo]:
    wanted = sorted({athlete_id for athlete_id in ids if athlete_id is not None})
    if not wanted:
        return {}
    found: dict[int, AthleteInfo] = {}
    # In slices: a tournament may have more athletes than a statement takes parameters.
    for start in range(0, len(wanted), 500):
        query = select(Athlete.id, Athlete.short_name, Athlete.long_name, Athlete.noc).where(
            Athlete.id.in_(wanted[start : start + 500])
        )
        for row in conn.execute(query):
            found[row.id] = AthleteInfo(row.id, row.short_name, row.long_name, row.noc)
    return found


def athletes_named(conn: Connection, name: str, noc: str | None = None) -> list[AthleteInfo]:
    """Athletes whose long or short name is `name` (case-insensitive), optionally of one NOC."""
    wanted = name.strip().lower()
    query = select(Athlete.id, Athlete.short_name, Athlete.long_name, Athlete.noc).where(
        (func.lower(Athlete.long_name) == wanted) | (func.lower(Athlete.short_name) == wanted)
    )
    if noc is not None:
        query = query.where(func.upper(Athlete.noc) == noc.strip().upper())
    return [
        AthleteInfo(row.id, row.short_name, row.long_name, row.noc)
        for row in conn.execute(query.order_by(Athlete.long_name, Athlete.noc, Athlete.id))
    ]


def court_names(conn: Connection) -> dict[int, str]:
    return {row.id: row.name for row in conn.execute(select(Court.id, Court.name))}


def tournament_name(conn: Connection, tournament_id: int) -> str | None:
    return conn.execute(select(Tournament.name).where(Tournament.id == tournament_id)).scalar()


def tournament_status(conn: Connection, tournament_id: int) -> tuple[str, bool] | None:
    """(tournament status, whether one of its days is active), None if there is none."""
    status = conn.execute(select(Tournament.status).where(Tournament.id == tournament_id)).scalar()
    if status is None:
        return None
    active = conn.execute(
        select(TournamentDay.id).where(
            TournamentDay.tournament_id == tournament_id,
            TournamentDay.status == DayStatus.ACTIVE,
        )
    ).first()
    return str(status), active is not None


def day(conn: Connection, day_id: int) -> tuple[int, int, DayStatus, float | None] | None:
    """(tournament id, day number, status, ended at) of a tournament day."""
    row = conn.execute(
        select(
            TournamentDay.tournament_id,
            TournamentDay.number,
            TournamentDay.status,
            TournamentDay.ended_at,
        ).where(TournamentDay.id == day_id)
    ).first()
    if row is None:
        return None
    return row.tournament_id, row.number, row.status, _epoch(row.ended_at)


def day_by_number(conn: Connection, tournament_id: int, number: int) -> int | None:
    return conn.execute(
        select(TournamentDay.id).where(
            TournamentDay.tournament_id == tournament_id, TournamentDay.number == number
        )
    ).scalar()


def day_ids(conn: Connection, tournament_id: int) -> list[int]:
    query = (
        select(TournamentDay.id)
        .where(TournamentDay.tournament_id == tournament_id)
        .order_by(TournamentDay.number)
    )
    return list(conn.execute(query).scalars())


# --- events ---------------------------------------------------------------------------------------
def match_events(conn: Connection, match_id: int) -> list[EventRow]:
    query = (
        select(Event.seq, Event.received_at, Event.text)
        .where(Event.match_id == match_id)
        .order_by(Event.seq, Event.sub_index)
    )
    return [EventRow(*row) for row in conn.execute(query)]


def techniques_of_matches(conn: Connection, match_ids: Sequence[int]) -> list[TechniqueRow]:
    if not match_ids:
        return []
    listed, params = _placeholders("m", match_ids)
    sql = (
        "SELECT match_id, side, value, count(*) FROM events"
        f" WHERE {SCORING_CONDITION} AND code IN ('pt1', 'pt2') AND match_id IN ({listed})"
        " GROUP BY match_id, side, value"
    )
    return [TechniqueRow(*row) for row in conn.execute(text(sql), params)]


def techniques_of_scope(
    conn: Connection, tournament_id: int, day_id: int | None
) -> list[TechniqueRow]:
    """`pt` counts per side and technique of the events filed under a tournament (or day).

    Grouped by code, not side (`pt1` is blue, `pt2` red): the order of ix_events_scoring_scope,
    so tens of thousands of points are counted as they are read, without sorting them.
    """
    day_filter = " AND tournament_day_id = :day" if day_id is not None else ""
    sql = (
        "SELECT code, value, count(*) FROM events"
        f" WHERE tournament_id = :tournament{day_filter}"
        f" AND {SCORING_CONDITION} AND code IN ('pt1', 'pt2')"
        " GROUP BY code, value"
    )
    params = {"tournament": tournament_id, "day": day_id}
    return [
        TechniqueRow(None, int(code[2]), value, count)
        for code, value, count in conn.execute(text(sql), params)
    ]


def hits_of_matches(conn: Connection, match_ids: Sequence[int]) -> list[HitRow]:
    if not match_ids:
        return []
    listed, params = _placeholders("m", match_ids)
    sql = (
        "SELECT match_id, side, count(*), sum(value) FROM events"
        f" WHERE {SCORING_CONDITION} AND code IN ('hl1', 'hl2') AND match_id IN ({listed})"
        " GROUP BY match_id, side"
    )
    return [HitRow(*row) for row in conn.execute(text(sql), params)]


def penalty_events(conn: Connection, match_ids: Sequence[int]) -> list[MatchEventRow]:
    """The `rnd` and `wg` events of the matches, in receive order per match."""
    if not match_ids:
        return []
    listed, params = _placeholders("m", match_ids)
    # Sorted here, not by ORDER BY: asked to sort by seq, SQLite prefers the (match_id, seq)
    # index and reads every clock tick of the matches to find a handful of rows.
    sql = (
        "SELECT match_id, seq, sub_index, text FROM events"
        f" WHERE {SCORING_CONDITION} AND code IN ('rnd', 'wg1', 'wg2')"
        f" AND match_id IN ({listed})"
    )
    rows = sorted(conn.execute(text(sql), params), key=lambda row: (row[0], row[1], row[2]))
    return [MatchEventRow(match_id, seq, line) for match_id, seq, _, line in rows]


def unplaced_events(conn: Connection, tournament_id: int, day_id: int | None) -> list[CourtCount]:
    """Events of the tournament (or day) outside any match, per court."""
    query = (
        select(Event.court_id, func.count())
        .where(Event.match_id.is_(None), Event.tournament_id == tournament_id)
        .group_by(Event.court_id)
    )
    if day_id is not None:
        query = query.where(Event.tournament_day_id == day_id)
    return [CourtCount(*row) for row in conn.execute(query)]


# --- metrics and snapshots ------------------------------------------------------------------------
def metrics_since(conn: Connection, since: datetime) -> list[MetricsRow]:
    query = (
        select(MetricsHistory.taken_at, MetricsHistory.data)
        .where(MetricsHistory.taken_at >= since)
        .order_by(MetricsHistory.taken_at)
    )
    rows = []
    for taken_at, data in conn.execute(query):
        moment = _epoch(taken_at)
        if moment is not None and isinstance(data, dict):
            rows.append(MetricsRow(moment, data))
    return rows


def latest_snapshot_at(conn: Connection, kind: str, key: str) -> datetime | None:
    return conn.execute(
        select(func.max(AnalyticsSnapshot.taken_at)).where(
            AnalyticsSnapshot.kind == kind, AnalyticsSnapshot.key == key
        )
    ).scalar()
