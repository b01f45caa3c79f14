"""One StrikeDesk window per data folder: a second launch asks the first to come forward.

A QLocalServer named after the data folder is the lock (the same mechanism Qt applications such
as qutebrowser use); a stale name left by a crash is removed and taken over.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

RAISE = b"raise\n"


def server_name(data_folder: Path) -> str:
    digest = hashlib.sha1(str(data_folder.resolve()).lower().encode()).hexdigest()[:16]
    return f"strikedesk-{digest}"


def ask_running_instance(name: str, timeout_ms: int = 1000) -> bool:
    """True if a window already serves this data folder (and was asked to come forward)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(RAISE)
    socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches; emits `raise_requested` when one arrives."""

    raise_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            QLocalServer.removeServer(name)  # left over from a crash
            if not self.server.listen(name):
                log.warning("single-instance lock %s: %s", name, self.server.errorString())
        self.server.newConnection.connect(self._connection)

    def _connection(self) -> None:
        socket = self.server.nextPendingConnection()
        if socket is None:
            return
        socket.readyRead.connect(lambda: self._read(socket))
        socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(RAISE.strip()):
            self.raise_requested.emit()

    def close(self) -> None:
        self.server.close()
