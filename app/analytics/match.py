"""Analytics of one match, from its stored events: points by technique per side and round,
penalties, the score timeline, hit levels, video reviews and duration.

The events are parsed again and folded with the same `MatchState` the recorder uses, so scores
and penalties follow exactly the rules the live window shows (gam-jeom counts per round, one
point to the opponent per gam-jeom, reviews counted once). What the fold does not keep — which
technique scored in which round, every hit level, the order of changes, the clock per round — is
collected alongside it, message by message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from app.analytics.figures import (
    NO_TECHNIQUES,
    AthleteInfo,
    HitLevels,
    ReviewCounts,
    TechniqueCounts,
)
from app.analytics.rows import EventRow, MatchRow
from app.match.state import MatchState, MatchStatus, Pair, ReviewStats, apply
from app.protocol.messages import (
    Clock,
    ClockAction,
    HitLevel,
    Penalties,
    Point,
    Side,
)
from app.protocol.parser import parse_text

_SIDES = (Side.BLUE, Side.RED)


@dataclass(frozen=True, slots=True)
class SideRound:
    """One athlete in one round."""

    techniques: TechniqueCounts  # the athlete's own scoring actions
    penalties: int  # gam-jeoms the athlete received
    penalty_points: int  # points the athlete got from the opponent's gam-jeoms
    points: int  # techniques + penalty points (derived from the messages)
    stated: int | None  # the round score as the stream states it (`s11…` / `sc`)


@dataclass(frozen=True, slots=True)
class RoundFigures:
    number: int
    blue: SideRound
    red: SideRound
    fight_seconds: int  # round clock that ran (round length minus the lowest time shown)
    winner: str | None  # "blue" / "red" per `wrd`, None if undecided

    def side(self, side: Side) -> SideRound:
        return self.blue if side is Side.BLUE else self.red


@dataclass(frozen=True, slots=True)
class SideFigures:
    """One athlete over the whole match."""

    athlete: AthleteInfo | None
    techniques: TechniqueCounts
    penalties: int
    penalty_points: int
    points: int  # derived: techniques + penalty points
    stated: int  # the stream's own total (sum of its per-round scores)
    hits: HitLevels
    reviews: ReviewCounts
    rounds_won: int


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """One step of the score timeline: a point or a gam-jeom, and the match score after it."""

    seq: int
    at: float  # UTC epoch seconds
    round: int
    clock: str | None  # round clock as shown at that moment
    kind: str  # "point" or "penalty"
    side: int  # who scored (point) or who was penalised (penalty)
    value: int  # the technique's points, or the change of the gam-jeom count (-1 removes one)
    blue: int  # match score after the change (techniques + penalty points), blue
    red: int


@dataclass(frozen=True, slots=True)
class MatchAnalytics:
    match_id: int
    match_number: str | None
    category: str | None
    phase: str | None
    tournament_id: int | None
    day_id: int | None
    court_id: int | None
    status: MatchStatus
    winner: str | None
    decision: str | None
    method: str | None
    blue: SideFigures
    red: SideFigures
    rounds: tuple[RoundFigures, ...]
    timeline: tuple[ScoreChange, ...]
    referee_reviews: ReviewCounts  # `ch0`
    duration_seconds: float | None  # clock first started -> result (or last event if running)
    fight_seconds: int  # round clock that actually ran, all rounds
    events: int
    unknown: int
    malformed: int
    warnings: tuple[str, ...]

    def side(self, side: Side) -> SideFigures:
        return self.blue if side is Side.BLUE else self.red


def _reviews(stats: ReviewStats) -> ReviewCounts:
    return ReviewCounts(stats.requested, stats.accepted, stats.rejected, stats.won, stats.lost)


def _row(rows: tuple[Pair, ...], number: int) -> Pair:
    return rows[number - 1] if 0 < number <= len(rows) else Pair()


class _Collector:
    """What the fold itself forgets, gathered message by message."""

    def __init__(self) -> None:
        self.techniques: dict[tuple[int, int], list[int]] = {}  # (side, round) -> counts
        self.levels: dict[int, list[int]] = {1: [], 2: []}
        self.timeline: list[ScoreChange] = []
        self.lowest_clock: dict[int, int] = {}  # round -> lowest seconds shown while running
        self.highest_clock: dict[int, int] = {}
        self.first_event_at: float | None = None
        self.last_event_at: float | None = None

    def see(self, row: EventRow, before: MatchState, after: MatchState, message: object) -> None:
        if self.first_event_at is None:
            self.first_event_at = row.received_at
        self.last_event_at = row.received_at
        number = after.round if after.round > 0 else 1  # MatchState's scoring round
        if isinstance(message, Point):
            counts = self.techniques.setdefault((message.side.value, number), [0] * 5)
            counts[message.value - 1] += 1
            self._change(row, after, number, "point", message.side.value, message.value)
        elif isinstance(message, Penalties):
            old = _row(before.scores.penalties, number)
            new = _row(after.scores.penalties, number)
            for side in _SIDES:
                delta = new.of(side) - old.of(side)
                if delta:
                    self._change(row, after, number, "penalty", side.value, delta)
        elif isinstance(message, HitLevel):
            self.levels[message.side.value].append(message.level)
        elif isinstance(message, Clock) and message.action in (
            None,
            ClockAction.START,
            ClockAction.STOP,
        ):
            # `stopEnd` always says 0:00, even for a round that ended early (README §2.4), and
            # `corr` is an operator's correction: neither shows how far the clock ran.
            seconds = message.time.seconds
            self.lowest_clock[number] = min(seconds, self.lowest_clock.get(number, seconds))
            self.highest_clock[number] = max(seconds, self.highest_clock.get(number, seconds))

    def _change(
        self, row: EventRow, state: MatchState, number: int, kind: str, side: int, value: int
    ) -> None:
        total = state.derived_total
        self.timeline.append(
            ScoreChange(
                row.seq,
                row.received_at,
                number,
                state.clock_text,
                kind,
                side,
                value,
                total.blue,
                total.red,
            )
        )

    def technique_counts(self, side: int, number: int) -> TechniqueCounts:
        counts = self.techniques.get((side, number))
        if counts is None:
            return NO_TECHNIQUES
        return TechniqueCounts.from_pairs((value, n) for value, n in enumerate(counts, start=1))

    def fight_seconds(self, number: int, round_seconds: int | None) -> int:
        if number not in self.lowest_clock:
            return 0
        start = round_seconds if round_seconds else self.highest_clock[number]
        return max(0, start - self.lowest_clock[number])


def fold_events(events: Iterable[EventRow]) -> tuple[MatchState, _Collector]:
    state = MatchState()
    collector = _Collector()
    for row in events:
        message = parse_text(row.text)
        before = state
        state = apply(state, message)
        collector.see(row, before, state, message)
    return state, collector


def match_analytics(
    match: MatchRow,
    events: Iterable[EventRow],
    athletes: Mapping[int, AthleteInfo],
) -> MatchAnalytics:
    """Analytics of `match` from its events in receive order (every event of the match)."""
    state, collected = fold_events(events)
    round_count = max(state.rounds_played, max((n for _, n in collected.techniques), default=0))
    winners = state.outcome.round_winners
    rounds = []
    for number in range(1, round_count + 1):
        penalties = _row(state.scores.penalties, number)
        derived = state.derived_round(number)
        stated = state.stated_round(number)
        sides = []
        for side in _SIDES:
            other = Side.RED if side is Side.BLUE else Side.BLUE
            sides.append(
                SideRound(
                    techniques=collected.technique_counts(side.value, number),
                    penalties=penalties.of(side),
                    penalty_points=penalties.of(other),
                    points=derived.of(side),
                    stated=stated.of(side) if stated is not None else None,
                )
            )
        winner = winners[number - 1] if number <= len(winners) else None
        rounds.append(
            RoundFigures(
                number,
                sides[0],
                sides[1],
                collected.fight_seconds(number, state.info.round_seconds),
                winner.label if winner is not None else None,
            )
        )
    totals = state.penalties_total
    stated_total = state.stated_total
    derived_total = state.derived_total
    wins = state.round_wins
    figures = []
    for side in _SIDES:
        other = Side.RED if side is Side.BLUE else Side.BLUE
        techniques = NO_TECHNIQUES
        for figure in rounds:
            techniques = techniques.plus(figure.side(side).techniques)
        athlete_id = match.blue_athlete_id if side is Side.BLUE else match.red_athlete_id
        figures.append(
            SideFigures(
                athlete=athletes.get(athlete_id) if athlete_id is not None else None,
                techniques=techniques,
                penalties=totals.of(side),
                penalty_points=totals.of(other),
                points=derived_total.of(side),
                stated=stated_total.of(side),
                hits=HitLevels.of(collected.levels[side.value]),
                reviews=_reviews(state.review(side)),
                rounds_won=wins.of(side),
            )
        )
    duration = None
    if match.started_at is not None:
        end = match.ended_at if match.ended_at is not None else collected.last_event_at
        if end is not None:
            duration = max(0.0, end - match.started_at)
    return MatchAnalytics(
        match_id=match.id,
        match_number=match.match_number,
        category=match.category,
        phase=match.phase,
        tournament_id=match.tournament_id,
        day_id=match.day_id,
        court_id=match.court_id,
        status=match.status,
        winner=match.winner,
        decision=match.decision,
        method=match.method,
        blue=figures[0],
        red=figures[1],
        rounds=tuple(rounds),
        timeline=tuple(collected.timeline),
        referee_reviews=_reviews(state.review(None)),
        duration_seconds=duration,
        fight_seconds=sum(figure.fight_seconds for figure in rounds),
        events=state.events,
        unknown=state.unknown,
        malformed=state.malformed,
        warnings=state.warnings,
    )
