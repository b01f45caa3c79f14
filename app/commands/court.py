"""`strikedesk court add|list`: the courts StrikeDesk listens to (one UDP port each)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK
from app.commands._store_support import (
    add_json_flag,
    emit_json,
    emit_table,
    help_handler,
    store_handler,
)

if TYPE_CHECKING:
    from app.store.database import Database
    from app.store.models import Court


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "court", help="add and list courts", description="Courts: one PSS UDP port each."
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(handler=help_handler(parser))

    add = actions.add_parser("add", help="add a court")
    add.add_argument("name", metavar="NAME", help="court name, e.g. 'Court 2'")
    add.add_argument("--port", metavar="P", type=int, required=True, help="UDP port (1-65535)")
    add.add_argument(
        "--bind", metavar="ADDR", default="0.0.0.0", help="local address (default 0.0.0.0: all)"
    )
    add.add_argument(
        "--allow",
        metavar="IP",
        nargs="+",
        action="extend",
        default=[],
        help="accept datagrams only from these sources (default: any); others are kept as foreign",
    )
    add_json_flag(add)
    add.set_defaults(handler=store_handler("court add", _add))

    listing = actions.add_parser("list", help="list courts")
    add_json_flag(listing)
    listing.set_defaults(handler=store_handler("court list", _list))


def court_dict(court: Court) -> dict[str, Any]:
    return {
        "id": court.id,
        "name": court.name,
        "port": court.port,
        "bind_address": court.bind_address,
        "allowed_sources": list(court.allowed_sources),
        "enabled": court.enabled,
        "context_tournament_id": court.context_tournament_id,
        "context_day_id": court.context_day_id,
    }


def _add(db: Database, args: argparse.Namespace) -> int:
    from app.store.repositories import Courts

    with db.transaction() as session:
        court = Courts(session).add(
            args.name, args.port, bind_address=args.bind, allowed_sources=args.allow
        )
    if args.json:
        return emit_json(court_dict(court))
    print(f"added court {court.id}: {court.name} on {court.bind_address}:{court.port}")
    return EXIT_OK


def _list(db: Database, args: argparse.Namespace) -> int:
    from app.store.repositories import Courts

    with db.session() as session:
        courts = Courts(session).all()
    if args.json:
        return emit_json([court_dict(c) for c in courts])
    return emit_table(
        ("ID", "NAME", "BIND", "PORT", "ALLOWED", "ENABLED", "TOURNAMENT", "DAY"),
        [
            (
                c.id,
                c.name,
                c.bind_address,
                c.port,
                c.allowed_sources,
                c.enabled,
                c.context_tournament_id,
                c.context_day_id,
            )
            for c in courts
        ],
        empty="no courts (add one with: strikedesk court add NAME --port P)",
    )
