"""Profiler: batch commit times, throughput and error-rate history, and their trends.

`BatchTimes` hears every commit from the pipeline's distributor (in the committer thread, so it
only appends); `Profiler` keeps one point per monitor sample and summarises both. `trend` is a
pure function: the least-squares slope over the window, as a share of the series' level.
"""

from __future__ import annotations

import enum
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.ingest.feed import CommittedBatch
from app.ingest.stats import percentile

if TYPE_CHECKING:
    from app.monitor.metrics import MetricsSnapshot


class Trend(enum.StrEnum):
    UP = "up"
    DOWN = "down"
    STABLE = "stable"


def trend(values: Sequence[float], tolerance: float = 0.1, floor: float = 1e-9) -> Trend:
    """UP/DOWN when the fitted line moves more than `tolerance` of the series' mean level over
    the window (`floor` keeps a near-zero series from calling noise a trend)."""
    count = len(values)
    if count < 3:
        return Trend.STABLE
    mean_x = (count - 1) / 2
    mean_y = sum(values) / count
    spread = sum((x - mean_x) ** 2 for x in range(count))
    slope = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values)) / spread
    change = slope * (count - 1)
    scale = max(abs(mean_y), floor)
    if abs(change) <= tolerance * scale:
        return Trend.STABLE
    return Trend.UP if change > 0 else Trend.DOWN


class BatchTimes:
    """Commit time and size of recent batches, with the monotonic time each finished.
    Subscribe it to a Distributor; read it from any thread."""

    def __init__(self, keep: int = 5000, clock: Callable[[], float] = time.monotonic) -> None:
        self._batches: deque[tuple[float, float, int]] = deque(maxlen=keep)
        self._clock = clock
        self._lock = threading.Lock()

    def __call__(self, batch: CommittedBatch) -> None:
        self.add(batch.commit_seconds, batch.count)

    def add(self, seconds: float, rows: int) -> None:
        with self._lock:
            self._batches.append((self._clock(), seconds, rows))

    def since(self, start: float) -> list[tuple[float, int]]:
        """(commit seconds, rows) of the batches committed at or after monotonic `start`."""
        with self._lock:
            return [(seconds, rows) for at, seconds, rows in self._batches if at >= start]


@dataclass(frozen=True, slots=True)
class ProfilePoint:
    monotonic: float
    events_per_s: float
    commit_ms_p99: float
    error_rate: float
    rss_bytes: int


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    samples: int
    batches: int  # batches in the profiler's window
    batch_ms_mean: float
    batch_ms_p50: float
    batch_ms_p99: float
    batch_ms_max: float
    batch_rows_mean: float
    events_per_s_now: float
    events_per_s_mean: float
    events_per_s_peak: float
    error_rate_now: float
    error_rate_peak: float
    throughput_trend: Trend
    commit_trend: Trend
    error_trend: Trend
    memory_trend: Trend


class Profiler:
    """One point per monitor sample over the last `window` seconds, plus the batch times."""

    def __init__(self, batch_times: BatchTimes, window: float = 300.0) -> None:
        self.batch_times = batch_times
        self.window = window
        self._points: deque[ProfilePoint] = deque()
        self._lock = threading.Lock()

    def record(self, snapshot: MetricsSnapshot) -> None:
        point = ProfilePoint(
            snapshot.monotonic,
            snapshot.events_per_s,
            snapshot.commit_ms_p99,
            snapshot.error_rate,
            snapshot.memory.rss_bytes,
        )
        with self._lock:
            self._points.append(point)
            while self._points and point.monotonic - self._points[0].monotonic > self.window:
                self._points.popleft()

    def points(self) -> tuple[ProfilePoint, ...]:
        """The recent history, oldest first (live charts)."""
        with self._lock:
            return tuple(self._points)

    def summary(self) -> ProfileSummary:
        points = self.points()
        start = points[0].monotonic if points else 0.0
        batches = self.batch_times.since(start)
        batch_ms = [seconds * 1000 for seconds, _ in batches]
        rates = [p.events_per_s for p in points]
        errors = [p.error_rate for p in points]
        return ProfileSummary(
            samples=len(points),
            batches=len(batches),
            batch_ms_mean=round(sum(batch_ms) / len(batch_ms), 3) if batch_ms else 0.0,
            batch_ms_p50=round(percentile(batch_ms, 0.5), 3),
            batch_ms_p99=round(percentile(batch_ms, 0.99), 3),
            batch_ms_max=round(max(batch_ms, default=0.0), 3),
            batch_rows_mean=round(sum(r for _, r in batches) / len(batches), 1) if batches else 0,
            events_per_s_now=rates[-1] if rates else 0.0,
            events_per_s_mean=round(sum(rates) / len(rates), 1) if rates else 0.0,
            events_per_s_peak=max(rates, default=0.0),
            error_rate_now=errors[-1] if errors else 0.0,
            error_rate_peak=max(errors, default=0.0),
            throughput_trend=trend(rates, floor=1.0),
            commit_trend=trend([p.commit_ms_p99 for p in points], floor=1.0),
            error_trend=trend(errors, floor=0.001),
            memory_trend=trend([float(p.rss_bytes) for p in points], tolerance=0.05),
        )
