"""`strikedesk matches` and `strikedesk events`: what was recorded, from the database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK
from app.commands._store_support import (
    UsageError,
    add_json_flag,
    emit_json,
    emit_table,
    store_handler,
)

if TYPE_CHECKING:
    from app.store.database import Database


def register(subparsers: Any) -> None:
    matches = subparsers.add_parser(
        "matches",
        help="list recorded matches (same columns as inspect)",
        description="The recorded matches in order, with points per round, winner and decision.",
    )
    matches.add_argument("--tournament", type=int, metavar="ID")
    matches.add_argument("--day", type=int, metavar="N", help="day number (needs --tournament)")
    matches.add_argument("--court", metavar="NAME")
    add_json_flag(matches)
    matches.set_defaults(handler=store_handler("matches", list_matches))

    events = subparsers.add_parser(
        "events",
        help="list the events of a recorded match",
        description="Every stored event of a match (all recordings of that match number).",
    )
    events.add_argument("--match", required=True, metavar="MATCH_NUMBER")
    events.add_argument("--court", metavar="NAME")
    add_json_flag(events)
    events.set_defaults(handler=store_handler("events", list_events))


def list_matches(db: Database, args: argparse.Namespace) -> int:
    from app.match.summary import format_table, to_json
    from app.store.summaries import recorded_matches, summary_of

    if args.day is not None and args.tournament is None:
        raise UsageError("--day needs --tournament")
    with db.session() as session:
        summaries = [
            summary_of(match)
            for match in recorded_matches(
                session,
                tournament_id=args.tournament,
                day_number=args.day,
                court_name=args.court,
            )
        ]
    if args.json:
        return emit_json([to_json(summary) for summary in summaries])
    print(format_table(summaries))
    return EXIT_OK


def list_events(db: Database, args: argparse.Namespace) -> int:
    from app.store.models import epoch_to_utc
    from app.store.repositories import MAX_PAGE, Events
    from app.store.summaries import recorded_matches

    rows: list[dict[str, Any]] = []
    with db.session() as session:
        matches = recorded_matches(session, match_number=args.match, court_name=args.court)
        if not matches:
            raise UsageError(f"no recorded match {args.match!r}")
        events = Events(session)
        for match in matches:
            after = None
            while True:
                page = events.for_match(match.id, after=after, limit=MAX_PAGE)
                rows.extend(
                    {
                        "seq": e.seq,
                        "sub_index": e.sub_index,
                        "received_at": epoch_to_utc(e.received_at).isoformat(),
                        "match_id": match.id,
                        "round": e.round,
                        "clock": e.clock,
                        "code": e.code,
                        "side": e.side,
                        "value": e.value,
                        "status": e.parse_status.value,
                        "error": e.error,
                        "text": e.text,
                    }
                    for e in page
                )
                if len(page) < MAX_PAGE:
                    break
                after = (page[-1].seq, page[-1].sub_index)
    if args.json:
        return emit_json(rows)
    headers = ("SEQ", "TIME (UTC)", "ROUND", "CLOCK", "CODE", "STATUS", "TEXT")
    table = [
        (
            r["seq"],
            r["received_at"][11:23],
            r["round"],
            r["clock"],
            r["code"],
            r["status"],
            r["text"],
        )
        for r in rows
    ]
    return emit_table(headers, table, "no events")
