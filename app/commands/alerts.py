"""`strikedesk alerts`: alerts checked now and those stored by a running recorder or window."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK
from app.commands._store_support import UsageError, add_json_flag, emit_json, store_handler

if TYPE_CHECKING:
    from app.store.database import Database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "alerts",
        help="alerts checked now (days, disk) and those stored by a recorder or window",
        description=(
            "What this reads: it checks now what needs no running recorder (tournament days "
            "over 5,000 events in the live database, free disk in the data folder). The "
            "pipeline alerts (event rate, commit latency, memory, error rate, silent courts) "
            "come from metrics_history, where a recorder or window running on this data "
            "folder stores them every 60 s and at each raise or clear: the alerts active in "
            "the newest row, and every raise and clear of the last --hours."
        ),
    )
    parser.add_argument(
        "--hours", type=float, default=24.0, help="history to show (default: 24 hours)"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=store_handler("alerts", run))


def build_document(db: Database, hours: float) -> dict[str, Any]:
    from app.monitor.history import latest_point, read_points
    from app.monitor.offline import offline_alerts, offline_snapshot
    from app.store.models import utc_now

    now = utc_now()
    latest = latest_point(db.engine)
    last_sample = None
    if latest is not None:
        last_sample = {
            "taken_at": latest.taken_at.isoformat(),
            "age_seconds": round((now - latest.taken_at).total_seconds(), 1),
            "active": latest.active_alerts,
        }
    history = [
        event
        for point in read_points(db.engine, since=now - timedelta(hours=hours))
        for event in point.alert_events
    ]
    return {
        "checked_now": [alert.to_json() for alert in offline_alerts(offline_snapshot(db))],
        "last_sample": last_sample,
        "history": history,
    }


def run(db: Database, args: argparse.Namespace) -> int:
    if args.hours <= 0:
        raise UsageError("--hours must be more than 0")
    document = build_document(db, args.hours)
    if args.json:
        return emit_json(document)
    print("checked now (database and disk):")
    for alert in document["checked_now"] or [None]:
        print(f"  {alert['severity']}: {alert['message']}" if alert else "  no alert")
    sample = document["last_sample"]
    if sample is None:
        print("stored by a recorder or window: nothing stored yet on this data folder")
    else:
        print(f"active in the last stored sample ({sample['age_seconds']:,.0f} s ago):")
        for alert in sample["active"] or [None]:
            print(f"  {alert['severity']}: {alert['message']}" if alert else "  no alert")
    print(f"raised and cleared in the last {args.hours:g} hours:")
    for event in document["history"] or [None]:
        if event is None:
            print("  none")
        else:
            print(f"  {event['at']}  {event['action']:<7}  {event['kind']}: {event['message']}")
    return EXIT_OK
