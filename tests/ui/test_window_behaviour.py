"""The window's promises besides the happy path: first launch, a port in use, courts changed
while others record, settings kept, errors shown, one instance per data folder."""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QDate
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

import pytest
import sqlalchemy as sa

from app.sim.sender import free_udp_port
from app.ui.courts_model import Light
from app.ui.dialogs import CourtDialog, TournamentDialog
from app.ui.launch import install_crash_dialog
from app.ui.main_window import MainWindow
from app.ui.single_instance import InstanceServer, ask_running_instance, server_name
from app.ui.theme import Theme
from tests.ui.conftest import SqlThreads, close_window, dispose, make_window
from tests.ui.test_main_window import accept, add_court, create_tournament


def test_the_gui_thread_guard_can_fail(sql_threads: SqlThreads, tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    engine.dispose()
    assert sql_threads.gui == ["SELECT 1"]
    sql_threads.gui.clear()


def test_first_launch_leads_to_create_tournament(window: MainWindow) -> None:
    panel = window.setup_panel
    assert panel.stack.currentIndex() == 0  # the welcome page, not an empty tree
    assert "Court 1 on UDP port 6000" in panel.empty_courts.text()
    assert [c.name for c in window.overview.courts] == ["Court 1"]
    assert not window.start_day_action.isEnabled()  # nothing to start yet
    assert window.new_tournament_action.isEnabled()
    assert window.new_tournament_action.shortcut().toString() == "Ctrl+N"


def test_tournament_dialog_validates_as_you_type(qtbot: Any) -> None:
    dialog = TournamentDialog(None)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and "name" in dialog.error.text()
    qtbot.keyClicks(dialog.name, "Open")
    assert ok.isEnabled()
    dialog.has_dates.setChecked(True)
    dialog.start.setDate(QDate(2026, 5, 10))
    dialog.end.setDate(QDate(2026, 5, 9))
    assert not ok.isEnabled() and "before the start" in dialog.error.text()
    dialog.end.setDate(QDate(2026, 5, 11))
    assert ok.isEnabled()
    form = dialog.form()
    assert (form.name, form.start_date.isoformat(), form.end_date.isoformat()) == (  # type: ignore[union-attr]
        "Open",
        "2026-05-10",
        "2026-05-11",
    )


def test_court_dialog_refuses_bad_addresses(qtbot: Any) -> None:
    dialog = CourtDialog(None)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dialog.name, "Court 9")
    assert ok.isEnabled()
    qtbot.keyClicks(dialog.sources, "192.168.1.20, tkstrike")
    assert not ok.isEnabled() and "'tkstrike' is not an IP address" in dialog.error.text()
    dialog.sources.setText("192.168.1.20 192.168.1.21")
    assert dialog.form().allowed_sources == ("192.168.1.20", "192.168.1.21")
    dialog.bind.setCurrentText("laptop")
    assert not ok.isEnabled()


def test_a_port_in_use_shows_red_with_the_reason_and_others_keep_recording(
    qtbot: Any, window: MainWindow
) -> None:
    first = add_court(qtbot, window, "Mat A", free_udp_port())
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 0))
    taken = blocker.getsockname()[1]
    try:
        window.add_court_action.trigger()
        dialog = window.dialog
        assert isinstance(dialog, CourtDialog)
        dialog.name.setText("Mat B")
        dialog.port.setValue(taken)
        dialog.bind.setCurrentText("127.0.0.1")
        accept(qtbot, dialog)
        qtbot.waitUntil(lambda: "Mat B cannot record" in window.statusBar().currentMessage())
        model = window.setup_panel.courts_model
        row = next(r for r in range(model.rowCount()) if model.court_at(r).name == "Mat B")
        qtbot.waitUntil(lambda: model.light(row)[0] is Light.RED, timeout=3000)
        assert "in use" in model.light(row)[1].lower()
        good = next(r for r in range(model.rowCount()) if model.court_at(r).id == first)
        assert model.light(good)[0] is Light.AMBER  # listening, nothing received yet

        # Remove the failing court while Mat A records; Mat A is untouched.
        window.setup_panel.courts_view.selectRow(row)
        QMessageBox.question = lambda *a, **k: QMessageBox.StandardButton.Yes  # type: ignore[method-assign]
        try:
            window.remove_court_action.trigger()
        finally:
            del QMessageBox.question
        qtbot.waitUntil(lambda: all(c.name != "Mat B" for c in window.overview.courts))
        assert window.desk is not None
        statuses = {s.court_id: s for s in window.desk.recorder.endpoint_statuses()}
        assert statuses[first].listening
    finally:
        blocker.close()


def test_recording_toggle_closes_and_reopens_the_socket(qtbot: Any, window: MainWindow) -> None:
    court_id = add_court(qtbot, window, "Mat A", free_udp_port())
    model = window.setup_panel.courts_model
    assert window.desk is not None
    recorder = window.desk.recorder

    def listening() -> bool:
        return any(s.court_id == court_id and s.listening for s in recorder.endpoint_statuses())

    row = next(r for r in range(model.rowCount()) if model.court_at(r).id == court_id)
    window.setup_panel.courts_view.selectRow(row)
    window.toggle_recording_action.trigger()
    qtbot.waitUntil(lambda: not listening())
    qtbot.waitUntil(lambda: not any(c.enabled for c in window.overview.courts if c.id == court_id))
    assert court_id not in window.scoreboards.cards
    window.setup_panel.courts_view.selectRow(row)
    window.toggle_recording_action.trigger()
    qtbot.waitUntil(listening)
    qtbot.waitUntil(lambda: court_id in window.scoreboards.cards)


def test_theme_and_layout_are_kept_between_launches(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    window.dark_action.trigger()
    assert QApplication.palette().window().color().lightness() < 100
    window.feed.pause.setChecked(True)
    window.resize(window.minimumSizeHint().width() + 1, 520)
    size = (window.width(), window.height())
    assert size != (1400, 860)  # not the first-launch default, so restoring it is visible
    close_window(qtbot, window)
    again = make_window(tmp_path / "data")
    try:
        assert again.theme is Theme.DARK and again.dark_action.isChecked()
        assert again.feed.pause.isChecked()
        geometry = again.settings.value("window/geometry")
        assert isinstance(geometry, QByteArray) and not geometry.isEmpty()
        # The offscreen screen is 800 px wide and Qt keeps a restored window on it: the height
        # (not the default 860) is what shows the geometry came back.
        assert again.height() == size[1]
    finally:
        again.set_theme(Theme.LIGHT)
        again.runner.shutdown()
        dispose(again)
    assert QApplication.palette().window().color().lightness() > 150


def test_an_uncaught_exception_is_logged_and_shown(caplog: pytest.LogCaptureFixture) -> None:
    shown: list[str] = []
    previous = install_crash_dialog(shown.append)
    try:
        try:
            raise ValueError("bad value in a slot")
        except ValueError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    finally:
        sys.excepthook = previous
    assert shown == ["ValueError: bad value in a slot"]
    assert any(r.levelno == logging.CRITICAL and r.exc_info is not None for r in caplog.records)


def test_a_second_launch_brings_the_first_forward(qtbot: Any, tmp_path: Path) -> None:
    name = server_name(tmp_path)
    assert not ask_running_instance(name, timeout_ms=200)
    server = InstanceServer(name)
    try:
        with qtbot.waitSignal(server.raise_requested, timeout=5000):
            assert ask_running_instance(name)
    finally:
        server.close()
        dispose(server)
    assert server_name(tmp_path / ".") == name  # the same folder however it is spelled


def test_an_alert_raised_by_real_traffic_shows_in_the_banner_and_history(
    qtbot: Any, window: MainWindow
) -> None:
    port = free_udp_port()
    add_court(qtbot, window, "Mat A", port)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for _ in range(200):  # every one malformed: an error rate far above 1 %
            sender.sendto(b"pt1;not-a-number", ("127.0.0.1", port))
    qtbot.waitUntil(window.alert_banner.isVisible, timeout=15_000)
    assert "malformed" in window.alert_banner.text()
    assert window.alerts_panel.list.count() >= 1
    assert "raised" in window.alerts_panel.list.item(0).text()


def test_a_tournament_is_edited_through_its_dialog(qtbot: Any, window: MainWindow) -> None:
    create_tournament(qtbot, window, "Croatia Opn")
    window.setup_panel.tree.setCurrentItem(window.setup_panel.tree.topLevelItem(0))
    window.edit_tournament_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, TournamentDialog)
    assert dialog.name.text() == "Croatia Opn" and dialog.city.text() == "Zagreb"
    dialog.name.setText("Croatia Open")
    accept(qtbot, dialog)
    qtbot.waitUntil(lambda: [t.name for t in window.overview.tournaments] == ["Croatia Open"])
    assert window.overview.tournaments[0].city == "Zagreb"
