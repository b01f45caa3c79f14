"""The live event feed: filters, pause, and a table fed in batches from the window's timer."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ingest.feed import FeedEvent
from app.ui.feed_model import RAW_COLUMN, FeedFilter, FeedTableModel, Kind
from app.ui.row_table_view import RowTableView
from app.ui.theme import Colours

KIND_CHOICES: tuple[tuple[str, frozenset[Kind] | None], ...] = (
    ("All kinds", None),
    ("Points", frozenset({Kind.POINT})),
    ("Penalties", frozenset({Kind.PENALTY})),
    ("Points and penalties", frozenset({Kind.POINT, Kind.PENALTY})),
    ("Hit levels", frozenset({Kind.HIT})),
    ("Video reviews", frozenset({Kind.REVIEW})),
    ("Clock", frozenset({Kind.CLOCK})),
    ("Unknown and malformed", frozenset({Kind.UNKNOWN, Kind.MALFORMED})),
    ("Other messages", frozenset({Kind.OTHER})),
)


class FeedPanel(QWidget):
    def __init__(self, colours: Colours, max_rows: int = 5000) -> None:
        super().__init__()
        self.model = FeedTableModel(colours, max_rows=max_rows)
        self.view = RowTableView()
        self.view.setObjectName("feedView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().setVisible(False)
        # Fixed row heights: the view never measures rows, so 5,000 rows cost nothing to lay out.
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((96, 80, 64, 40, 60, 110, 48, 50)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(RAW_COLUMN, QHeaderView.ResizeMode.Stretch)

        self.court = QComboBox()
        self.court.setObjectName("feedCourt")
        self.court.addItem("All courts", None)
        self.match = QLineEdit()
        self.match.setObjectName("feedMatch")
        self.match.setPlaceholderText("Match number")
        self.match.setClearButtonEnabled(True)
        self.match.setMaximumWidth(140)
        self.kind = QComboBox()
        self.kind.setObjectName("feedKind")
        for label, kinds in KIND_CHOICES:
            self.kind.addItem(label, kinds)
        self.pause = QPushButton("Pause scrolling")
        self.pause.setCheckable(True)
        self.pause.setToolTip("Stop following new events (F8); recording goes on")
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Empty this view; nothing is deleted from the database")
        self.count = QLabel()
        self.count.setEnabled(False)

        filters = QHBoxLayout()
        filters.addWidget(self.court)
        filters.addWidget(self.match)
        filters.addWidget(self.kind)
        filters.addStretch(1)
        filters.addWidget(self.count)
        filters.addWidget(self.pause)
        filters.addWidget(self.clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(self.view)

        self.court.currentIndexChanged.connect(self._filters_changed)
        self.kind.currentIndexChanged.connect(self._filters_changed)
        self.match.textChanged.connect(self._filters_changed)
        self.pause.toggled.connect(self._pause_toggled)
        self.clear.clicked.connect(self.model.clear)

    def set_courts(self, courts: list[tuple[int, str]]) -> None:
        self.model.set_court_names(dict(courts))
        current = self.court.currentData()
        self.court.blockSignals(True)
        self.court.clear()
        self.court.addItem("All courts", None)
        for court_id, name in courts:
            self.court.addItem(name, court_id)
        index = self.court.findData(current)
        self.court.setCurrentIndex(max(index, 0))
        self.court.blockSignals(False)

    def set_colours(self, colours: Colours) -> None:
        self.model.set_colours(colours)

    @property
    def following(self) -> bool:
        return not self.pause.isChecked()

    def append(self, events: list[FeedEvent]) -> None:
        self.model.append(events)
        self.count.setText(f"{self.model.rowCount():,} shown")
        if self.following and events:
            self.view.scrollToBottom()

    def _filters_changed(self) -> None:
        kinds = self.kind.currentData()
        self.model.set_filter(
            FeedFilter(self.court.currentData(), self.match.text().strip() or None, kinds)
        )
        self.count.setText(f"{self.model.rowCount():,} shown")
        if self.following:
            self.view.scrollToBottom()

    def _pause_toggled(self, paused: bool) -> None:
        self.pause.setText("Resume scrolling" if paused else "Pause scrolling")
        if not paused:
            self.view.scrollToBottom()
