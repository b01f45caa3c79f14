"""The real window on a real data folder in tmp_path, with a guard against SQL on the GUI thread.

The guard listens to SQLAlchemy's `before_cursor_execute` on every Engine: a statement run by
the GUI thread while a window test runs is recorded and fails the test at teardown.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QSettings
from PySide6.QtWidgets import QApplication

import pytest
import qasync
import shiboken6
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.store.paths import DataPaths
from app.ui.main_window import MainWindow, WindowOptions


@dataclass
class SqlThreads:
    gui: list[str] = field(default_factory=list)
    other: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        with self.lock:
            if threading.current_thread() is threading.main_thread():
                self.gui.append(statement)
            else:
                self.other += 1


@pytest.fixture
def sql_threads() -> Iterator[SqlThreads]:
    seen = SqlThreads()
    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


@pytest.fixture
def event_loop_qt(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """qasync on the Qt loop pytest-qt runs (qtbot.wait*), as `strikedesk` runs it."""
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)


def make_window(root: Path) -> MainWindow:
    paths = DataPaths.resolve(root)
    settings = QSettings(str(root.parent / "settings.ini"), QSettings.Format.IniFormat)
    return MainWindow(WindowOptions(paths, paths.logs, settings))


def close_window(qtbot: Any, window: MainWindow) -> None:
    window.close()
    qtbot.waitUntil(lambda: window.closed, timeout=30_000)
    window.runner.shutdown(wait=True)
    dispose(window)


def dispose(widget: Any) -> None:
    """Delete the C++ window now: one left for interpreter exit crashes PySide on the way out."""
    if not shiboken6.isValid(widget):
        return
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def window(
    qtbot: Any, tmp_path: Path, event_loop_qt: qasync.QEventLoop, sql_threads: SqlThreads
) -> Iterator[MainWindow]:
    opened = make_window(tmp_path / "data")
    opened.show()
    with qtbot.waitSignal(opened.ready, timeout=30_000):
        opened.start()
    yield opened
    if not opened.closed:
        close_window(qtbot, opened)
    else:
        dispose(opened)
    assert sql_threads.gui == [], f"SQL ran on the GUI thread: {sql_threads.gui[:3]}"
