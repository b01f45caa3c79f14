"""The live feed's table model: a bounded list of committed events, appended in batches.

The model is fed from a timer (10–20 Hz) with whatever the recorder committed since the last
tick, so a burst of thousands of events costs one `beginInsertRows` per tick, not one per event.
Rows beyond `max_rows` are dropped from the top: the feed is a window on the stream, the
database is the record.

Filtering happens inside the model, in Python, over its own buffer, rather than in a
QSortFilterProxyModel: a proxy calls `filterAcceptsRow` from C++ once per inserted row, and
each such call has to win the GIL back from the recorder's threads (thousands a second under
load). Here a tick filters its whole batch in one go.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import (
    QModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.ingest.feed import FeedEvent
from app.ui.table_model import Cells, RowTableModel
from app.ui.theme import Colours


class Kind(enum.StrEnum):
    POINT = "points"
    PENALTY = "penalties"
    HIT = "hit levels"
    CLOCK = "clock"
    REVIEW = "video reviews"
    OTHER = "other"
    UNKNOWN = "unknown"
    MALFORMED = "malformed"


_KIND_OF_CODE = {
    "pt1": Kind.POINT,
    "pt2": Kind.POINT,
    "wg1": Kind.PENALTY,
    "wg2": Kind.PENALTY,
    "hl1": Kind.HIT,
    "hl2": Kind.HIT,
    "clk": Kind.CLOCK,
    "ch0": Kind.REVIEW,
    "ch1": Kind.REVIEW,
    "ch2": Kind.REVIEW,
}


def event_kind(code: str, status: str) -> Kind:
    if status == "malformed":
        return Kind.MALFORMED
    if status == "unknown":
        return Kind.UNKNOWN
    return _KIND_OF_CODE.get(code, Kind.OTHER)


COLUMNS = ("Time", "Court", "Match", "Rnd", "Clock", "Code", "Side", "Value", "Raw")
RAW_COLUMN = COLUMNS.index("Raw")
SIDE_COLUMN = COLUMNS.index("Side")
SIDES = {1: "blue", 2: "red"}
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
COLUMN_NUMBERS = range(len(COLUMNS))
ALIGNMENTS = tuple(_RIGHT if column in (3, 4, 7) else None for column in COLUMN_NUMBERS)


@dataclass(frozen=True, slots=True)
class FeedFilter:
    """Court, match and kind filters (None: no filter)."""

    court_id: int | None = None
    match_number: str | None = None
    kinds: frozenset[Kind] | None = None

    def accepts(self, event: FeedEvent) -> bool:
        if self.court_id is not None and event.court_id != self.court_id:
            return False
        if self.match_number is not None and event.match_number != self.match_number:
            return False
        return self.kinds is None or event_kind(event.code, event.status) in self.kinds


NO_FILTER = FeedFilter()


class FeedTableModel(RowTableModel[FeedEvent]):
    columns = COLUMNS

    def __init__(self, colours: Colours, max_rows: int = 5000) -> None:
        super().__init__()
        self.max_rows = max_rows
        self._recent: deque[FeedEvent] = deque(maxlen=max_rows)  # everything, newest last
        # self._rows: what the filter lets through, newest last
        self.filter = NO_FILTER
        self._court_names: dict[int, str] = {}
        self._kind_brushes: dict[Kind, QBrush] = {}
        self._background: dict[Kind, QBrush] = {}
        self.set_colours(colours)

    def set_colours(self, colours: Colours) -> None:
        self._kind_brushes = {
            Kind.POINT: QBrush(QColor(colours.point)),
            Kind.PENALTY: QBrush(QColor(colours.penalty)),
            Kind.UNKNOWN: QBrush(QColor(colours.unknown)),
            Kind.MALFORMED: QBrush(QColor(colours.malformed)),
        }
        self._background = {
            Kind.POINT: QBrush(QColor(colours.point_background)),
            Kind.PENALTY: QBrush(QColor(colours.penalty_background)),
            Kind.UNKNOWN: QBrush(QColor(colours.problem_background)),
            Kind.MALFORMED: QBrush(QColor(colours.problem_background)),
        }
        self._blue = QBrush(QColor(colours.blue))
        self._red = QBrush(QColor(colours.red))
        self.forget_cells()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 8))

    def set_court_names(self, names: dict[int, str]) -> None:
        self._court_names = dict(names)
        self.forget_cells()

    # --- feeding --------------------------------------------------------------------------
    def set_filter(self, feed_filter: FeedFilter) -> None:
        """Show only what `feed_filter` accepts, from the events already buffered onwards."""
        self.beginResetModel()
        self.filter = feed_filter
        self._rows = [e for e in self._recent if feed_filter.accepts(e)]
        self.endResetModel()

    def append(self, events: list[FeedEvent]) -> None:
        self._recent.extend(events)
        if self.filter is not NO_FILTER:
            events = [e for e in events if self.filter.accepts(e)]
        if not events:
            return
        if len(events) > self.max_rows:
            events = events[-self.max_rows :]
        overflow = len(self._rows) + len(events) - self.max_rows
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            del self._rows[:overflow]
            self.endRemoveRows()
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(events) - 1)
        self._rows.extend(events)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self._recent.clear()
        self._rows.clear()
        self.endResetModel()

    def event_at(self, row: int) -> FeedEvent:
        return self.row_at(row)

    def cells(self, event: FeedEvent) -> Cells:
        kind = event_kind(event.code, event.status)
        colour = self._kind_brushes.get(kind)
        if event.side in SIDES:
            side = self._blue if event.side == 1 else self._red
            foreground = tuple(side if c == SIDE_COLUMN else colour for c in COLUMN_NUMBERS)
        else:
            foreground = (colour,) * len(COLUMNS)
        tip = None
        if event.error:
            tip = f"{event.status}: {event.error}"
        elif event.foreign:
            tip = "from a source outside the court's allowed list"
        return {
            Qt.ItemDataRole.DisplayRole: tuple(self._display(event, c) for c in COLUMN_NUMBERS),
            Qt.ItemDataRole.ForegroundRole: foreground,
            Qt.ItemDataRole.BackgroundRole: (self._background.get(kind),) * len(COLUMNS),
            Qt.ItemDataRole.ToolTipRole: (tip,) * len(COLUMNS),
            Qt.ItemDataRole.TextAlignmentRole: ALIGNMENTS,
        }

    def _display(self, event: FeedEvent, column: int) -> str:
        if column == 0:
            return datetime.fromtimestamp(event.received_ns / 1e9).strftime("%H:%M:%S.%f")[:-3]
        if column == 1:
            return self._court_names.get(event.court_id, str(event.court_id))
        if column == 2:
            return event.match_number or ""
        if column == 3:
            return "" if event.round is None else str(event.round)
        if column == 4:
            return event.clock or ""
        if column == 5:
            return event.code if event.status == "ok" else f"{event.code or '?'} ({event.status})"
        if column == 6:
            return SIDES.get(event.side or 0, "")
        if column == 7:
            return "" if event.value is None else str(event.value)
        return event.text
