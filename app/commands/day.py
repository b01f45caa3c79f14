"""`strikedesk day start|end|list`: open and close the competition days of a tournament."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK
from app.commands._store_support import (
    add_json_flag,
    emit_json,
    emit_table,
    fail,
    help_handler,
    store_handler,
)

if TYPE_CHECKING:
    from app.store.database import Database
    from app.store.models import TournamentDay


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "day",
        help="start, end and list tournament days",
        description="Tournament days: one day at a time is active and receives the events.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(handler=help_handler(parser))

    start = actions.add_parser("start", help="start the next day (or day N) and make it active")
    start.add_argument("tournament_id", metavar="TOURNAMENT_ID", type=int)
    start.add_argument("--number", metavar="N", type=int, help="day number (default: next)")
    add_json_flag(start)
    start.set_defaults(handler=store_handler("day start", _start))

    end = actions.add_parser("end", help="end the tournament's active day")
    end.add_argument("tournament_id", metavar="TOURNAMENT_ID", type=int)
    add_json_flag(end)
    end.set_defaults(handler=store_handler("day end", _end))

    listing = actions.add_parser("list", help="list a tournament's days and their status")
    listing.add_argument("tournament_id", metavar="TOURNAMENT_ID", type=int)
    add_json_flag(listing)
    listing.set_defaults(handler=store_handler("day list", _list))


def day_dict(day: TournamentDay) -> dict[str, Any]:
    return {
        "id": day.id,
        "tournament_id": day.tournament_id,
        "number": day.number,
        "date": day.date,
        "status": day.status.value,
        "started_at": day.started_at,
        "ended_at": day.ended_at,
    }


def _start(db: Database, args: argparse.Namespace) -> int:
    from app.store.repositories import Days

    with db.transaction() as session:
        day = Days(session).start(args.tournament_id, args.number)
    if args.json:
        return emit_json(day_dict(day))
    print(f"day {day.number} of tournament {day.tournament_id} is active (day id {day.id})")
    return EXIT_OK


def _end(db: Database, args: argparse.Namespace) -> int:
    from app.store.repositories import Days

    with db.transaction() as session:
        day = Days(session).end(args.tournament_id)
    _snapshot_day(db, day.id)
    if args.json:
        return emit_json(day_dict(day))
    print(f"day {day.number} of tournament {day.tournament_id} ended")
    return EXIT_OK


def _snapshot_day(db: Database, day_id: int) -> None:
    """The day's and the tournament's analytics go to the history as they stand at its end.
    The day has ended whatever happens here, so a failure is reported, not fatal."""
    from app.analytics.service import AnalyticsService
    from app.errors import StrikeDeskError

    try:
        AnalyticsService(db).snapshot_day_end(day_id)
    except StrikeDeskError as exc:
        fail("day end", f"the day ended, but its analytics snapshot was not stored: {exc}")


def _list(db: Database, args: argparse.Namespace) -> int:
    from app.store.repositories import Days

    with db.session() as session:
        days = Days(session).for_tournament(args.tournament_id)
    if args.json:
        return emit_json([day_dict(d) for d in days])
    return emit_table(
        ("ID", "DAY", "DATE", "STATUS", "STARTED", "ENDED"),
        [(d.id, d.number, d.date, d.status.value, d.started_at, d.ended_at) for d in days],
        empty=f"tournament {args.tournament_id} has no days yet",
    )
