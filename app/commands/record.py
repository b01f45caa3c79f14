"""`strikedesk record`: headless recording of the configured (or given) courts until stopped."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from app.cli import EXIT_OK, EXIT_USAGE
from app.commands._store_support import UsageError, add_json_flag, fail, store_handler

if TYPE_CHECKING:
    from app.ingest.courts import CourtInfo
    from app.monitor.service import Monitor
    from app.store.database import Database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "record",
        help="record courts headless until Ctrl+C / SIGTERM",
        description=(
            "Record the PSS stream of the enabled courts (or of the courts given with --court) "
            "into the database. SIGINT/SIGTERM stop cleanly and print a summary."
        ),
    )
    parser.add_argument(
        "--court",
        action="append",
        default=[],
        metavar="NAME=PORT",
        help="record this court on this UDP port (created or updated); repeatable",
    )
    parser.add_argument("--bind", default=None, help="bind address for --court (default 0.0.0.0)")
    parser.add_argument("--tournament", type=int, metavar="ID", help="file events under it")
    parser.add_argument("--day", type=int, metavar="N", help="day number (default: active day)")
    parser.add_argument(
        "--seconds", type=float, default=None, help="stop by itself after this many seconds"
    )
    parser.add_argument(
        "--backup-every",
        type=float,
        default=None,
        metavar="MINUTES",
        help="automatic full backups every MINUTES and when a day ends (into the data folder)",
    )
    parser.add_argument(
        "--backup-keep", type=int, default=10, metavar="K", help="automatic backups kept (10)"
    )
    add_json_flag(parser)
    parser.set_defaults(handler=store_handler("record", run))


def _court_specs(values: list[str]) -> list[tuple[str, int]]:
    specs = []
    for value in values:
        name, sep, port_text = value.rpartition("=")
        if not sep or not name.strip() or not port_text.isdigit():
            raise UsageError(f"--court {value!r}: use NAME=PORT, for example 'Court 1=6000'")
        port = int(port_text)
        if not 1 <= port <= 65535:
            raise UsageError(f"--court {value!r}: port must be between 1 and 65535")
        specs.append((name.strip(), port))
    return specs


def _prepare_courts(db: Database, args: argparse.Namespace) -> list[CourtInfo]:
    """Create/update the named courts, set the tournament context; return what to record."""
    from app.ingest.recorder import load_courts
    from app.store.repositories import Courts, Days

    specs = _court_specs(args.court)
    if args.day is not None and args.tournament is None:
        raise UsageError("--day needs --tournament")
    with db.transaction() as session:
        courts = Courts(session)
        chosen: list[int] = []
        for name, port in specs:
            court = courts.by_name(name)
            if court is None:
                court = courts.add(name, port, bind_address=args.bind or "0.0.0.0")
            elif court.port != port or (args.bind and court.bind_address != args.bind):
                court = courts.update(
                    court.id, port=port, bind_address=args.bind or court.bind_address
                )
            chosen.append(court.id)
        if not specs:
            chosen = [c.id for c in courts.all() if c.enabled]
        if args.tournament is not None:
            days = Days(session)
            if args.day is not None:
                matching = [d for d in days.for_tournament(args.tournament) if d.number == args.day]
                if not matching:
                    raise UsageError(f"tournament {args.tournament} has no day {args.day}")
                day_id: int | None = matching[0].id
            else:
                active = days.active(args.tournament)
                day_id = active.id if active is not None else None
            for court_id in chosen:
                courts.set_context(court_id, args.tournament, day_id)
    if not chosen:
        raise UsageError("no court to record: add one with --court NAME=PORT")
    return [court for court in load_courts(db.engine) if court.court_id in chosen]


#: How often the recorder looks whether a tournament's analytics snapshot is due.
SNAPSHOT_CHECK_SECONDS = 60.0


def _wait_taking_snapshots(
    db: Database, courts: list[CourtInfo], stop: threading.Event, seconds: float | None
) -> None:
    """Wait until stopped (or `seconds`), storing the recorded tournaments' analytics in the
    history whenever a snapshot is due (every few minutes, AnalyticsSettings)."""
    import logging
    import time

    from app.analytics.service import AnalyticsService
    from app.errors import StrikeDeskError

    service = AnalyticsService(db)
    tournaments = sorted({c.tournament_id for c in courts if c.tournament_id is not None})
    deadline = None if seconds is None else time.monotonic() + seconds
    while True:
        for tournament_id in tournaments:
            try:
                service.snapshot_if_due(tournament_id)
            except StrikeDeskError as exc:  # recording goes on; the next check tries again
                logging.getLogger(__name__).warning("analytics snapshot skipped: %s", exc)
            except Exception:  # a bug in analytics must not stop the recorder: log it, go on
                logging.getLogger(__name__).exception("analytics snapshot failed")
        wait = SNAPSHOT_CHECK_SECONDS
        if deadline is not None:
            wait = min(wait, deadline - time.monotonic())
        if wait <= 0 or stop.wait(wait):
            return


class _Backups:
    """Automatic backups beside the recorder: a one-worker job runner and the schedule."""

    def __init__(self, db: Database, every_minutes: float, keep: int) -> None:
        from app.jobs.autobackup import AutoBackup, AutoBackupSettings
        from app.jobs.runner import JobRunner
        from app.store.backup import BackupService

        self.runner = JobRunner(workers=1)
        settings = AutoBackupSettings(
            every_minutes=every_minutes, keep=keep, poll_seconds=min(15.0, every_minutes * 30)
        )
        self.schedule = AutoBackup(self.runner, BackupService(db), settings)
        self.schedule.start()

    def stop(self) -> None:
        self.schedule.stop()
        self.runner.shutdown(wait=True)  # a backup under way is cancelled, its file not kept


def _start_backups(db: Database, args: argparse.Namespace) -> _Backups | None:
    if args.backup_every is None:
        return None
    print(
        f"automatic backups every {args.backup_every:g} min and at day end into {db.paths.backups}",
        file=sys.stderr,
    )
    return _Backups(db, args.backup_every, args.backup_keep)


def run(db: Database, args: argparse.Namespace) -> int:
    from app.ingest.listener import PortInUseError
    from app.ingest.recorder import Recorder
    from app.logs import configure_logging

    configure_logging(db.paths.logs)
    courts = _prepare_courts(db, args)
    if args.backup_every is not None and (args.backup_every <= 0 or args.backup_keep < 1):
        raise UsageError("--backup-every needs a positive number of minutes, --backup-keep >= 1")
    recorder = Recorder(db.engine, db.paths.journal)
    report = recorder.start()
    backups: _Backups | None = None
    monitor: Monitor | None = None
    stop = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        backups = _start_backups(db, args)
        if report.replayed:
            print(f"recovering {report.replayed} datagrams from the journal", file=sys.stderr)
        for court in courts:
            try:
                status = recorder.open_court(court)
            except PortInUseError as exc:
                fail("record", f"court {court.name!r}: {exc.strerror}")
                return EXIT_USAGE
            except OSError as exc:
                fail("record", f"court {court.name!r}: {exc.strerror or exc}")
                return EXIT_USAGE
            port = recorder.bound_port(court.court_id)
            print(
                f"recording {court.name} on {status.bind_address}:{port}",
                file=sys.stderr,
                flush=True,
            )
        # Listening first, then the monitor: samples, alert rules and metrics_history rows for
        # `strikedesk stats` / `alerts` (raised alerts are logged, so they show on stderr).
        from app.monitor.service import Monitor

        monitor = Monitor(db, recorder)
        monitor.start()
        print("press Ctrl+C to stop", file=sys.stderr, flush=True)
        _wait_taking_snapshots(db, courts, stop, args.seconds)
    finally:
        if backups is not None:
            backups.stop()
        summary = recorder.stop()
        if monitor is not None:
            monitor.stop()  # after the recorder: the last stored sample has the final counts
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    result = {
        "datagrams": summary.datagrams,
        "events": summary.events,
        "unknown": summary.unknown,
        "malformed": summary.malformed,
        "matches": summary.matches,
        "complete": summary.clean,
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(
            f"received {summary.datagrams} datagrams, stored {summary.events} events "
            f"({summary.unknown} unknown, {summary.malformed} malformed) in "
            f"{summary.matches} match(es)"
        )
        if not summary.clean:
            print("some events are only in the journal; they are stored at the next start")
    return EXIT_OK
