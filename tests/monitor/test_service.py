"""The Monitor service: its thread, the stored history, the statistics document, the hooks."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from app.monitor.alerts import AlertKind
from app.monitor.backpressure import BackpressureLevel
from app.monitor.history import read_points
from app.monitor.memory import MemoryLimits, MemoryMonitor, PressureLevel
from app.monitor.report import SECTIONS
from app.monitor.service import Monitor
from app.store.database import Database
from tests.ingest.conftest import Rig, close_rig, open_rig
from tests.monitor.conftest import FAST, MATCH_START, wait_for


def test_the_thread_samples_and_stores_history_until_stopped(rig: Rig) -> None:
    monitor = Monitor(rig.db, rig.recorder, replace(FAST, history_interval=0.2))
    monitor.start()
    try:
        rig.send(*MATCH_START)
        rig.settle(len(MATCH_START))
        deadline = time.monotonic() + 10
        while len(monitor.history()) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        monitor.stop()
    snapshot = monitor.snapshot()
    assert snapshot is not None and snapshot.recording and snapshot.stored == len(MATCH_START)
    [court] = snapshot.courts
    assert court.name == "Test court" and court.listening and court.match_running
    assert snapshot.active_listeners == 1
    points = monitor.history()
    assert all(p.statistics["version"] == 1 for p in points)
    assert points[-1].value("stream.stored") == len(MATCH_START)  # the last row, from stop()
    stopped_rows = len(points)
    time.sleep(0.3)
    assert len(monitor.history()) == stopped_rows  # nothing runs after stop()


def test_statistics_document_has_every_section_and_real_numbers(rig: Rig, monitor: Monitor) -> None:
    rig.send(b"clk;01:00", b"pt1;9")
    rig.settle(2)
    assert monitor.statistics() is None  # nothing sampled yet: no numbers made up
    document = monitor.statistics(monitor.sample())
    assert document is not None and set(SECTIONS) <= set(document)
    assert document["stream"]["stored"] == 2 and document["stream"]["malformed"] == 1
    assert document["queue"]["capacity"] == rig.recorder.queue.maxsize
    assert document["batch"]["size"] == rig.recorder.stats().batch_size
    assert document["memory"]["rss_bytes"] > 10_000_000
    assert document["pool"]["size"] > 0
    assert document["backpressure"]["level"] == "none"
    assert document["cache"] == {
        "available": False,
        "reason": "no cache provider registered (the analytics service adds its caches)",
        "caches": {},
    }
    monitor.add_cache_provider("analytics", lambda: {"hits": 3, "misses": 1})
    monitor.add_cache_provider("broken", lambda: {"x": 1 / 0})
    caches = monitor.statistics()["cache"]  # type: ignore[index]
    assert caches["available"] is True
    assert caches["caches"]["analytics"] == {"hits": 3, "misses": 1}
    assert "division by zero" in caches["caches"]["broken"]["error"]
    monitor.remove_cache_provider("broken")
    assert set(monitor.statistics()["cache"]["caches"]) == {"analytics"}  # type: ignore[index]


def test_backpressure_is_read_live_from_a_filling_queue(tmp_path: Path) -> None:
    rig = open_rig(tmp_path / "data", queue_capacity=16)
    monitor = Monitor(rig.db, rig.recorder, FAST)
    holder = sqlite3.connect(rig.db.paths.database, timeout=1, isolation_level=None)
    try:
        assert monitor.backpressure().level is BackpressureLevel.NONE
        holder.execute("BEGIN IMMEDIATE")
        sent = 0
        deadline = time.monotonic() + 10
        while monitor.backpressure().level < BackpressureLevel.SATURATED:
            assert time.monotonic() < deadline, monitor.backpressure()
            rig.send(f"clk;01:{sent % 60:02d}".encode())
            sent += 1
            time.sleep(0.001)
        pressure = monitor.backpressure()
        assert pressure.coalesce and pressure.feed_interval_ms >= 1000
        assert monitor.sample().backpressure.level >= BackpressureLevel.HIGH
        holder.execute("COMMIT")
        rig.settle(sent)
        assert monitor.backpressure().level is BackpressureLevel.NONE
        assert rig.recorder.stats().stored == sent  # nothing dropped
    finally:
        holder.close()
        monitor.stop()
        close_rig(rig)


def test_alerts_are_stored_with_the_history_when_raised(rig: Rig, monitor: Monitor) -> None:
    rig.send(*MATCH_START)
    rig.settle(len(MATCH_START))
    wait_for(monitor, lambda kinds: AlertKind.COURT_SILENT in kinds)
    [point] = monitor.history()  # stored at once, not at the next minute
    assert [a["kind"] for a in point.active_alerts] == ["court_silent"]
    assert [(e["action"], e["kind"]) for e in point.alert_events] == [("raised", "court_silent")]
    since = point.taken_at - timedelta(seconds=1)
    assert read_points(rig.db.engine, since=since) == [point]
    assert read_points(rig.db.engine, since=point.taken_at + timedelta(seconds=1)) == []


def test_an_alert_stored_while_the_database_is_locked_waits_for_the_next_row(
    rig: Rig, monitor: Monitor
) -> None:
    holder = sqlite3.connect(rig.db.paths.database, timeout=1, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        rig.send(*MATCH_START)
        # Commits wait for the lock (commit latency), the history row cannot be written.
        wait_for(monitor, lambda kinds: AlertKind.COMMIT_LATENCY in kinds)
        assert monitor.history() == []
    finally:
        holder.execute("COMMIT")
        holder.close()
    rig.settle(len(MATCH_START))
    wait_for(monitor, lambda kinds: AlertKind.COMMIT_LATENCY not in kinds)
    events = [e["kind"] for p in monitor.history() for e in p.alert_events]
    assert events.count("commit_latency") == 2  # raised and cleared, both kept


def test_memory_pressure_asks_caches_to_shrink_once_per_rise(tmp_path: Path) -> None:
    heard: list[PressureLevel] = []
    watcher = MemoryMonitor(MemoryLimits(elevated_rss_bytes=1, critical_rss_bytes=1 << 50))
    watcher.subscribe(heard.append)
    watcher.subscribe(lambda _level: 1 / 0)  # one broken cache does not stop the others
    status = watcher.sample()
    assert status.pressure is PressureLevel.ELEVATED and status.rss_bytes > 0
    assert status.peak_rss_bytes >= status.rss_bytes
    watcher.sample()
    assert heard == [PressureLevel.ELEVATED] and watcher.reliefs == 1
    watcher.unsubscribe(heard.append)
    with Database.open(tmp_path / "data") as db:
        monitor = Monitor(db, config=replace(FAST, memory=MemoryLimits(1, 1 << 50)))
        assert monitor.sample().memory.pressure is PressureLevel.ELEVATED
        assert monitor.statistics()["memory"]["pressure"] == "elevated"  # type: ignore[index]
