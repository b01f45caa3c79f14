"""The Analytics tab on the real window: a real capture recorded over UDP, then the charts
compared with the AnalyticsService's own figures, PNG export, the live rate chart and the
cache section of the statistics panel."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from app.analytics.figures import TECHNIQUES
from app.sim.capture import read_capture
from app.sim.replayer import replay
from app.sim.sender import free_udp_port
from app.ui.analytics_view import HISTORY_SECONDS, MINUTE, RateHistory
from app.ui.main_window import MainWindow
from tests.ui.conftest import SqlThreads
from tests.ui.test_main_window import SAMPLE, add_court, create_tournament


def test_rate_history_counts_the_events_of_the_last_minute() -> None:
    history = RateHistory()
    for second in range(1, 200):
        history.add(10 * second)  # ten events a second
    view = history.view()
    assert len(view) == HISTORY_SECONDS
    assert view[-1] == 10 * MINUTE
    assert view[-2] == 10 * MINUTE and view[-HISTORY_SECONDS] == 0  # before the first sample
    # Events stop: the last minute's count falls by ten a second, then the rings wrap.
    history.add(10 * 199)
    assert history.view()[-1] == 10 * (MINUTE - 1)
    for _ in range(HISTORY_SECONDS + MINUTE):
        history.add(10 * 199)
    assert np.count_nonzero(history.view()) == 0


def _record_sample(qtbot: Any, window: MainWindow, samples_dir: Path) -> int:
    create_tournament(qtbot, window, "Croatia Open")
    window.setup_panel.tree.setCurrentItem(window.setup_panel.tree.topLevelItem(0))
    window.start_day_action.trigger()
    qtbot.waitUntil(lambda: window.overview.tournaments[0].active_day is not None)
    port = free_udp_port()
    court_id = add_court(qtbot, window, "Mat A", port)
    lines = read_capture(samples_dir / SAMPLE)
    sender = threading.Thread(target=replay, args=(lines, "127.0.0.1", port, 1000.0))
    sender.start()
    qtbot.waitUntil(lambda: not sender.is_alive(), timeout=30_000)
    sender.join()
    qtbot.waitUntil(lambda: window.feed.model.rowCount() >= len(lines), timeout=20_000)
    return court_id


def test_the_analytics_tab_charts_the_services_figures(
    qtbot: Any, window: MainWindow, samples_dir: Path, sql_threads: SqlThreads, tmp_path: Path
) -> None:
    court_id = _record_sample(qtbot, window, samples_dir)
    view = window.analytics
    qtbot.waitUntil(lambda: view.service is not None, timeout=10_000)
    service = view.service
    assert service is not None

    window.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.match_selector.count() == 1, timeout=10_000)
    assert "1945" in view.match_selector.itemText(0)
    view.select_match(view.match_selector.itemData(0))
    qtbot.waitUntil(lambda: view.shown_match is not None, timeout=10_000)
    shown = view.shown_match
    assert shown is not None

    # The service's own answer, computed off the GUI thread like the view's.
    result: list[Any] = []
    window.calls.spawn(_fetch(window, lambda: service.match(shown.match_id), result))
    qtbot.waitUntil(lambda: bool(result), timeout=10_000)
    figures = result[0].value
    assert (figures.blue.stated, figures.red.stated) == (35, 17)  # the stream's final score

    # Score timeline: step lines whose last step is the final score.
    curves = view.timeline.plot.getPlotItem().listDataItems()
    assert len(curves) == 2
    blue, red = (curve.getData()[1] for curve in curves)
    assert (blue[-1], red[-1]) == (figures.blue.points, figures.red.points) == (35, 17)
    assert all(curve.opts["stepMode"] == "center" for curve in curves)

    # Points by technique: the bars of a side add up to its technique points.
    bars = [item for item in view.techniques.plot.getPlotItem().items if _is_bars(item)]
    assert len(bars) == 2
    for item, side in zip(bars, (figures.blue, figures.red), strict=True):
        heights = list(item.opts["height"])
        assert heights == [side.techniques.points_of(t) for t in TECHNIQUES]
        assert sum(heights) == side.techniques.points == side.points - side.penalty_points
    # Hit-level histogram: one bar per bucket, each side's count of hits.
    hits = [item for item in view.hits.plot.getPlotItem().items if _is_bars(item)]
    for item, side in zip(hits, (figures.blue, figures.red), strict=True):
        assert list(item.opts["height"]) == list(side.hits.histogram)
        assert sum(item.opts["height"]) == side.hits.count

    # Tournament overview: one day with one finished match, won by blue's NOC.
    qtbot.waitUntil(lambda: view.shown_tournament is not None, timeout=10_000)
    assert view.matches_per_day == ((1, 1),)
    tournament = view.shown_tournament
    assert tournament is not None
    [method] = [item for item in view.methods.plot.getPlotItem().items if _is_bars(item)]
    assert list(method.opts["height"]) == [n for _, n in tournament.decision_methods] == [1]
    [nocs] = [item for item in view.nocs.plot.getPlotItem().items if _is_bars(item)]
    assert list(nocs.opts["height"]) == [1]
    assert tournament.wins_per_noc[0][0] == figures.blue.athlete.noc

    # Live: the court's ring holds the events of the last minute; a redraw showed them once
    # the page is on screen (a hidden chart is not redrawn).
    view.pages.setCurrentWidget(view.live)
    qtbot.waitUntil(lambda: court_id in view.rates and view.redraws > 0, timeout=5_000)
    qtbot.waitUntil(lambda: view.rates[court_id].view()[-1] > 0, timeout=5_000)
    live = view.live.plot.getPlotItem().listDataItems()
    assert live and live[0].getData()[1][-1] == view.rates[court_id].view()[-1]

    # Every chart saves a PNG.
    for chart in view.charts:
        saved = chart.save_png(tmp_path / f"{chart.objectName()}.png")
        assert saved.stat().st_size > 1000

    # The statistics panel's cache section counts the lookups.
    cache = window.statistics.sections["Analytics cache"]
    qtbot.waitUntil(lambda: (cache.value("Hits / misses") or "0 / 0") != "0 / 0", timeout=5_000)
    assert cache.value("  finished_match") is not None

    # The minute's snapshot job (a BACKGROUND job) stores the tournament's analytics.
    assert view.snapshot_timer.isActive() and view.snapshot_timer.interval() == 60_000
    tid = tournament.scope.tournament_id
    history: list[Any] = []

    async def snapshot_then_history() -> None:
        await view._snapshot(service, tid)
        history.append(await window.calls(lambda: service.history(tid), name="test"))

    window.calls.spawn(snapshot_then_history())
    qtbot.waitUntil(lambda: bool(history), timeout=10_000)
    [record] = history[0]
    assert record.analytics.matches == tournament.matches
    assert sql_threads.gui == []


def test_a_chart_reports_an_unwritable_png(window: MainWindow, tmp_path: Path) -> None:
    with pytest.raises(OSError, match="Cannot write"):
        window.analytics.timeline.save_png(tmp_path / "missing" / "chart.png")


async def _fetch(window: MainWindow, fn: Any, into: list[Any]) -> None:
    into.append(await window.calls(fn, name="test"))


def _is_bars(item: object) -> bool:
    import pyqtgraph as pg

    return isinstance(item, pg.BarGraphItem)
