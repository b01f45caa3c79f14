"""`strikedesk stats`: the statistics panel's numbers as one document (or readable lines)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK
from app.commands._store_support import add_json_flag, emit_json, store_handler

if TYPE_CHECKING:
    from app.monitor.metrics import DayMetrics
    from app.store.database import Database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stats",
        help="batch, queue, memory, performance, backpressure, pool, cache, stream statistics",
        description=(
            "What this reads: a recorder or window running on this data folder stores a "
            "sample every 60 s (and at each alert, and when it stops) in metrics_history. "
            "The batch, queue, memory, performance, backpressure, pool, cache and stream "
            "sections are the newest such sample, shown with its time and age; they are null "
            "if none was ever stored. The database section (file sizes, events, events per "
            "tournament day) and the disk section are read now."
        ),
    )
    add_json_flag(parser)
    parser.set_defaults(handler=store_handler("stats", run))


def build_document(db: Database) -> dict[str, Any]:
    from app.monitor.history import latest_point
    from app.monitor.offline import offline_snapshot
    from app.monitor.report import SECTIONS
    from app.store.models import utc_now

    point = latest_point(db.engine)
    now = offline_snapshot(db)
    sample = None
    if point is not None:
        sample = {
            "taken_at": point.taken_at.isoformat(),
            "age_seconds": round((utc_now() - point.taken_at).total_seconds(), 1),
            "recording": point.statistics.get("recording"),
        }
    stats = point.statistics if point is not None else {}
    return {
        "sample": sample,
        # The stored sample's sections; the disk (and the database) are read now instead.
        **{section: stats.get(section) for section in SECTIONS if section != "disk"},
        "database": database_section(db, now.days),
        "disk": {"free_bytes": now.disk_free_bytes, "total_bytes": now.disk_total_bytes},
    }


def database_section(db: Database, days: Sequence[DayMetrics]) -> dict[str, Any]:
    from sqlalchemy import func, select

    from app.monitor.report import day_json
    from app.store.models import Event

    def size(path: Path) -> int:
        return path.stat().st_size if path.exists() else 0

    database = db.paths.database
    with db.session() as session:
        events = session.scalar(select(func.count()).select_from(Event)) or 0
    return {
        "path": str(database),
        "size_bytes": size(database) + size(database.with_name(database.name + "-wal")),
        "archive_size_bytes": size(db.paths.archive_database),
        "journal_bytes": sum(size(p) for p in db.paths.journal.glob("*") if p.is_file()),
        "events": events,
        "events_per_day": [day_json(day) for day in days],
    }


def run(db: Database, args: argparse.Namespace) -> int:
    document = build_document(db)
    if args.json:
        return emit_json(document)
    for line in text_lines(document):
        print(line)
    return EXIT_OK


def _mb(value: float) -> str:
    return f"{value / 1e6:,.1f} MB"


def text_lines(d: dict[str, Any]) -> list[str]:
    lines = []
    sample = d["sample"]
    if sample is None:
        lines.append(
            "sample        none stored yet: pipeline figures appear once `strikedesk record` "
            "or the window has run on this data folder"
        )
    else:
        state = "recording" if sample["recording"] else "not recording"
        lines.append(
            f"sample        {sample['taken_at']} ({sample['age_seconds']:,.0f} s ago, {state})"
        )
    if d["batch"]:
        b, q, m, p = d["batch"], d["queue"], d["memory"], d["performance"]
        lines += [
            f"batch         size {b['size']:,}, {b['batches']:,} batches, commit p50 "
            f"{b['commit_ms_p50']:.1f} ms, p99 {b['commit_ms_p99']:.1f} ms",
            f"queue         {q['depth']:,} of {q['capacity']:,} ({q['fill']:.0%}), journal "
            f"backlog {q['journal_backlog']:,} datagrams, journal {_mb(q['journal_bytes'])}",
            f"memory        RSS {_mb(m['rss_bytes'])} (peak {_mb(m['peak_rss_bytes'])}, "
            f"{m['percent']:.1f} % of RAM), pressure {m['pressure']}",
            f"performance   {p['events_per_s']:,.1f} events/s "
            f"(peak {p['events_per_s_peak']:,.1f}), "
            f"latency p50 {p['latency_ms_p50']:.0f} ms, p99 {p['latency_ms_p99']:.0f} ms, "
            f"errors {p['error_rate']:.2%}, CPU {p['cpu_percent']:.0f} %",
            f"backpressure  {d['backpressure']['level']}",
        ]
        pool = d["pool"]
        if pool:
            lines.append(
                f"pool          {pool['checked_out']} of {pool['size']} connections in use, "
                f"{pool['checkouts']:,} checkouts, {pool['invalidations']} invalidated"
            )
        cache = d["cache"]
        if cache and cache.get("available"):
            for name, stats in cache["caches"].items():
                shown = ", ".join(f"{k} {v}" for k, v in stats.items())
                lines.append(f"cache         {name}: {shown}")
        elif cache:
            lines.append(f"cache         not available: {cache.get('reason')}")
        s = d["stream"]
        lines.append(
            f"stream        received {s['received']:,}, stored {s['stored']:,} "
            f"({s['unknown']:,} unknown, {s['malformed']:,} malformed), "
            f"{s['active_listeners']} listening"
        )
        for court in s["courts"]:
            silent = court["seconds_since_datagram"]
            last = "nothing received" if silent is None else f"last datagram {silent:,.1f} s ago"
            lines.append(
                f"              {court['name']}: {court['events']:,} events, "
                f"{court['events_per_s']:,.1f} events/s, {last}"
            )
    db = d["database"]
    lines.append(
        f"database      {db['path']}, {_mb(db['size_bytes'])}, {db['events']:,} events "
        f"(archive {_mb(db['archive_size_bytes'])})"
    )
    for day in db["events_per_day"]:
        lines.append(f"              {day['label']}: {day['events']:,} events")
    disk = d["disk"]
    lines.append(
        f"disk          {disk['free_bytes'] / 2**30:,.1f} GiB free of "
        f"{disk['total_bytes'] / 2**30:,.1f} GiB"
    )
    return lines
