"""Counters of the ingest pipeline and the immutable snapshot the UI and CLI read."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of unsorted values (0.0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass(frozen=True, slots=True)
class CourtCounters:
    court_id: int
    events: int
    rate: float  # events/s over the last few seconds


@dataclass(frozen=True, slots=True)
class IngestStats:
    """A snapshot of the pipeline, safe to hand to another thread."""

    received: int
    stored: int
    ok: int
    unknown: int
    malformed: int
    encoding_errors: int
    foreign: int
    unknown_codes: dict[str, int]
    last_unknown: tuple[str, ...]
    per_court: tuple[CourtCounters, ...]
    rate: float
    queue_depth: int
    queue_capacity: int
    batch_size: int
    batches: int
    commit_ms_last: float
    commit_ms_p50: float
    commit_ms_p99: float
    latency_ms_p50: float  # datagram received -> row committed
    latency_ms_p99: float
    held: int
    committed_seq: int
    journal_bytes: int
    catch_up_ranges: int
    retries: int
    error: str | None
    failed_writes: int
    commit_running_ms: float = 0.0  # age of the commit in progress (0: none)
    journal_backlog: int = 0  # datagrams received (journaled) but not yet committed


@dataclass
class IngestCounters:
    """Mutable counters owned by the writer thread; `snapshot` builds an `IngestStats`."""

    stored: int = 0
    ok: int = 0
    unknown: int = 0
    malformed: int = 0
    encoding_errors: int = 0
    foreign: int = 0
    batches: int = 0
    retries: int = 0
    failed_writes: int = 0
    committed_seq: int = 0
    batch_size: int = 0
    commit_started: float | None = None  # time.monotonic() of the commit in progress
    error: str | None = None
    unknown_codes: Counter[str] = field(default_factory=Counter)
    last_unknown: deque[str] = field(default_factory=lambda: deque(maxlen=10))
    court_events: Counter[int] = field(default_factory=Counter)
    commit_seconds: deque[float] = field(default_factory=lambda: deque(maxlen=1000))
    latency_seconds: deque[float] = field(default_factory=lambda: deque(maxlen=5000))
    # (monotonic time, court id -> cumulative events) samples for rates
    history: deque[tuple[float, dict[int, int]]] = field(default_factory=lambda: deque(maxlen=64))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self) -> None:
        self.history.append((time.monotonic(), dict(self.court_events)))

    def rates(self, window: float = 5.0) -> dict[int, float]:
        if len(self.history) < 2:
            return {}
        now, latest = self.history[-1]
        then, earlier = self.history[0]
        for stamp, counts in self.history:
            if now - stamp <= window:
                then, earlier = stamp, counts
                break
        elapsed = now - then
        if elapsed <= 0:
            return {}
        return {court: (latest.get(court, 0) - earlier.get(court, 0)) / elapsed for court in latest}
