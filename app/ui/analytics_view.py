"""The Analytics tab: charts of the selected match, the live event rate per court and the
selected tournament, drawn with pyqtgraph; each chart saves itself as a PNG.

Every figure comes from AnalyticsService, called through BackgroundCalls (its queries read the
database). The live chart reads only the recorder's in-memory statistics, one sample a second
into preallocated numpy ring buffers, and redraws at most REDRAW_HZ times a second.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg

from app.analytics.figures import HIT_BUCKETS, TECHNIQUES
from app.analytics.match import MatchAnalytics
from app.analytics.service import AnalyticsService
from app.analytics.tournament import TournamentAnalytics
from app.ingest.stats import CourtCounters
from app.jobs.runner import Priority
from app.ui.background import BackgroundCalls
from app.ui.desk import Desk, MatchRow, TournamentRow
from app.ui.theme import Colours, Theme

HISTORY_SECONDS = 600  # the live chart shows the last ten minutes
MINUTE = 60
REDRAW_HZ = 30
SNAPSHOT_MS = 60_000
TECHNIQUE_NAMES = ("punch", "body", "head", "t-body", "t-head")


def _ticks(labels: Sequence[str]) -> list[list[tuple[float, str]]]:
    return [[(float(i), label) for i, label in enumerate(labels)]]


Values = Sequence[float] | npt.NDArray[np.float64]


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def _scrolling(page: QWidget) -> QScrollArea:
    """A page of several charts scrolls when the window is small instead of widening it."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(page)
    return area


def apply_chart_theme(chart: Chart, theme: Theme) -> None:
    """Background, title, axes and legend of one chart in the window's theme."""
    dark = theme is Theme.DARK
    background, foreground = ("#1e1e20", "#e6e6e6") if dark else ("#ffffff", "#202020")
    chart.plot.setBackground(background)
    item = chart.plot.getPlotItem()
    item.titleLabel.setAttr("color", foreground)
    item.titleLabel.setText(item.titleLabel.text)
    for side in ("left", "bottom"):
        axis = item.getAxis(side)
        axis.setPen(foreground)
        axis.setTextPen(foreground)
    chart.legend.setLabelTextColor(foreground)


class Chart(QWidget):
    """A titled pyqtgraph plot with a "Save PNG…" button."""

    def __init__(
        self,
        title: str,
        name: str,
        x_label: str,
        y_label: str,
        legend_offset: tuple[int, int] = (-8, 8),
    ) -> None:
        super().__init__()
        self.setObjectName(name)
        self.plot = pg.PlotWidget()
        self.plot.setMinimumHeight(100)  # the window must still fit small screens
        item = self.plot.getPlotItem()
        item.setTitle(title)
        item.setLabel("bottom", x_label)
        item.setLabel("left", y_label)
        item.showGrid(x=False, y=True, alpha=0.25)
        item.setMenuEnabled(False)
        # Negative offsets anchor the legend at the right / bottom, where the data leaves room.
        self.legend = item.addLegend(offset=legend_offset, colCount=2)
        for side in ("left", "bottom"):
            item.getAxis(side).enableAutoSIPrefix(False)
        self._top = 0.0  # the highest bar drawn
        self.save_button = QPushButton("Save PNG…")
        self.save_button.setToolTip(f"Save the chart “{title}” as a PNG image")
        self.save_button.clicked.connect(self._ask_and_save)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.plot, 1)
        layout.addLayout(bar)

    def clear(self) -> None:
        self.plot.getPlotItem().clear()
        self.legend.clear()
        self._top = 0.0

    def save_png(self, path: Path) -> Path:
        if not self.plot.grab().save(str(path), "PNG"):
            raise OSError(f"Cannot write {path}.")
        return path

    def _ask_and_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save chart", f"{self.objectName()}.png", "PNG images (*.png)"
        )
        if name:
            self.save_png(Path(name))

    def bars(self, x: Values, heights: Values, colour: str, width: float) -> pg.BarGraphItem:
        """Unnamed: bar charts carry no legend (blue and red need none, the rest is one
        colour), so nothing hides the bars."""
        item = pg.BarGraphItem(
            x=np.asarray(x, dtype=float),
            height=np.asarray(heights, dtype=float),
            width=width,
            brush=colour,
            pen=pg.mkPen(colour),
        )
        self.plot.addItem(item)
        self._top = max([self._top, *(float(h) for h in heights)])
        self.plot.getPlotItem().setYRange(0, max(1.0, self._top * 1.1), padding=0)
        return item

    def set_categories(self, labels: Sequence[str]) -> None:
        item = self.plot.getPlotItem()
        item.getAxis("bottom").setTicks(_ticks(labels))
        # At least three slots wide: one category must not make one wall-to-wall bar.
        item.setXRange(-0.6, max(len(labels), 3) - 0.4, padding=0)


class RateHistory:
    """Events per minute of one court over the last HISTORY_SECONDS, one sample a second.

    Preallocated: each sample is written twice (at i and i + HISTORY_SECONDS), so the last
    HISTORY_SECONDS samples are always the contiguous view `[i + 1 : i + 1 + HISTORY_SECONDS]`
    and a redraw copies nothing. The cumulative counts of the last minute sit in a ring too.
    """

    def __init__(self) -> None:
        self.values = np.zeros(2 * HISTORY_SECONDS, dtype=float)
        self.counts = np.zeros(MINUTE + 1, dtype=np.int64)
        self.samples = 0
        self._index = HISTORY_SECONDS - 1

    def add(self, events: int) -> float:
        slot = self.samples % (MINUTE + 1)
        self.counts[slot] = events
        oldest = self.counts[(self.samples + 1) % (MINUTE + 1)] if self.samples >= MINUTE else 0
        self.samples += 1
        per_minute = float(events - oldest)
        self._index = (self._index + 1) % HISTORY_SECONDS
        self.values[self._index] = self.values[self._index + HISTORY_SECONDS] = per_minute
        return per_minute

    def view(self) -> np.ndarray:
        start = self._index + 1
        return self.values[start : start + HISTORY_SECONDS]


class AnalyticsView(QWidget):
    def __init__(self, calls: BackgroundCalls, theme: Theme, colours: Colours) -> None:
        super().__init__()
        self.setObjectName("analyticsView")
        pg.setConfigOptions(antialias=True)
        self.calls = calls
        self.colours = colours
        self.service: AnalyticsService | None = None
        self.desk: Desk | None = None
        self.tournament: TournamentRow | None = None
        self.shown_match: MatchAnalytics | None = None
        self.shown_tournament: TournamentAnalytics | None = None
        self.matches_per_day: tuple[tuple[int, int], ...] = ()  # (day number, matches)
        self._match_loading: int | None = None
        self._tournament_loading = False

        self.match_selector = QComboBox()
        self.match_selector.setObjectName("analyticsMatch")
        # Long athlete names must not widen the window: the selector elides instead.
        self.match_selector.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.match_selector.setMinimumContentsLength(16)
        self.match_selector.currentIndexChanged.connect(self._match_chosen)
        self.summary = QLabel("Select a day with matches.")
        self.summary.setObjectName("analyticsSummary")
        top = QHBoxLayout()
        top.addWidget(QLabel("Match:"))
        top.addWidget(self.match_selector, 1)

        self.timeline = Chart(
            "Score timeline", "scoreTimeline", "minutes", "score", legend_offset=(-8, -8)
        )
        self.techniques = Chart(
            "Points by technique (blue, red)",
            "techniquePoints",
            "technique (t- = turning)",
            "points",
        )
        self.techniques.set_categories(TECHNIQUE_NAMES)
        self.hits = Chart("Hit levels (blue, red)", "hitLevels", "hit level (up to)", "hits")
        self.hits.set_categories([str(10 * i + 10) for i in range(HIT_BUCKETS)])
        self.live = Chart(
            "Events per minute per court",
            "eventsPerMinute",
            "seconds ago",
            "events per minute",
            legend_offset=(8, 8),  # the newest samples are on the right
        )
        self.per_day = Chart("Matches per day", "matchesPerDay", "day", "matches")
        self.methods = Chart("Decision methods", "decisionMethods", "", "matches")
        self.nocs = Chart("Wins per NOC", "winsPerNoc", "", "wins")

        match_page = QWidget()
        grid = QGridLayout(match_page)
        grid.addLayout(top, 0, 0, 1, 2)
        grid.addWidget(self.summary, 1, 0, 1, 2)
        grid.addWidget(self.timeline, 2, 0, 1, 2)
        grid.addWidget(self.techniques, 3, 0)
        grid.addWidget(self.hits, 3, 1)
        grid.setRowStretch(2, 1)
        grid.setRowStretch(3, 1)
        self.tournament_title = QLabel("Select a tournament.")
        tournament_page = QWidget()
        tgrid = QGridLayout(tournament_page)
        tgrid.addWidget(self.tournament_title, 0, 0, 1, 2)
        tgrid.addWidget(self.per_day, 1, 0)
        tgrid.addWidget(self.methods, 1, 1)
        tgrid.addWidget(self.nocs, 2, 0, 1, 2)
        self.pages = QTabWidget()
        self.pages.setObjectName("analyticsPages")
        self.pages.addTab(_scrolling(match_page), "Match")
        self.pages.addTab(self.live, "Live courts")
        self.pages.currentChanged.connect(lambda _index: self._redraw_live())
        self.pages.addTab(_scrolling(tournament_page), "Tournament")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        # Live chart: one ring per court; a sample marks it dirty, the timer redraws.
        self.rates: dict[int, RateHistory] = {}
        self._court_curves: dict[int, pg.PlotDataItem] = {}
        self._seconds = np.arange(-HISTORY_SECONDS + 1, 1, dtype=float)
        self._names: dict[int, str] = {}
        self._dirty = False
        self._last_redraw = 0.0
        self.redraws = 0
        self.redraw_timer = QTimer(self)
        self.redraw_timer.setSingleShot(True)
        self.redraw_timer.timeout.connect(self._redraw_live)
        self.snapshot_timer = QTimer(self)
        self.snapshot_timer.setInterval(SNAPSHOT_MS)
        self.snapshot_timer.timeout.connect(self._snapshot_due)
        self.set_theme(theme, colours)

    @property
    def charts(self) -> tuple[Chart, ...]:
        return (
            self.timeline,
            self.techniques,
            self.hits,
            self.live,
            self.per_day,
            self.methods,
            self.nocs,
        )

    # --- lifecycle -----------------------------------------------------------------------------
    async def start(self, desk: Desk) -> None:
        """Create the service off the GUI thread and let commits invalidate its caches."""
        service = await self.calls(lambda: AnalyticsService(desk.db), name="analytics service")
        desk.recorder.distributor.subscribe(service.on_committed)
        if desk.monitor is not None:  # memory pressure empties the caches; stats document
            desk.monitor.memory.subscribe(service.relieve_memory)
            desk.monitor.add_cache_provider("analytics", service.cache_summary)
        self.desk, self.service = desk, service
        self.snapshot_timer.start()
        if self.tournament is not None:
            self.select_tournament(self.tournament)

    def stop(self) -> None:
        self.snapshot_timer.stop()
        self.redraw_timer.stop()
        if self.desk is not None and self.service is not None:
            self.desk.recorder.distributor.unsubscribe(self.service.on_committed)
            if self.desk.monitor is not None:
                self.desk.monitor.memory.unsubscribe(self.service.relieve_memory)
                self.desk.monitor.remove_cache_provider("analytics")
        self.service = None

    def set_theme(self, theme: Theme, colours: Colours) -> None:
        self.colours = colours
        for chart in self.charts:
            apply_chart_theme(chart, theme)
        self._court_curves.clear()  # rebuilt with the new colours at the next redraw
        self.live.clear()
        if self.shown_match is not None:
            self._draw_match(self.shown_match)
        if self.shown_tournament is not None:
            self._draw_tournament(self.shown_tournament)

    # --- selection -----------------------------------------------------------------------------
    def set_matches(self, matches: Sequence[MatchRow]) -> None:
        """The day's matches for the selector; keeps the selected match when it is still there."""
        current = self.match_selector.currentData()
        ids = [m.id for m in matches]
        if ids == [self.match_selector.itemData(i) for i in range(self.match_selector.count())]:
            if self.isVisible():  # a running match goes on: its cached figures were dropped
                self._match_chosen()
            return
        self.match_selector.blockSignals(True)
        self.match_selector.clear()
        for match in matches:
            blue = f"{match.blue or '?'} ({match.blue_noc or '?'})"
            red = f"{match.red or '?'} ({match.red_noc or '?'})"
            label = f"{match.match_number or match.id} · {blue} vs {red}"
            self.match_selector.addItem(label, match.id)
        self.match_selector.blockSignals(False)
        index = ids.index(current) if current in ids else (len(ids) - 1 if ids else -1)
        self.match_selector.setCurrentIndex(index)
        if self.match_selector.currentData() != current:
            self._match_chosen()

    def select_match(self, match_id: int) -> None:
        index = self.match_selector.findData(match_id)
        if index >= 0:
            self.match_selector.setCurrentIndex(index)

    def _match_chosen(self, *_: object) -> None:
        match_id = self.match_selector.currentData()
        if isinstance(match_id, int):
            self.load_match(match_id)

    def load_match(self, match_id: int) -> None:
        if self.service is not None and self._match_loading != match_id:
            self.calls.spawn(self._load_match(self.service, match_id))

    async def _load_match(self, service: AnalyticsService, match_id: int) -> None:
        self._match_loading = match_id
        try:
            result = await self.calls(lambda: service.match(match_id), name="analytics: match")
        finally:
            self._match_loading = None
        if self.match_selector.currentData() != match_id:
            return  # the operator chose another match meanwhile
        self.shown_match = result.value
        self._draw_match(result.value)
        if result.stale:
            self.summary.setText(self.summary.text() + f" — not current: {result.error}")

    def select_tournament(self, tournament: TournamentRow | None) -> None:
        """A tournament was selected: warm its analytics up, then show its overview."""
        changed = (
            tournament is None or self.tournament is None or (tournament.id != self.tournament.id)
        )
        self.tournament = tournament
        service = self.service
        if tournament is None or service is None:
            return
        if changed:
            tid = tournament.id
            self.calls.spawn(
                self.calls(
                    lambda: service.warm_up(tid),
                    name="analytics: warm up",
                    priority=Priority.BACKGROUND,
                )
            )
        self.calls.spawn(self._load_tournament(service, tournament))

    def refresh(self) -> None:
        if self.tournament is not None:
            self.select_tournament(self.tournament)
        self._match_chosen()

    async def _load_tournament(self, service: AnalyticsService, tournament: TournamentRow) -> None:
        if self._tournament_loading:
            return
        self._tournament_loading = True
        try:
            days = tuple((d.id, d.number) for d in tournament.days)

            def read() -> tuple[TournamentAnalytics, tuple[tuple[int, int], ...]]:
                overall = service.tournament(tournament.id).value
                per_day = tuple((n, service.day(day_id).value.matches) for day_id, n in days)
                return overall, per_day

            overall, per_day = await self.calls(read, name="analytics: tournament")
        finally:
            self._tournament_loading = False
        if self.tournament is None or self.tournament.id != tournament.id:
            return
        self.matches_per_day = per_day
        self.shown_tournament = overall
        self._draw_tournament(overall)

    async def _snapshot(self, service: AnalyticsService, tournament_id: int) -> None:
        await self.calls(
            lambda: service.snapshot_if_due(tournament_id),
            name="analytics: snapshot",
            priority=Priority.BACKGROUND,
        )

    def _snapshot_due(self) -> None:
        if self.service is not None and self.tournament is not None:
            self.calls.spawn(self._snapshot(self.service, self.tournament.id))

    # --- drawing -------------------------------------------------------------------------------
    def _draw_match(self, match: MatchAnalytics) -> None:
        c = self.colours
        blue_name = match.blue.athlete.label if match.blue.athlete else "Blue"
        red_name = match.red.athlete.label if match.red.athlete else "Red"
        outcome = f" · {match.winner} {match.decision or ''}" if match.winner else ""
        self.summary.setText(
            f"Match {match.match_number or match.match_id}: {blue_name} "
            f"{match.blue.stated}–{match.red.stated} {red_name}{outcome}"
        )
        self.timeline.clear()
        changes = match.timeline
        if changes:
            start = changes[0].at
            minutes = [(change.at - start) / 60 for change in changes]
            end = minutes[-1] + max(0.05 * minutes[-1], 0.1)
            edges = np.asarray([0.0, *minutes, end])
            for colour, name, scores in (
                (c.blue, f"Blue · {blue_name}", [0, *(ch.blue for ch in changes)]),
                (c.red, f"Red · {red_name}", [0, *(ch.red for ch in changes)]),
            ):
                self.timeline.plot.plot(
                    edges,
                    np.asarray(scores, dtype=float),
                    stepMode="center",
                    pen=pg.mkPen(colour, width=2),
                    name=name,
                )
        self.techniques.clear()
        positions = np.arange(len(TECHNIQUES), dtype=float)
        for offset, colour, side in ((-0.2, c.blue, match.blue), (0.2, c.red, match.red)):
            heights = [side.techniques.points_of(t) for t in TECHNIQUES]
            self.techniques.bars(positions + offset, heights, colour, 0.38)
        self.hits.clear()
        buckets = np.arange(HIT_BUCKETS, dtype=float)
        for offset, colour, side in ((-0.2, c.blue, match.blue), (0.2, c.red, match.red)):
            self.hits.bars(buckets + offset, side.hits.histogram, colour, 0.38)

    def _draw_tournament(self, figures: TournamentAnalytics) -> None:
        self.tournament_title.setText(
            f"{figures.scope.label}: {figures.matches} matches fought, {figures.finished} "
            f"finished, {figures.events:,} events"
        )
        accent = self.colours.point
        self.per_day.clear()
        days = self.matches_per_day
        self.per_day.bars(range(len(days)), [n for _, n in days], accent, 0.6)
        self.per_day.set_categories([f"day {number}" for number, _ in days])
        self.methods.clear()
        methods = figures.decision_methods
        self.methods.bars(range(len(methods)), [n for _, n in methods], accent, 0.6)
        self.methods.set_categories([name for name, _ in methods])
        self.nocs.clear()
        nocs = figures.wins_per_noc
        self.nocs.bars(range(len(nocs)), [n for _, n in nocs], accent, 0.6)
        self.nocs.set_categories([name for name, _ in nocs])

    # --- statistics panel ------------------------------------------------------------------------
    def cache_rows(self) -> list[tuple[str, str]]:
        """The "Analytics cache" section (run off the GUI thread: `stats` reads the data
        folder's cache requests)."""
        service = self.service
        if service is None:
            return [("Service", "starting…")]
        stats = service.stats()
        rows = [
            ("Hit rate", _percent(stats.hit_rate)),
            ("Hits / misses", f"{stats.hits:,} / {stats.misses:,}"),
        ]
        for tier in stats.tiers:
            rows.append(
                (
                    f"  {tier.tier.value}",
                    f"{tier.size:,} of {tier.max_entries:,} · {_percent(tier.hit_rate)} hits · "
                    f"ttl {tier.ttl_seconds:,.0f} s",
                )
            )
        rows += [
            ("Invalidations", f"{stats.invalidation_requests:,}"),
            ("Stale values served", f"{stats.stale_served:,}"),
        ]
        return rows

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._redraw_live)

    # --- live rate -----------------------------------------------------------------------------
    def add_rate_sample(self, courts: Sequence[CourtCounters], names: dict[int, str]) -> None:
        """One sample a second from the window's statistics tick (in-memory, no queries)."""
        for court in courts:
            self.rates.setdefault(court.court_id, RateHistory()).add(court.events)
        self._names = names
        self._dirty = True
        if not self.redraw_timer.isActive():
            wait = self._last_redraw + 1 / REDRAW_HZ - time.monotonic()
            self.redraw_timer.start(max(0, int(wait * 1000)))

    def _redraw_live(self) -> None:
        if not self._dirty or not self.live.isVisible():
            return  # a hidden chart is drawn when shown (showEvent): no work while recording
        self._dirty = False
        self._last_redraw = time.monotonic()
        self.redraws += 1
        palette = (self.colours.blue, self.colours.red, self.colours.point, self.colours.penalty)
        for number, (court_id, history) in enumerate(sorted(self.rates.items())):
            curve = self._court_curves.get(court_id)
            if curve is None:
                name = self._names.get(court_id, f"court {court_id}")
                pen = pg.mkPen(palette[number % len(palette)], width=2)
                curve = self.live.plot.plot(name=name, pen=pen)
                self._court_curves[court_id] = curve
            curve.setData(self._seconds, history.view())
