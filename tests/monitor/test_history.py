"""metrics_history rows written and read back for charts, on a real database file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from app.monitor.history import latest_point, prune_points, read_points, series, store_point
from app.store.database import Database
from tests.monitor.snapshots import T0


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path / "data") as database:
        yield database


def minute(n: int) -> dict[str, object]:
    return {"performance": {"events_per_s": 10.0 * n, "trends": {"throughput": "up"}}}


def test_rows_read_back_in_order_and_as_chart_series(db: Database) -> None:
    assert latest_point(db.engine) is None
    for n in range(5):
        store_point(db.write_engine, T0 + timedelta(minutes=n), minute(n), [], [])
    points = read_points(db.engine)
    assert [p.taken_at for p in points] == [T0 + timedelta(minutes=n) for n in range(5)]
    assert series(points, "performance.events_per_s") == [
        (T0 + timedelta(minutes=n), 10.0 * n) for n in range(5)
    ]
    assert series(points, "performance.trends.throughput") == []  # not a number
    assert series(points, "memory.rss_bytes") == []  # not in these rows
    window = read_points(db.engine, T0 + timedelta(minutes=1), T0 + timedelta(minutes=3))
    assert [p.value("performance.events_per_s") for p in window] == [10.0, 20.0, 30.0]
    assert [p.taken_at for p in read_points(db.engine, limit=2)] == [
        T0 + timedelta(minutes=3),
        T0 + timedelta(minutes=4),
    ]
    latest = latest_point(db.engine)
    assert latest is not None and latest.taken_at == T0 + timedelta(minutes=4)
    assert latest.active_alerts == [] and latest.alert_events == []


def test_old_rows_can_be_pruned(db: Database) -> None:
    for n in range(4):
        store_point(db.write_engine, T0 + timedelta(days=n), minute(n), [], [])
    assert prune_points(db.write_engine, T0 + timedelta(days=2)) == 2
    assert [p.taken_at for p in read_points(db.engine)] == [
        T0 + timedelta(days=2),
        T0 + timedelta(days=3),
    ]
