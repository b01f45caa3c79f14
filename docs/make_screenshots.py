"""Screenshots of the operator window for the README and the operator guide (`make screenshots`).

Runs the real window offscreen on a throw-away data folder: creates a tournament, starts day 1,
adds two courts, replays a finished real match into one and the first 60 % of another real
match into the other, then saves the window in the light and the dark theme, the day's
matches, a match's detail and the analytics tab. Then a third match on Mat A (so the semifinal
before it is no longer the court's current match) and the Data menu's dialogs: the archive and
the backup dialogs with their finished summary, the export dialog with its preview.

    QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py [OUT_FOLDER]
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QWidget

from app.sim.capture import read_capture
from app.sim.replayer import replay
from app.sim.sender import free_udp_port
from app.store.export import ExportKind
from app.ui.data_dialogs import ArchiveDialog, BackupDialog, ExportDialog
from app.ui.launch import drive_window
from app.ui.main_window import MainWindow
from app.ui.operation_dialog import OperationDialog
from app.ui.theme import Theme

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "protocol" / "samples"


async def wait_for(condition: object, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():  # type: ignore[operator]
        if loop.time() > deadline:
            raise TimeoutError("the window did not get there")
        await asyncio.sleep(0.05)


def save(widget: QWidget, path: Path) -> None:
    widget.grab().save(str(path))
    print(f"saved {path}")


async def shoot(window: MainWindow, out: Path) -> None:
    await wait_for(lambda: window.desk is not None)
    desk = window.desk
    assert desk is not None
    calls = window.calls
    tournament = await calls(
        lambda: desk.create_tournament("Croatia Open 2026", "Zagreb", "Croatia", None, None)
    )
    await calls(lambda: desk.start_day(tournament))
    ports = {"Mat A": free_udp_port(), "Mat B": free_udp_port()}
    for name, port in ports.items():
        await calls(lambda n=name, p=port: desk.add_court(n, p, "127.0.0.1", ()))
    await calls(lambda: desk.set_recording(1, False))  # Court 1 (port 6000) is not used here
    await window._reload()

    finished = read_capture(SAMPLES / "real_match_7894_semifinal.tsv")
    running = read_capture(SAMPLES / "real_match_1945_final.tsv")
    running = running[: int(len(running) * 0.6)]
    senders = [
        threading.Thread(target=replay, args=(finished, "127.0.0.1", ports["Mat A"], 200.0)),
        threading.Thread(target=replay, args=(running, "127.0.0.1", ports["Mat B"], 200.0)),
    ]
    for sender in senders:
        sender.start()
    await wait_for(lambda: not any(s.is_alive() for s in senders), timeout=60)
    expected = len(finished) + len(running)
    await wait_for(lambda: window.feed.model.rowCount() >= expected)
    await asyncio.sleep(1.5)  # a statistics tick and fresh lights
    window.tabs.setCurrentIndex(0)
    await asyncio.sleep(0.2)
    save(window, out / "main-light.png")

    window.set_theme(Theme.DARK)
    await asyncio.sleep(0.3)
    save(window, out / "main-dark.png")
    window.set_theme(Theme.LIGHT)

    window.tabs.setCurrentIndex(1)
    window.refresh_matches()
    await wait_for(lambda: window.matches_model.rowCount() == 2)
    await asyncio.sleep(0.2)
    save(window, out / "matches.png")
    window.open_match(window.matches_model.match_at(0).id)
    await wait_for(lambda: window.dialog is not None)
    await asyncio.sleep(0.2)
    assert window.dialog is not None
    save(window.dialog, out / "match-detail.png")
    window.dialog.reject()
    await shoot_data_dialogs(window, out, ports["Mat A"])


async def finished(dialog: OperationDialog) -> None:
    await wait_for(dialog.start_button.isEnabled)
    dialog.start()
    await wait_for(dialog.close_button.isVisible, timeout=60)
    await asyncio.sleep(0.2)


async def shoot_data_dialogs(window: MainWindow, out: Path, port: int) -> None:
    before = window.feed.model.rowCount()
    third = read_capture(SAMPLES / "real_match_101_semifinal_injury.tsv")
    sender = threading.Thread(target=replay, args=(third, "127.0.0.1", port, 200.0))
    sender.start()
    await wait_for(lambda: not sender.is_alive(), timeout=60)
    await wait_for(lambda: window.feed.model.rowCount() >= before + len(third))
    await window._reload()
    folder = window.options.paths.root.parent / "usb"

    window.archive_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, ArchiveDialog)
    await finished(dialog)
    save(dialog, out / "archive-dialog.png")
    dialog.accept()

    window.backup_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, BackupDialog)
    dialog.file.edit.setText(str(folder / "croatia-open-day1.sdbackup"))
    await finished(dialog)
    save(dialog, out / "backup-dialog.png")
    dialog.accept()

    window.export_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, ExportDialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData(ExportKind.RESULTS))
    dialog.file.edit.setText(str(folder / "croatia-open-results.csv"))
    await wait_for(dialog.start_button.isEnabled)
    await asyncio.sleep(0.2)
    save(dialog, out / "export-dialog.png")
    dialog.reject()

    # Analytics: the finished match, the live courts and the tournament, each in its page.
    view = window.analytics
    window.tabs.setCurrentWidget(view)
    await wait_for(lambda: view.match_selector.count() == 2)
    view.select_match(window.matches_model.match_at(0).id)
    await wait_for(lambda: view.shown_match is not None and view.shown_tournament is not None)
    await asyncio.sleep(0.3)
    save(window, out / "analytics.png")
    view.pages.setCurrentIndex(1)
    await asyncio.sleep(0.3)
    save(view, out / "analytics-live.png")
    view.pages.setCurrentIndex(2)
    await asyncio.sleep(0.3)
    save(view, out / "analytics-tournament.png")
    view.pages.setCurrentIndex(0)

    # The statistics panel scrolled to its metrics history charts, and the alerts list.
    window.stats_dock.raise_()
    bar = window.statistics.verticalScrollBar()
    bar.setValue(bar.maximum())
    await asyncio.sleep(1.5)  # a statistics tick draws the charts
    save(window.stats_dock, out / "statistics-history.png")


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    drive_window(lambda window: shoot(window, out), prefix="strikedesk-shots-", size=(1400, 860))
    return 0


if __name__ == "__main__":
    sys.exit(main())
