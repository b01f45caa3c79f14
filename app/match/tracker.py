"""Split one court's message stream into successive matches (protocol README §4).

`MatchTracker.feed(message, at, token)` places every message in a match (or in none) and folds it
into that match's `MatchState`. The caller attaches an opaque token to each message (e.g. its
database sequence number) and gets back `(token, state after that message)` pairs, in receive
order, as soon as the placement is known.

Rules (README §4 "What marks a new match", made exact):
- `pre;FightLoaded` opens a pending load. While it is pending every message is held, because
  which match it belongs to is not known yet.
- The load is resolved as soon as both its `at1` and `mch` have been seen, at `rdy`, at the
  first message that is not part of a load burst (a clock, a score, …), at the next `pre`, or
  once 2 seconds have passed since its `pre` (`LOAD_TIMEOUT_S`: real load bursts take under
  0.2 s, so this covers a pause after an incomplete burst and bounds how long anything is held;
  the check runs on every `feed` and on `flush(at)`). Unknown, malformed and session lines
  never resolve a load.
- Same match number and athletes as the current match, and the current match never had its
  clock started: a reload; the load's messages go to the current match. Parts the load did not
  carry (a lost `at1` or `mch` datagram) are not compared.
- Otherwise a new match with the next key. The previous match is closed: `abandoned` if its
  clock was started and it got neither `win` nor `wmh`, else with its status unchanged
  (`finished`, or `loaded` for a match that never started).
- `win`/`wmh` finish a match; later messages up to the next load (a corrected `wmh`) still go
  to it.
- Session and equipment lines (`Udp Port …`, `hel;`, `bye;`, LED settings, `hwt`) are never
  placed in a match (state None), and neither is anything before the first load.

Deterministic: the same messages in the same order give the same keys and states, which is how
the recorder rebuilds a court's current match after a restart (re-feeding its stored events).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from app.match.state import MatchState, abandoned, apply
from app.protocol.messages import (
    Athletes,
    Avt,
    Bye,
    FightLoaded,
    FightReady,
    HardwareTest,
    Hello,
    LedSetting,
    Malformed,
    MatchConfig,
    Message,
    Referees,
    UdpPortStatus,
    Unknown,
)

T = TypeVar("T")

#: A pending load is resolved at the latest this long after its `pre` (seconds of `at`).
LOAD_TIMEOUT_S = 2.0

#: Never placed in a match (README §4.5): they belong to the sender or the equipment.
SESSION_TYPES: tuple[type, ...] = (UdpPortStatus, Hello, Bye, LedSetting, HardwareTest)

#: Messages that are part of a load burst and so do not end a pending load by themselves.
LOAD_TYPES: tuple[type, ...] = (FightLoaded, Referees, Athletes, MatchConfig, Avt, FightReady)

#: Held while a load is pending without ending it: the burst's own messages, and lines that
#: carry nothing (unknown, malformed, session). Anything else ends the load.
_LOAD_OR_NEUTRAL: tuple[type, ...] = (*LOAD_TYPES, *SESSION_TYPES, Unknown, Malformed)


@dataclass(slots=True)
class _PendingLoad(Generic[T]):
    started_at: float
    held: list[tuple[Message, T]] = field(default_factory=list)
    athletes: Athletes | None = None
    config: MatchConfig | None = None


class MatchTracker(Generic[T]):
    """Places messages in matches; one tracker per court (not thread-safe: one writer)."""

    def __init__(self, first_key: int = 1) -> None:
        self._next_key = first_key
        self._current: MatchState | None = None
        self._pending: _PendingLoad[T] | None = None
        self._closed: list[MatchState] = []

    @property
    def current(self) -> MatchState | None:
        """The match messages are placed in now (None before the first load)."""
        return self._current

    @property
    def pending(self) -> bool:
        """A load is open and its messages are held (call `flush(at)` now and then)."""
        return self._pending is not None

    def feed(self, message: Message, at: float, token: T) -> list[tuple[T, MatchState | None]]:
        """Place one message received at `at` (seconds, any monotonic origin).

        Returns every (token, state after that message) now placed, in receive order: usually
        just this message, nothing while a load is pending, several when a load resolves.
        """
        pending = self._pending
        if pending is None and type(message) is not FightLoaded:
            # The common case (every clock tick): no load open, place it right away.
            current = self._current
            if current is None or isinstance(message, SESSION_TYPES):
                return [(token, None)]
            self._current = current = apply(current, message)
            return [(token, current)]
        placed: list[tuple[T, MatchState | None]] = []
        if pending is not None and at - pending.started_at >= LOAD_TIMEOUT_S:
            self._resolve(placed)
            pending = None
        if isinstance(message, FightLoaded):
            if pending is not None:
                self._resolve(placed)
            self._pending = _PendingLoad(at, [(message, token)])
            return placed
        if pending is not None:
            pending.held.append((message, token))
            if isinstance(message, Athletes):
                pending.athletes = message
            elif isinstance(message, MatchConfig):
                pending.config = message
            if (
                (pending.athletes is not None and pending.config is not None)
                or isinstance(message, FightReady)
                or not isinstance(message, _LOAD_OR_NEUTRAL)
            ):
                self._resolve(placed)
            return placed
        placed.append((token, self._place(message)))  # the load before it timed out
        return placed

    def flush(self, at: float) -> list[tuple[T, MatchState | None]]:
        """Resolve a pending load whose time is up at `at`; returns what that placed."""
        placed: list[tuple[T, MatchState | None]] = []
        if self._pending is not None and at - self._pending.started_at >= LOAD_TIMEOUT_S:
            self._resolve(placed)
        return placed

    def close(self) -> list[tuple[T, MatchState | None]]:
        """End of input: resolve a pending load now, whatever the time.

        The current match stays current and keeps its status (a match still running at the end
        of a capture or at shutdown is not abandoned: a restarted recorder continues it).
        """
        placed: list[tuple[T, MatchState | None]] = []
        if self._pending is not None:
            self._resolve(placed)
        return placed

    def drain_closed(self) -> list[MatchState]:
        """Matches replaced by a new one since the last call, oldest first, in their final state
        (status `finished`, `abandoned`, or `loaded` if never started)."""
        closed, self._closed = self._closed, []
        return closed

    # --- internals ----------------------------------------------------------------------------
    def _place(self, message: Message) -> MatchState | None:
        if self._current is None or isinstance(message, SESSION_TYPES):
            return None
        self._current = apply(self._current, message)
        return self._current

    def _resolve(self, placed: list[tuple[T, MatchState | None]]) -> None:
        load = self._pending
        assert load is not None
        self._pending = None
        current = self._current
        if current is None or not _is_reload(load, current):
            if current is not None:
                self._closed.append(_closing(current))
            self._current = MatchState(key=self._next_key)
            self._next_key += 1
        for message, token in load.held:
            placed.append((token, self._place(message)))


def _is_reload(load: _PendingLoad[T], current: MatchState) -> bool:
    if current.clock_started:
        return False
    if load.config is not None and load.config.match_number != current.info.match_number:
        return False
    return load.athletes is None or (
        load.athletes.blue == current.info.blue and load.athletes.red == current.info.red
    )


def _closing(state: MatchState) -> MatchState:
    if state.clock_started and not state.finished:
        return abandoned(state)
    return state
