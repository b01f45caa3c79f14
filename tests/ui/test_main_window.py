"""The operator's day, driven through the real window: tournament dialog, day, court on an
ephemeral port, a real capture replayed over UDP, then feed, scoreboard, matches, statistics."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from app.sim.capture import read_capture
from app.sim.replayer import replay
from app.sim.sender import free_udp_port
from app.ui.dialogs import CourtDialog, MatchDetailDialog, TournamentDialog
from app.ui.main_window import MainWindow
from app.ui.scoreboard import ScoreboardCard
from tests.ui.conftest import SqlThreads, close_window

SAMPLE = "real_match_1945_final.tsv"


def accept(qtbot: Any, dialog: Any) -> None:
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled(), dialog.error.text()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)


def create_tournament(qtbot: Any, window: MainWindow, name: str) -> None:
    button = window.setup_panel.findChild(QPushButton, "createTournamentButton")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    assert isinstance(dialog, TournamentDialog)
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # an empty name is refused before anything is saved
    qtbot.keyClicks(dialog.name, name)
    qtbot.keyClicks(dialog.city, "Zagreb")
    accept(qtbot, dialog)
    qtbot.waitUntil(lambda: [t.name for t in window.overview.tournaments] == [name])


def add_court(qtbot: Any, window: MainWindow, name: str, port: int) -> int:
    window.add_court_action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, CourtDialog)
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, name)
    dialog.port.setValue(port)
    dialog.bind.setCurrentText("127.0.0.1")
    accept(qtbot, dialog)
    qtbot.waitUntil(lambda: any(c.name == name for c in window.overview.courts))
    court = next(c for c in window.overview.courts if c.name == name)
    assert court.enabled
    assert window.desk is not None
    qtbot.waitUntil(
        lambda: any(
            s.court_id == court.id and s.listening
            for s in window.desk.recorder.endpoint_statuses()  # type: ignore[union-attr]
        )
    )
    return court.id


def test_a_recorded_match_reaches_every_panel(
    qtbot: Any, window: MainWindow, samples_dir: Path, sql_threads: SqlThreads
) -> None:
    create_tournament(qtbot, window, "Croatia Open")
    tournament = window.overview.tournaments[0]
    window.setup_panel.tree.setCurrentItem(window.setup_panel.tree.topLevelItem(0))
    assert window.start_day_action.isEnabled()
    window.start_day_action.trigger()
    qtbot.waitUntil(lambda: window.overview.tournaments[0].active_day is not None)
    day = window.overview.tournaments[0].active_day
    assert day is not None and day.number == 1
    assert "Croatia Open, day 1" in window.context_label.text()

    port = free_udp_port()
    court_id = add_court(qtbot, window, "Mat A", port)
    court = next(c for c in window.overview.courts if c.id == court_id)
    assert (court.tournament_id, court.day_id) == (tournament.id, day.id)

    lines = read_capture(samples_dir / SAMPLE)
    messages = len(lines)  # one PSS message per datagram in the capture
    sender = threading.Thread(target=replay, args=(lines, "127.0.0.1", port, 1000.0))
    sender.start()
    qtbot.waitUntil(lambda: not sender.is_alive(), timeout=30_000)
    sender.join()

    # Feed: one row per stored message, the last one the `wmh` result line.
    feed = window.feed.model
    qtbot.waitUntil(lambda: feed.rowCount() >= messages, timeout=20_000)
    assert feed.rowCount() == messages
    assert feed.event_at(feed.rowCount() - 1).code == "wmh"

    # Scoreboard: the final score the stream announces.
    card = window.scoreboards.cards[court_id]
    assert isinstance(card, ScoreboardCard)
    qtbot.waitUntil(card.banner.isVisible)
    assert "2-1 PTF" in card.banner.text()
    assert card.banner.text().startswith("Blue wins")
    assert (card.rows_text("total")) == ("35", "17")
    assert card.round_texts() == [("4", "5 ✓"), ("19 ✓", "12"), ("12 ✓", "0")]
    assert "Match 1945" in card.title.text()

    # The day's matches: the match, its athletes and final score.
    window.tabs.setCurrentIndex(1)
    window.refresh_matches()
    model = window.matches_model
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=10_000)
    row = [model.index(0, c).data() for c in range(model.columnCount())]
    assert row[0] == "1945"
    assert row[5] == "35-17"
    assert row[6] == "Blue 2-1 PTF"
    assert row[7] == f"{messages:,}"

    # Double-click: the match detail with its full event list.
    window.open_match(model.match_at(0).id)
    qtbot.waitUntil(lambda: isinstance(window.dialog, MatchDetailDialog), timeout=10_000)
    detail = window.dialog
    assert isinstance(detail, MatchDetailDialog)
    assert detail.table.rowCount() == messages
    detail.reject()

    # Statistics count them.
    ingest = window.statistics.sections["Ingest"]
    qtbot.waitUntil(lambda: ingest.value("Stored events") == f"{messages:,}", timeout=5_000)
    database = window.statistics.sections["Database"]
    qtbot.waitUntil(lambda: database.value("Matches") == "1", timeout=5_000)

    close_window(qtbot, window)
    assert sql_threads.other > 0  # the guard saw the window's SQL, all of it off the GUI thread
    assert sql_threads.gui == []
