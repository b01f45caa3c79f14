"""Monitor: samples the metrics every second on its own thread, evaluates the alert rules, and
stores a metrics_history row every minute (and whenever an alert is raised or cleared).

The GUI polls it from its timer — every call returns immutable data at once, never touching
the database, except `history()`, which reads metrics_history and belongs off the GUI thread:

    monitor = Monitor(db, recorder)          # recorder optional: attach()/detach() later
    monitor.start()
    monitor.snapshot()                       # MetricsSnapshot | None
    monitor.alerts()                         # AlertsView(active, history)
    monitor.backpressure()                   # Backpressure, read live from the queue
    monitor.statistics()                     # the statistics panel's JSON document
    monitor.memory.subscribe(cache.shrink)   # caches shrink when memory pressure rises
    monitor.add_cache_provider("analytics", service.cache_stats)
    monitor.stop()

History rows go through a second engine with a short busy timeout: a database locked by
another program delays the row (kept for the next attempt), never the sampling.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from app.monitor.alerts import (
    Alert,
    AlertCenter,
    AlertEvent,
    AlertRule,
    AlertThresholds,
    default_rules,
)
from app.monitor.backpressure import NO_BACKPRESSURE, Backpressure, assess
from app.monitor.history import HistoryPoint, read_points, store_point
from app.monitor.memory import MemoryLimits, MemoryMonitor
from app.monitor.metrics import Collector, MetricsSnapshot
from app.monitor.profiler import BatchTimes, Profiler, ProfileSummary
from app.monitor.report import statistics_document
from app.store.engine import create_engine_for, immediate

if TYPE_CHECKING:
    from app.ingest.recorder import Recorder
    from app.store.database import Database

log = logging.getLogger(__name__)

CacheProvider = Callable[[], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    sample_interval: float = 1.0  # seconds between samples
    history_interval: float = 60.0  # seconds between metrics_history rows
    rate_window: float = 5.0  # events/s over this many seconds
    commit_window: float = 10.0  # commit latency percentiles over this many seconds
    error_window: float = 60.0  # error rate over this many seconds
    day_count_interval: float = 10.0  # events per day are counted in the database this often
    profile_window: float = 300.0  # the profiler's history (trends, live charts)
    thresholds: AlertThresholds = field(default_factory=AlertThresholds)
    memory: MemoryLimits = field(default_factory=MemoryLimits)
    store_busy_timeout_ms: int = 250


@dataclass(frozen=True, slots=True)
class AlertsView:
    active: tuple[Alert, ...]  # most severe first
    history: tuple[AlertEvent, ...]  # raises and clears since start, oldest first


class Monitor:
    def __init__(
        self,
        database: Database,
        recorder: Recorder | None = None,
        config: MonitorConfig | None = None,
        *,
        rules: Iterable[AlertRule] | None = None,
        all_days: bool = False,
    ) -> None:
        self.database = database
        self.config = config = config or MonitorConfig()
        self.memory = MemoryMonitor(config.memory)
        self.batch_times = BatchTimes()
        self.profiler = Profiler(self.batch_times, config.profile_window)
        self.collector = Collector(
            database,
            self.memory,
            self.batch_times,
            rate_window=config.rate_window,
            commit_window=config.commit_window,
            error_window=config.error_window,
            day_count_interval=config.day_count_interval,
            all_days=all_days,
        )
        self.alert_center = AlertCenter(
            default_rules(config.thresholds) if rules is None else rules
        )
        self._providers: dict[str, CacheProvider] = {}
        self._snapshot: MetricsSnapshot | None = None
        self._sample_lock = threading.Lock()
        self._history_engine: Engine | None = None
        self._history_due = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if recorder is not None:
            self.attach(recorder)

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._history_due = time.monotonic() + self.config.history_interval
        self._thread = threading.Thread(target=self._run, name="strikedesk-monitor", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0, *, store: bool = True) -> None:
        """Stop sampling; with `store`, take a last sample and store it (and any alert
        raised or cleared since the last row)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(timeout)
        if store and thread is not None:
            try:
                self.store_history(self.sample())
            except Exception:
                log.exception("last monitor sample failed")
        if self._history_engine is not None:
            self._history_engine.dispose()
            self._history_engine = None

    def __enter__(self) -> Monitor:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def attach(self, recorder: Recorder) -> None:
        """Measure this started recorder (its queue, writer, courts and commits)."""
        with self._sample_lock:
            self.collector.attach(recorder)

    def detach(self) -> None:
        with self._sample_lock:
            self.collector.detach()

    def _run(self) -> None:
        while not self._stop.wait(self.config.sample_interval):
            try:
                snapshot = self.sample()
                if snapshot.monotonic >= self._history_due:
                    self.store_history(snapshot)
            except Exception:  # the monitor must outlive whatever went wrong in one sample
                log.exception("monitor sample failed")

    # --- sampling --------------------------------------------------------------------------
    def sample(self) -> MetricsSnapshot:
        """Take a snapshot now (on the caller's thread) and evaluate the alert rules; a raise
        or clear is stored in metrics_history straight away."""
        with self._sample_lock:
            snapshot = self.collector.collect()
            self.profiler.record(snapshot)
            events = self.alert_center.update(snapshot, snapshot.monotonic)
            self._snapshot = snapshot
        if events:
            self.store_history(snapshot)
        return snapshot

    def store_history(self, snapshot: MetricsSnapshot) -> bool:
        """Write one metrics_history row for `snapshot`; False if the database refused (the
        alert events wait for the next row)."""
        events = self.alert_center.take_unsaved()
        try:
            if self._history_engine is None:
                self._history_engine = immediate(
                    create_engine_for(
                        self.database.paths.database,
                        busy_timeout_ms=self.config.store_busy_timeout_ms,
                    )
                )
            store_point(
                self._history_engine,
                snapshot.taken_at,
                statistics_document(snapshot, self.profiler.summary(), self.cache_statistics()),
                self.alert_center.active(),
                events,
            )
        except Exception as exc:
            self.alert_center.return_unsaved(events)
            self._history_due = snapshot.monotonic + self.config.sample_interval
            log.warning("metrics history not stored (next try in a moment): %s", exc)
            return False
        self._history_due = snapshot.monotonic + self.config.history_interval
        return True

    # --- what the GUI polls ---------------------------------------------------------------
    def snapshot(self) -> MetricsSnapshot | None:
        """The latest sample (None before the first one)."""
        return self._snapshot

    def alerts(self) -> AlertsView:
        return AlertsView(self.alert_center.active(), self.alert_center.history())

    def profile(self) -> ProfileSummary:
        return self.profiler.summary()

    def backpressure(self) -> Backpressure:
        """Read live from the recorder's queue: cheap enough for every GUI timer tick."""
        recorder = self.collector.recorder
        if recorder is None:
            return NO_BACKPRESSURE
        queue = recorder.queue
        return assess(queue.qsize(), queue.maxsize, recorder.config.high_water)

    def statistics(self, snapshot: MetricsSnapshot | None = None) -> dict[str, Any] | None:
        """The statistics document (app.monitor.report) of `snapshot` or of the latest sample
        (None before the first one)."""
        snapshot = snapshot or self._snapshot
        if snapshot is None:
            return None
        return statistics_document(snapshot, self.profiler.summary(), self.cache_statistics())

    def history(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
    ) -> list[HistoryPoint]:
        """Stored samples for charts (a database read: call it off the GUI thread)."""
        return read_points(self.database.engine, since, until, limit)

    # --- caches --------------------------------------------------------------------------------
    def add_cache_provider(self, name: str, provider: CacheProvider) -> None:
        """`provider()` returns the statistics of one cache family (hits, misses, size, ...)
        for the statistics document's cache section; it is called on the monitor thread."""
        self._providers = {**self._providers, name: provider}

    def remove_cache_provider(self, name: str) -> None:
        self._providers = {k: v for k, v in self._providers.items() if k != name}

    def cache_statistics(self) -> dict[str, Mapping[str, Any]]:
        result: dict[str, Mapping[str, Any]] = {}
        for name, provider in self._providers.items():
            try:
                result[name] = dict(provider())
            except Exception as exc:  # a failing provider shows as such, not as zeros
                log.exception("cache provider %s failed", name)
                result[name] = {"error": str(exc)}
        return result
