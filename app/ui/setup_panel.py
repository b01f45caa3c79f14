"""Tournaments with their days, and the courts: what is recorded, where, into which day."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.store.models import DayStatus
from app.ui.courts_model import CourtTableModel
from app.ui.desk import CourtRow, Overview, TournamentRow
from app.ui.theme import Colours

TOURNAMENT_ROLE = Qt.ItemDataRole.UserRole
DAY_ROLE = Qt.ItemDataRole.UserRole + 1


def _button(action: QAction) -> QToolButton:
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


class SetupPanel(QWidget):
    """Left dock. Emits `selection_changed` with (tournament id, day id) of the selection."""

    selection_changed = Signal(object, object)
    court_activated = Signal(int)

    def __init__(
        self,
        colours: Colours,
        tournament_actions: list[QAction],
        court_actions: list[QAction],
        create_action: QAction,
    ) -> None:
        super().__init__()
        self.tournaments: tuple[TournamentRow, ...] = ()

        self.tree = QTreeWidget()
        self.tree.setObjectName("tournamentTree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Tournament / day", "Status", "Dates"])
        self.tree.setRootIsDecorated(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.currentItemChanged.connect(self._current_changed)

        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        welcome = QLabel(
            "<h3>Welcome to StrikeDesk</h3>"
            "<p>Start by creating the tournament you are recording. Then start its first "
            "day: every court records into the active day.</p>"
        )
        welcome.setWordWrap(True)
        self.empty_courts = QLabel()
        self.empty_courts.setWordWrap(True)
        create = QPushButton(create_action.text().replace("…", "") + "…")
        create.setObjectName("createTournamentButton")
        create.clicked.connect(create_action.trigger)
        create.setDefault(True)
        empty_layout.addWidget(welcome)
        empty_layout.addWidget(create)
        empty_layout.addWidget(self.empty_courts)
        empty_layout.addStretch(1)

        self.stack = QStackedWidget()
        self.stack.addWidget(empty)
        self.stack.addWidget(self.tree)

        tournaments = QWidget()
        tournaments_layout = QVBoxLayout(tournaments)
        tournaments_layout.setContentsMargins(0, 0, 0, 0)
        tournaments_layout.addWidget(_heading("Tournaments"))
        tournament_buttons = QHBoxLayout()
        for action in tournament_actions:
            tournament_buttons.addWidget(_button(action))
        tournament_buttons.addStretch(1)
        tournaments_layout.addLayout(tournament_buttons)
        tournaments_layout.addWidget(self.stack)

        self.courts_model = CourtTableModel(colours)
        self.courts_view = QTableView()
        self.courts_view.setObjectName("courtsView")
        self.courts_view.setModel(self.courts_model)
        self.courts_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.courts_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.courts_view.verticalHeader().setVisible(False)
        self.courts_view.horizontalHeader().setStretchLastSection(True)
        self.courts_view.doubleClicked.connect(
            lambda index: self.court_activated.emit(self.courts_model.court_at(index.row()).id)
        )
        courts = QWidget()
        courts_layout = QVBoxLayout(courts)
        courts_layout.setContentsMargins(0, 0, 0, 0)
        courts_layout.addWidget(_heading("Courts"))
        court_buttons = QHBoxLayout()
        for action in court_actions:
            court_buttons.addWidget(_button(action))
        court_buttons.addStretch(1)
        courts_layout.addLayout(court_buttons)
        courts_layout.addWidget(self.courts_view)
        self.context = QLabel()
        self.context.setWordWrap(True)
        self.context.setObjectName("recordingContext")
        courts_layout.addWidget(self.context)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(tournaments)
        splitter.addWidget(courts)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    # --- data in ---------------------------------------------------------------------------------
    def show_overview(self, overview: Overview) -> None:
        selected = self.selection()
        self.tournaments = overview.tournaments
        self.tree.blockSignals(True)
        self.tree.clear()
        items: dict[tuple[int | None, int | None], QTreeWidgetItem] = {}
        default: tuple[int | None, int | None] | None = None
        for tournament in overview.tournaments:
            dates = " – ".join(
                d.isoformat() for d in (tournament.start_date, tournament.end_date) if d
            )
            item = QTreeWidgetItem([tournament.name, tournament.status.value, dates])
            item.setData(0, TOURNAMENT_ROLE, tournament.id)
            item.setToolTip(0, ", ".join(p for p in (tournament.city, tournament.country) if p))
            items[(tournament.id, None)] = item
            for day in tournament.days:
                when = day.date.isoformat() if day.date else ""
                child = QTreeWidgetItem([f"Day {day.number}", day.status.value, when])
                child.setData(0, TOURNAMENT_ROLE, tournament.id)
                child.setData(0, DAY_ROLE, day.id)
                if day.status is DayStatus.ACTIVE:
                    font = child.font(0)
                    font.setBold(True)
                    for column in range(3):
                        child.setFont(column, font)
                    default = default or (tournament.id, day.id)
                item.addChild(child)
                items[(tournament.id, day.id)] = child
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        if default is None and overview.tournaments:
            default = (overview.tournaments[0].id, None)
        current = items.get(selected) or (items.get(default) if default else None)
        if current is not None:
            self.tree.setCurrentItem(current)
        for column in (1, 2):
            self.tree.resizeColumnToContents(column)
        self.tree.blockSignals(False)
        self.stack.setCurrentIndex(1 if overview.tournaments else 0)
        self.courts_model.set_courts(overview.courts)
        self.courts_view.resizeColumnsToContents()
        self.empty_courts.setText(self._courts_text(overview.courts))
        self.context.setText(self._context_text(overview))
        if self.selection() != selected:
            self.selection_changed.emit(*self.selection())

    @staticmethod
    def _courts_text(courts: tuple[CourtRow, ...]) -> str:
        if not courts:
            return "There is no court yet: add one below."
        listed = ", ".join(f"{c.name} on UDP port {c.port}" for c in courts)
        return f"<p>Already set up: {listed}. It records as soon as StrikeDesk starts.</p>"

    def _context_text(self, overview: Overview) -> str:
        names = {t.id: t for t in overview.tournaments}
        contexts = {(c.tournament_id, c.day_id) for c in overview.courts if c.enabled}
        if not contexts:
            return ""
        if len(contexts) > 1:
            return "Courts record into different tournaments or days."
        tournament_id, day_id = contexts.pop()
        if tournament_id is None:
            return "Recording without a tournament: start a day to file events under it."
        tournament = names.get(tournament_id)
        if tournament is None:
            return ""
        day = next((d for d in tournament.days if d.id == day_id), None)
        where = f"{tournament.name}, day {day.number}" if day else f"{tournament.name}, no day"
        return f"Recording into <b>{where}</b>."

    # --- selection ---------------------------------------------------------------------------
    def selection(self) -> tuple[int | None, int | None]:
        item = self.tree.currentItem()
        if item is None:
            return None, None
        return item.data(0, TOURNAMENT_ROLE), item.data(0, DAY_ROLE)

    def selected_tournament(self) -> TournamentRow | None:
        tournament_id, _ = self.selection()
        return next((t for t in self.tournaments if t.id == tournament_id), None)

    def selected_court(self) -> CourtRow | None:
        rows = self.courts_view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.courts_model.court_at(rows[0].row())

    def _current_changed(self, *_: object) -> None:
        self.selection_changed.emit(*self.selection())
