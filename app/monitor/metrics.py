"""Metrics: one immutable `MetricsSnapshot` of the pipeline, the process and the data folder,
and the `Collector` that takes it.

Rates and the error rate are computed over sliding windows from the pipeline's cumulative
counters; commit latency over the batches committed in its window plus the commit still in
progress, so a database held locked by another program shows at once, not when it lets go.
Events per tournament day are counted in the database (every `day_count_interval` seconds, for
the days being recorded; or for every day when `all_days`, as the CLI does).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import psutil
from sqlalchemy import func, select

from app.ingest.feed import CommittedBatch
from app.ingest.stats import IngestStats, percentile
from app.match.state import MatchStatus
from app.monitor.backpressure import NO_BACKPRESSURE, Backpressure, assess
from app.monitor.memory import MemoryMonitor, MemoryStatus
from app.monitor.profiler import BatchTimes
from app.store.engine import PoolStats
from app.store.models import Court, Event, Tournament, TournamentDay, utc_now

if TYPE_CHECKING:
    from app.ingest.recorder import Recorder
    from app.store.database import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CourtMetrics:
    court_id: int
    name: str
    listening: bool
    events: int  # committed since the recorder started
    events_per_s: float
    #: seconds since the court's last datagram, or since it started listening if none came
    #: (None: not listening and nothing received)
    seconds_since_datagram: float | None
    match_running: bool  # its current match has started and has no result yet


@dataclass(frozen=True, slots=True)
class DayMetrics:
    tournament_id: int
    day_id: int
    label: str  # "Open 2026, day 2"
    events: int  # rows in the live events table (archived events are not counted)


@dataclass(frozen=True, slots=True)
class MetricsSnapshot:
    """Everything the monitor measured at one moment; safe to hand to the GUI thread."""

    taken_at: datetime  # UTC
    monotonic: float  # time.monotonic() when taken
    recording: bool  # a started recorder is attached and at least one court listens
    events_per_s: float  # committed events per second, all courts
    courts: tuple[CourtMetrics, ...]
    active_listeners: int
    received: int  # datagrams since the recorder started
    stored: int  # events committed since the recorder started
    ok: int
    unknown: int
    malformed: int
    failed_writes: int
    error_rate: float  # (malformed + failed writes) / (events + failed writes), error window
    error_window_events: int  # events + failed writes the error rate is over
    commit_ms_p50: float  # commit window, including a commit in progress
    commit_ms_p99: float
    commit_running_ms: float
    latency_ms_p50: float  # datagram received -> row committed (recent batches)
    latency_ms_p99: float
    queue_depth: int
    queue_capacity: int
    batch_size: int
    batches: int
    journal_backlog: int  # datagrams received but not yet committed
    journal_bytes: int
    writer_error: str | None
    backpressure: Backpressure
    memory: MemoryStatus
    cpu_percent: float  # this process; can pass 100 on several cores
    disk_free_bytes: int  # in the data folder's file system
    disk_total_bytes: int
    days: tuple[DayMetrics, ...]
    pool: PoolStats | None


@dataclass(frozen=True, slots=True)
class _Counts:
    at: float
    stored: int
    bad: int  # malformed + failed writes
    failed: int
    courts: dict[int, int] = field(default_factory=dict)


class Collector:
    """Takes MetricsSnapshots. `collect` is called from one thread at a time (the monitor's)."""

    def __init__(
        self,
        database: Database,
        memory: MemoryMonitor,
        batch_times: BatchTimes,
        *,
        rate_window: float = 5.0,
        commit_window: float = 10.0,
        error_window: float = 60.0,
        day_count_interval: float = 10.0,
        all_days: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = utc_now,
    ) -> None:
        self.database = database
        self.memory = memory
        self.batch_times = batch_times
        self.rate_window = rate_window
        self.commit_window = commit_window
        self.error_window = error_window
        self.day_count_interval = day_count_interval
        self.all_days = all_days
        # The listener stamps datagrams with time.monotonic(); silence is measured against it.
        self._clock = clock
        self._wall = wall
        self._process = psutil.Process()
        self._process.cpu_percent(None)  # the first call only starts the measurement
        self._recorder: Recorder | None = None
        self._counts: deque[_Counts] = deque()
        self._listening_since: dict[int, float] = {}
        self._days_seen: set[tuple[int, int]] = set()  # added to by the committer thread
        self._days_lock = threading.Lock()
        self._days: tuple[DayMetrics, ...] = ()
        self._days_due = 0.0

    # --- the recorder -------------------------------------------------------------------------
    @property
    def recorder(self) -> Recorder | None:
        return self._recorder

    def attach(self, recorder: Recorder) -> None:
        """Measure this (started) recorder: hears its commits from now on."""
        self.detach()
        self._recorder = recorder
        recorder.distributor.subscribe(self.batch_times)
        recorder.distributor.subscribe(self._note_days)
        self._days_due = 0.0
        if recorder.writer is not None:
            # Windows start here: what was counted before is not "in the last seconds".
            self._remember(self._clock(), recorder.stats())

    def detach(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            recorder.distributor.unsubscribe(self.batch_times)
            recorder.distributor.unsubscribe(self._note_days)
        self._counts.clear()
        self._listening_since.clear()
        with self._days_lock:
            self._days_seen = set()

    def _note_days(self, batch: CommittedBatch) -> None:
        days = {(t, d) for t, d in batch.days if t is not None and d is not None}
        if not days <= self._days_seen:
            with self._days_lock:
                self._days_seen = self._days_seen | days

    # --- sampling -------------------------------------------------------------------------------
    def collect(self) -> MetricsSnapshot:
        now = self._clock()
        recorder = self._recorder
        stats = recorder.stats() if recorder is not None and recorder.writer is not None else None
        memory = self.memory.sample()
        cpu = self._process.cpu_percent(None)
        disk = shutil.disk_usage(self.database.paths.root)
        days = self._day_metrics(now)
        pool = self.database.pool_stats()
        if recorder is None or stats is None:
            return self._idle_snapshot(now, memory, cpu, (disk.free, disk.total), days, pool)
        self._remember(now, stats)
        rates = self._court_rates(now)
        commit_ms = [
            seconds * 1000 for seconds, _ in self.batch_times.since(now - self.commit_window)
        ]
        if stats.commit_running_ms > 0:
            commit_ms.append(stats.commit_running_ms)
        courts = self._court_metrics(recorder, stats, rates, now)
        error_rate, error_events = self._error_rate(now)
        return MetricsSnapshot(
            taken_at=self._wall(),
            monotonic=now,
            recording=any(court.listening for court in courts),
            events_per_s=round(sum(rates.values()), 2),
            courts=courts,
            active_listeners=sum(1 for court in courts if court.listening),
            received=stats.received,
            stored=stats.stored,
            ok=stats.ok,
            unknown=stats.unknown,
            malformed=stats.malformed,
            failed_writes=stats.failed_writes,
            error_rate=error_rate,
            error_window_events=error_events,
            commit_ms_p50=round(percentile(commit_ms, 0.5), 3),
            commit_ms_p99=round(percentile(commit_ms, 0.99), 3),
            commit_running_ms=round(stats.commit_running_ms, 3),
            latency_ms_p50=round(stats.latency_ms_p50, 3),
            latency_ms_p99=round(stats.latency_ms_p99, 3),
            queue_depth=stats.queue_depth,
            queue_capacity=stats.queue_capacity,
            batch_size=stats.batch_size,
            batches=stats.batches,
            journal_backlog=stats.journal_backlog,
            journal_bytes=stats.journal_bytes,
            writer_error=stats.error,
            backpressure=assess(
                stats.queue_depth, stats.queue_capacity, recorder.config.high_water
            ),
            memory=memory,
            cpu_percent=cpu,
            disk_free_bytes=disk.free,
            disk_total_bytes=disk.total,
            days=days,
            pool=pool,
        )

    def _idle_snapshot(
        self,
        now: float,
        memory: MemoryStatus,
        cpu: float,
        disk: tuple[int, int],
        days: tuple[DayMetrics, ...],
        pool: PoolStats,
    ) -> MetricsSnapshot:
        return MetricsSnapshot(
            taken_at=self._wall(),
            monotonic=now,
            recording=False,
            events_per_s=0.0,
            courts=(),
            active_listeners=0,
            received=0,
            stored=0,
            ok=0,
            unknown=0,
            malformed=0,
            failed_writes=0,
            error_rate=0.0,
            error_window_events=0,
            commit_ms_p50=0.0,
            commit_ms_p99=0.0,
            commit_running_ms=0.0,
            latency_ms_p50=0.0,
            latency_ms_p99=0.0,
            queue_depth=0,
            queue_capacity=0,
            batch_size=0,
            batches=0,
            journal_backlog=0,
            journal_bytes=0,
            writer_error=None,
            backpressure=NO_BACKPRESSURE,
            memory=memory,
            cpu_percent=cpu,
            disk_free_bytes=disk[0],
            disk_total_bytes=disk[1],
            days=days,
            pool=pool,
        )

    # --- windows --------------------------------------------------------------------------------
    def _remember(self, now: float, stats: IngestStats) -> None:
        bad = stats.malformed + stats.failed_writes
        courts = {c.court_id: c.events for c in stats.per_court}
        self._counts.append(_Counts(now, stats.stored, bad, stats.failed_writes, courts))
        keep = max(self.rate_window, self.error_window)
        while len(self._counts) > 2 and now - self._counts[1].at >= keep:
            self._counts.popleft()

    def _earliest_within(self, now: float, window: float) -> _Counts:
        """The oldest sample that is at most `window` seconds old (the newest if none older)."""
        for counts in self._counts:
            if now - counts.at <= window:
                return counts
        return self._counts[-1]

    def _court_rates(self, now: float) -> dict[int, float]:
        latest = self._counts[-1]
        earlier = self._earliest_within(now, self.rate_window)
        elapsed = latest.at - earlier.at
        if elapsed <= 0:
            return dict.fromkeys(latest.courts, 0.0)
        return {
            court: max(0.0, (events - earlier.courts.get(court, 0)) / elapsed)
            for court, events in latest.courts.items()
        }

    def _error_rate(self, now: float) -> tuple[float, int]:
        latest = self._counts[-1]
        earlier = self._earliest_within(now, self.error_window)
        bad = latest.bad - earlier.bad
        total = (latest.stored - earlier.stored) + (latest.failed - earlier.failed)
        return (round(bad / total, 6) if total > 0 else 0.0), total

    # --- courts and days ------------------------------------------------------------------------
    def _court_metrics(
        self, recorder: Recorder, stats: IngestStats, rates: dict[int, float], now: float
    ) -> tuple[CourtMetrics, ...]:
        infos = recorder.courts.snapshot()
        live = recorder.live_matches()
        events = {c.court_id: c.events for c in stats.per_court}
        statuses = {s.court_id: s for s in recorder.endpoint_statuses()}
        for court_id in list(self._listening_since):
            status = statuses.get(court_id)
            if status is None or not status.listening:
                del self._listening_since[court_id]
        courts = []
        for court_id in sorted(set(statuses) | set(events)):
            status = statuses.get(court_id)
            listening = status is not None and status.listening
            since: float | None = None
            if status is not None and status.last_received_monotonic is not None:
                since = status.last_received_monotonic
            elif listening:
                since = self._listening_since.setdefault(court_id, now)
            state = live.get(court_id)
            info = infos.get(court_id)
            courts.append(
                CourtMetrics(
                    court_id=court_id,
                    name=info.name if info is not None else f"court {court_id}",
                    listening=listening,
                    events=events.get(court_id, 0),
                    events_per_s=round(rates.get(court_id, 0.0), 2),
                    seconds_since_datagram=(
                        None if since is None else round(max(0.0, now - since), 3)
                    ),
                    match_running=getattr(state, "status", None) is MatchStatus.RUNNING,
                )
            )
        return tuple(courts)

    def _day_metrics(self, now: float) -> tuple[DayMetrics, ...]:
        if now < self._days_due:
            return self._days
        self._days_due = now + self.day_count_interval
        try:
            self._days = self._count_days()
        except Exception as exc:  # a busy or damaged database: keep the last counts
            log.warning("cannot count events per day: %s", exc)
        return self._days

    def _day_pairs(self) -> set[tuple[int, int]]:
        recorder = self._recorder
        if recorder is not None:
            contexts = recorder.courts.snapshot().values()
            pairs = {(c.tournament_id, c.day_id) for c in contexts}
        else:
            with self.database.session() as session:
                rows = session.execute(select(Court.context_tournament_id, Court.context_day_id))
                pairs = {(tournament_id, day_id) for tournament_id, day_id in rows}
        found = {(t, d) for t, d in pairs if t is not None and d is not None}
        return found | self._days_seen

    def _count_days(self) -> tuple[DayMetrics, ...]:
        counts: dict[tuple[int, int], int] = {}
        with self.database.engine.connect() as conn:
            if self.all_days:
                query = (
                    select(Event.tournament_id, Event.tournament_day_id, func.count())
                    .where(Event.tournament_id.is_not(None), Event.tournament_day_id.is_not(None))
                    .group_by(Event.tournament_id, Event.tournament_day_id)
                )
                for tournament_id, day_id, count in conn.execute(query):
                    if tournament_id is not None and day_id is not None:  # (the WHERE)
                        counts[(tournament_id, day_id)] = count
            else:
                for tournament_id, day_id in sorted(self._day_pairs()):
                    # One (tournament_id, tournament_day_id) index range per day.
                    counts[(tournament_id, day_id)] = conn.execute(
                        select(func.count()).where(
                            Event.tournament_id == tournament_id,
                            Event.tournament_day_id == day_id,
                        )
                    ).scalar_one()
            if not counts:
                return ()
            labels = {
                day_id: f"{name}, day {number}"
                for day_id, number, name in conn.execute(
                    select(TournamentDay.id, TournamentDay.number, Tournament.name)
                    .join(Tournament, Tournament.id == TournamentDay.tournament_id)
                    .where(TournamentDay.id.in_([day for _, day in counts]))
                )
            }
        return tuple(
            DayMetrics(tournament_id, day_id, labels.get(day_id, f"day {day_id}"), count)
            for (tournament_id, day_id), count in sorted(counts.items())
        )
