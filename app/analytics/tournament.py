"""Analytics of a tournament or of one of its days: matches, events, points by technique,
average match duration, decision methods, wins per NOC and events per court.

A match belongs to the tournament day it was loaded in (its row's tournament and day); its
events are counted with it (`matches.event_count`, every event the recorder placed in it), and
events outside any match (session lines, traffic before the first load) are counted per court
on top. Points by technique come from the `pt` events filed under the tournament (or day) —
the same events, unless an operator moved a court to another tournament in mid-match.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.analytics.figures import NO_TECHNIQUES, TechniqueCounts, share
from app.analytics.rows import CourtCount, ScopeMatchRow, TechniqueRow
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
    matches: Sequence[ScopeMatchRow],
    techniques: Iterable[TechniqueRow],
    unplaced: Iterable[CourtCount],
    courts: Mapping[int, str],
) -> TournamentAnalytics:
    """`techniques`: `pt` counts of the scope's matches (per match or already summed);
    `unplaced`: events of the scope outside any match, per court."""
    status: Counter[MatchStatus] = Counter()
    methods: Counter[str] = Counter()
    wins: Counter[str] = Counter()
    per_court: Counter[str] = Counter()
    durations = []
    for match in matches:
        status[match.status] += 1
        per_court[_court(match.court_id, courts)] += match.event_count
        if match.status is not MatchStatus.FINISHED:
            continue
        methods[match.method or UNKNOWN] += 1
        if match.winner_noc is not None:
            wins[match.winner_noc or UNKNOWN] += 1
        if match.seconds is not None:
            durations.append(match.seconds)
    for court in unplaced:
        per_court[_court(court.court_id, courts)] += court.events
    by_side: dict[int, list[tuple[int, int]]] = {1: [], 2: []}
    for row in techniques:
        by_side.setdefault(row.side, []).append((row.technique, row.actions))
    blue = TechniqueCounts.from_pairs(by_side[1]) if by_side[1] else NO_TECHNIQUES
    red = TechniqueCounts.from_pairs(by_side[2]) if by_side[2] else NO_TECHNIQUES
    return TournamentAnalytics(
        scope=scope,
        matches=sum(count for state, count in status.items() if state is not MatchStatus.LOADED),
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
