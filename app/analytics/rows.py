"""The rows the analytics calculations take: plain records the queries fill from the database.

Pure: no SQL here. Times are UTC epoch seconds (floats) so the calculations do plain
arithmetic; `queries.py` converts the stored datetimes at the edge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from app.match.state import MatchStatus


@dataclass(frozen=True, slots=True)
class MatchRow:
    """One `matches` row: what the recorder stated about a match when it last touched it."""

    id: int
    match_number: str | None
    tournament_id: int | None
    day_id: int | None
    court_id: int | None
    category: str | None
    phase: str | None
    blue_athlete_id: int | None
    red_athlete_id: int | None
    status: MatchStatus
    winner: str | None  # "blue", "red", "tie" (from `win`) or None
    decision: str | None  # the `wmh` result text, e.g. "2-1 PTF"
    method: str | None  # its decision code, e.g. "PTF"
    started_at: float | None  # the round clock first started
    ended_at: float | None  # finished (`win`/`wmh`) or abandoned
    event_count: int
    blue_score: int | None = None
    red_score: int | None = None

    @property
    def fought(self) -> bool:
        """The clock ran at some point (a load that was replaced before it started is not a
        match anyone fought; it is counted apart)."""
        return self.status is not MatchStatus.LOADED

    def side_of(self, athlete_id: int) -> int | None:
        """1 (blue) or 2 (red) for an athlete of this match, None for anyone else."""
        if self.blue_athlete_id == athlete_id:
            return 1
        if self.red_athlete_id == athlete_id:
            return 2
        return None


class ScopeMatchRow(NamedTuple):
    """What a tournament's (or day's) figures need of each of its matches: a lean row, as a
    tournament at 5 M events holds thousands of matches."""

    status: MatchStatus
    method: str | None
    winner_noc: str | None  # NOC of the athlete `win` names (None: tie, no result, unknown)
    court_id: int | None
    event_count: int
    seconds: float | None  # clock first started -> ended, when both are known

    @property
    def fought(self) -> bool:
        return self.status is not MatchStatus.LOADED


class EventRow(NamedTuple):
    """One stored event: enough to parse it again and fold it into a MatchState."""

    seq: int
    received_at: float
    text: str


class MatchEventRow(NamedTuple):
    """An event of some match (the athlete's penalty fold reads several matches at once)."""

    match_id: int
    seq: int
    text: str


class TechniqueRow(NamedTuple):
    """`actions` scoring actions of `technique` (the `pt` value) by `side`, in one match or,
    with match_id None, summed over a whole tournament or day."""

    match_id: int | None
    side: int
    technique: int
    actions: int


class HitRow(NamedTuple):
    """`hits` sensor hits of `side` in one match, their levels summing to `total`."""

    match_id: int
    side: int
    hits: int
    total: int


class CourtCount(NamedTuple):
    """Events filed under no match (session lines, traffic before the first load) per court."""

    court_id: int | None
    events: int


class MetricsRow(NamedTuple):
    """One `metrics_history` sample: when, and the JSON the monitor stored."""

    taken_at: float
    data: Mapping[str, Any]
