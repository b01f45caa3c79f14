"""`strikedesk archive run|restore|cleanup|optimize|stats`: the archive database from the
command line (the same ArchiveService the window's Archive dialog uses)."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK
from app.commands._jobs_support import opened_database, run_job, service_handler
from app.commands._store_support import (
    UsageError,
    add_json_flag,
    emit_json,
    emit_table,
    help_handler,
    parse_date,
)

if TYPE_CHECKING:
    from app.store.archive import ArchivePlan, ArchiveScope


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "archive",
        help="move old matches to the archive database, restore, clean up, optimize",
        description=(
            "Move finished matches with their events into the archive database file in the "
            "data folder (keeping the live database small), bring them back, delete old "
            "archived rows, optimize both databases, and show statistics."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(handler=help_handler(parser))

    run = actions.add_parser("run", help="archive old matches, or a tournament (or one day)")
    which = run.add_mutually_exclusive_group(required=True)
    which.add_argument("--older-than", type=int, metavar="DAYS", help="matches over DAYS old")
    which.add_argument("--tournament", type=int, metavar="ID")
    run.add_argument("--day", type=int, metavar="N", help="only day N (needs --tournament)")
    _common(run)
    run.set_defaults(handler=service_handler("archive run", _run))

    restore = actions.add_parser("restore", help="bring archived matches back")
    which = restore.add_mutually_exclusive_group(required=True)
    which.add_argument("--from", dest="first", metavar="DATE", help="first day, YYYY-MM-DD")
    which.add_argument("--tournament", type=int, metavar="ID")
    restore.add_argument("--to", dest="last", metavar="DATE", help="last day, YYYY-MM-DD")
    restore.add_argument("--day", type=int, metavar="N", help="only day N (needs --tournament)")
    _common(restore)
    restore.set_defaults(handler=service_handler("archive restore", _restore))

    cleanup = actions.add_parser("cleanup", help="delete archived matches older than DAYS")
    cleanup.add_argument("--older-than", type=int, metavar="DAYS", required=True)
    _common(cleanup)
    cleanup.set_defaults(handler=service_handler("archive cleanup", _cleanup))

    optimize = actions.add_parser("optimize", help="ANALYZE, vacuum and optimize both databases")
    add_json_flag(optimize)
    optimize.set_defaults(handler=service_handler("archive optimize", _optimize))

    stats = actions.add_parser("stats", help="rows, size, oldest and newest, per tournament")
    add_json_flag(stats)
    stats.set_defaults(handler=service_handler("archive stats", _stats))


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="only say how many rows it would take"
    )
    add_json_flag(parser)


def _tournament_scope(args: argparse.Namespace) -> ArchiveScope:
    from app.store.archive import ArchiveScope

    if args.day is not None and args.tournament is None:
        raise UsageError("--day needs --tournament")
    return ArchiveScope.for_tournament(args.tournament, args.day)


def _run(args: argparse.Namespace) -> int:
    from app.store.archive import ArchiveScope, ArchiveService

    if args.older_than is not None:
        if args.day is not None:
            raise UsageError("--day needs --tournament")
        scope = ArchiveScope.older_than(args.older_than)
    else:
        scope = _tournament_scope(args)
    with opened_database(args) as db:
        service = ArchiveService(db)
        if args.dry_run:
            return _plan(service.plan_archive(scope), args)
        result = run_job("archive run", lambda ctx: service.archive(scope, ctx))
    return _done(result.to_json(), result.summary(), args)


def _restore(args: argparse.Namespace) -> int:
    from app.store.archive import ArchiveScope, ArchiveService

    if args.first is not None:
        if args.last is None:
            raise UsageError("--from needs --to")
        first = parse_date(args.first, "--from")
        last = parse_date(args.last, "--to")
        assert isinstance(first, date) and isinstance(last, date)
        scope = ArchiveScope.between_days(first, last)
    else:
        if args.last is not None:
            raise UsageError("--to needs --from")
        scope = _tournament_scope(args)
    with opened_database(args) as db:
        service = ArchiveService(db)
        if args.dry_run:
            return _plan(service.plan_restore(scope), args)
        result = run_job("archive restore", lambda ctx: service.restore(scope, ctx))
    return _done(result.to_json(), result.summary(), args)


def _cleanup(args: argparse.Namespace) -> int:
    from app.store.archive import ArchiveService

    with opened_database(args) as db:
        service = ArchiveService(db)
        if args.dry_run:
            return _plan(service.plan_cleanup(args.older_than), args)
        result = run_job("archive cleanup", lambda ctx: service.cleanup(args.older_than, ctx))
    return _done(result.to_json(), result.summary(), args)


def _optimize(args: argparse.Namespace) -> int:
    from app.store.archive import ArchiveService

    with opened_database(args) as db:
        service = ArchiveService(db)
        result = run_job("archive optimize", service.optimize)
    if args.json:
        return emit_json(result.to_json())
    for database in result.databases:
        print(
            f"{database.path.name}: {database.bytes_before / 1e6:.1f} MB -> "
            f"{database.bytes_after / 1e6:.1f} MB ({database.pages_freed:,} pages freed)"
        )
    return EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    from app.store.archive import ArchiveService

    with opened_database(args) as db:
        stats = ArchiveService(db).stats()
    if args.json:
        return emit_json(stats.to_json())
    rows: list[tuple[Any, ...]] = []
    for label, database in (("live", stats.live), ("archive", stats.archive)):
        rows.append(
            (
                label,
                "(all)",
                database.matches,
                database.events,
                database.oldest,
                database.newest,
                f"{database.bytes / 1e6:.1f} MB",
            )
        )
        rows.extend(
            (
                label,
                t.name or t.tournament_id or "(none)",
                t.matches,
                t.events,
                t.oldest,
                t.newest,
                "",
            )
            for t in database.tournaments
        )
    return emit_table(
        ("DATABASE", "TOURNAMENT", "MATCHES", "EVENTS", "OLDEST", "NEWEST", "SIZE"),
        rows,
        empty="no data",
    )


def _plan(plan: ArchivePlan, args: argparse.Namespace) -> int:
    if args.json:
        return emit_json(plan.to_json())
    text = f"would {plan.operation.value} {plan.events:,} events and {plan.matches:,} matches"
    if plan.held_back_matches:
        text += (
            f" ({plan.held_back_matches} current match(es) of their courts stay live, "
            f"{plan.held_back_events:,} events)"
        )
    print(text)
    return EXIT_OK


def _done(data: dict[str, Any], summary: str, args: argparse.Namespace) -> int:
    if args.json:
        return emit_json(data)
    print(summary)
    return EXIT_OK
