"""`strikedesk backup create|verify|restore`: backups from the command line (the same
BackupService the window's Backup dialog uses)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.cli import EXIT_OK
from app.commands._jobs_support import opened_database, run_job, service_handler
from app.commands._store_support import add_json_flag, emit_json, help_handler


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "backup",
        help="back up the data folder or a tournament; verify and restore backups",
        description=(
            "Back up the live and archive databases (while recording goes on), or one "
            "tournament into a standalone file; check a backup; restore it into a new data "
            "folder, or merge one tournament from it into the current data."
        ),
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    parser.set_defaults(handler=help_handler(parser))

    create = actions.add_parser("create", help="write a backup file")
    create.add_argument("path", type=Path, metavar="PATH", help="the backup file to write")
    create.add_argument("--tournament", type=int, metavar="ID", help="only this tournament")
    add_json_flag(create)
    create.set_defaults(handler=service_handler("backup create", _create))

    verify = actions.add_parser("verify", help="check a backup file completely")
    verify.add_argument("path", type=Path, metavar="PATH")
    add_json_flag(verify)
    verify.set_defaults(handler=service_handler("backup verify", _verify))

    restore = actions.add_parser(
        "restore",
        help="restore into a new data folder, or merge a tournament into the current data",
    )
    restore.add_argument("path", type=Path, metavar="PATH")
    restore.add_argument("--into", type=Path, metavar="DIR", help="a new, empty data folder")
    restore.add_argument(
        "--tournament", type=int, metavar="ID", help="the tournament of a full backup to merge"
    )
    add_json_flag(restore)
    restore.set_defaults(handler=service_handler("backup restore", _restore))


def _create(args: argparse.Namespace) -> int:
    from app.store.backup import BackupService

    with opened_database(args) as db:
        service = BackupService(db)
        tournament = args.tournament
        result = run_job(
            "backup create", lambda ctx: service.create(args.path, ctx, tournament_id=tournament)
        )
    if args.json:
        return emit_json(result.to_json())
    print(result.summary())
    return EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from app.store.backup import verify_backup

    report = run_job("backup verify", lambda ctx: verify_backup(args.path, ctx))
    if args.json:
        return emit_json(report.to_json())
    print(report.summary())
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    from app.commands._store_support import UsageError
    from app.store.backup import BackupService, restore_backup

    if args.into is not None:
        if args.tournament is not None:
            raise UsageError("--into restores the whole backup; leave out --tournament")
        result = run_job("backup restore", lambda ctx: restore_backup(args.path, args.into, ctx))
        data, summary = result.to_json(), result.summary()
    else:
        with opened_database(args) as db:
            service = BackupService(db)
            merged = run_job(
                "backup restore",
                lambda ctx: service.merge(args.path, ctx, tournament_id=args.tournament),
            )
        data, summary = merged.to_json(), merged.summary()
    if args.json:
        return emit_json(data)
    print(summary)
    return EXIT_OK
