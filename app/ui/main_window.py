"""The operator window: tournaments and courts, live scoreboards, the live feed, the day's
matches and the statistics, with a menu bar, a toolbar and a status bar.

Threads: the recorder runs in its own threads; everything that touches the database runs
through `BackgroundCalls` (JobRunner workers) and comes back at an `await`. Two timers pull
what the recorder published: 15 Hz for the feed and scoreboards, 1 Hz for statistics, lights
and the status bar. Nothing here waits on a socket or a query.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QDockWidget,
    QFrame,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.errors import StrikeDeskError
from app.ingest.recorder import Recorder
from app.ingest.stats import IngestStats
from app.jobs.runner import JobRunner, Priority
from app.monitor.service import Monitor
from app.store.archive import ArchiveService
from app.store.database import Database
from app.store.paths import DataPaths
from app.ui.alerts_panel import AlertBanner, AlertsPanel
from app.ui.analytics_view import AnalyticsView
from app.ui.background import BackgroundCalls
from app.ui.data_dialogs import (
    ArchiveDialog,
    BackupDialog,
    DataDialogFactory,
    ExportDialog,
    RestoreDialog,
    archive_rows,
)
from app.ui.desk import Desk, Overview, TournamentRow
from app.ui.dialogs import (
    AboutDialog,
    CourtDialog,
    CourtForm,
    MatchDetailDialog,
    TournamentDialog,
)
from app.ui.feed_panel import FeedPanel
from app.ui.history_charts import MetricsHistoryCharts
from app.ui.matches_model import MatchTableModel
from app.ui.scoreboard import ScoreboardPanel
from app.ui.setup_panel import SetupPanel
from app.ui.statistics import StatisticsPanel, database_rows, ingest_rows
from app.ui.theme import Theme, apply_theme, colours

log = logging.getLogger(__name__)

FEED_HZ = 10  # the 10–20 Hz; each refresh repaints the feed, so the low end
MATCHES_REFRESH_MS = 3000
ARCHIVE_STATS_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class WindowOptions:
    """What the launcher decides: where the data lives and which settings store to use."""

    paths: DataPaths
    log_folder: Path
    settings: QSettings


def open_desk(paths: DataPaths) -> Desk:
    """Open (migrating if needed) the database, start the recorder, listen on enabled courts."""
    db = Database.open(paths)
    try:
        recorder = Recorder(db.engine, paths.journal)
        recorder.start()
    except Exception:
        db.close()
        raise
    monitor = Monitor(db, recorder)
    monitor.start()
    return Desk(db, recorder, monitor)


def close_desk(desk: Desk) -> None:
    try:
        summary = desk.recorder.stop()
        log.info("recorder stopped: %s", summary)
        if desk.monitor is not None:
            desk.monitor.stop()  # after the recorder: its last stored sample has the final counts
    finally:
        desk.db.close()


class MainWindow(QMainWindow):
    #: emitted once the database is open and the recorder runs (tests and the smoke run wait on it)
    ready = Signal()
    #: emitted with the reason when the data folder cannot be opened
    failed = Signal(str)

    def __init__(self, options: WindowOptions, runner: JobRunner | None = None) -> None:
        super().__init__()
        self.options = options
        self.settings = options.settings
        self.runner = runner or JobRunner()
        self._owns_runner = runner is None
        self.calls = BackgroundCalls(self.runner, self.show_error)
        self.desk: Desk | None = None
        self._owns_desk = True
        self.overview = Overview((), ())
        self.theme = Theme(str(self.settings.value("theme", Theme.LIGHT.value)))
        self.palette_colours = colours(self.theme)
        self._feed_position = 0
        self._stats: IngestStats | None = None  # the 1 s tick's snapshot of the recorder
        self._history_due = 0.0
        self._closing = False
        self._closed = False
        self.dialog: QDialog | None = None  # the open modal dialog, for tests and screenshots

        self.setWindowTitle(f"StrikeDesk {__version__}")
        self.setObjectName("mainWindow")
        self.setDockNestingEnabled(True)
        self._build_actions()
        self._build_panels()
        self._build_menus()
        self._build_status_bar()
        self._restore_layout()
        apply_theme(self._app(), self.theme)

        self.feed_timer = QTimer(self)
        self.feed_timer.setInterval(1000 // FEED_HZ)
        self.feed_timer.timeout.connect(self._tick_feed)
        self.stats_timer = QTimer(self)
        self.stats_timer.setInterval(1000)
        self.stats_timer.timeout.connect(self._tick_stats)
        self.matches_timer = QTimer(self)
        self.matches_timer.setInterval(MATCHES_REFRESH_MS)
        self.matches_timer.timeout.connect(self.refresh_matches)
        self._set_enabled(False)

    @staticmethod
    def _app() -> QApplication:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        return app

    # --- building ---------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.new_tournament_action = self._action(
            "&New tournament…",
            self.new_tournament,
            QKeySequence.StandardKey.New,
            "Create a tournament",
        )
        self.edit_tournament_action = self._action(
            "&Edit tournament…", self.edit_tournament, "Ctrl+E", "Edit the selected tournament"
        )
        self.start_day_action = self._action(
            "&Start day",
            self.start_day,
            "Ctrl+D",
            "Start the next day of the selected tournament; every court records into it",
        )
        self.end_day_action = self._action(
            "E&nd day", self.end_day, "Ctrl+Shift+D", "End the active day of the tournament"
        )
        self.record_into_action = self._action(
            "&Record into this tournament",
            self.record_into,
            "Ctrl+R",
            "File every court's events under the selected tournament and its active day",
        )
        self.quit_action = self._action(
            "&Quit", self.close, QKeySequence.StandardKey.Quit, "Stop recording and quit"
        )
        self.add_court_action = self._action(
            "&Add court…", self.add_court, "Ctrl+Shift+A", "Add a court (a UDP port to record)"
        )
        self.edit_court_action = self._action(
            "Edit c&ourt…", self.edit_selected_court, "Ctrl+Shift+E", "Edit the selected court"
        )
        self.remove_court_action = self._action(
            "Re&move court", self.remove_court, None, "Remove the selected court"
        )
        self.toggle_recording_action = self._action(
            "&Toggle recording",
            self.toggle_recording,
            "Ctrl+T",
            "Switch recording of the selected court on or off",
        )
        self.pause_feed_action = self._action(
            "&Pause feed scrolling", self.toggle_feed_pause, "F8", "Stop following new events"
        )
        self.pause_feed_action.setCheckable(True)
        self.refresh_action = self._action(
            "Re&fresh", self.refresh, QKeySequence.StandardKey.Refresh, "Reload from the database"
        )
        self.about_action = self._action("&About StrikeDesk", self.show_about, "F1")
        self.open_log_action = self._action("Open &log folder", self.open_log_folder)
        self.open_data_action = self._action("Open &data folder", self.open_data_folder)
        self.data_actions = [
            self._action(text, partial(self.open_data_dialog, dialog), key, tip)
            for text, dialog, key, tip in (
                (
                    "&Archive matches…",
                    ArchiveDialog,
                    "Ctrl+Alt+A",
                    "Move finished matches to the archive",
                ),
                (
                    "&Restore from archive…",
                    RestoreDialog,
                    "Ctrl+Alt+R",
                    "Bring archived matches back",
                ),
                ("&Backup…", BackupDialog, "Ctrl+B", "Create, verify, restore or merge a backup"),
                ("&Export…", ExportDialog, "Ctrl+Alt+X", "Export events or results to CSV or JSON"),
            )
        ]
        self.archive_action, self.restore_action, self.backup_action, self.export_action = (
            self.data_actions
        )
        self.theme_group = QActionGroup(self)
        self.light_action = self._action("&Light theme", lambda: self.set_theme(Theme.LIGHT))
        self.dark_action = self._action("&Dark theme", lambda: self.set_theme(Theme.DARK))
        for action in (self.light_action, self.dark_action):
            action.setCheckable(True)
            self.theme_group.addAction(action)
        (self.dark_action if self.theme is Theme.DARK else self.light_action).setChecked(True)

    def _build_panels(self) -> None:
        c = self.palette_colours
        self.setup_panel = SetupPanel(
            c,
            [
                self.new_tournament_action,
                self.edit_tournament_action,
                self.start_day_action,
                self.end_day_action,
            ],
            [self.add_court_action, self.edit_court_action, self.remove_court_action],
            self.new_tournament_action,
        )
        self.setup_panel.selection_changed.connect(self._selection_changed)
        self.setup_panel.court_activated.connect(self.edit_court)
        self.setup_panel.courts_model.recording_toggled.connect(self._recording_toggled)

        self.scoreboards = ScoreboardPanel(c)
        self.feed = FeedPanel(c)
        self.feed.pause.toggled.connect(self.pause_feed_action.setChecked)

        self.matches_model = MatchTableModel(c)
        self.matches_view = QTableView()
        self.matches_view.setObjectName("matchesView")
        self.matches_view.setModel(self.matches_model)
        self.matches_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.matches_view.verticalHeader().setVisible(False)
        self.matches_view.setWordWrap(False)
        header = self.matches_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (3, 4):  # the athletes take what is left and elide; the numbers stay whole
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.matches_view.doubleClicked.connect(
            lambda index: self.open_match(self.matches_model.match_at(index.row()).id)
        )
        self.matches_title = QLabel("Select a day to see its matches.")
        matches = QWidget()
        matches_layout = QVBoxLayout(matches)
        matches_layout.addWidget(self.matches_title)
        matches_layout.addWidget(self.matches_view)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("centralTabs")
        self.tabs.addTab(self.scoreboards, "&Live")
        self.tabs.addTab(matches, "&Matches of the day")
        self.analytics = AnalyticsView(self.calls, self.theme, c)
        self.tabs.addTab(self.analytics, "&Analytics")
        self.tabs.currentChanged.connect(lambda _: self.refresh_matches())
        self.alert_banner = AlertBanner()
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.addWidget(self.alert_banner)
        central_layout.addWidget(self.tabs)
        self.setCentralWidget(central)

        self.statistics = StatisticsPanel(self.calls)
        self.statistics.add_section("Ingest", self._ingest_rows)
        self.statistics.add_section("Database", self._database_rows, blocking=True)
        self.statistics.add_section("Analytics cache", self.analytics.cache_rows, blocking=True)
        # Its counts scan the events tables (millions of rows by the end of a day): every 30 s,
        # and at once after an archive, restore or clean-up (refresh_soon).
        self.statistics.add_section(
            "Archive", self._archive_rows, blocking=True, every=ARCHIVE_STATS_SECONDS
        )

        self.setup_dock = self._dock("Tournament and courts", "setupDock", self.setup_panel)
        self.feed_dock = self._dock("Live feed", "feedDock", self.feed)
        self.history_charts = MetricsHistoryCharts(self.theme)
        self.statistics.add_widget("History", self.history_charts)
        self.stats_dock = self._dock("Statistics", "statisticsDock", self.statistics)
        self.alerts_panel = AlertsPanel()
        self.alerts_dock = self._dock("Alerts", "alertsDock", self.alerts_panel)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.setup_dock)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.feed_dock)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.stats_dock)
        self.tabifyDockWidget(self.stats_dock, self.alerts_dock)
        self.stats_dock.raise_()

    def _dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)  # saveState() needs object names
        dock.setWidget(widget)
        return dock

    def _build_menus(self) -> None:
        bar = self.menuBar()
        tournament = bar.addMenu("&Tournament")
        for action in (
            self.new_tournament_action,
            self.edit_tournament_action,
            None,
            self.start_day_action,
            self.end_day_action,
            self.record_into_action,
            None,
            self.quit_action,
        ):
            tournament.addSeparator() if action is None else tournament.addAction(action)
        courts = bar.addMenu("&Courts")
        for action in (
            self.add_court_action,
            self.edit_court_action,
            self.remove_court_action,
            self.toggle_recording_action,
        ):
            courts.addAction(action)
        self.data_menu = bar.addMenu("&Data")  # archive, backup and export dialogs join here
        self.data_menu.addActions(self.data_actions)
        self.data_menu.addSeparator()
        self.data_menu.addAction(self.open_data_action)
        view = bar.addMenu("&View")
        view.addAction(self.pause_feed_action)
        view.addAction(self.refresh_action)
        view.addSeparator()
        view.addAction(self.light_action)
        view.addAction(self.dark_action)
        view.addSeparator()
        for dock in (self.setup_dock, self.feed_dock, self.stats_dock, self.alerts_dock):
            view.addAction(dock.toggleViewAction())
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.open_log_action)
        help_menu.addAction(self.about_action)

        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("mainToolBar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (
            self.new_tournament_action,
            self.start_day_action,
            self.end_day_action,
            self.add_court_action,
            self.toggle_recording_action,
            self.pause_feed_action,
        ):
            toolbar.addAction(action)

    def _build_status_bar(self) -> None:
        self.recording_label = QLabel("Opening the database…")
        self.recording_label.setObjectName("recordingState")
        self.rate_label = QLabel()
        self.rate_label.setObjectName("eventRate")
        self.context_label = QLabel()
        self.context_label.setObjectName("contextLabel")
        for label in (self.recording_label, self.rate_label, self.context_label):
            label.setFrameShape(QFrame.Shape.StyledPanel)
            label.setContentsMargins(6, 0, 6, 0)
        bar = self.statusBar()
        bar.addPermanentWidget(self.context_label)
        bar.addPermanentWidget(self.rate_label)
        bar.addPermanentWidget(self.recording_label)

    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)
        else:
            self.resizeDocks(
                [self.setup_dock, self.stats_dock], [450, 330], Qt.Orientation.Horizontal
            )
            self.resizeDocks([self.feed_dock], [260], Qt.Orientation.Vertical)
        self.feed.pause.setChecked(bool(self.settings.value("feed/paused", False, type=bool)))

    def _set_enabled(self, enabled: bool) -> None:
        for action in (
            self.new_tournament_action,
            self.edit_tournament_action,
            self.start_day_action,
            self.end_day_action,
            self.record_into_action,
            self.add_court_action,
            self.edit_court_action,
            self.remove_court_action,
            self.toggle_recording_action,
            self.refresh_action,
            *self.data_actions,
        ):
            action.setEnabled(enabled)

    # --- start and stop -----------------------------------------------------------------------
    def start(self) -> None:
        """Open the data folder off the GUI thread; `ready` or `failed` follows."""
        self.calls.spawn(self._open())

    async def _open(self) -> None:
        paths = self.options.paths
        try:
            desk = await self.calls(lambda: open_desk(paths), name="open data folder")
            failures = await self.calls(desk.open_enabled_courts, name="open courts")
        except Exception as exc:
            log.exception("cannot open %s", paths.root)
            self.recording_label.setText("Not recording")
            message = str(exc) if isinstance(exc, StrikeDeskError) else f"{exc!r}"
            self.failed.emit(message)
            QMessageBox.critical(
                self,
                "StrikeDesk cannot start",
                f"The data folder {paths.root} cannot be used.\n\n{message}",
            )
            return
        if self._closing:
            await self.calls(lambda: close_desk(desk), name="close")
            return
        self.attach(desk)
        await self._reload()
        for court, reason in failures:
            self.statusBar().showMessage(f"{court}: {reason}", 15000)
        # Everything built so far lives all day: move it out of the cyclic collector's sight,
        # so full collections (which hold the GIL) stay short while courts record.
        gc.collect()
        gc.freeze()
        self.ready.emit()

    def attach(self, desk: Desk, *, owned: bool = True) -> None:
        """Start showing `desk` (opened by `start()`, or by the caller when `owned` is False:
        then closing the window leaves the recorder and database to the caller)."""
        self.desk = desk
        self._owns_desk = owned
        self._feed_position = desk.recorder.recent.end
        self._set_enabled(True)
        self.feed_timer.start()
        self.stats_timer.start()
        self.matches_timer.start()
        self.calls.spawn(self.analytics.start(desk))
        if not owned:
            self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        event.ignore()
        if self._closing:
            return
        self._closing = True
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("feed/paused", self.feed.pause.isChecked())
        self.settings.setValue("theme", self.theme.value)
        self.settings.sync()
        for timer in (self.feed_timer, self.stats_timer, self.matches_timer):
            timer.stop()
        self.analytics.stop()
        self.recording_label.setText("Stopping the recorder…")
        self.calls.spawn(self._shutdown())

    async def _shutdown(self) -> None:
        desk, self.desk = self.desk, None
        try:
            if desk is not None and self._owns_desk:
                # Flushes what is queued and closes the journal: can take a moment.
                await self.calls(lambda: close_desk(desk), name="stop recorder")
        finally:
            if self._owns_runner:
                self.runner.shutdown(wait=False)
            self._closed = True
            self.close()

    @property
    def closed(self) -> bool:
        return self._closed

    # --- refreshing --------------------------------------------------------------------------
    def refresh(self) -> None:
        self.calls.spawn(self._reload())

    async def _reload(self) -> None:
        desk = self.desk
        if desk is None:
            return
        overview = await self.calls(desk.overview, name="overview")
        self.overview = overview
        self.setup_panel.show_overview(overview)
        courts = [(c.id, c.name) for c in overview.courts]
        self.feed.set_courts(courts)
        self.scoreboards.set_courts([(c.id, c.name) for c in overview.courts if c.enabled])
        self._update_actions()
        self._update_context_label()
        await self._load_matches()

    def refresh_matches(self) -> None:
        if self.desk is not None and self.tabs.currentIndex() in (1, 2):
            self.calls.spawn(self._load_matches())

    async def _load_matches(self) -> None:
        desk = self.desk
        _, day_id = self.setup_panel.selection()
        tournament = self.setup_panel.selected_tournament()
        if desk is None or tournament is None:
            self.matches_model.set_matches(())
            self.analytics.set_matches(())
            self.analytics.select_tournament(None)
            self.matches_title.setText("Select a day to see its matches.")
            return
        self.analytics.select_tournament(tournament)
        if day_id is None:
            day = tournament.active_day
            day_id = day.id if day is not None else None
        if day_id is None:
            matches = await self.calls(
                lambda: desk.matches_of_tournament(tournament.id), name="matches"
            )
            title = f"All matches of {tournament.name}"
        else:
            chosen = day_id
            matches = await self.calls(lambda: desk.matches_of_day(chosen), name="matches")
            number = next((d.number for d in tournament.days if d.id == day_id), "?")
            title = f"Matches of {tournament.name}, day {number}"
        self.matches_model.set_matches(matches)
        self.analytics.set_matches(matches)
        self.matches_title.setText(f"{title}: {len(matches)} (double-click one for its events)")

    def _tick_feed(self) -> None:
        desk = self.desk
        if desk is None:
            return
        self._feed_position, events = desk.recorder.recent.since(self._feed_position)
        if events:
            self.feed.append(events)
        self.scoreboards.update_states(desk.recorder.live_matches())

    def _tick_stats(self) -> None:
        desk = self.desk
        if desk is None:
            return
        stats = self._stats = desk.recorder.stats()  # one snapshot a tick, for every panel
        statuses = desk.recorder.endpoint_statuses()
        self.setup_panel.courts_model.set_statuses(statuses, time.monotonic())
        listening = sum(1 for s in statuses if s.listening)
        failing = sum(1 for s in statuses if s.error)
        state = f"● Recording {listening} court{'s' if listening != 1 else ''}"
        if not listening:
            state = "○ Not recording"
        if failing:
            state += f" · {failing} failing"
        if stats.error:
            state += " · writer error (journal keeps everything)"
        self.recording_label.setText(state)
        self.rate_label.setText(f"{stats.rate:,.0f} events/s · {stats.stored:,} stored")
        if desk.monitor is not None:
            alerts = desk.monitor.alerts()
            self.alert_banner.show_alerts(alerts.active)
            self.alerts_panel.show_history(alerts.history)
            self.history_charts.redraw(desk.monitor.profiler.points())
            if time.monotonic() >= self._history_due:
                self._history_due = time.monotonic() + 60  # the monitor stores one row a minute
                self.calls.spawn(self._load_history(desk.monitor))
            # Backpressure: the writer is behind, so refresh the feed less often (coalesced).
            interval = max(1000 // FEED_HZ, desk.monitor.backpressure().feed_interval_ms)
            if self.feed_timer.interval() != interval:
                self.feed_timer.setInterval(interval)
        self.statistics.refresh()
        self.analytics.add_rate_sample(
            stats.per_court, {c.id: c.name for c in self.overview.courts}
        )

    async def _load_history(self, monitor: Monitor) -> None:
        since = self.history_charts.since()
        points = await self.calls(lambda: monitor.history(since=since), name="metrics history")
        self.history_charts.set_stored(points)

    def _ingest_rows(self) -> list[tuple[str, str]]:
        if self._stats is None:
            return []
        names = {c.id: c.name for c in self.overview.courts}
        return ingest_rows(self._stats, names)

    def _database_rows(self) -> list[tuple[str, str]]:
        desk = self.desk
        if desk is None:
            return []
        return database_rows(desk.database_stats())  # runs off the GUI thread

    def _archive_rows(self) -> list[tuple[str, str]]:
        desk = self.desk
        if desk is None:
            return []
        return archive_rows(ArchiveService(desk.db).stats())  # runs off the GUI thread

    def _update_context_label(self) -> None:
        text = self.setup_panel.context.text().replace("<b>", "").replace("</b>", "")
        self.context_label.setText(text.removesuffix("."))

    def _update_actions(self) -> None:
        tournament = self.setup_panel.selected_tournament()
        has = tournament is not None
        active = tournament.active_day if tournament else None
        self.edit_tournament_action.setEnabled(has)
        self.start_day_action.setEnabled(has and active is None)
        self.end_day_action.setEnabled(active is not None)
        self.record_into_action.setEnabled(has)

    def _selection_changed(self, *_: object) -> None:
        self._update_actions()
        if self.desk is not None:
            self.calls.spawn(self._load_matches())

    # --- errors ---------------------------------------------------------------------------
    def show_error(self, error: BaseException) -> None:
        """An operation failed: the operator's error text, the traceback in the log. The box
        opens without a nested event loop, so recording and refreshing go on behind it."""
        box = QMessageBox(self)
        box.setWindowTitle("StrikeDesk")
        if isinstance(error, StrikeDeskError | OSError):
            log.warning("%s", error)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setText(str(error))
        else:
            log.error("unexpected error", exc_info=error)
            box.setIcon(QMessageBox.Icon.Critical)
            box.setText(f"Unexpected error: {error!r}")
            box.setInformativeText(
                f"Recording goes on. Details are in the log: {self.options.log_folder}"
            )
        self._open_dialog(box, lambda: None)

    # --- tournament actions ------------------------------------------------------------------
    def _open_dialog(self, dialog: QDialog, on_accept: Callable[[], object]) -> None:
        """Dialogs open window-modal with open(), not exec(): no nested event loop."""
        self.dialog = dialog
        dialog.accepted.connect(on_accept)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def open_data_dialog(self, make: DataDialogFactory) -> None:
        """Archive, restore, backup or export: the dialog previews, runs and summarises."""
        if self.desk is None:
            return
        dialog = make(self.calls, self.desk.db, self.overview.tournaments, self)
        dialog.finished.connect(lambda _result: self._data_dialog_closed())
        self._open_dialog(dialog, lambda: None)

    def _data_dialog_closed(self) -> None:
        self.statistics.refresh_soon("Archive")
        self.refresh()

    def new_tournament(self) -> None:
        self._edit_tournament(None)

    def edit_tournament(self) -> None:
        tournament = self.setup_panel.selected_tournament()
        if tournament is not None:
            self._edit_tournament(tournament)

    def _edit_tournament(self, tournament: TournamentRow | None) -> None:
        """The tournament dialog: creates one (None) or saves the given one."""
        dialog = TournamentDialog(self, tournament)

        def save() -> None:
            form = dialog.form()
            desk = self.desk
            assert desk is not None
            fields = (form.name, form.city, form.country, form.start_date, form.end_date)
            work: Callable[[], object]
            if tournament is None:
                work = lambda: desk.create_tournament(*fields)  # noqa: E731
                done = f"Tournament {form.name!r} created. Start its first day when ready."
            else:
                work = lambda: desk.update_tournament(tournament.id, *fields)  # noqa: E731
                done = f"Tournament {form.name!r} saved."
            self.calls.spawn(self._run_then_reload(work, done))

        self._open_dialog(dialog, save)

    def _tournament_or_none(self) -> tuple[Desk, TournamentRow] | None:
        tournament = self.setup_panel.selected_tournament()
        if self.desk is None or tournament is None:
            self.statusBar().showMessage("Select a tournament first.", 5000)
            return None
        return self.desk, tournament

    def start_day(self) -> None:
        chosen = self._tournament_or_none()
        if chosen is None:
            return
        desk, tournament = chosen
        self.calls.spawn(
            self._run_then_reload(
                lambda: desk.start_day(tournament.id),
                f"Day started: every court now records into {tournament.name}.",
            )
        )

    def end_day(self) -> None:
        chosen = self._tournament_or_none()
        if chosen is None:
            return
        desk, tournament = chosen
        day = tournament.active_day
        if day is None:
            return
        answer = QMessageBox.question(
            self,
            "End day",
            f"End day {day.number} of {tournament.name}?\n\nCourts keep recording, filed "
            "under the tournament without a day until the next day starts.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.calls.spawn(
            self._run_then_reload(
                lambda: desk.end_day(tournament.id), f"Day {day.number} of {tournament.name} ended."
            )
        )

    def record_into(self) -> None:
        chosen = self._tournament_or_none()
        if chosen is None:
            return
        desk, tournament = chosen
        self.calls.spawn(
            self._run_then_reload(
                lambda: desk.record_into(tournament.id),
                f"Every court now records into {tournament.name}.",
            )
        )

    async def _run_then_reload(self, fn: Callable[[], object], done: str) -> None:
        await self.calls(fn, name="operation", priority=Priority.INTERACTIVE)
        self.statusBar().showMessage(done, 8000)
        await self._reload()

    # --- court actions ------------------------------------------------------------------------
    def add_court(self) -> None:
        used = {c.port for c in self.overview.courts}
        port = next(p for p in range(6000, 65536) if p not in used)
        dialog = CourtDialog(self, suggested_port=port)
        dialog.name.setText(f"Court {len(self.overview.courts) + 1}")

        def add() -> None:
            form = dialog.form()
            desk = self.desk
            assert desk is not None
            self.calls.spawn(self._add_court(desk, form))

        self._open_dialog(dialog, add)

    async def _add_court(self, desk: Desk, form: CourtForm) -> None:
        _, problem = await self.calls(
            lambda: desk.add_court(form.name, form.port, form.bind_address, form.allowed_sources),
            name="add court",
        )
        await self._reload()
        if problem is None:
            self.statusBar().showMessage(
                f"{form.name} added; recording on UDP port {form.port}.", 8000
            )
        else:
            self.statusBar().showMessage(f"{form.name} cannot record: {problem}", 15000)

    def edit_selected_court(self) -> None:
        court = self.setup_panel.selected_court()
        if court is None:
            self.statusBar().showMessage("Select a court first.", 5000)
            return
        self.edit_court(court.id)

    def edit_court(self, court_id: int) -> None:
        court = next((c for c in self.overview.courts if c.id == court_id), None)
        if court is None:
            return
        dialog = CourtDialog(self, court)

        def save() -> None:
            form = dialog.form()
            desk = self.desk
            assert desk is not None
            self.calls.spawn(
                self._run_then_reload(
                    lambda: desk.update_court(
                        court.id, form.name, form.port, form.bind_address, form.allowed_sources
                    ),
                    f"{form.name} saved.",
                )
            )

        self._open_dialog(dialog, save)

    def remove_court(self) -> None:
        court = self.setup_panel.selected_court()
        if court is None or self.desk is None:
            self.statusBar().showMessage("Select a court first.", 5000)
            return
        answer = QMessageBox.question(
            self,
            "Remove court",
            f"Remove {court.name} (UDP port {court.port})?\n\nA court that has recorded "
            "events cannot be removed; switch its recording off instead.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        desk = self.desk
        self.calls.spawn(
            self._run_then_reload(lambda: desk.remove_court(court.id), f"{court.name} removed.")
        )

    def toggle_recording(self) -> None:
        court = self.setup_panel.selected_court()
        if court is None:
            self.statusBar().showMessage("Select a court first.", 5000)
            return
        self._recording_toggled(court.id, not court.enabled)

    def _recording_toggled(self, court_id: int, on: bool) -> None:
        desk = self.desk
        if desk is None:
            return
        name = next((c.name for c in self.overview.courts if c.id == court_id), "court")
        self.calls.spawn(self._set_recording(desk, court_id, on, name))

    async def _set_recording(self, desk: Desk, court_id: int, on: bool, name: str) -> None:
        try:
            await self.calls(lambda: desk.set_recording(court_id, on), name="recording")
            self.statusBar().showMessage(f"{name}: recording {'on' if on else 'off'}.", 8000)
        except OSError as exc:
            # The court stays switched on and red, with the reason in its tooltip.
            self.statusBar().showMessage(f"{name} cannot record: {exc}", 15000)
        await self._reload()

    # --- matches -----------------------------------------------------------------------------
    def open_match(self, match_id: int) -> None:
        desk = self.desk
        if desk is None:
            return
        self.calls.spawn(self._open_match(desk, match_id))

    async def _open_match(self, desk: Desk, match_id: int) -> None:
        detail = await self.calls(lambda: desk.match_detail(match_id), name="match detail")
        dialog = MatchDetailDialog(self, detail)
        self._open_dialog(dialog, lambda: None)

    # --- view ----------------------------------------------------------------------------------
    def toggle_feed_pause(self) -> None:
        self.feed.pause.setChecked(self.pause_feed_action.isChecked())

    def set_theme(self, theme: Theme) -> None:
        self.theme = theme
        self.palette_colours = colours(theme)
        apply_theme(self._app(), theme)
        self.feed.set_colours(self.palette_colours)
        self.scoreboards.set_colours(self.palette_colours)
        self.analytics.set_theme(theme, self.palette_colours)
        self.history_charts.set_theme(theme)
        self.matches_model.set_colours(self.palette_colours)
        self.setup_panel.courts_model.set_colours(self.palette_colours)
        self.settings.setValue("theme", theme.value)

    def show_about(self) -> None:
        dialog = AboutDialog(self, self.options.paths.root, self.options.log_folder)
        self._open_dialog(dialog, lambda: None)

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.options.log_folder)))

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.options.paths.root)))
