"""The statistics document: what the statistics panel shows and `strikedesk stats` prints, and
what each metrics_history row stores (so a chart and the CLI read the same numbers).

Sections: batch, queue, memory, performance, backpressure, pool, cache, stream, disk. The cache
section is filled by providers (the analytics service registers its caches); with none it says
so instead of showing zeros.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.monitor.metrics import DayMetrics, MetricsSnapshot
from app.monitor.profiler import ProfileSummary

#: Bump when a section's meaning changes; readers of old rows can tell.
DOCUMENT_VERSION = 1

SECTIONS = (
    "batch",
    "queue",
    "memory",
    "performance",
    "backpressure",
    "pool",
    "cache",
    "stream",
    "disk",
)


def day_json(day: DayMetrics) -> dict[str, Any]:
    return {
        "tournament_id": day.tournament_id,
        "day_id": day.day_id,
        "label": day.label,
        "events": day.events,
    }


def cache_section(providers: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`{"available": False, ...}` until something (the analytics service) provides caches."""
    if not providers:
        return {
            "available": False,
            "reason": "no cache provider registered (the analytics service adds its caches)",
            "caches": {},
        }
    return {"available": True, "caches": {name: dict(stats) for name, stats in providers.items()}}


def statistics_document(
    snapshot: MetricsSnapshot,
    profile: ProfileSummary,
    caches: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    s = snapshot
    memory = s.memory
    return {
        "version": DOCUMENT_VERSION,
        "taken_at": s.taken_at.isoformat(),
        "recording": s.recording,
        "batch": {
            "size": s.batch_size,
            "batches": s.batches,
            "commit_ms_p50": s.commit_ms_p50,
            "commit_ms_p99": s.commit_ms_p99,
            "commit_running_ms": s.commit_running_ms,
            "recent_batches": profile.batches,
            "recent_batch_ms_mean": profile.batch_ms_mean,
            "recent_batch_ms_max": profile.batch_ms_max,
            "recent_batch_rows_mean": profile.batch_rows_mean,
        },
        "queue": {
            "depth": s.queue_depth,
            "capacity": s.queue_capacity,
            "fill": s.backpressure.queue_fill,
            "journal_backlog": s.journal_backlog,
            "journal_bytes": s.journal_bytes,
        },
        "memory": {
            "rss_bytes": memory.rss_bytes,
            "peak_rss_bytes": memory.peak_rss_bytes,
            "percent": memory.percent,
            "system_percent": memory.system_percent,
            "available_bytes": memory.available_bytes,
            "pressure": memory.pressure.name.lower(),
        },
        "performance": {
            "events_per_s": s.events_per_s,
            "events_per_s_mean": profile.events_per_s_mean,
            "events_per_s_peak": profile.events_per_s_peak,
            "latency_ms_p50": s.latency_ms_p50,
            "latency_ms_p99": s.latency_ms_p99,
            "error_rate": s.error_rate,
            "error_rate_peak": profile.error_rate_peak,
            "cpu_percent": s.cpu_percent,
            "trends": {
                "throughput": profile.throughput_trend.value,
                "commit": profile.commit_trend.value,
                "errors": profile.error_trend.value,
                "memory": profile.memory_trend.value,
            },
        },
        "backpressure": {
            "level": s.backpressure.name,
            "queue_fill": s.backpressure.queue_fill,
            "coalesce": s.backpressure.coalesce,
            "feed_interval_ms": s.backpressure.feed_interval_ms,
        },
        "pool": None
        if s.pool is None
        else {
            "size": s.pool.size,
            "checked_in": s.pool.checked_in,
            "checked_out": s.pool.checked_out,
            "overflow": s.pool.overflow,
            "connects": s.pool.connects,
            "invalidations": s.pool.invalidations,
            "checkouts": s.pool.checkouts,
        },
        "cache": cache_section(caches or {}),
        "stream": {
            "received": s.received,
            "stored": s.stored,
            "ok": s.ok,
            "unknown": s.unknown,
            "malformed": s.malformed,
            "failed_writes": s.failed_writes,
            "writer_error": s.writer_error,
            "active_listeners": s.active_listeners,
            "courts": [
                {
                    "court_id": c.court_id,
                    "name": c.name,
                    "listening": c.listening,
                    "events": c.events,
                    "events_per_s": c.events_per_s,
                    "seconds_since_datagram": c.seconds_since_datagram,
                    "match_running": c.match_running,
                }
                for c in s.courts
            ],
            "days": [day_json(day) for day in s.days],
        },
        "disk": {"free_bytes": s.disk_free_bytes, "total_bytes": s.disk_total_bytes},
    }
