"""Live state of one match: a pure fold of protocol messages (`apply(state, message)`).

What the stream *states* (the `sc` score, the `s11…` round table, `wrd` round winners, `win`,
`wmh`) is stored as sent and never overwritten by a calculation. Next to it the state *derives*
each round's score from the `pt` values plus one point per gam-jeom of the opponent (README
§2.5). The two are compared where the stream says a round or the match is over (`wrd`, `rst`, a
new `rnd`, `win`, `wmh`) and every disagreement becomes a readable warning, recorded once. They
are not compared message by message: a scoring burst states the new totals *before* the `pt` or
`wg` that explains them.

Rules chosen where the protocol leaves room:
- Gam-jeom counts (`wg`) are kept per round, so `rnd;N` with N above the current round starts
  round N at 0-0 without any `wg` (README §5.6); an operator going back to an earlier round
  finds that round's counts again. A count that goes down (a penalty removed) takes the
  opponent's point away again.
- Video review: one card per athlete per match (`CARDS_PER_MATCH`). A review uses the card up
  unless the stream says it was accepted *and won* (`chN;1;1`). Captured reviews never say
  won or lost (`chN;` → `chN;1` → `chN;-1`), so such a review counts as having used the card.
  Repeats inside one review (`ch2;1` then `ch2;1;1`) are counted once. `ch0` (the referee's own
  review) is counted but has no card.
- A round that `wrd` gives to one athlete is a contradiction only if the stated score of that
  round has the *other* athlete strictly ahead: rounds won at equal scores (superiority,
  referee decision) are normal. `win` contradicts the round winners only when one athlete won
  more rounds and `win` names the other one or `TIE`. The `B-R` figures of `wmh` are display
  text (README §5.13) and are not checked; its winner name is checked against `win`.
- `events` counts every message placed in the match (valid, unknown and malformed alike: the
  events rows of that match); `unknown` and `malformed` are the parts that changed nothing.

Speed: the recorder folds every message in its writer thread (up to 50,000 a second, mostly clock
ticks), so a tick must stay in the low microseconds. `dataclasses.replace` on this 17-field
frozen class costs ~10 µs and even the generated `__init__` pays a slow `object.__setattr__`
per field; `_evolve` and `_tick` below set the slots directly (see `_compile_copy`).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, TypeVar

from app.protocol.messages import (
    Athlete,
    Athletes,
    Break,
    Challenge,
    ChallengeState,
    Clock,
    ClockAction,
    ClockTime,
    HitLevel,
    Injury,
    InjuryAction,
    Leader,
    Malformed,
    MatchConfig,
    MatchResult,
    Message,
    Penalties,
    Point,
    Referees,
    Round,
    RoundScores,
    RoundStats,
    RoundWinners,
    Score,
    Side,
    TimeOut,
    Unknown,
    Winner,
    WinnerColour,
)

#: Video-review cards each athlete has for the whole match (see the module docstring).
CARDS_PER_MATCH = 1


class MatchStatus(enum.StrEnum):
    LOADED = "loaded"  # loaded, clock never started
    RUNNING = "running"  # the round clock was started; no result yet
    FINISHED = "finished"  # `win` or `wmh` received
    ABANDONED = "abandoned"  # replaced by another match after a clock start, without a result


class Pair(NamedTuple):
    """Two numbers, blue first (scores, gam-jeom counts, round wins)."""

    blue: int = 0
    red: int = 0

    def of(self, side: Side) -> int:
        return self.blue if side is Side.BLUE else self.red

    def with_side(self, side: Side, value: int) -> Pair:
        return Pair(value, self.red) if side is Side.BLUE else Pair(self.blue, value)

    def plus(self, side: Side, delta: int) -> Pair:
        if side is Side.BLUE:
            return Pair(self.blue + delta, self.red)
        return Pair(self.blue, self.red + delta)

    def add(self, other: Pair) -> Pair:
        return Pair(self.blue + other.blue, self.red + other.red)

    @property
    def text(self) -> str:
        return f"{self.blue}-{self.red}"


ZERO = Pair(0, 0)


@dataclass(frozen=True, slots=True)
class MatchInfo:
    """What the load burst says about the match (`mch`, `at1`, `ref`); None until sent."""

    match_number: str | None = None  # text, e.g. `245.A` (README §5.3)
    phase: str | None = None  # `Final`, `Semifinals`, …
    category: str | None = None  # gender + weight, `M -87kg`
    division: str | None = None  # `Seniors`, `Under 21`
    round_count: int | None = None
    round_seconds: int | None = None
    blue: Athlete | None = None
    red: Athlete | None = None
    config: MatchConfig | None = None  # the whole `mch` (colours, disputed fields)
    referees: Referees | None = None


@dataclass(frozen=True, slots=True)
class Timer:
    """A secondary countdown: the break, an injury (kye-shi) or a para time-out.

    `active` means: break on (also while paused by `brk;…;stop`), injury countdown shown,
    time-out running. `side` is the athlete for `ij1`/`ij2`/`to1`/`to2`, None for `ij0`/`brk`.
    """

    time: ClockTime
    active: bool
    side: Side | None = None


@dataclass(frozen=True, slots=True)
class ReviewStats:
    """Video reviews of one athlete (or of the referee for `ch0`) over the whole match."""

    requested: int = 0
    accepted: int = 0
    rejected: int = 0
    won: int = 0
    lost: int = 0
    open: bool = False  # a review is in progress (requested, not yet closed by `-1`)
    decided: bool = False  # the open review was already accepted or rejected
    settled: bool = False  # the open review was already won or lost

    @property
    def cards_left(self) -> int:
        return max(0, CARDS_PER_MATCH - (self.requested - self.won))


@dataclass(frozen=True, slots=True)
class Scores:
    """Scores per round: as stated by the stream and as derived from points and penalties.

    Tuples are indexed by round - 1. `table` holds the `s11…` rows (zeros for halves never
    sent), `shown_by_round` the last `sc` seen while each round was current.
    """

    shown: Pair = ZERO  # the last `sc`: score of the current round as displayed
    table: tuple[Pair, ...] = ()
    shown_by_round: tuple[Pair | None, ...] = ()
    derived: tuple[Pair, ...] = ()
    penalties: tuple[Pair, ...] = ()  # gam-jeom counts per round, from `wg`
    leader: Side | None = None  # `sup`
    last_hit: tuple[int | None, int | None] = (None, None)  # `hl1`, `hl2`


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the stream says the rounds and the match ended."""

    round_winners: tuple[Side | None, ...] = ()  # from `wrd`, index round - 1
    winner: WinnerColour | None = None  # `win`
    result: MatchResult | None = None  # `wmh`: winner name and `2-1 PTF`


_NO_REVIEWS = ReviewStats()


@dataclass(frozen=True, slots=True)
class MatchState:
    """One match as folded so far. Build a fresh one with `MatchState(key=…)`."""

    key: int = 0  # ordinal given by MatchTracker (stable for the same input)
    info: MatchInfo = MatchInfo()
    status: MatchStatus = MatchStatus.LOADED
    round: int = 0  # current round from `rnd` (0 before any)
    clock: ClockTime | None = None  # round clock as last sent
    clock_running: bool = False
    clock_started: bool = False  # a `clk;…;start` was ever seen
    break_clock: Timer | None = None
    injury: Timer | None = None
    time_out: Timer | None = None
    scores: Scores = Scores()
    reviews: tuple[ReviewStats, ReviewStats, ReviewStats] = (_NO_REVIEWS,) * 3  # ch0, ch1, ch2
    outcome: Outcome = Outcome()
    events: int = 0  # every message placed in this match
    unknown: int = 0
    malformed: int = 0
    warnings: tuple[str, ...] = ()

    # --- convenience views (cheap; nothing here is stored twice) ----------------------------
    @property
    def match_number(self) -> str | None:
        return self.info.match_number

    @property
    def category(self) -> str | None:
        return self.info.category

    @property
    def clock_text(self) -> str | None:
        return self.clock.text if self.clock is not None else None

    @property
    def clock_seconds(self) -> int | None:
        return self.clock.seconds if self.clock is not None else None

    @property
    def break_on(self) -> bool:
        return self.break_clock is not None and self.break_clock.active

    @property
    def finished(self) -> bool:
        return self.outcome.winner is not None or self.outcome.result is not None

    def athlete_names(self, side: Side) -> tuple[str, str] | None:
        """(short, long) name of one athlete, None before `at1`."""
        athlete = self.info.blue if side is Side.BLUE else self.info.red
        if athlete is None:
            return None
        return athlete.short_name, athlete.long_name

    def review(self, side: Side | None) -> ReviewStats:
        """Reviews asked by one athlete (`ch1`/`ch2`), or the referee's (`ch0`) for None."""
        return self.reviews[0 if side is None else side.value]

    def cards_left(self, side: Side) -> int:
        return self.reviews[side.value].cards_left

    @property
    def penalties(self) -> Pair:
        """Gam-jeoms of the current round."""
        return _row(self.scores.penalties, self.round)

    @property
    def penalties_total(self) -> Pair:
        total = ZERO
        for row in self.scores.penalties:
            total = total.add(row)
        return total

    def stated_round(self, number: int) -> Pair | None:
        """The score of a round as the stream states it: its `s11…` row, else its last `sc`."""
        table, shown = self.scores.table, self.scores.shown_by_round
        if 0 < number <= len(table):
            return table[number - 1]
        if 0 < number <= len(shown):
            return shown[number - 1]
        return None

    def derived_round(self, number: int) -> Pair:
        return _row(self.scores.derived, number)

    @property
    def rounds_played(self) -> int:
        """Rounds known to have been played: the current one, any decided or any scored."""
        count = self.round
        for index, winner in enumerate(self.outcome.round_winners, start=1):
            if winner is not None:
                count = max(count, index)
        for index, row in enumerate(self.scores.table, start=1):
            if row.blue or row.red:
                count = max(count, index)
        return count

    @property
    def stated_rounds(self) -> tuple[Pair, ...]:
        return tuple(self.stated_round(n) or ZERO for n in range(1, self.rounds_played + 1))

    @property
    def derived_rounds(self) -> tuple[Pair, ...]:
        return tuple(self.derived_round(n) for n in range(1, self.rounds_played + 1))

    @property
    def stated_total(self) -> Pair:
        total = ZERO
        for row in self.stated_rounds:
            total = total.add(row)
        return total

    @property
    def derived_total(self) -> Pair:
        total = ZERO
        for row in self.scores.derived:
            total = total.add(row)
        return total

    @property
    def round_wins(self) -> Pair:
        winners = self.outcome.round_winners
        return Pair(winners.count(Side.BLUE), winners.count(Side.RED))


# --- the fast copies ----------------------------------------------------------------------------
class _EvolveState(Protocol):
    """`dataclasses.replace(state, **changes)` for MatchState, typed, several times faster."""

    def __call__(
        self,
        state: MatchState,
        /,
        *,
        key: int = ...,
        info: MatchInfo = ...,
        status: MatchStatus = ...,
        round: int = ...,
        clock: ClockTime | None = ...,
        clock_running: bool = ...,
        clock_started: bool = ...,
        break_clock: Timer | None = ...,
        injury: Timer | None = ...,
        time_out: Timer | None = ...,
        scores: Scores = ...,
        reviews: tuple[ReviewStats, ReviewStats, ReviewStats] = ...,
        outcome: Outcome = ...,
        events: int = ...,
        unknown: int = ...,
        malformed: int = ...,
        warnings: tuple[str, ...] = ...,
    ) -> MatchState: ...


class _EvolveScores(Protocol):
    """`dataclasses.replace(scores, **changes)` for Scores (scoring bursts are frequent too)."""

    def __call__(
        self,
        scores: Scores,
        /,
        *,
        shown: Pair = ...,
        table: tuple[Pair, ...] = ...,
        shown_by_round: tuple[Pair | None, ...] = ...,
        derived: tuple[Pair, ...] = ...,
        penalties: tuple[Pair, ...] = ...,
        leader: Side | None = ...,
        last_hit: tuple[int | None, int | None] = ...,
    ) -> Scores: ...


def _compile_copy(cls: type, changed: tuple[str, ...] | None = None) -> Any:
    """Generate a fast copy-with-changes function for a frozen slots dataclass.

    `changed=None`: `evolve(obj, /, *, any_field=…)`, same result as `dataclasses.replace`.
    `changed=("a", "b")`: `copy(obj, a, b, /)`, for the hottest path, without keyword handling.

    The same technique dataclasses uses for `__init__` (generated source), but each slot is set
    through its member descriptor: a frozen class's `__init__` calls `object.__setattr__` with a
    name lookup per field, which would be most of the cost of a clock tick.
    """
    names = [field.name for field in dataclasses.fields(cls)]
    namespace: dict[str, Any] = {"_KEEP": object(), "_new": object.__new__, "_cls": cls}
    for name in names:
        namespace[f"_set_{name}"] = getattr(cls, name).__set__
    if changed is None:
        lines = [f"def copy(obj, /, *, {', '.join(f'{n}=_KEEP' for n in names)}):"]
        values = {n: f"obj.{n} if {n} is _KEEP else {n}" for n in names}
    else:
        assert set(changed) <= set(names), changed
        lines = [f"def copy(obj, {', '.join(changed)}, /):"]
        values = {n: n if n in changed else f"obj.{n}" for n in names}
    lines.append("    new = _new(_cls)")
    lines.extend(f"    _set_{n}(new, {values[n]})" for n in names)
    lines.append("    return new")
    exec("\n".join(lines), namespace)
    return namespace["copy"]


_evolve: _EvolveState = _compile_copy(MatchState)
_evolve_scores: _EvolveScores = _compile_copy(Scores)
#: `_tick(state, clock, events)`: a clock tick changes nothing else.
_tick: Callable[[MatchState, ClockTime, int], MatchState] = _compile_copy(
    MatchState, ("clock", "events")
)


# --- small helpers ------------------------------------------------------------------------------
_R = TypeVar("_R")


def _row(rows: tuple[Pair, ...], number: int) -> Pair:
    return rows[number - 1] if 0 < number <= len(rows) else ZERO


def _set_row(rows: tuple[_R, ...], number: int, value: _R, filler: _R) -> tuple[_R, ...]:
    """A copy of `rows` with row `number` (1-based) set, padded with `filler` if needed."""
    index = number - 1
    if index < len(rows):
        return (*rows[:index], value, *rows[index + 1 :])
    return (*rows, *(filler,) * (index - len(rows)), value)


def _scoring_round(state: MatchState) -> int:
    # Points sent before any `rnd` (never seen) count for round 1.
    return state.round if state.round > 0 else 1


def _other(side: Side) -> Side:
    return Side.RED if side is Side.BLUE else Side.BLUE


def _with_warnings(state: MatchState, found: Iterable[str]) -> tuple[str, ...]:
    warnings = state.warnings
    for text in found:
        if text not in warnings:
            warnings = (*warnings, text)
    return warnings


def _ended(timer: Timer | None) -> Timer | None:
    if timer is None or not timer.active:
        return timer
    return Timer(timer.time, False, timer.side)


# --- consistency checks -------------------------------------------------------------------------
def _round_warnings(state: MatchState, rounds: Iterable[int]) -> list[str]:
    found: list[str] = []
    scores = state.scores
    winners = state.outcome.round_winners
    for number in rounds:
        table = scores.table[number - 1] if 0 < number <= len(scores.table) else None
        shown = (
            scores.shown_by_round[number - 1] if 0 < number <= len(scores.shown_by_round) else None
        )
        stated = table if table is not None else shown
        if stated is None:
            continue
        derived = state.derived_round(number)
        if stated != derived:
            found.append(
                f"round {number}: stream says {stated.text}, "
                f"points and penalties give {derived.text}"
            )
        if table is not None and shown is not None and table != shown:
            found.append(
                f"round {number}: score message says {shown.text}, round table says {table.text}"
            )
        winner = winners[number - 1] if number <= len(winners) else None
        if winner is not None and stated.of(_other(winner)) > stated.of(winner):
            found.append(
                f"round {number}: stream gives the round to {winner.label}, "
                f"but its score is {stated.text}"
            )
    return found


def _result_warnings(state: MatchState) -> list[str]:
    found: list[str] = []
    colour = state.outcome.winner
    if colour is None:
        return found
    wins = state.round_wins
    if wins.blue != wins.red:
        ahead = Side.BLUE if wins.blue > wins.red else Side.RED
        if colour.side is not ahead:
            found.append(
                f"result {colour.value} contradicts round winners "
                f"({ahead.label} won {max(wins)}-{min(wins)})"
            )
    result = state.outcome.result
    if result is None:
        return found
    name = result.winner_name.strip()
    side = colour.side
    if side is None:
        if name:
            found.append(f"result names {name!r} as winner, but win says TIE")
        return found
    names = state.athlete_names(side)
    if names is not None and name not in {n.strip() for n in names}:
        found.append(
            f"result names {name!r} as winner, but win says {colour.value} ({names[1].strip()})"
        )
    return found


def _match_end(state: MatchState, **changes: Any) -> MatchState:
    """Apply a `win`/`wmh` change, then check rounds and result against each other."""
    status = state.status if state.status is MatchStatus.ABANDONED else MatchStatus.FINISHED
    updated = _evolve(state, status=status, events=state.events + 1, **changes)
    found = _round_warnings(updated, range(1, updated.rounds_played + 1))
    found += _result_warnings(updated)
    return _evolve(updated, warnings=_with_warnings(updated, found))


# --- one handler per message type ---------------------------------------------------------------
def _count_only(state: MatchState, message: object) -> MatchState:
    return _evolve(state, events=state.events + 1)


def _on_unknown(state: MatchState, message: Unknown) -> MatchState:
    return _evolve(state, events=state.events + 1, unknown=state.unknown + 1)


def _on_malformed(state: MatchState, message: Malformed) -> MatchState:
    return _evolve(state, events=state.events + 1, malformed=state.malformed + 1)


def _on_clock(state: MatchState, message: Clock) -> MatchState:
    action = message.action
    if action is None:  # the hot path: one tick a second while the clock runs
        return _tick(state, message.time, state.events + 1)
    if action is ClockAction.START:
        status = MatchStatus.RUNNING if state.status is MatchStatus.LOADED else state.status
        return _evolve(
            state,
            clock=message.time,
            clock_running=True,
            clock_started=True,
            status=status,
            break_clock=_ended(state.break_clock),  # a running round clock means no break
            events=state.events + 1,
        )
    if action is ClockAction.CORR:
        return _evolve(state, clock=message.time, events=state.events + 1)
    # stop and stopEnd (README §5.9: either order means the clock is not running)
    return _evolve(state, clock=message.time, clock_running=False, events=state.events + 1)


def _on_break(state: MatchState, message: Break) -> MatchState:
    active = message.action is not ClockAction.STOP_END
    return _evolve(state, break_clock=Timer(message.time, active), events=state.events + 1)


def _on_injury(state: MatchState, message: Injury) -> MatchState:
    action = message.action
    if action is InjuryAction.SHOW:
        shown = True
    elif action is InjuryAction.HIDE:
        shown = False
    elif action is InjuryAction.RESET:
        shown = state.injury.active if state.injury is not None else False
    else:  # a tick: the countdown only ticks while shown
        shown = True
    timer = Timer(message.time, shown, message.side)
    return _evolve(state, injury=timer, events=state.events + 1)


def _on_time_out(state: MatchState, message: TimeOut) -> MatchState:
    action = message.action
    if action is ClockAction.CORR:
        running = state.time_out.active if state.time_out is not None else False
    else:
        running = action is None or action is ClockAction.START
    timer = Timer(message.time, running, message.side)
    return _evolve(state, time_out=timer, events=state.events + 1)


def _on_round(state: MatchState, message: Round) -> MatchState:
    number = message.number
    if number == state.round:
        return _evolve(state, events=state.events + 1)
    if number < state.round:  # an operator going back: keep everything, just point at it
        return _evolve(state, round=number, events=state.events + 1)
    # A new round: the previous ones are over, so their stated and derived scores must agree.
    # Gam-jeom counts restart silently (README §5.6): nothing to do, they are kept per round
    # and the new round's row starts at 0-0, so its first `wg` is read against 0-0.
    warnings = _with_warnings(state, _round_warnings(state, range(1, state.round + 1)))
    return _evolve(
        state,
        round=number,
        break_clock=_ended(state.break_clock),
        warnings=warnings,
        events=state.events + 1,
    )


def _on_point(state: MatchState, message: Point) -> MatchState:
    scores = state.scores
    number = _scoring_round(state)
    row = _row(scores.derived, number).plus(message.side, message.value)
    derived = _set_row(scores.derived, number, row, ZERO)
    return _evolve(state, scores=_evolve_scores(scores, derived=derived), events=state.events + 1)


def _on_hit_level(state: MatchState, message: HitLevel) -> MatchState:
    blue, red = state.scores.last_hit
    last_hit = (message.level, red) if message.side is Side.BLUE else (blue, message.level)
    scores = _evolve_scores(state.scores, last_hit=last_hit)
    return _evolve(state, scores=scores, events=state.events + 1)


def _on_score(state: MatchState, message: Score) -> MatchState:
    scores = state.scores
    old = scores.shown
    shown = Pair(
        old.blue if message.blue is None else message.blue,
        old.red if message.red is None else message.red,
    )
    number = _scoring_round(state)
    by_round = scores.shown_by_round
    if shown == old and number <= len(by_round) and by_round[number - 1] == shown:
        return _evolve(state, events=state.events + 1)  # `sc` re-sent unchanged
    by_round = _set_row(by_round, number, shown, None)
    scores = _evolve_scores(scores, shown=shown, shown_by_round=by_round)
    return _evolve(state, scores=scores, events=state.events + 1)


def _on_round_scores(state: MatchState, message: RoundScores) -> MatchState:
    table = state.scores.table
    rows = list(table)
    for entry in message.entries:
        index = entry.round - 1
        while len(rows) <= index:
            rows.append(ZERO)
        if rows[index].of(entry.side) != entry.points:
            rows[index] = rows[index].with_side(entry.side, entry.points)
    if len(rows) == len(table) and all(a is b for a, b in zip(rows, table, strict=True)):
        return _evolve(state, events=state.events + 1)  # the table is re-sent unchanged often
    scores = _evolve_scores(state.scores, table=tuple(rows))
    return _evolve(state, scores=scores, events=state.events + 1)


def _on_leader(state: MatchState, message: Leader) -> MatchState:
    scores = _evolve_scores(state.scores, leader=message.side)
    return _evolve(state, scores=scores, events=state.events + 1)


def _on_penalties(state: MatchState, message: Penalties) -> MatchState:
    scores = state.scores
    number = _scoring_round(state)
    counts = _row(scores.penalties, number)
    derived = _row(scores.derived, number)
    for side, value in ((Side.BLUE, message.blue), (Side.RED, message.red)):
        if value is None:
            continue
        # Each gam-jeom is one point for the opponent; the message carries counts, not changes.
        derived = derived.plus(_other(side), value - counts.of(side))
        counts = counts.with_side(side, value)
    scores = _evolve_scores(
        scores,
        penalties=_set_row(scores.penalties, number, counts, ZERO),
        derived=_set_row(scores.derived, number, derived, ZERO),
    )
    return _evolve(state, scores=scores, events=state.events + 1)


def _next_review(stats: ReviewStats, message: Challenge) -> ReviewStats:
    what = message.state
    if what is ChallengeState.CLOSED:
        return dataclasses.replace(stats, open=False) if stats.open else stats
    if what is ChallengeState.REQUESTED and stats.open and not stats.decided:
        return stats  # the same request sent again
    if what is ChallengeState.REQUESTED or not stats.open:
        # A new review; an accept/reject without a request before it opens one too.
        stats = dataclasses.replace(
            stats, requested=stats.requested + 1, open=True, decided=False, settled=False
        )
        if what is ChallengeState.REQUESTED:
            return stats
    if not stats.decided:
        if what is ChallengeState.ACCEPTED:
            stats = dataclasses.replace(stats, accepted=stats.accepted + 1, decided=True)
        else:
            stats = dataclasses.replace(stats, rejected=stats.rejected + 1, decided=True)
    if message.won is not None and not stats.settled:
        if message.won:
            stats = dataclasses.replace(stats, won=stats.won + 1, settled=True)
        else:
            stats = dataclasses.replace(stats, lost=stats.lost + 1, settled=True)
    return stats


def _on_challenge(state: MatchState, message: Challenge) -> MatchState:
    index = 0 if message.side is None else message.side.value
    reviews = list(state.reviews)
    reviews[index] = _next_review(reviews[index], message)
    updated = (reviews[0], reviews[1], reviews[2])
    return _evolve(state, reviews=updated, events=state.events + 1)


def _on_round_winners(state: MatchState, message: RoundWinners) -> MatchState:
    winners = state.outcome.round_winners
    for entry in message.entries:
        winners = _set_row(winners, entry.round, entry.side, None)
    outcome = dataclasses.replace(state.outcome, round_winners=winners)
    updated = _evolve(state, outcome=outcome, events=state.events + 1)
    last = max(state.round, *(e.round for e in message.entries if e.side is not None), 0)
    found = _round_warnings(updated, range(1, last + 1))
    return _evolve(updated, warnings=_with_warnings(updated, found)) if found else updated


def _on_round_stats(state: MatchState, message: RoundStats) -> MatchState:
    # `rst` is sent when its round is over (README §2.7): a good moment to compare.
    found = _round_warnings(state, (message.round,))
    return _evolve(state, warnings=_with_warnings(state, found), events=state.events + 1)


def _on_winner(state: MatchState, message: Winner) -> MatchState:
    outcome = dataclasses.replace(state.outcome, winner=message.colour)
    return _match_end(state, outcome=outcome)


def _on_result(state: MatchState, message: MatchResult) -> MatchState:
    outcome = dataclasses.replace(state.outcome, result=message)
    return _match_end(state, outcome=outcome)


def _on_config(state: MatchState, message: MatchConfig) -> MatchState:
    info = dataclasses.replace(
        state.info,
        match_number=message.match_number,
        phase=message.phase,
        category=message.category,
        division=message.division,
        round_count=message.rounds,
        round_seconds=message.round_seconds,
        config=message,
    )
    return _evolve(state, info=info, events=state.events + 1)


def _on_athletes(state: MatchState, message: Athletes) -> MatchState:
    info = dataclasses.replace(state.info, blue=message.blue, red=message.red)
    return _evolve(state, info=info, events=state.events + 1)


def _on_referees(state: MatchState, message: Referees) -> MatchState:
    info = dataclasses.replace(state.info, referees=message)
    return _evolve(state, info=info, events=state.events + 1)


_HANDLERS: dict[type, Callable[[MatchState, Any], MatchState]] = {
    Clock: _on_clock,
    Break: _on_break,
    Injury: _on_injury,
    TimeOut: _on_time_out,
    Round: _on_round,
    Point: _on_point,
    HitLevel: _on_hit_level,
    Score: _on_score,
    RoundScores: _on_round_scores,
    Leader: _on_leader,
    Penalties: _on_penalties,
    Challenge: _on_challenge,
    RoundWinners: _on_round_winners,
    RoundStats: _on_round_stats,
    Winner: _on_winner,
    MatchResult: _on_result,
    MatchConfig: _on_config,
    Athletes: _on_athletes,
    Referees: _on_referees,
    Unknown: _on_unknown,
    Malformed: _on_malformed,
}


def apply(state: MatchState, message: Message) -> MatchState:
    """The state after one message. Only valid messages change it; Unknown/Malformed count.

    Messages without match meaning (`pre`, `rdy`, `avt`, `rsr`, session and equipment lines)
    only count as events.
    """
    return _HANDLERS.get(type(message), _count_only)(state, message)


def fold(messages: Iterable[Message], state: MatchState | None = None) -> MatchState:
    """Apply messages in order, starting from `state` (a fresh match by default)."""
    current = MatchState() if state is None else state
    for message in messages:
        current = apply(current, message)
    return current


def abandoned(state: MatchState) -> MatchState:
    """The same match marked abandoned (MatchTracker: replaced while unfinished)."""
    return _evolve(state, status=MatchStatus.ABANDONED)
