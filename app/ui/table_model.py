"""RowTableModel: what the window's tables share — a list of immutable rows under fixed column
titles, read-only, answered with as few calls from Qt into Python as Qt allows.

Every call from C++ into Python has to win the GIL back from the recorder's threads, so under
load each one can wait milliseconds. Qt's own `index()` asks `rowCount()` and `columnCount()`,
and its delegate asks `data()` once per role; here `index()` and `multiData()` answer in one
trip each.

A subclass says what a row shows once, in `cells(row)`: per role, the value of every column.
Those are kept for the rows recently painted, keyed by the row itself, which is immutable: the
live feed repaints its visible rows ten times a second (through `cells_at`, in RowTableView),
and formatting them each time cost more than drawing them. A model whose cells also depend on
other state calls `forget_cells()` when that state changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)

from cachetools import LRUCache

Index = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
#: Role -> the value of each column (None: nothing for that role and column).
Cells = Mapping[int, Sequence[Any]]
#: Rows whose cells are kept: a few screens of a tall table.
CACHED_ROWS = 512


class RowTableModel(QAbstractTableModel, Generic[R]):
    columns: tuple[str, ...] = ()

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[R] = []
        self._cells: LRUCache[R, Cells] = LRUCache(maxsize=CACHED_ROWS)

    def cells(self, row: R) -> Cells:
        """What `row` shows: per role, one value per column."""
        raise NotImplementedError

    def forget_cells(self) -> None:
        """Something besides the rows changed what they show (colours, statuses, names)."""
        self._cells.clear()

    def _cells_of(self, row: R) -> Cells:
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = self.cells(row)
        return cells

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def cells_at(self, row: int) -> Cells:
        """What row number `row` shows (for a view that paints rows itself)."""
        return self._cells_of(self._rows[row])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.columns[section]
        return None

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self._rows) and 0 <= column < len(self.columns)):
            return QModelIndex()
        return self.createIndex(row, column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        values = self._cells_of(self._rows[index.row()]).get(role)
        return None if values is None else values[index.column()]

    def multiData(self, index: Index, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        if not index.isValid():
            return
        cells = self._cells_of(self._rows[index.row()])
        column = index.column()
        for role_data in roleDataSpan:  # type: ignore[union-attr]  # PySide iterates spans
            values = cells.get(role_data.role())
            value = None if values is None else values[column]
            # Every role, set or cleared: QStyledItemDelegate hands in the same role data for
            # cell after cell, so a role left alone shows the previous cell's value (a check box
            # or a colour in every column).
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)
