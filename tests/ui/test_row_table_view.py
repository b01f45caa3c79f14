"""RowTableView paints a RowTableModel's rows itself: the same colours, selection and texts as
Qt's delegate would show, without asking the model cell by cell."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPalette

from app.ui.row_table_view import RowTableView
from app.ui.table_model import Cells, RowTableModel

Index = QModelIndex | QPersistentModelIndex
TINT = QColor("#ffe0a0")
INK = QColor("#c00000")


class CountingModel(RowTableModel[tuple[str, bool]]):
    """Rows of (text, tinted); counts every way Qt could ask it for a cell."""

    columns = ("Text", "Number")

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0
        self.rendered: list[tuple[str, bool]] = []

    def set_rows(self, rows: list[tuple[str, bool]]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def cells(self, row: tuple[str, bool]) -> Cells:
        self.rendered.append(row)
        text, tinted = row
        return {
            Qt.ItemDataRole.DisplayRole: (text, str(len(text))),
            Qt.ItemDataRole.ForegroundRole: (QBrush(INK) if tinted else None, None),
            Qt.ItemDataRole.BackgroundRole: (QBrush(TINT) if tinted else None,) * 2,
            Qt.ItemDataRole.TextAlignmentRole: (None, int(Qt.AlignmentFlag.AlignRight)),
        }

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        self.asked += 1
        return super().index(row, column, parent)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        self.asked += 1
        return super().data(index, role)

    def multiData(self, index: Index, roleDataSpan: Any) -> None:
        self.asked += 1
        super().multiData(index, roleDataSpan)


def painted(qtbot: Any) -> tuple[RowTableView, CountingModel, QImage]:
    model = CountingModel()
    model.set_rows([("tinted row", True), ("plain row", False), ("selected row", False)])
    view = RowTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.verticalHeader().setVisible(False)
    view.resize(400, 200)
    view.show()
    qtbot.waitExposed(view)
    view.selectRow(2)
    model.asked = 0
    model.rendered.clear()
    image = view.viewport().grab().toImage()
    return view, model, image


def test_rows_are_painted_from_the_cells_without_asking_per_cell(qtbot: Any) -> None:
    view, model, image = painted(qtbot)
    assert model.asked == 0  # no index() / data() / multiData() per cell
    assert len(model.rendered) <= 3  # each row's cells made at most once
    base = view.palette().color(QPalette.ColorRole.Base)
    group = QPalette.ColorGroup.Active if view.isActiveWindow() else QPalette.ColorGroup.Inactive
    highlight = view.palette().color(group, QPalette.ColorRole.Highlight)

    def at(row: int, column: int, x: int = 2) -> QColor:
        left = view.columnViewportPosition(column)
        return image.pixelColor(left + x, view.rowViewportPosition(row) + 2)

    assert at(0, 0) == TINT and at(0, 1) == TINT
    assert at(1, 0) == base
    assert at(2, 0) == highlight and at(2, 1) == highlight
    below = view.rowViewportPosition(2) + view.rowHeight(2) + 4
    assert image.pixelColor(2, below) == base  # below the rows: the viewport's background

    def colours_in(row: int, column: int) -> set[int]:
        top, height = view.rowViewportPosition(row), view.rowHeight(row)
        left, width = view.columnViewportPosition(column), view.columnWidth(column)
        return {
            image.pixel(x, y)
            for x in range(left + 1, left + width - 1)
            for y in range(top + 1, top + height - 1)
        }

    # Text is drawn in each cell, in the row's ink where it has one.
    tinted = colours_in(0, 0)
    assert len(tinted) > 2
    ink = INK.rgb()
    assert any(
        abs(QColor(p).red() - QColor(ink).red()) < 40 and QColor(p).green() < 80 for p in tinted
    )
    assert len(colours_in(1, 0)) > 2 and len(colours_in(1, 1)) > 2


def test_right_aligned_text_sits_at_the_right_of_its_cell(qtbot: Any) -> None:
    view, _, image = painted(qtbot)
    top, height = view.rowViewportPosition(1), view.rowHeight(1)
    left, width = view.columnViewportPosition(1), view.columnWidth(1)
    base = view.palette().color(QPalette.ColorRole.Base).rgb()
    inked = [
        x
        for x in range(left + 1, left + width - 1)
        for y in range(top + 1, top + height - 1)
        if image.pixel(x, y) != base
    ]
    assert inked and min(inked) > left + width // 2


def test_a_long_text_is_cut_to_its_cell(qtbot: Any) -> None:
    model = CountingModel()
    model.set_rows([("x" * 500, False)])
    view = RowTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setColumnWidth(0, 80)
    view.resize(400, 120)
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage()
    top, height = view.rowViewportPosition(0), view.rowHeight(0)
    second = view.columnViewportPosition(1)
    base = view.palette().color(QPalette.ColorRole.Base).rgb()
    # The second column holds "500", right-aligned: nothing of the first column's text
    # reaches into its left half.
    spill = [
        x
        for x in range(second + 1, second + view.columnWidth(1) // 2)
        for y in range(top + 1, top + height - 1)
        if image.pixel(x, y) != base
    ]
    assert spill == []
