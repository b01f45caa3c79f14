"""Start the Qt application and the main window."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from app import __version__
from app.resources import resource_path

if TYPE_CHECKING:
    from app.ingest.recorder import Recorder
    from app.store.database import Database

#: The application icon shipped in resources/ (the .ico is only for the Windows executable).
APP_ICON = "resources/strikedesk.png"


def application() -> QApplication:
    """The process's QApplication, created on first use with StrikeDesk's name and icon."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    app.setApplicationName("StrikeDesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource_path(APP_ICON))))
    return app


def build_window(database: Database | None = None, recorder: Recorder | None = None) -> QMainWindow:
    """The operator window over `database` and `recorder` (placeholder until MainWindow lands)."""
    window = QMainWindow()
    window.setWindowTitle(f"StrikeDesk {__version__}")
    window.setCentralWidget(QLabel("StrikeDesk — the operator window is being built."))
    window.resize(960, 600)
    return window


def show_window(window: QWidget, timeout: float) -> bool:
    """Show `window` and process events until the platform exposes it; False on timeout."""
    window.show()
    deadline = time.monotonic() + timeout
    while True:
        QApplication.processEvents()
        handle = window.windowHandle()
        if handle is not None and handle.isExposed():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)


def process_events() -> None:
    """Let Qt handle pending events (for callers that wait on other threads in a loop)."""
    QApplication.processEvents()


def run_gui(args: argparse.Namespace) -> int:
    app = application()
    window = build_window()
    window.show()
    return app.exec()
