"""Metrics history charts: stored minute rows and the live per-second profile on one time axis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.monitor.history import HistoryPoint
from app.monitor.profiler import ProfilePoint
from app.sim.sender import free_udp_port
from app.ui.history_charts import merged
from app.ui.main_window import MainWindow
from tests.ui.test_main_window import add_court

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def stored(minutes_ago: float, rate: float) -> HistoryPoint:
    taken = NOW - timedelta(minutes=minutes_ago)
    return HistoryPoint(taken, {"statistics": {"performance": {"events_per_s": rate}}})


def live(seconds_ago: float, rate: float) -> ProfilePoint:
    return ProfilePoint(1000.0 - seconds_ago, rate, 5.0, 0.0, 100_000_000)


def test_stored_rows_then_the_live_profile_after_them() -> None:
    xs, ys = merged(
        [stored(3, 10.0), stored(2, 20.0), HistoryPoint(NOW, {"statistics": {}})],
        [live(150, 99.0), live(60, 30.0), live(0, 40.0)],  # 150 s ago is older than the last row
        "performance.events_per_s",
        "events_per_s",
        NOW,
        1000.0,
    )
    assert xs.tolist() == [-3.0, -2.0, -1.0, 0.0]
    assert ys.tolist() == [10.0, 20.0, 30.0, 40.0]


def test_the_window_draws_live_metrics(qtbot: Any, window: MainWindow) -> None:
    import socket

    port = free_udp_port()
    add_court(qtbot, window, "Mat A", port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for n in range(300):
            sender.sendto(f"clk;0{n % 2}:00".encode(), ("127.0.0.1", port))
    curve = window.history_charts.curves[0]

    def drawn_rate() -> float:
        _, ys = curve.getData()
        return 0.0 if ys is None or len(ys) == 0 else float(max(ys))

    qtbot.waitUntil(lambda: drawn_rate() > 0, timeout=15_000)
