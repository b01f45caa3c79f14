"""Start the Qt application: logging, crash dialog, one instance per data folder, the qasync
event loop and the main window."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import qasync

from app import __version__
from app.ingest.recorder import Recorder
from app.logs import configure_logging
from app.resources import resource_path
from app.store.database import Database
from app.store.errors import DataFolderError
from app.store.paths import DataPaths
from app.ui.desk import Desk
from app.ui.main_window import MainWindow, WindowOptions
from app.ui.single_instance import InstanceServer, ask_running_instance, server_name

log = logging.getLogger(__name__)

ORGANIZATION = "StrikeDesk"
APPLICATION = "StrikeDesk"

T = TypeVar("T")
ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def install_crash_dialog(show: Callable[[str], None]) -> ExceptHook:
    """Log every uncaught exception (GUI thread or any other) and show it; recording goes on
    because the recorder's threads are not the one that failed. Returns the previous hook."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, error, trace)
            return
        log.critical("uncaught exception", exc_info=(kind, error, trace))
        show(f"{kind.__name__}: {error}")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        log.critical(
            "uncaught exception in thread %s",
            args.thread.name if args.thread else "?",
            exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
        )

    sys.excepthook = hook
    threading.excepthook = thread_hook
    return previous


#: The application icon shipped in resources/ (the .ico is only for the Windows executable).
APP_ICON = "resources/strikedesk.png"


def application() -> QApplication:
    """The process's QApplication, created on first use with StrikeDesk's name and icon."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(QIcon(str(resource_path(APP_ICON))))
    return app


def build_window(database: Database, recorder: Recorder) -> MainWindow:
    """The operator window over an already open database and running recorder (the smoke
    check); the caller keeps ownership of both. Sets up qasync on the Qt loop if needed."""
    app = application()
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.set_event_loop(qasync.QEventLoop(app, already_running=True))
    settings = QSettings(
        str(database.paths.root / "window-settings.ini"), QSettings.Format.IniFormat
    )
    window = MainWindow(WindowOptions(database.paths, database.paths.logs, settings))
    window.attach(Desk(database, recorder), owned=False)
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
    from app.cli import data_dir_from

    try:
        paths = DataPaths.resolve(data_dir_from(args))
        log_file = configure_logging(paths.logs if paths.logs else Path("."))
    except (DataFolderError, OSError) as exc:
        print(f"strikedesk: {exc}", file=sys.stderr)
        return 1
    log.info("StrikeDesk %s starting on %s (log %s)", __version__, paths.root, log_file)
    app = application()
    # The window closes only after the recorder stopped; the loop ends then, not at the first
    # close request (which would stop qasync with the recorder still flushing).
    app.setQuitOnLastWindowClosed(False)

    name = server_name(paths.root)
    if ask_running_instance(name):
        message = f"StrikeDesk is already open for {paths.root}; it was brought to the front."
        log.info(message)
        if sys.stderr is not None:
            print(message, file=sys.stderr)
        return 0
    instance = InstanceServer(name, app)

    window = MainWindow(WindowOptions(paths, paths.logs, QSettings()))

    def bring_forward() -> None:
        window.showNormal()
        window.raise_()
        window.activateWindow()

    instance.raise_requested.connect(bring_forward)

    def show_crash(text: str) -> None:
        # Deferred: the hook may run inside a paint or a slot; the dialog opens from the loop.
        QTimer.singleShot(
            0,
            lambda: QMessageBox.critical(
                window,
                "StrikeDesk: unexpected error",
                f"{text}\n\nRecording goes on. Details are in the log: {paths.logs}",
            ),
        )

    install_crash_dialog(show_crash)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window.show()
    window.start()
    with loop:
        loop.run_until_complete(_wait_closed(window))
    instance.close()
    return 0


async def _wait_closed(window: MainWindow) -> None:
    while not window.closed:
        await asyncio.sleep(0.1)


def drive_window(
    work: Callable[[MainWindow], Coroutine[Any, Any, T]],
    *,
    prefix: str,
    size: tuple[int, int] | None = None,
) -> T:
    """Open the real window on a throwaway data folder, run `work` on it under qasync, then
    close it and wait until its recorder has stopped. For the GUI benchmark and the README's
    screenshots, which drive the window as an operator would."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # the loop ends when the recorder has stopped
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        root = Path(folder)
        paths = DataPaths.resolve(root / "data")
        settings = QSettings(str(root / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(WindowOptions(paths, paths.logs, settings))
        if size is not None:
            window.resize(*size)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        window.show()
        window.start()
        with loop:
            try:
                result: T = loop.run_until_complete(work(window))
            finally:
                window.close()
                loop.run_until_complete(_wait_closed(window))
        window.deleteLater()
    return result
