"""The Data menu's dialogs driven through the real window on real recorded matches: preview,
Start, progress, Cancel and the summary; the data checked off the GUI thread afterwards."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

import shiboken6

from app.sim.capture import read_capture
from app.sim.replayer import replay
from app.sim.sender import free_udp_port
from app.store.archive import ArchiveService
from app.store.backup import verify_backup
from app.ui.data_dialogs import ArchiveDialog, BackupDialog, ExportDialog, RestoreDialog
from app.ui.main_window import MainWindow
from app.ui.operation_dialog import OperationDialog
from tests.ui.test_main_window import add_court, create_tournament

SAMPLES = ("real_match_1945_final.tsv", "real_match_7894_semifinal.tsv")


def record_two_matches(qtbot: Any, window: MainWindow, samples_dir: Path) -> list[int]:
    """Two real matches on one court: the first is finished and may be archived, the second
    is the court's current match (kept live). Returns each capture's message count."""
    create_tournament(qtbot, window, "Croatia Open")
    window.setup_panel.tree.setCurrentItem(window.setup_panel.tree.topLevelItem(0))
    window.start_day_action.trigger()
    qtbot.waitUntil(lambda: window.overview.tournaments[0].active_day is not None)
    port = free_udp_port()
    add_court(qtbot, window, "Mat A", port)
    counts = []
    for sample in SAMPLES:
        lines = read_capture(samples_dir / sample)
        counts.append(len(lines))
        sender = threading.Thread(target=replay, args=(lines, "127.0.0.1", port, 1000.0))
        sender.start()
        qtbot.waitUntil(lambda s=sender: not s.is_alive(), timeout=30_000)
        sender.join()
        qtbot.waitUntil(lambda: window.feed.model.rowCount() >= sum(counts), timeout=20_000)
    return counts


def off_gui(window: MainWindow, fn: Any) -> Any:
    """Read the database on a worker thread (the test's guard forbids SQL on the GUI thread)."""
    return window.runner.call(fn).result(timeout=30)


def opened(qtbot: Any, window: MainWindow, action: Any, kind: type[OperationDialog]) -> Any:
    action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, kind)
    assert dialog.isVisible()
    return dialog


def run(qtbot: Any, dialog: OperationDialog) -> str:
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(dialog.summary_shown, timeout=30_000) as ended:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.close_button.isVisible() and not dialog.cancel_button.isVisible()
    return str(ended.args[0])


def test_archive_then_restore_through_the_menu(
    qtbot: Any, window: MainWindow, samples_dir: Path
) -> None:
    first, second = record_two_matches(qtbot, window, samples_dir)
    tournament = window.overview.tournaments[0]
    assert window.archive_action in window.data_menu.actions()
    assert window.archive_action.shortcut().toString() == "Ctrl+Alt+A"

    dialog = opened(qtbot, window, window.archive_action, ArchiveDialog)
    assert dialog.scope_combo.currentData() == tournament.id
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    preview = dialog.preview.text()
    assert f"Will archive {first:,} events and 1 matches" in preview
    assert f"1 match(es), {second:,} events" in preview  # the court's current match stays

    summary = run(qtbot, dialog)
    assert summary.startswith(f"archived {first:,} events and 1 matches")
    assert dialog.progress.value() == dialog.progress.maximum()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert window.dialog is None

    service = ArchiveService(window.desk.db)  # type: ignore[union-attr]
    stats = off_gui(window, service.stats)
    assert (stats.live.events, stats.live.matches) == (second, 1)
    assert (stats.archive.events, stats.archive.matches) == (first, 1)
    archive = window.statistics.sections["Archive"]
    qtbot.waitUntil(lambda: archive.value("Archived events") == f"{first:,}", timeout=5_000)

    # And back: the restore dialog previews the archived match and brings it back.
    dialog = opened(qtbot, window, window.restore_action, RestoreDialog)
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    assert f"Will restore {first:,} events and 1 matches" in dialog.preview.text()
    assert run(qtbot, dialog).startswith(f"restored {first:,} events")
    dialog.accept()
    stats = off_gui(window, service.stats)
    assert (stats.live.events, stats.archive.events) == (first + second, 0)


def test_cancelling_an_archive_leaves_every_row_in_one_database(
    qtbot: Any, window: MainWindow, samples_dir: Path
) -> None:
    first, second = record_two_matches(qtbot, window, samples_dir)
    dialog = opened(qtbot, window, window.archive_action, ArchiveDialog)
    dialog.service.chunk_rows = 50  # several chunks, so the cancel lands between two
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    gate = threading.Event()
    release = threading.Event()
    original = dialog.work()

    def paused(ctx: Any) -> object:  # hold the job at its first progress report
        ctx.job.add_progress_listener(lambda *_: (gate.set(), release.wait(10)))
        return original(ctx)

    dialog.work = lambda: paused  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.summary_shown, timeout=30_000) as ended:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert gate.wait(10)
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
        assert dialog.job is not None and dialog.job.cancel_requested
        release.set()
    summary = str(ended.args[0])
    assert summary.startswith("Cancelled.")
    assert dialog.progress.format() == "cancelled"
    dialog.accept()
    stats = off_gui(window, ArchiveService(window.desk.db).stats)  # type: ignore[union-attr]
    assert stats.live.events + stats.archive.events == first + second
    assert stats.live.matches + stats.archive.matches == 2
    assert stats.live.events >= second  # the current match never moves


def test_backup_create_then_verify(
    qtbot: Any, window: MainWindow, samples_dir: Path, tmp_path: Path
) -> None:
    first, second = record_two_matches(qtbot, window, samples_dir)
    target = tmp_path / "out" / "day1.sdbackup"
    dialog = opened(qtbot, window, window.backup_action, BackupDialog)
    assert not dialog.start_button.isEnabled()  # no file chosen yet
    assert "Choose a file" in dialog.preview.text()
    qtbot.keyClicks(dialog.file.edit, str(target))
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    assert f"{first + second:,} live events and 2" in dialog.preview.text()
    summary = run(qtbot, dialog)
    assert "full backup written to" in summary and target.is_file()
    dialog.accept()
    off_gui(window, lambda: verify_backup(target))  # the file is sound on its own

    dialog = opened(qtbot, window, window.backup_action, BackupDialog)
    dialog.action.setCurrentIndex(BackupDialog.VERIFY)
    qtbot.keyClicks(dialog.file.edit, str(target))
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    assert "Will check" in dialog.preview.text()
    assert "is a sound full backup" in run(qtbot, dialog)
    dialog.accept()

    restored = tmp_path / "restored"
    dialog = opened(qtbot, window, window.backup_action, BackupDialog)
    dialog.action.setCurrentIndex(BackupDialog.RESTORE)
    qtbot.keyClicks(dialog.file.edit, str(target))
    qtbot.keyClicks(dialog.folder.edit, str(restored))
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    assert f"then restore it into {restored}" in dialog.preview.text()
    assert run(qtbot, dialog).startswith("restored the full backup")
    dialog.accept()
    assert (restored / window.desk.db.paths.database.name).is_file()  # type: ignore[union-attr]

    # A file that is not a backup fails with the service's message, not a crash.
    bogus = tmp_path / "bogus.sdbackup"
    bogus.write_bytes(b"not a zip")
    dialog = opened(qtbot, window, window.backup_action, BackupDialog)
    dialog.action.setCurrentIndex(BackupDialog.VERIFY)
    qtbot.keyClicks(dialog.file.edit, str(bogus))
    assert run(qtbot, dialog).startswith("Failed: ")
    dialog.accept()


def test_export_csv_writes_a_file_with_a_bom(
    qtbot: Any, window: MainWindow, samples_dir: Path, tmp_path: Path
) -> None:
    first, second = record_two_matches(qtbot, window, samples_dir)
    target = tmp_path / "events.csv"
    dialog = opened(qtbot, window, window.export_action, ExportDialog)
    dialog.format.setCurrentText("CSV")
    qtbot.keyClicks(dialog.file.edit, str(target))
    qtbot.waitUntil(dialog.start_button.isEnabled, timeout=10_000)
    assert f"Will write {first + second:,} events" in dialog.preview.text()
    run(qtbot, dialog)
    dialog.accept()
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert len(data.decode("utf-8-sig").splitlines()) == first + second + 1  # and a header


def test_cancel_before_start_closes_and_frees_the_dialog(qtbot: Any, window: MainWindow) -> None:
    dialog = opened(qtbot, window, window.export_action, ExportDialog)
    assert not dialog.start_button.isEnabled()  # no tournament, no file: nothing to start
    assert dialog.preview.text()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert window.dialog is None
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5_000)
    assert dialog.job is None  # nothing was submitted
