"""`strikedesk export events|results`: events or a results sheet as CSV (for Excel) or JSON,
from the live database and the archive alike (the same ExportService as the window)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli import EXIT_OK
from app.commands._jobs_support import opened_database, run_job, service_handler
from app.commands._store_support import UsageError, add_json_flag, emit_json


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export events or a results sheet as CSV or JSON",
        description=(
            "Write the events, or the results sheet (match number, category, athletes, NOC, "
            "round scores, final score, winner, method), of a tournament, one of its days, or "
            "a match, as CSV that opens in Excel (UTF-8 with BOM) or as JSON."
        ),
    )
    parser.add_argument("kind", choices=("events", "results"), help="what to export")
    parser.add_argument("--tournament", type=int, metavar="ID")
    parser.add_argument("--day", type=int, metavar="N", help="day number (needs --tournament)")
    parser.add_argument("--match", metavar="NUMBER", help="a match number, e.g. 245.A")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--out", type=Path, metavar="PATH", required=True)
    add_json_flag(parser)
    parser.set_defaults(handler=service_handler("export", _export))


def _export(args: argparse.Namespace) -> int:
    from app.store.export import ExportFormat, ExportKind, ExportScope, ExportService

    if args.day is not None and args.tournament is None:
        raise UsageError("--day needs --tournament")
    if args.tournament is None and args.match is None:
        raise UsageError("choose --tournament ID (with --day N) or --match NUMBER")
    scope = ExportScope(args.tournament, args.day, args.match)
    kind = ExportKind(args.kind)
    with opened_database(args) as db:
        service = ExportService(db)
        result = run_job(
            "export",
            lambda ctx: service.export(kind, scope, ExportFormat(args.format), args.out, ctx),
        )
    if args.json:
        return emit_json(result.to_json())
    print(result.summary())
    return EXIT_OK
