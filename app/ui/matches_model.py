"""The matches of the selected day as a table model."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.ui.desk import MatchRow
from app.ui.table_model import Cells, RowTableModel
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

    def set_colours(self, colours: Colours) -> None:
        self.colours = colours
        self.forget_cells()
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 7))

    def cells(self, match: MatchRow) -> Cells:
        names = (_athlete(match.blue, match.blue_noc), _athlete(match.red, match.red_noc))
        winner = None
        if match.winner == "blue":
            winner = QColor(self.colours.blue)
        elif match.winner == "red":
            winner = QColor(self.colours.red)
        decision = (match.winner or "").capitalize(), match.decision or ""
        rounds = "Rounds: " + "  ".join(f"{b}-{r}" for b, r in match.rounds)
        return {
            Qt.ItemDataRole.DisplayRole: (
                match.match_number or "—",
                match.category or "",
                match.court or "",
                *names,
                match.score,
                " ".join(part for part in decision if part),
                f"{match.events:,}",
            ),
            Qt.ItemDataRole.ForegroundRole: (None,) * 6 + (winner, None),
            # The athletes' names are elided when the column is narrow; the score has its rounds.
            Qt.ItemDataRole.ToolTipRole: (None, None, None, *names, rounds, None, None),
        }
