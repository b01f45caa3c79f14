"""Courts as a table: status light, address, allowed sources, recording switch, traffic."""

from __future__ import annotations

import enum
import time
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor

from app.ingest.listener import EndpointStatus
from app.ui.desk import CourtRow
from app.ui.table_model import Cells, Index, RowTableModel
from app.ui.theme import Colours

TRAFFIC_SECONDS = 5.0


class Light(enum.StrEnum):
    GREEN = "receiving"
    AMBER = "listening, no traffic"
    RED = "error"
    OFF = "not recording"


def court_light(enabled: bool, status: EndpointStatus | None, now: float) -> tuple[Light, str]:
    """The light and its tooltip for one court (pure: `now` is time.monotonic())."""
    if status is not None and status.error:
        return Light.RED, f"Cannot listen on {status.bind_address}:{status.port}: {status.error}"
    if not enabled or status is None or not status.listening:
        return Light.OFF, "Recording is off for this court."
    where = f"{status.bind_address}:{status.port}"
    last = status.last_received_monotonic
    if last is not None and now - last <= TRAFFIC_SECONDS:
        return Light.GREEN, f"Receiving on {where} ({status.datagrams:,} datagrams)."
    if last is None:
        return Light.AMBER, f"Listening on {where}; nothing received yet."
    return Light.AMBER, f"Listening on {where}; nothing for {now - last:.0f} s."


COLUMNS = ("", "Court", "Port", "Address", "Sources", "Recording", "Received")
RECORDING_COLUMN = 5  # the light is column 0


class CourtTableModel(RowTableModel[CourtRow]):
    columns = COLUMNS

    recording_toggled = Signal(int, bool)  # court id, on

    def __init__(self, colours: Colours) -> None:
        super().__init__()
        self.colours = colours
        self._statuses: dict[int, EndpointStatus] = {}
        self._now = time.monotonic()

    def set_colours(self, colours: Colours) -> None:
        self.colours = colours
        self.set_statuses(list(self._statuses.values()), self._now)

    def set_courts(self, courts: tuple[CourtRow, ...]) -> None:
        self.beginResetModel()
        self._rows = list(courts)
        self.endResetModel()

    def set_statuses(self, statuses: list[EndpointStatus], now: float) -> None:
        self._statuses = {s.court_id: s for s in statuses}
        self._now = now
        self.forget_cells()
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            )

    def court_at(self, row: int) -> CourtRow:
        return self.row_at(row)

    def light(self, row: int) -> tuple[Light, str]:
        court = self._rows[row]
        return court_light(court.enabled, self._statuses.get(court.id), self._now)

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.column() == RECORDING_COLUMN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def cells(self, court: CourtRow) -> Cells:
        light, tip = court_light(court.enabled, self._statuses.get(court.id), self._now)
        colour = {
            Light.GREEN: self.colours.ok_light,
            Light.AMBER: self.colours.idle_light,
            Light.RED: self.colours.error_light,
            Light.OFF: self.colours.off_light,
        }[light]
        status = self._statuses.get(court.id)
        display = (
            None,
            court.name,
            str(court.port),
            court.bind_address,
            ", ".join(court.allowed_sources) or "any",
            "on" if court.enabled else "off",
            f"{status.datagrams:,}" if status is not None else "–",
        )
        check = Qt.CheckState.Checked if court.enabled else Qt.CheckState.Unchecked
        return {
            Qt.ItemDataRole.DisplayRole: display,
            Qt.ItemDataRole.DecorationRole: (QColor(colour),) + (None,) * (len(COLUMNS) - 1),
            Qt.ItemDataRole.ToolTipRole: (tip,) * RECORDING_COLUMN + (None, tip),
            Qt.ItemDataRole.AccessibleTextRole: (light.value,) + (None,) * (len(COLUMNS) - 1),
            Qt.ItemDataRole.CheckStateRole: (None,) * RECORDING_COLUMN + (check, None),
        }

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if index.column() == RECORDING_COLUMN and role == Qt.ItemDataRole.CheckStateRole:
            on = Qt.CheckState(value) == Qt.CheckState.Checked
            self.recording_toggled.emit(self._rows[index.row()].id, on)
            return True  # the panel refreshes from the database once the change is made
        return False
