"""The matches of the selected day as a table model."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.ui.desk import MatchRow
from app.ui.table_model import Index, RowTableModel
from app.ui.theme import Colours

COLUMNS = ("Match", "Category", "Court", "Blue", "Red", "Score", "Winner", "Events")


def _athlete(name: str | None, noc: str | None) -> str:
    if not name:
        return "—"
    return f"{name} ({noc})" if noc else name


class MatchTableModel(RowTableModel[MatchRow]):
    columns = COLUMNS

    def __init__(self, colours: Colours) -> None:
        super().__init__()
        self.colours = colours

    def set_matches(self, matches: tuple[MatchRow, ...]) -> None:
        if tuple(self._rows) == matches:
            return  # refreshed every few seconds: keep the selection and scroll position
        self.beginResetModel()
        self._rows = list(matches)
        self.endResetModel()

    def match_at(self, row: int) -> MatchRow:
        return self.row_at(row)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        match = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.ForegroundRole and column == 6:
            if match.winner == "blue":
                return QColor(self.colours.blue)
            if match.winner == "red":
                return QColor(self.colours.red)
            return None
        if role == Qt.ItemDataRole.ToolTipRole and column in (3, 4):  # elided when narrow
            return self.data(index, Qt.ItemDataRole.DisplayRole)
        if role == Qt.ItemDataRole.ToolTipRole and column == 5:
            return "Rounds: " + "  ".join(f"{b}-{r}" for b, r in match.rounds)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        values = (
            match.match_number or "—",
            match.category or "",
            match.court or "",
            _athlete(match.blue, match.blue_noc),
            _athlete(match.red, match.red_noc),
            match.score,
            " ".join(p for p in ((match.winner or "").capitalize(), match.decision or "") if p),
            f"{match.events:,}",
        )
        return values[column]
