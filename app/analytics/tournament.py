"""Analytics of a tournament or of one of its days: matches, events, points by technique,
average match duration, decision methods, wins per NOC and events per court.

A match belongs to the tournament day it was loaded in (its row's tournament and day); its
events are counted with it (`matches.event_count`, every event the recorder placed in it), and
events outside any match (session lines, traffic before the first load) are counted per court
on top. Points by technique come from the `pt` events of the scope's matches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.analytics.figures import NO_TECHNIQUES, AthleteInfo, TechniqueCounts, share
from app.analytics.rows import CourtCount, MatchRow, TechniqueRow
from app.match.state import MatchStatus

NO_COURT = "(no court)"
UNKNOWN = "(unknown)"


@dataclass(frozen=True, slots=True)
class Scope:
    """What the figures cover: a tournament, or one day of it."""

    tournament_id: int
    tournament_name: str
    day_id: int | None = None
    day_number: int | None = None

    @property
    def label(self) -> str:
        if self.day_number is None:
            return self.tournament_name
        return f"{self.tournament_name}, day {self.day_number}"


@dataclass(frozen=True, slots=True)
class TournamentAnalytics:
    scope: Scope
    matches: int  # fought (the clock ran)
    finished: int
    abandoned: int
    running: int
    not_started: int  # loaded and replaced, or waiting for its first clock start
    events: int
    points: TechniqueCounts  # both sides
    points_blue: TechniqueCounts
    points_red: TechniqueCounts
    average_match_seconds: float | None  # finished matches: clock first started -> result
    decision_methods: tuple[tuple[str, int], ...]  # finished matches per method, most first
    wins_per_noc: tuple[tuple[str, int], ...]  # most first
    events_per_court: tuple[tuple[str, int], ...]  # by court name


def _ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))


def tournament_analytics(
    scope: Scope,
    matches: Sequence[MatchRow],
    techniques: Iterable[TechniqueRow],
    unplaced: Iterable[CourtCount],
    athletes: Mapping[int, AthleteInfo],
    courts: Mapping[int, str],
) -> TournamentAnalytics:
    """`techniques`: `pt` counts of the scope's matches (per match or already summed);
    `unplaced`: events of the scope outside any match, per court."""
    status = Counter(match.status for match in matches)
    finished = [match for match in matches if match.status is MatchStatus.FINISHED]
    durations = [
        match.ended_at - match.started_at
        for match in finished
        if match.started_at is not None and match.ended_at is not None
    ]
    methods = Counter(match.method or UNKNOWN for match in finished)
    wins: Counter[str] = Counter()
    for match in finished:
        athlete_id = {"blue": match.blue_athlete_id, "red": match.red_athlete_id}.get(
            match.winner or ""
        )
        athlete = athletes.get(athlete_id) if athlete_id is not None else None
        if athlete is not None:
            wins[athlete.noc or UNKNOWN] += 1
    per_court: Counter[str] = Counter()
    for match in matches:
        per_court[_court(match.court_id, courts)] += match.event_count
    for court in unplaced:
        per_court[_court(court.court_id, courts)] += court.events
    by_side: dict[int, list[tuple[int, int]]] = {1: [], 2: []}
    for row in techniques:
        by_side.setdefault(row.side, []).append((row.technique, row.actions))
    blue = TechniqueCounts.from_pairs(by_side[1]) if by_side[1] else NO_TECHNIQUES
    red = TechniqueCounts.from_pairs(by_side[2]) if by_side[2] else NO_TECHNIQUES
    return TournamentAnalytics(
        scope=scope,
        matches=sum(1 for match in matches if match.fought),
        finished=status[MatchStatus.FINISHED],
        abandoned=status[MatchStatus.ABANDONED],
        running=status[MatchStatus.RUNNING],
        not_started=status[MatchStatus.LOADED],
        events=sum(per_court.values()),
        points=blue.plus(red),
        points_blue=blue,
        points_red=red,
        average_match_seconds=share(sum(durations), len(durations)),
        decision_methods=_ranked(methods),
        wins_per_noc=_ranked(wins),
        events_per_court=tuple(sorted(per_court.items())),
    )


def _court(court_id: int | None, courts: Mapping[int, str]) -> str:
    if court_id is None:
        return NO_COURT
    return courts.get(court_id, f"court {court_id}")
