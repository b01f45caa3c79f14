"""RowTableView: a QTableView over a RowTableModel that paints its visible rows in one call.

Qt's own painting asks the model for every visible cell: `index()` and `multiData()`, two calls
from C++ into Python per cell, each of which has to win the GIL back from the recorder's
threads. For the live feed (~120 cells repainted ten times a second while thousands of events a
second arrive) those hand-offs were most of the GUI thread's stalls: with 8 courts at 5,000
events/s the 10 ms heartbeat's p99 gap was 49-65 ms, and 31-39 ms with this view.

So this view's `paintEvent` is one trip into Python that draws the rows in the dirty rectangle
from the model's cached cells (`RowTableModel.cells_at`): background, text in its colour and
alignment, elided like Qt's delegate, the selection, and the grid. Everything else (header,
scrolling, selection, tooltips, keyboard) is QTableView's.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTableView

from app.ui.table_model import RowTableModel

_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_DEFAULT_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_NONE: tuple[None, ...] = ()


class RowTableView(QTableView):
    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if not isinstance(model, RowTableModel):  # pragma: no cover - set up with one
            super().paintEvent(event)
            return
        rows = model.rowCount()
        area = event.rect()
        if rows == 0:
            return
        first = self.rowAt(area.top())
        last = self.rowAt(area.bottom())
        if first < 0:
            return  # the dirty area is below the last row
        if last < 0:
            last = rows - 1
        columns = [  # (column, left, width) of the shown columns the dirty area crosses
            (column, left, width)
            for column in range(model.columnCount())
            if not self.isColumnHidden(column)
            for left, width in [(self.columnViewportPosition(column), self.columnWidth(column))]
            if left + width > area.left() and left <= area.right()
        ]
        palette = self.palette()
        group = (  # as Qt's delegate chooses it
            QPalette.ColorGroup.Disabled
            if not self.isEnabled()
            else QPalette.ColorGroup.Active
            if self.isActiveWindow()
            else QPalette.ColorGroup.Inactive
        )
        text_colour = palette.color(group, QPalette.ColorRole.Text)
        highlight = palette.brush(group, QPalette.ColorRole.Highlight)
        highlighted_text = palette.color(group, QPalette.ColorRole.HighlightedText)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        style = self.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1
        grid = int(self.showGrid())  # the last pixel row and column of a cell are the grid's
        grid_colour = QColor.fromRgba(
            style.styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self) & 0xFFFFFFFF
        )
        metrics = self.fontMetrics()
        elide = self.textElideMode()
        selection = self.selectionModel()
        # Ranges, not isRowSelected(): that asks the model for an index per row and column.
        selected_ranges = (
            []
            if selection is None
            else [
                (r.top(), r.bottom(), r.left(), r.right())
                for r in selection.selection()  # type: ignore[attr-defined]  # a QList
            ]
        )

        painter = QPainter(self.viewport())
        try:
            for row in range(first, last + 1):
                if self.isRowHidden(row):
                    continue
                top = self.rowViewportPosition(row)
                height = self.rowHeight(row)
                cells = model.cells_at(row)
                texts: Any = cells.get(_DISPLAY, _NONE)
                foregrounds: Any = cells.get(_FOREGROUND, _NONE)
                backgrounds: Any = cells.get(_BACKGROUND, _NONE)
                alignments: Any = cells.get(_ALIGNMENT, _NONE)
                selected = [r for r in selected_ranges if r[0] <= row <= r[1]]
                for column, left, width in columns:
                    cell = QRect(left, top, width - grid, height - grid)
                    if selected and any(r[2] <= column <= r[3] for r in selected):
                        painter.fillRect(cell, highlight)
                        painter.setPen(highlighted_text)
                    else:
                        background = backgrounds[column] if backgrounds else None
                        if background is not None:
                            painter.fillRect(cell, background)
                        foreground = foregrounds[column] if foregrounds else None
                        painter.setPen(text_colour if foreground is None else foreground.color())
                    text = texts[column] if texts else None
                    if text:
                        inner = cell.adjusted(margin, 0, -margin, 0)
                        alignment = alignments[column] if alignments else None
                        painter.drawText(
                            inner,
                            int(_DEFAULT_ALIGNMENT if alignment is None else alignment),
                            metrics.elidedText(str(text), elide, inner.width()),
                        )
            if grid:
                painter.setPen(grid_colour)
                bottom = self.rowViewportPosition(last) + self.rowHeight(last) - 1
                right = max(left + width - 1 for _, left, width in columns) if columns else 0
                for row in range(first, last + 1):
                    y = self.rowViewportPosition(row) + self.rowHeight(row) - 1
                    painter.drawLine(area.left(), y, min(area.right(), right), y)
                for _, left, width in columns:
                    x = left + width - 1
                    painter.drawLine(x, area.top(), x, min(area.bottom(), bottom))
        finally:
            painter.end()
