"""ArchiveService: moves finished matches and their events from the live database into the
archive database file and back, cleans the archive up, optimizes both files, and counts rows.

The archive file (`DataPaths.archive_database`) is a StrikeDesk database built and migrated by
the same alembic migrations as the live one, so its `events` and `matches` tables always have
the live columns, types and indexes, and a schema change reaches both files through one
migration (with the usual backup first). Only `events` and `matches` are filled; rows keep the
ids of the live tournaments, days, courts and athletes they refer to (those are never archived).
So archive moves run with foreign keys OFF (the archive's reference tables are empty) and this
service checks what the foreign keys would: matches and their events always move together, and
no event is left pointing at a match in the other file. Restores run with foreign keys ON, so
the live database itself refuses rows whose court or tournament has gone.

How a move stays safe (the chunk machinery is in `moves`):
- Matches are the unit: a chunk is a group of whole matches with all their events (or a range of
  events that belong to no match), about `chunk_rows` events, in one short transaction, so the
  recorder's batch writer waits at most one chunk for the write lock.
- The connection's main database is the destination and the source is attached. SQLite commits
  the main file first, so a crash between the two files' commits leaves rows in both, never in
  neither; the next run finds them in the destination and only deletes them at the source
  (that, and selecting by what is still at the source, makes reruns idempotent).
- Every chunk is checked before its source rows are deleted: counts, and the fingerprints of
  every column read at both ends. A failed check rolls the chunk back (ArchiveError).
- Cancel is checked between chunks: a cancelled job leaves every row in exactly one file.
- The newest match of each court stays live: a running recorder may still be writing to it.
Every operation is written to the audit log when it starts and when it ends.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any

from app.jobs.runner import JobCancelled, JobContext
from app.store.connections import attach, connect, file_size
from app.store.database import Database
from app.store.engine import is_locked_error
from app.store.errors import ArchiveError, DatabaseLockedError, NotFoundError, ValidationError
from app.store.migrate import upgrade
from app.store.models import epoch_to_utc
from app.store.moves import (
    CHECKPOINT_EVERY_CHUNKS,
    Chunk,
    ChunkMover,
    Selection,
    Tally,
    checkpoint,
    count_rows,
    plan_chunks,
    tune_for_moves,
)
from app.store.repositories import Audit

log = logging.getLogger(__name__)

DEFAULT_CHUNK_ROWS = 10_000
VACUUM_PAGES_PER_STEP = 2_000
ANALYSIS_LIMIT = 1_000
#: When a match happened, for date scopes: its last known moment (text in SQLAlchemy's format).
MATCH_TIME = "coalesce(m.ended_at, m.started_at, m.loaded_at)"
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class Operation(enum.StrEnum):
    ARCHIVE = "archive"
    RESTORE = "restore"
    CLEANUP = "cleanup"


@dataclass(frozen=True, slots=True)
class ArchiveScope:
    """Which matches (with all their events) and which match-less events an operation takes.

    One of: a tournament (optionally one of its days); everything that ended before a moment
    (`before`); or what happened in [since, until). Make them with the class methods.
    """

    tournament_id: int | None = None
    day_number: int | None = None
    before: datetime | None = None
    since: datetime | None = None
    until: datetime | None = None

    def __post_init__(self) -> None:
        kinds = [
            self.tournament_id is not None,
            self.before is not None,
            self.since is not None or self.until is not None,
        ]
        if sum(kinds) != 1:
            raise ValidationError("Choose one of: a tournament (and day), an age, or a date range.")
        if self.day_number is not None and self.tournament_id is None:
            raise ValidationError("A day number needs its tournament.")
        if (self.since is None) != (self.until is None):
            raise ValidationError("A date range needs both its first and its last day.")
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValidationError("The date range ends before it starts.")
        for moment in (self.before, self.since, self.until):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("ArchiveScope needs aware datetimes")

    @classmethod
    def for_tournament(cls, tournament_id: int, day_number: int | None = None) -> ArchiveScope:
        return cls(tournament_id=tournament_id, day_number=day_number)

    @classmethod
    def older_than(cls, days: int, now: datetime | None = None) -> ArchiveScope:
        if days < 0:
            raise ValidationError(f"The age is a number of days, 0 or more, not {days}.")
        return cls(before=(now or datetime.now(UTC)) - timedelta(days=days))

    @classmethod
    def between_days(cls, first: date, last: date) -> ArchiveScope:
        """From the start of `first` to the end of `last`, in this computer's time zone (the
        operator's calendar)."""
        if last < first:
            raise ValidationError(
                f"The last day ({last.isoformat()}) is before the first ({first.isoformat()})."
            )
        since = datetime.combine(first, day_time.min).astimezone()
        until = datetime.combine(last + timedelta(days=1), day_time.min).astimezone()
        return cls(since=since, until=until)

    def describe(self) -> str:
        if self.tournament_id is not None:
            day = f" day {self.day_number}" if self.day_number is not None else ""
            return f"tournament {self.tournament_id}{day}"
        if self.before is not None:
            return f"ended before {self.before.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        assert self.since is not None and self.until is not None
        return (
            f"from {self.since.astimezone(UTC):%Y-%m-%d %H:%M} "
            f"to {self.until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "tournament_id": self.tournament_id,
            "day_number": self.day_number,
            "before": self.before.isoformat() if self.before else None,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True, slots=True)
class ArchivePlan:
    """What an operation would do now: the preview a dialog shows before the operator agrees."""

    operation: Operation
    scope: ArchiveScope
    matches: int
    events: int
    held_back_matches: int = 0  # the newest match of a court stays live (archive only)
    held_back_events: int = 0

    @property
    def rows(self) -> int:
        return self.matches + self.events

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation.value,
            "scope": self.scope.to_json(),
            "matches": self.matches,
            "events": self.events,
            "held_back_matches": self.held_back_matches,
            "held_back_events": self.held_back_events,
        }


@dataclass(frozen=True, slots=True)
class ArchiveResult:
    """What an operation did (also what a cancelled one did before it stopped)."""

    operation: Operation
    scope: ArchiveScope
    matches: int
    events: int
    chunks: int
    checksum: str  # digest of the fingerprints of every chunk, in order
    seconds: float
    already_present: int = 0  # rows found in the destination from an interrupted run
    renumbered: int = 0  # rows given a new id because theirs was taken in the destination
    held_back_matches: int = 0
    held_back_events: int = 0
    cancelled: bool = False

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        verb = {"archive": "archived", "restore": "restored", "cleanup": "deleted"}[
            self.operation.value
        ]
        scope = self.scope.describe()
        text = f"{verb} {self.events:,} events and {self.matches:,} matches ({scope})"
        if self.held_back_matches:
            text += (
                f"; kept {self.held_back_matches} current match(es) of their courts live "
                f"({self.held_back_events:,} events)"
            )
        if self.cancelled:
            text += "; cancelled: the rest was not touched, every row is in exactly one database"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation.value,
            "scope": self.scope.to_json(),
            "matches": self.matches,
            "events": self.events,
            "chunks": self.chunks,
            "checksum": self.checksum,
            "seconds": round(self.seconds, 3),
            "events_per_second": round(self.events_per_second),
            "already_present": self.already_present,
            "renumbered": self.renumbered,
            "held_back_matches": self.held_back_matches,
            "held_back_events": self.held_back_events,
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True, slots=True)
class DatabaseOptimization:
    path: Path
    bytes_before: int
    bytes_after: int
    pages_freed: int


@dataclass(frozen=True, slots=True)
class OptimizeResult:
    databases: tuple[DatabaseOptimization, ...]
    seconds: float

    def to_json(self) -> dict[str, Any]:
        return {
            "databases": [
                {
                    "path": str(d.path),
                    "bytes_before": d.bytes_before,
                    "bytes_after": d.bytes_after,
                    "pages_freed": d.pages_freed,
                }
                for d in self.databases
            ],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class TournamentRows:
    tournament_id: int | None  # None: events recorded without a tournament
    name: str | None
    matches: int
    events: int
    oldest: datetime | None
    newest: datetime | None


@dataclass(frozen=True, slots=True)
class DatabaseStats:
    path: Path
    bytes: int
    matches: int
    events: int
    oldest: datetime | None
    newest: datetime | None
    tournaments: tuple[TournamentRows, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "bytes": self.bytes,
            "matches": self.matches,
            "events": self.events,
            "oldest": self.oldest.isoformat() if self.oldest else None,
            "newest": self.newest.isoformat() if self.newest else None,
            "tournaments": [
                {
                    "tournament_id": t.tournament_id,
                    "name": t.name,
                    "matches": t.matches,
                    "events": t.events,
                    "oldest": t.oldest.isoformat() if t.oldest else None,
                    "newest": t.newest.isoformat() if t.newest else None,
                }
                for t in self.tournaments
            ],
        }


@dataclass(frozen=True, slots=True)
class ArchiveStats:
    live: DatabaseStats
    archive: DatabaseStats

    def to_json(self) -> dict[str, Any]:
        return {"live": self.live.to_json(), "archive": self.archive.to_json()}


# --- selecting rows -------------------------------------------------------------------------------


def _time_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def _selection(scope: ArchiveScope, day_id: int | None, *, hold_back: bool) -> Selection:
    params: dict[str, object] = {}
    if scope.tournament_id is not None:
        params["tournament"] = scope.tournament_id
        matches = "m.tournament_id = :tournament"
        orphans = "e.tournament_id = :tournament"
        if day_id is not None:
            params["day"] = day_id
            matches += " AND m.tournament_day_id = :day"
            orphans += " AND e.tournament_day_id = :day"
    elif scope.before is not None:
        params["before_text"] = _time_text(scope.before)
        params["before"] = scope.before.timestamp()
        matches = f"{MATCH_TIME} < :before_text"
        orphans = "e.received_at < :before"
    else:
        assert scope.since is not None and scope.until is not None
        params.update(
            since_text=_time_text(scope.since),
            until_text=_time_text(scope.until),
            since=scope.since.timestamp(),
            until=scope.until.timestamp(),
        )
        matches = f"{MATCH_TIME} >= :since_text AND {MATCH_TIME} < :until_text"
        orphans = "e.received_at >= :since AND e.received_at < :until"
    if hold_back:
        matches = f"({matches}) AND m.id NOT IN ({_NEWEST_PER_COURT})"
    return Selection(matches, f"e.match_id IS NULL AND {orphans}", params)


#: The match each court records into now (or last did): a running recorder may still update it.
_NEWEST_PER_COURT = "SELECT max(id) FROM src.matches WHERE court_id IS NOT NULL GROUP BY court_id"


class ArchiveService:
    """Archive, restore, clean-up, optimize and statistics over a data folder's two databases.

    Every method opens its own connections, so any thread may call it; the long ones take a
    `JobContext` for progress and cancel (run them with `JobRunner.submit`).
    """

    def __init__(self, db: Database, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be positive")
        self.db = db
        self.paths = db.paths
        self.chunk_rows = chunk_rows

    # --- previews -----------------------------------------------------------------------------
    def plan_archive(self, scope: ArchiveScope) -> ArchivePlan:
        """How many matches and events `archive(scope)` would move now."""
        day_id = self._day_id(scope)
        with closing(self._reader(self.paths.database)) as connection:
            taken = count_rows(connection, _selection(scope, day_id, hold_back=True))
            every = count_rows(connection, _selection(scope, day_id, hold_back=False))
        return ArchivePlan(
            Operation.ARCHIVE,
            scope,
            taken[0],
            taken[1] + taken[2],
            held_back_matches=every[0] - taken[0],
            held_back_events=every[1] - taken[1],
        )

    def plan_restore(self, scope: ArchiveScope) -> ArchivePlan:
        """How many archived matches and events `restore(scope)` would bring back now."""
        day_id = self._day_id(scope)
        if not self._archive_ready(create=False):
            return ArchivePlan(Operation.RESTORE, scope, 0, 0)
        with closing(self._reader(self.paths.archive_database)) as connection:
            selection = _selection(scope, day_id, hold_back=False)
            matches, events, orphans = count_rows(connection, selection)
        return ArchivePlan(Operation.RESTORE, scope, matches, events + orphans)

    def plan_cleanup(self, older_than_days: int, now: datetime | None = None) -> ArchivePlan:
        """How many archived matches and events `cleanup` would delete for good."""
        scope = ArchiveScope.older_than(older_than_days, now)
        if not self._archive_ready(create=False):
            return ArchivePlan(Operation.CLEANUP, scope, 0, 0)
        with closing(self._reader(self.paths.archive_database)) as connection:
            matches, events, orphans = count_rows(
                connection, _selection(scope, None, hold_back=False)
            )
        return ArchivePlan(Operation.CLEANUP, scope, matches, events + orphans)

    # --- operations -----------------------------------------------------------------------------
    def archive(self, scope: ArchiveScope, ctx: JobContext | None = None) -> ArchiveResult:
        """Move the scope's matches and events from the live database to the archive."""
        day_id = self._day_id(scope)
        self._archive_ready(create=True)
        plan = self.plan_archive(scope)
        # Foreign keys OFF: the archive's reference tables are empty (module docstring).
        return self._run(
            plan,
            connect(self.paths.archive_database, foreign_keys=False),
            self.paths.database,
            _selection(scope, day_id, hold_back=True),
            ctx,
        )

    def restore(self, scope: ArchiveScope, ctx: JobContext | None = None) -> ArchiveResult:
        """Move the scope's archived matches and events back into the live database."""
        day_id = self._day_id(scope)
        if not self._archive_ready(create=False):
            raise ArchiveError(
                f"There is no archive in {self.paths.root} yet; nothing can be restored."
            )
        plan = self.plan_restore(scope)
        return self._run(
            plan,
            connect(self.paths.database, foreign_keys=True),
            self.paths.archive_database,
            _selection(scope, day_id, hold_back=False),
            ctx,
        )

    def cleanup(
        self, older_than_days: int, ctx: JobContext | None = None, now: datetime | None = None
    ) -> ArchiveResult:
        """Delete archived matches (with their events) and match-less events older than N days
        for good. The live database is not touched."""
        scope = ArchiveScope.older_than(older_than_days, now)
        if not self._archive_ready(create=False):
            return self._result(ArchivePlan(Operation.CLEANUP, scope, 0, 0), Tally(), 0.0)
        plan = self.plan_cleanup(older_than_days, now)
        return self._run(
            plan,
            connect(None, foreign_keys=True),
            self.paths.archive_database,
            _selection(scope, None, hold_back=False),
            ctx,
        )

    def optimize(self, ctx: JobContext | None = None) -> OptimizeResult:
        """ANALYZE (sampled), incremental vacuum in short steps, PRAGMA optimize, and a WAL
        checkpoint, on the live database and the archive."""
        ctx = ctx or JobContext.unattached("optimize")
        started = time.monotonic()
        self._audit("archive.optimize", {"status": "started"})
        files = [self.paths.database]
        if self._archive_ready(create=False):
            files.append(self.paths.archive_database)
        done: list[DatabaseOptimization] = []
        for number, path in enumerate(files):
            ctx.check()
            ctx.report(number, len(files), f"optimizing {path.name}")
            done.append(_optimize_file(path, ctx))
        result = OptimizeResult(tuple(done), time.monotonic() - started)
        ctx.report(len(files), len(files), "optimized")
        self._audit("archive.optimize", {"status": "completed", **result.to_json()})
        return result

    def stats(self) -> ArchiveStats:
        """Rows, size, oldest and newest event, per tournament, of both databases."""
        with closing(self._reader(self.paths.database)) as connection:
            names = dict(connection.execute("SELECT id, name FROM tournaments").fetchall())
            live = _database_stats(connection, self.paths.database, names)
        if self._archive_ready(create=False):
            with closing(self._reader(self.paths.archive_database)) as connection:
                archived = _database_stats(connection, self.paths.archive_database, names)
        else:
            archived = DatabaseStats(self.paths.archive_database, 0, 0, 0, None, None, ())
        return ArchiveStats(live, archived)

    # --- the chunked move -----------------------------------------------------------------------
    def _run(
        self,
        plan: ArchivePlan,
        connection: sqlite3.Connection,
        source: Path,
        selection: Selection,
        ctx: JobContext | None,
    ) -> ArchiveResult:
        """Move (or for clean-up, delete) the selection from `source`, attached as src, into
        the connection's main database, chunk by chunk."""
        operation = plan.operation
        ctx = ctx or JobContext.unattached(operation.value)
        action = f"archive.{operation.value}"
        started = time.monotonic()
        tally = Tally()
        self._audit(action, {"status": "started", **plan.to_json()})
        try:
            with closing(connection):
                attach(connection, source, "src")
                tune_for_moves(connection)
                mover = ChunkMover(
                    connection, operation.value, copy=operation is not Operation.CLEANUP
                )
                chunks = plan_chunks(connection, selection, self.chunk_rows)
                total = sum(chunk.events for chunk in chunks)
                ctx.report(0, total, f"{total:,} events to go")
                for number, chunk in enumerate(chunks, 1):
                    ctx.check()
                    _locked_is_retryable(mover, chunk, selection, tally)
                    ctx.report(tally.events, total, f"{tally.events:,} of {total:,} events")
                    if number % CHECKPOINT_EVERY_CHUNKS == 0:
                        checkpoint(connection)
                checkpoint(connection)
        except JobCancelled as cancelled:
            result = self._result(plan, tally, started, cancelled=True)
            self._audit(action, {"status": "cancelled", **result.to_json()})
            raise JobCancelled(
                operation.value, message=result.summary(), partial=result
            ) from cancelled
        except Exception as exc:
            result = self._result(plan, tally, started)
            self._audit(action, {"status": "failed", "error": str(exc), **result.to_json()})
            raise
        result = self._result(plan, tally, started)
        self._audit(action, {"status": "completed", **result.to_json()})
        log.info("%s: %s", action, result.summary())
        return result

    @staticmethod
    def _result(
        plan: ArchivePlan, tally: Tally, started: float, *, cancelled: bool = False
    ) -> ArchiveResult:
        return ArchiveResult(
            plan.operation,
            plan.scope,
            tally.matches,
            tally.events,
            tally.chunks,
            tally.digest.fingerprint().checksum,
            time.monotonic() - started if started else 0.0,
            already_present=tally.already_present,
            renumbered=tally.renumbered,
            held_back_matches=plan.held_back_matches,
            held_back_events=plan.held_back_events,
            cancelled=cancelled,
        )

    # --- helpers ------------------------------------------------------------------------------
    def _archive_ready(self, *, create: bool) -> bool:
        """Bring the archive file to the current schema; False if it does not exist and
        `create` is False."""
        path = self.paths.archive_database
        if not path.exists() and not create:
            return False
        upgrade(path, backups=self.paths.backups)
        return True

    @staticmethod
    def _reader(path: Path) -> sqlite3.Connection:
        """A connection reading `path` as src: the same SQL as the movers."""
        connection = connect(None)
        attach(connection, path, "src")
        return connection

    def _day_id(self, scope: ArchiveScope) -> int | None:
        if scope.tournament_id is None:
            return None
        with closing(connect(self.paths.database)) as connection:
            found = connection.execute(
                "SELECT name FROM tournaments WHERE id = ?", (scope.tournament_id,)
            ).fetchone()
            if found is None:
                raise NotFoundError(f"There is no tournament {scope.tournament_id}.")
            if scope.day_number is None:
                return None
            day = connection.execute(
                "SELECT id FROM tournament_days WHERE tournament_id = ? AND number = ?",
                (scope.tournament_id, scope.day_number),
            ).fetchone()
        if day is None:
            raise NotFoundError(f"Tournament {found[0]!r} has no day {scope.day_number}.")
        return int(day[0])

    def _audit(self, action: str, details: dict[str, Any]) -> None:
        with self.db.transaction() as session:
            Audit(session).append(action, details)


def _locked_is_retryable(
    mover: ChunkMover, chunk: Chunk, selection: Selection, tally: Tally
) -> None:
    """A chunk that found the database locked past busy_timeout ends the job with
    DatabaseLockedError, which the JobRunner retries (the rerun carries on where it stopped)."""
    try:
        mover.move(chunk, selection, tally)
    except sqlite3.OperationalError as exc:
        if is_locked_error(exc):
            raise DatabaseLockedError(
                "The database stayed busy (another program is writing to it); "
                "the operation stopped between two chunks and can be run again."
            ) from exc
        raise


# --- optimize and statistics ----------------------------------------------------------------------


def _optimize_file(path: Path, ctx: JobContext) -> DatabaseOptimization:
    before = file_size(path)
    freed = 0
    with closing(connect(path)) as connection:
        connection.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        connection.execute("ANALYZE")
        # Short steps: the recorder may be waiting to commit between two of them.
        while connection.execute("PRAGMA freelist_count").fetchone()[0]:
            ctx.check()
            pages = connection.execute("PRAGMA freelist_count").fetchone()[0]
            connection.execute("BEGIN IMMEDIATE")
            try:
                connection.execute(f"PRAGMA incremental_vacuum({VACUUM_PAGES_PER_STEP})")
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            left = connection.execute("PRAGMA freelist_count").fetchone()[0]
            if left >= pages:  # auto_vacuum is off for this file: nothing to gain by looping
                break
            freed += pages - left
            ctx.report(freed, None, f"{path.name}: {freed:,} pages freed")
        connection.execute("PRAGMA optimize")
        connection.execute("PRAGMA walcheckpoint(TRUNCATE)")
    return DatabaseOptimization(path, before, file_size(path), freed)


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else epoch_to_utc(epoch)


def _database_stats(
    connection: sqlite3.Connection, path: Path, names: dict[int, str]
) -> DatabaseStats:
    (events, oldest, newest) = connection.execute(
        "SELECT count(*), min(received_at), max(received_at) FROM src.events"
    ).fetchone()
    (matches,) = connection.execute("SELECT count(*) FROM src.matches").fetchone()
    per_tournament = {
        tournament: [0, count, first, last]
        for tournament, count, first, last in connection.execute(
            "SELECT tournament_id, count(*), min(received_at), max(received_at) "
            "FROM src.events GROUP BY tournament_id"
        )
    }
    for tournament, count in connection.execute(
        "SELECT tournament_id, count(*) FROM src.matches GROUP BY tournament_id"
    ):
        per_tournament.setdefault(tournament, [0, 0, None, None])[0] = count
    tournaments = tuple(
        TournamentRows(
            tournament,
            names.get(tournament) if tournament is not None else None,
            values[0],
            values[1],
            _moment(values[2]),
            _moment(values[3]),
        )
        for tournament, values in sorted(
            per_tournament.items(), key=lambda item: (item[0] is None, item[0] or 0)
        )
    )
    return DatabaseStats(
        path, file_size(path), matches, events, _moment(oldest), _moment(newest), tournaments
    )
