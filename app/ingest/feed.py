"""What the pipeline publishes after each commit: events for the live feed, match snapshots,
the recent-events ring buffer and a fan-out to subscribers (GUI, analytics, metrics)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

log = logging.getLogger(__name__)


class FeedEvent(NamedTuple):
    """One committed event as the live feed shows it."""

    seq: int
    sub_index: int
    received_ns: int
    court_id: int
    match_number: str | None
    round: int | None
    clock: str | None
    code: str
    side: int | None
    value: int | None
    text: str
    status: str  # ok | unknown | malformed
    error: str | None
    foreign: bool


@dataclass(frozen=True, slots=True)
class CommittedBatch:
    """Everything one writer transaction made durable."""

    #: the newest events of the batch (at most writer.FEED_TAIL): what a live feed needs
    events: tuple[FeedEvent, ...]
    #: how many events the batch committed in all
    count: int
    #: court id -> latest MatchState of that court's current match (after this batch)
    matches: dict[int, Any]
    #: database ids of the matches whose rows this batch inserted or updated
    match_ids: tuple[int, ...]
    #: (tournament id, day id) pairs touched by this batch
    days: tuple[tuple[int | None, int | None], ...]
    commit_seconds: float


Subscriber = Callable[[CommittedBatch], None]


class Distributor:
    """Calls each subscriber, in the writer thread, after every commit. Subscribers must be
    quick (append to a buffer, drop cache keys); a failing subscriber is logged, not fatal."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers = [*self._subscribers, subscriber]

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers = [s for s in self._subscribers if s is not subscriber]

    def publish(self, batch: CommittedBatch) -> None:
        for subscriber in self._subscribers:
            try:
                subscriber(batch)
            except Exception:
                log.exception("feed subscriber %r failed", subscriber)


class RecentEvents:
    """Ring buffer of the latest committed events: keeps up to `keep` (1,000), trims to
    `trim_to` (500) so trimming is rare. Readers ask for what came after a position."""

    def __init__(self, keep: int = 1000, trim_to: int = 500) -> None:
        self._keep = keep
        self._trim_to = trim_to
        self._events: list[FeedEvent] = []
        self._first_position = 0  # position of self._events[0] in the whole stream
        self._lock = threading.Lock()

    def __call__(self, batch: CommittedBatch) -> None:
        self.extend(batch.events)

    def extend(self, events: tuple[FeedEvent, ...] | list[FeedEvent]) -> None:
        with self._lock:
            self._events.extend(events)
            if len(self._events) > self._keep:
                drop = len(self._events) - self._trim_to
                del self._events[:drop]
                self._first_position += drop

    @property
    def end(self) -> int:
        """Position just after the newest event."""
        with self._lock:
            return self._first_position + len(self._events)

    def since(self, position: int) -> tuple[int, list[FeedEvent]]:
        """Events after `position` (those still buffered) and the new end position."""
        with self._lock:
            start = max(position - self._first_position, 0)
            return self._first_position + len(self._events), self._events[start:]

    def __len__(self) -> int:
        with self._lock:
            return len(self._events)
