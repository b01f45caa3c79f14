"""Pure helpers: the profiler's trend, the backpressure level, the memory pressure level."""

from __future__ import annotations

import pytest

from app.monitor.backpressure import BackpressureLevel, assess
from app.monitor.memory import MemoryLimits, PressureLevel, pressure_level
from app.monitor.profiler import BatchTimes, Profiler, Trend, trend
from tests.monitor.snapshots import memory_percent, snapshot


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([100, 110, 120, 130, 140], Trend.UP),
        ([140, 130, 120, 110, 100], Trend.DOWN),
        ([100, 102, 99, 101, 100], Trend.STABLE),
        ([100, 300], Trend.STABLE),  # too few points to call it
        ([0, 0, 0, 0], Trend.STABLE),
        ([0.0, 0.0, 0.0001, 0.0002], Trend.STABLE),  # a tenth of the floor: noise
    ],
)
def test_trend(values: list[float], expected: Trend) -> None:
    assert trend(values, floor=0.01) is expected


def test_backpressure_levels() -> None:
    assert assess(10, 2048, 0.5).level is BackpressureLevel.NONE
    high = assess(1100, 2048, 0.5)
    assert high.level is BackpressureLevel.HIGH and high.coalesce and high.feed_interval_ms > 0
    full = assess(2048, 2048, 0.5)
    assert full.level is BackpressureLevel.SATURATED and full.name == "saturated"
    assert full.feed_interval_ms > high.feed_interval_ms
    assert assess(5, 0, 0.5).level is BackpressureLevel.NONE  # unbounded queue


def test_memory_pressure_levels() -> None:
    limits = MemoryLimits(100, 200, 80.0, 90.0)
    assert pressure_level(50, 10.0, limits) is PressureLevel.NORMAL
    assert pressure_level(150, 10.0, limits) is PressureLevel.ELEVATED
    assert pressure_level(50, 85.0, limits) is PressureLevel.ELEVATED
    assert pressure_level(250, 10.0, limits) is PressureLevel.CRITICAL
    assert pressure_level(50, 95.0, limits) is PressureLevel.CRITICAL


def test_profiler_summarises_batches_and_samples_in_its_window() -> None:
    clock = [0.0]
    times = BatchTimes(clock=lambda: clock[0])
    profiler = Profiler(times, window=10.0)
    for second in range(20):
        clock[0] = float(second)
        times.add(0.002 * (second + 1), 100)
        profiler.record(
            snapshot(
                second,
                events_per_s=100.0 * second,
                error_rate=0.0,
                memory=memory_percent(1.0),
            )
        )
    summary = profiler.summary()
    assert summary.samples == 11  # seconds 9..19
    assert summary.batches == 11
    assert summary.batch_ms_max == pytest.approx(40.0)
    assert summary.events_per_s_now == 1900.0 and summary.events_per_s_peak == 1900.0
    assert summary.throughput_trend is Trend.UP
    assert summary.error_trend is Trend.STABLE
    assert [p.monotonic for p in profiler.points()] == [float(s) for s in range(9, 20)]
