"""Metrics history: one row of `metrics_history` per monitor sample stored (every 60 s, and when
an alert is raised or cleared), read back for the charts and the CLI.

Each row's JSON holds the statistics document (app.monitor.report) and the alerts: those active
at that moment and the raises/clears since the previous row, so `strikedesk alerts` can show
them from another process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.monitor.alerts import Alert, AlertEvent
from app.store.models import MetricsHistory


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    taken_at: datetime  # UTC
    data: dict[str, Any]

    @property
    def statistics(self) -> dict[str, Any]:
        stats = self.data.get("statistics")
        return stats if isinstance(stats, dict) else {}

    @property
    def active_alerts(self) -> list[dict[str, Any]]:
        return list(self.data.get("alerts", {}).get("active", []))

    @property
    def alert_events(self) -> list[dict[str, Any]]:
        return list(self.data.get("alerts", {}).get("events", []))

    def value(self, path: str) -> float | None:
        """A number of the statistics document by dotted path, e.g. "performance.events_per_s"
        (None if the row has no such number)."""
        node: Any = self.statistics
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        if isinstance(node, bool) or not isinstance(node, int | float):
            return None
        return float(node)


def store_point(
    engine: Engine,
    taken_at: datetime,
    statistics: dict[str, Any],
    active: Sequence[Alert],
    events: Sequence[AlertEvent],
) -> None:
    """Insert one row (engine: BEGIN IMMEDIATE, see store.engine.immediate)."""
    data = {
        "statistics": statistics,
        "alerts": {
            "active": [alert.to_json() for alert in active],
            "events": [event.to_json() for event in events],
        },
    }
    with Session(engine) as session, session.begin():
        session.add(MetricsHistory(taken_at=taken_at, data=data))


def read_points(
    engine: Engine,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[HistoryPoint]:
    """Rows between `since` and `until` (inclusive), oldest first; with `limit`, the newest
    `limit` of them. A database read: call it off the GUI thread."""
    query = select(MetricsHistory.taken_at, MetricsHistory.data)
    if since is not None:
        query = query.where(MetricsHistory.taken_at >= since)
    if until is not None:
        query = query.where(MetricsHistory.taken_at <= until)
    query = query.order_by(MetricsHistory.taken_at.desc(), MetricsHistory.id.desc())
    if limit is not None:
        query = query.limit(limit)
    with Session(engine) as session:
        rows = session.execute(query).all()
    return [HistoryPoint(taken_at, data) for taken_at, data in reversed(rows)]


def latest_point(engine: Engine) -> HistoryPoint | None:
    points = read_points(engine, limit=1)
    return points[0] if points else None


def series(points: Sequence[HistoryPoint], path: str) -> list[tuple[datetime, float]]:
    """(time, value) pairs of one statistic for a chart, skipping rows without it."""
    pairs = []
    for point in points:
        value = point.value(path)
        if value is not None:
            pairs.append((point.taken_at, value))
    return pairs


def prune_points(engine: Engine, before: datetime) -> int:
    """Delete rows older than `before`; returns how many (engine: BEGIN IMMEDIATE)."""
    with Session(engine) as session, session.begin():
        result = session.execute(delete(MetricsHistory).where(MetricsHistory.taken_at < before))
        return int(getattr(result, "rowcount", 0) or 0)
