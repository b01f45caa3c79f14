"""Alerts in the window: a banner over the live view while any alert is active, and a list of
every raise and clear since start. Both read the monitor's in-memory state (no SQL)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.monitor.alerts import Alert, AlertAction, AlertEvent, Severity

_BANNER_COLOURS = {
    Severity.CRITICAL: "#c62828",
    Severity.WARNING: "#ef6c00",
    Severity.INFO: "#1565c0",
}


def banner_text(active: tuple[Alert, ...]) -> str:
    if not active:
        return ""
    first = active[0]  # the monitor sorts the most severe first
    more = f"  (+{len(active) - 1} more in Alerts)" if len(active) > 1 else ""
    return f"{first.label}: {first.message}{more}"


class AlertBanner(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("alertBanner")
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hide()

    def show_alerts(self, active: tuple[Alert, ...]) -> None:
        text = banner_text(active)
        if not text:
            self.hide()
            return
        colour = _BANNER_COLOURS.get(active[0].severity, "#616161")
        self.setStyleSheet(f"color: white; background: {colour}; padding: 6px; font-weight: bold;")
        self.setText(text)
        self.show()


class AlertsPanel(QWidget):
    """The history, newest first; active alerts are bold."""

    def __init__(self) -> None:
        super().__init__()
        self.list = QListWidget()
        self.list.setObjectName("alertHistory")
        self.empty = QLabel("No alert since StrikeDesk started.")
        self.empty.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty)
        layout.addWidget(self.list)
        self._shown = 0

    def show_history(self, history: tuple[AlertEvent, ...]) -> None:
        if len(history) == self._shown:
            return
        for event in history[self._shown :]:
            verb = "raised" if event.action is AlertAction.RAISED else "cleared"
            item = QListWidgetItem(
                f"{event.at.astimezone().strftime('%H:%M:%S')}  {verb}  "
                f"{event.alert.label}: {event.alert.message}"
            )
            if event.action is AlertAction.RAISED:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.list.insertItem(0, item)
        self._shown = len(history)
        self.empty.setVisible(self.list.count() == 0)
