"""Recording performance over time: ingest rate, commit latency and error rate, from the samples
of the pipeline's counters (`IngestStats`) that the monitor keeps in `metrics_history`.

A sample is the JSON of an `IngestStats` snapshot, either whole or under an `"ingest"` key; the
fields read are `stored`, `unknown`, `malformed`, `failed_writes`, `commit_ms_p50`,
`commit_ms_p99` and `latency_ms_p99`. Counters are cumulative since the recorder started, so
each point is the difference between two consecutive samples; a counter that goes down means
the recorder restarted, and that interval is skipped rather than shown as a negative rate.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.analytics.figures import share
from app.analytics.rows import MetricsRow


@dataclass(frozen=True, slots=True)
class MetricsSample:
    taken_at: float
    stored: int
    bad: int  # unknown + malformed events
    failed_writes: int
    commit_ms_p50: float | None
    commit_ms_p99: float | None
    latency_ms_p99: float | None


@dataclass(frozen=True, slots=True)
class PerformancePoint:
    at: float  # end of the interval, UTC epoch seconds
    seconds: float  # length of the interval
    events: int
    bad_events: int  # unknown + malformed
    ingest_rate: float  # events committed per second over the interval
    error_rate: float | None  # bad events per event committed in the interval
    write_failures: int
    commit_ms_p50: float | None  # as the pipeline reported them at the end of the interval
    commit_ms_p99: float | None
    latency_ms_p99: float | None


@dataclass(frozen=True, slots=True)
class PerformanceAnalytics:
    points: tuple[PerformancePoint, ...]
    samples: int
    restarts: int  # intervals skipped because the counters started again
    events: int
    mean_rate: float | None
    peak_rate: float | None
    worst_commit_ms_p99: float | None
    error_rate: float | None


def _number(data: Mapping[str, Any], name: str) -> float | None:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def sample_of(row: MetricsRow) -> MetricsSample | None:
    """The sample in a `metrics_history` row, or None if it holds no ingest counters."""
    data = row.data.get("ingest", row.data)
    if not isinstance(data, Mapping):
        return None
    stored = _number(data, "stored")
    if stored is None:
        return None
    return MetricsSample(
        taken_at=row.taken_at,
        stored=int(stored),
        bad=int((_number(data, "unknown") or 0) + (_number(data, "malformed") or 0)),
        failed_writes=int(_number(data, "failed_writes") or 0),
        commit_ms_p50=_number(data, "commit_ms_p50"),
        commit_ms_p99=_number(data, "commit_ms_p99"),
        latency_ms_p99=_number(data, "latency_ms_p99"),
    )


def performance_analytics(rows: Iterable[MetricsRow]) -> PerformanceAnalytics:
    samples = sorted(
        (sample for row in rows if (sample := sample_of(row)) is not None),
        key=lambda sample: sample.taken_at,
    )
    points: list[PerformancePoint] = []
    restarts = 0
    for before, after in itertools.pairwise(samples):
        seconds = after.taken_at - before.taken_at
        events = after.stored - before.stored
        bad = after.bad - before.bad
        failures = after.failed_writes - before.failed_writes
        if seconds <= 0:
            continue
        if events < 0 or bad < 0 or failures < 0:
            restarts += 1
            continue
        points.append(
            PerformancePoint(
                at=after.taken_at,
                seconds=seconds,
                events=events,
                bad_events=bad,
                ingest_rate=events / seconds,
                error_rate=share(bad, events),
                write_failures=failures,
                commit_ms_p50=after.commit_ms_p50,
                commit_ms_p99=after.commit_ms_p99,
                latency_ms_p99=after.latency_ms_p99,
            )
        )
    events = sum(point.events for point in points)
    seconds = sum(point.seconds for point in points)
    commits = [point.commit_ms_p99 for point in points if point.commit_ms_p99 is not None]
    bad = sum(point.bad_events for point in points)
    return PerformanceAnalytics(
        points=tuple(points),
        samples=len(samples),
        restarts=restarts,
        events=events,
        mean_rate=share(events, seconds),
        peak_rate=max((point.ingest_rate for point in points), default=None),
        worst_commit_ms_p99=max(commits, default=None),
        error_rate=share(bad, events),
    )
