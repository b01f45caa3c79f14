"""Table models on their own: the feed stays bounded and filters by court, match and kind;
the court light follows traffic; the matches table shows what a results sheet would."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QModelRoleData, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from app.ingest.feed import FeedEvent
from app.ingest.listener import EndpointStatus
from app.ui.courts_model import CourtTableModel, Light, court_light
from app.ui.desk import CourtRow, MatchRow
from app.ui.feed_model import FeedFilter, FeedTableModel, Kind, event_kind
from app.ui.feed_panel import FeedPanel
from app.ui.matches_model import MatchTableModel
from app.ui.theme import DARK_COLOURS, LIGHT_COLOURS


def feed_event(
    seq: int, code: str = "clk", court: int = 1, match: str = "101", status: str = "ok"
) -> FeedEvent:
    return FeedEvent(
        seq,
        0,
        seq * 1_000_000,
        court,
        match,
        1,
        "01:59",
        code,
        1,
        1,
        f"{code};{seq}",
        status,
        None if status == "ok" else "why",
        False,
    )


def test_the_feed_keeps_the_newest_rows_only(qtbot: Any) -> None:
    model = FeedTableModel(LIGHT_COLOURS, max_rows=100)
    removed: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _p, first, last: removed.append((first, last)))
    model.append([feed_event(n) for n in range(1, 81)])
    model.append([feed_event(n) for n in range(81, 131)])
    assert model.rowCount() == 100
    assert model.event_at(0).seq == 31 and model.event_at(99).seq == 130
    assert removed == [(0, 29)]
    model.append([feed_event(n) for n in range(131, 1131)])  # one burst larger than the view
    assert model.rowCount() == 100 and model.event_at(99).seq == 1130


def test_feed_filters_by_court_match_and_kind(qtbot: Any) -> None:
    model = FeedTableModel(LIGHT_COLOURS)
    model.append(
        [
            feed_event(1, "pt1", court=1, match="101"),
            feed_event(2, "wg2", court=1, match="101"),
            feed_event(3, "pt2", court=2, match="102"),
            feed_event(4, "zzz", court=2, match="102", status="unknown"),
            feed_event(5, "clk", court=1, match="101"),
        ]
    )

    def seqs() -> list[int]:
        return [int(model.index(r, 8).data().split(";")[1]) for r in range(model.rowCount())]

    assert seqs() == [1, 2, 3, 4, 5]
    model.set_filter(FeedFilter(1, None, None))
    assert seqs() == [1, 2, 5]
    model.append([feed_event(6, "pt1", court=2), feed_event(7, "hl1", court=1)])
    assert seqs() == [1, 2, 5, 7]  # new events pass the same filter
    model.set_filter(FeedFilter(None, "102", frozenset({Kind.POINT})))
    assert seqs() == [3]
    model.set_filter(FeedFilter(None, None, frozenset({Kind.UNKNOWN, Kind.MALFORMED})))
    assert seqs() == [4]
    model.set_filter(FeedFilter(None, None, frozenset({Kind.POINT, Kind.PENALTY})))
    assert seqs() == [1, 2, 3, 6]
    model.set_filter(FeedFilter())
    assert seqs() == [1, 2, 3, 4, 5, 6, 7]


def test_feed_rows_are_coloured_by_kind(qtbot: Any) -> None:
    model = FeedTableModel(LIGHT_COLOURS)
    model.append([feed_event(1, "pt1"), feed_event(2, "x", status="malformed"), feed_event(3)])
    colour = lambda row: model.index(row, 5).data(Qt.ItemDataRole.ForegroundRole)  # noqa: E731
    assert colour(0).color().name() == LIGHT_COLOURS.point
    assert colour(1).color().name() == LIGHT_COLOURS.malformed
    assert colour(2) is None
    assert model.index(1, 5).data() == "x (malformed)"
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) == "malformed: why"
    assert model.rowCount(model.index(0, 0)) == 0  # a table, not a tree
    assert event_kind("hl1", "ok") is Kind.HIT and event_kind("at1", "ok") is Kind.OTHER


def test_painted_cells_follow_theme_names_and_statuses(qtbot: Any) -> None:
    # Cells are kept per row between repaints: whatever else they show must still update.
    feed = FeedTableModel(LIGHT_COLOURS)
    feed.append([feed_event(1, "pt1")])
    spans = [QModelRoleData(role) for role in (Qt.ItemDataRole.DisplayRole, 9999)]
    feed.multiData(feed.index(0, 1), spans)  # what a delegate asks while painting
    assert spans[0].data() == "1" and spans[1].data() is None
    feed.set_court_names({1: "Mat A"})
    feed.set_colours(DARK_COLOURS)
    assert feed.index(0, 1).data() == "Mat A"
    point = feed.index(0, 5).data(Qt.ItemDataRole.ForegroundRole)
    assert point.color().name() == DARK_COLOURS.point != LIGHT_COLOURS.point

    courts = CourtTableModel(LIGHT_COLOURS)
    courts.set_courts((CourtRow(1, "Mat A", 6000, "0.0.0.0", (), True, None, None),))
    assert courts.index(0, 6).data() == "–"
    courts.set_statuses([status(97.0)], 100.0)
    assert courts.index(0, 6).data() == "7"
    assert courts.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == Light.GREEN.value
    courts.set_statuses([status(90.0)], 100.0)
    assert courts.index(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == Light.AMBER.value
    courts.set_colours(DARK_COLOURS)
    decoration = courts.index(0, 0).data(Qt.ItemDataRole.DecorationRole)
    assert decoration.name() == DARK_COLOURS.idle_light


def test_each_painted_cell_shows_only_its_own_roles(qtbot: Any) -> None:
    # A view's delegate reuses its role data from cell to cell (initStyleOption -> multiData):
    # a check box, light or alignment of one column must not reach the next one.
    feed = FeedTableModel(LIGHT_COLOURS)
    feed.append([feed_event(1, "pt1"), feed_event(2, "clk")])
    courts = CourtTableModel(LIGHT_COLOURS)
    courts.set_courts((CourtRow(1, "Mat A", 6000, "0.0.0.0", (), True, None, None),))
    courts.set_statuses([status(97.0)], 100.0)
    delegate = QStyledItemDelegate()
    feature = QStyleOptionViewItem.ViewItemFeature
    default = QStyleOptionViewItem().displayAlignment
    checked = decorated = 0
    for model in (courts, feed):
        for row in range(model.rowCount()):
            for column in range(model.columnCount()):
                index = model.index(row, column)
                option = QStyleOptionViewItem()
                delegate.initStyleOption(option, index)
                check = index.data(Qt.ItemDataRole.CheckStateRole) is not None
                light = index.data(Qt.ItemDataRole.DecorationRole) is not None
                alignment = index.data(Qt.ItemDataRole.TextAlignmentRole)
                assert bool(option.features & feature.HasCheckIndicator) == check, index
                assert bool(option.features & feature.HasDecoration) == light, index
                assert option.displayAlignment == (alignment or default), index
                checked, decorated = checked + check, decorated + light
    assert checked == 1 and decorated == 1  # the court's recording box and its light


def status(last: float | None, error: str | None = None, listening: bool = True) -> EndpointStatus:
    return EndpointStatus(1, "0.0.0.0", 6000, listening, error, 4_194_304, 7, last)


def test_court_light_follows_traffic() -> None:
    assert court_light(True, status(97.0), 100.0)[0] is Light.GREEN
    assert court_light(True, status(94.0), 100.0) == (
        Light.AMBER,
        "Listening on 0.0.0.0:6000; nothing for 6 s.",
    )
    assert court_light(True, status(None), 100.0)[0] is Light.AMBER
    light, tip = court_light(True, status(None, "Address already in use", False), 100.0)
    assert light is Light.RED and "Address already in use" in tip
    assert court_light(False, None, 100.0)[0] is Light.OFF


def test_matches_table_shows_a_results_line(qtbot: Any) -> None:
    model = MatchTableModel(LIGHT_COLOURS)
    row = MatchRow(
        7,
        "245.A",
        "M -68kg",
        "Mat A",
        "KIM Tae",
        "KOR",
        "LOPEZ Ana",
        "ESP",
        ((7, 8), (7, 4), (6, 2)),
        "blue",
        "2-1 PTF",
        812,
    )
    model.set_matches((row,))
    values = [model.index(0, c).data() for c in range(model.columnCount(QModelIndex()))]
    assert values == [
        "245.A",
        "M -68kg",
        "Mat A",
        "KIM Tae (KOR)",
        "LOPEZ Ana (ESP)",
        "20-14",
        "Blue 2-1 PTF",
        "812",
    ]
    assert model.index(0, 5).data(Qt.ItemDataRole.ToolTipRole) == "Rounds: 7-8  7-4  6-2"
    assert model.index(0, 6).data(Qt.ItemDataRole.ForegroundRole).name() == LIGHT_COLOURS.blue


def test_feed_panel_filters_from_its_controls(qtbot: Any) -> None:
    panel = FeedPanel(LIGHT_COLOURS)
    qtbot.addWidget(panel)
    panel.set_courts([(1, "Mat A"), (2, "Mat B")])
    panel.append([feed_event(1, "pt1", court=1), feed_event(2, "pt2", court=2, match="102")])
    assert panel.count.text() == "2 shown"
    panel.court.setCurrentIndex(panel.court.findData(2))
    assert panel.model.rowCount() == 1 and panel.count.text() == "1 shown"
    assert panel.model.index(0, 1).data() == "Mat B"
    panel.court.setCurrentIndex(0)
    qtbot.keyClicks(panel.match, "101")
    assert [panel.model.event_at(r).seq for r in range(panel.model.rowCount())] == [1]
