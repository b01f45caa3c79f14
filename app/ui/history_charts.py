"""Metrics history in the statistics panel: events/s, receive-to-stored p99 and memory over
the last hours, from the monitor's stored samples (one a minute, read off the GUI thread) joined
with its in-memory profile of the last minutes (one a second)."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from PySide6.QtWidgets import QVBoxLayout, QWidget

import numpy as np
import pyqtgraph as pg

from app.monitor.history import HistoryPoint, series
from app.monitor.profiler import ProfilePoint
from app.ui.analytics_view import Chart, apply_chart_theme
from app.ui.theme import Theme

HOURS = 12.0
#: Redraw at most this often: a 12-hour chart gains nothing from 1 Hz, and redrawing its three
#: plots costs the GUI thread 20-50 ms while the recorder is busy.
REDRAW_SECONDS = 5.0

#: (chart title, y label, statistics path, profile attribute, scale)
SERIES = (
    ("Events per second", "events/s", "performance.events_per_s", "events_per_s", 1.0),
    ("Commit latency p99", "ms", "batch.commit_ms_p99", "commit_ms_p99", 1.0),
    ("Memory (RSS)", "MB", "memory.rss_bytes", "rss_bytes", 1 / 1_000_000),
)


def merged(
    stored: Sequence[HistoryPoint],
    live: Sequence[ProfilePoint],
    path: str,
    attribute: str,
    now: datetime,
    now_monotonic: float,
) -> tuple[np.ndarray, np.ndarray]:
    """(minutes before now, value) of one statistic: stored rows first, then the live profile
    from where the stored rows end (pure: times are passed in)."""
    stored_series = series(stored, path)
    xs = [(taken - now).total_seconds() / 60 for taken, _ in stored_series]
    ys = [value for _, value in stored_series]
    last = xs[-1] if xs else -float("inf")
    for sample in live:
        minutes = (sample.monotonic - now_monotonic) / 60
        if minutes > last:
            xs.append(minutes)
            ys.append(float(getattr(sample, attribute)))
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)


class MetricsHistoryCharts(QWidget):
    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.charts: list[Chart] = []
        self.curves: list[pg.PlotDataItem] = []
        self.stored: list[HistoryPoint] = []
        self._drawn_at = -math.inf
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for title, unit, _path, _attribute, _scale in SERIES:
            chart = Chart(title, f"history-{unit}", f"minutes (last {HOURS:g} h)", unit)
            chart.plot.setFixedHeight(170)
            self.curves.append(chart.plot.plot(pen=pg.mkPen("#1565c0", width=2)))
            self.charts.append(chart)
            layout.addWidget(chart)
        self.set_theme(theme)

    def set_theme(self, theme: Theme) -> None:
        for chart in self.charts:
            apply_chart_theme(chart, theme)

    @staticmethod
    def since() -> datetime:
        return datetime.now(UTC) - timedelta(hours=HOURS)

    def set_stored(self, points: Sequence[HistoryPoint]) -> None:
        self.stored = list(points)
        self._drawn_at = -math.inf  # new rows: the next tick draws them

    def redraw(self, live: Sequence[ProfilePoint]) -> None:
        if not self.isVisible():
            return  # drawn when the panel is on screen: no pyqtgraph work while hidden
        now, now_monotonic = datetime.now(UTC), time.monotonic()
        if now_monotonic - self._drawn_at < REDRAW_SECONDS:
            return
        self._drawn_at = now_monotonic
        for curve, (_t, _u, path, attribute, scale) in zip(self.curves, SERIES, strict=True):
            xs, ys = merged(self.stored, live, path, attribute, now, now_monotonic)
            curve.setData(xs, ys * scale)
