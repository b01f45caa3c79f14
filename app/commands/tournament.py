"""`strikedesk tournament create|list`: manage tournaments from the command line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK
from app.commands._store_support import (
    add_json_flag,
    emit_json,
    emit_table,
    help_handler,
    parse_date,
    store_handler,
)

if TYPE_CHECKING:
    from app.store.database import Database
    from app.store.models import Tournament


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "tournament", help="create and list tournaments", description="Manage tournaments."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(handler=help_handler(parser))

    create = actions.add_parser("create", help="create a tournament")
    create.add_argument("name", metavar="NAME", help="tournament name")
    create.add_argument("--city", help="host city")
    create.add_argument("--country", metavar="CC", help="host country (code or name)")
    create.add_argument("--start", metavar="DATE", help="first day, YYYY-MM-DD")
    create.add_argument("--end", metavar="DATE", help="last day, YYYY-MM-DD")
    add_json_flag(create)
    create.set_defaults(handler=store_handler("tournament create", _create))

    listing = actions.add_parser("list", help="list tournaments")
    add_json_flag(listing)
    listing.set_defaults(handler=store_handler("tournament list", _list))


def tournament_dict(tournament: Tournament) -> dict[str, Any]:
    return {
        "id": tournament.id,
        "name": tournament.name,
        "city": tournament.city,
        "country": tournament.country,
        "start_date": tournament.start_date,
        "end_date": tournament.end_date,
        "status": tournament.status.value,
        "created_at": tournament.created_at,
    }


def _create(db: Database, args: argparse.Namespace) -> int:
    from app.store.repositories import Tournaments

    start = parse_date(args.start, "--start")
    end = parse_date(args.end, "--end")
    with db.transaction() as session:
        tournament = Tournaments(session).create(
            args.name, city=args.city, country=args.country, start_date=start, end_date=end
        )
    if args.json:
        return emit_json(tournament_dict(tournament))
    print(f"created tournament {tournament.id}: {tournament.name}")
    return EXIT_OK


def _list(db: Database, args: argparse.Namespace) -> int:
    from app.store.repositories import Tournaments

    with db.session() as session:
        tournaments = Tournaments(session).all()
    if args.json:
        return emit_json([tournament_dict(t) for t in tournaments])
    return emit_table(
        ("ID", "NAME", "CITY", "COUNTRY", "START", "END", "STATUS"),
        [
            (t.id, t.name, t.city, t.country, t.start_date, t.end_date, t.status.value)
            for t in tournaments
        ],
        empty="no tournaments yet (create one with: strikedesk tournament create NAME)",
    )
