"""Keep the `matches` and `athletes` rows in step with the match states of the trackers.

Called by the BatchWriter inside its transaction: new matches are inserted, touched ones
updated with their latest state. Ids learnt in a transaction become permanent only after it
commits, so a retried batch never points at a row that was rolled back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from app.ingest.courts import CourtInfo
from app.match.state import MatchState, MatchStatus
from app.match.summary import summarize
from app.protocol.messages import Athlete as WireAthlete
from app.store.models import Athlete

MatchKey = tuple[int, int]  # court id, tracker key


def _moment(epoch_seconds: float) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, UTC)


_JSON_COLUMNS = frozenset({"rounds", "warnings"})


def _driver_values(values: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Column names and driver-ready values: JSON as text, datetimes in SQLAlchemy's format."""
    columns = sorted(values)
    params: list[Any] = []
    for column in columns:
        value = values[column]
        if column in _JSON_COLUMNS:
            value = json.dumps(value, ensure_ascii=False)
        elif isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy format
        params.append(value)
    return columns, params


def _execute(conn: Connection, sql: str, params: list[Any]) -> int | None:
    """Run one statement straight through the driver; returns the new row's id for an INSERT.

    Matches are written in every batch (updated, and inserted whenever a court loads the next
    match): building those statements in SQLAlchemy cost more than the rest of a commit."""
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        row_id: int | None = cursor.lastrowid
        return row_id
    finally:
        cursor.close()


def _insert_match(conn: Connection, values: dict[str, Any]) -> int:
    columns, params = _driver_values(values)
    sql = f"INSERT INTO matches ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    match_id = _execute(conn, sql, params)
    assert match_id is not None
    return match_id


def _update_match(conn: Connection, match_id: int, values: dict[str, Any]) -> None:
    columns, params = _driver_values(values)
    sql = f"UPDATE matches SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"
    _execute(conn, sql, [*params, match_id])


class MatchRows:
    def __init__(self) -> None:
        self._ids: dict[MatchKey, int] = {}
        self._athletes: dict[tuple[str, str], int] = {}
        self._started: set[MatchKey] = set()
        self._ended: set[MatchKey] = set()
        # learnt in the running transaction, kept only after it commits
        self._new_ids: dict[MatchKey, int] = {}
        self._new_athletes: dict[tuple[str, str], int] = {}
        self._new_started: set[MatchKey] = set()
        self._new_ended: set[MatchKey] = set()

    def adopt(self, court_id: int, key: int, match_id: int) -> None:
        """A match that already has a row (rebuilt after a restart)."""
        self._ids[(court_id, key)] = match_id
        self._started.add((court_id, key))  # its times are already in the row
        self._ended.add((court_id, key))

    def committed(self) -> None:
        self._ids.update(self._new_ids)
        self._athletes.update(self._new_athletes)
        self._started |= self._new_started
        self._ended |= self._new_ended
        self._new_ids, self._new_athletes = {}, {}
        self._new_started, self._new_ended = set(), set()

    def write(
        self,
        conn: Connection,
        touched: dict[MatchKey, tuple[MatchState, float]],
        courts: dict[int, CourtInfo],
    ) -> dict[MatchKey, int]:
        """Insert or update every touched match; returns the row id of each."""
        self._new_ids, self._new_athletes = {}, {}
        self._new_started, self._new_ended = set(), set()
        ids: dict[MatchKey, int] = {}
        for key, (state, received_at) in touched.items():
            values = self._values(conn, key, state, received_at)
            match_id = self._ids.get(key)
            if match_id is None:
                court = courts.get(key[0])
                values.update(
                    court_id=key[0],
                    tournament_id=court.tournament_id if court else None,
                    tournament_day_id=court.day_id if court else None,
                    loaded_at=_moment(received_at),
                )
                match_id = _insert_match(conn, values)
                self._new_ids[key] = match_id
            else:
                _update_match(conn, match_id, values)
            ids[key] = match_id
        return ids

    def _values(
        self, conn: Connection, key: MatchKey, state: MatchState, received_at: float
    ) -> dict[str, Any]:
        summary = summarize(state)
        result = state.outcome.result
        values: dict[str, Any] = {
            "match_number": state.match_number,
            "category": state.category,
            "phase": state.info.phase,
            "division": state.info.division,
            "round_count": state.info.round_count,
            "rounds": [list(pair) for pair in summary.rounds],
            "round_wins_blue": summary.round_wins[0],
            "round_wins_red": summary.round_wins[1],
            "blue_score": state.stated_total.blue,
            "red_score": state.stated_total.red,
            "winner": summary.winner,
            "decision": summary.decision,
            "method": result.decision if result is not None else None,
            "status": state.status.value,
            "warnings": list(state.warnings),
            "event_count": state.events,
            "unknown_count": state.unknown,
            "malformed_count": state.malformed,
            "blue_athlete_id": self._athlete_id(conn, state.info.blue),
            "red_athlete_id": self._athlete_id(conn, state.info.red),
        }
        if state.clock_started and key not in self._started:
            values["started_at"] = _moment(received_at)
            self._new_started.add(key)
        closed = state.status in (MatchStatus.FINISHED, MatchStatus.ABANDONED)
        if closed and key not in self._ended:
            values["ended_at"] = _moment(received_at)
            self._new_ended.add(key)
        return values

    def _athlete_id(self, conn: Connection, athlete: WireAthlete | None) -> int | None:
        if athlete is None or not athlete.long_name:
            return None
        identity = (athlete.long_name, athlete.noc)
        known = self._athletes.get(identity) or self._new_athletes.get(identity)
        if known is not None:
            return known
        found = conn.execute(
            select(Athlete.id).where(
                Athlete.long_name == athlete.long_name, Athlete.noc == athlete.noc
            )
        ).scalar()
        if found is None:
            inserted = conn.execute(
                insert(Athlete).values(
                    short_name=athlete.short_name, long_name=athlete.long_name, noc=athlete.noc
                )
            ).inserted_primary_key
            assert inserted is not None
            found = inserted[0]
        self._new_athletes[identity] = int(found)
        return int(found)
