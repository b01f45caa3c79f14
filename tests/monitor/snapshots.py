"""Metric snapshots built by hand, for the pure rule and profiler tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from app.monitor.backpressure import NO_BACKPRESSURE
from app.monitor.memory import MemoryStatus, PressureLevel
from app.monitor.metrics import CourtMetrics, DayMetrics, MetricsSnapshot

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
GIB = 1024**3

BASE = MetricsSnapshot(
    taken_at=T0,
    monotonic=0.0,
    recording=True,
    events_per_s=10.0,
    courts=(),
    active_listeners=1,
    received=100,
    stored=100,
    ok=100,
    unknown=0,
    malformed=0,
    failed_writes=0,
    error_rate=0.0,
    error_window_events=1000,
    commit_ms_p50=2.0,
    commit_ms_p99=5.0,
    commit_running_ms=0.0,
    latency_ms_p50=50.0,
    latency_ms_p99=110.0,
    queue_depth=0,
    queue_capacity=2048,
    batch_size=100,
    batches=10,
    journal_backlog=0,
    journal_bytes=1000,
    writer_error=None,
    backpressure=NO_BACKPRESSURE,
    memory=MemoryStatus(80_000_000, 90_000_000, 1.0, 30.0, 8 * GIB, PressureLevel.NORMAL),
    cpu_percent=5.0,
    disk_free_bytes=50 * GIB,
    disk_total_bytes=100 * GIB,
    days=(),
    pool=None,
)


def snapshot(at: float = 0.0, **changes: Any) -> MetricsSnapshot:
    """BASE taken `at` seconds after T0, with `changes`."""
    return replace(BASE, taken_at=T0 + timedelta(seconds=at), monotonic=at, **changes)


def memory_percent(percent: float) -> MemoryStatus:
    return replace(BASE.memory, percent=percent)


def court(
    court_id: int = 1, silent: float | None = 0.0, running: bool = True, listening: bool = True
) -> CourtMetrics:
    return CourtMetrics(court_id, f"Court {court_id}", listening, 10, 1.0, silent, running)


def day(day_id: int, events: int) -> DayMetrics:
    return DayMetrics(1, day_id, f"Open 2026, day {day_id}", events)
