"""What the monitor can tell with no recorder running (the CLI): every tournament day's
events and the data folder's free disk, measured now, and the alerts they raise now."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from app.monitor.alerts import Alert, AlertKind, AlertThresholds, default_rules, evaluate
from app.monitor.memory import MemoryMonitor
from app.monitor.metrics import Collector, MetricsSnapshot
from app.monitor.profiler import BatchTimes

if TYPE_CHECKING:
    from app.store.database import Database

#: The rules whose readings need no running pipeline.
OFFLINE_KINDS = frozenset({AlertKind.DAY_SIZE, AlertKind.DISK_FREE})


def offline_snapshot(database: Database) -> MetricsSnapshot:
    """A snapshot without a recorder: events per tournament day (all days) and the disk. Its
    memory and CPU figures are this process's, not a recorder's."""
    return Collector(database, MemoryMonitor(), BatchTimes(), all_days=True).collect()


def offline_alerts(
    snapshot: MetricsSnapshot, thresholds: AlertThresholds | None = None
) -> tuple[Alert, ...]:
    """The alerts the database and the disk raise right now (no hold time: one look)."""
    rules = [
        replace(rule, hold_seconds=0.0)
        for rule in default_rules(thresholds)
        if rule.kind in OFFLINE_KINDS
    ]
    return tuple(event.alert for event in evaluate(rules, {}, snapshot, snapshot.monotonic).events)
