"""Start the Qt application and the main window."""

from __future__ import annotations

import argparse
import sys

from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

from app import __version__


def run_gui(args: argparse.Namespace) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle(f"StrikeDesk {__version__}")
    window.setCentralWidget(QLabel("StrikeDesk — the operator window is being built."))
    window.resize(960, 600)
    window.show()
    return app.exec()
