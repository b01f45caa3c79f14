"""BackupService: backups of a data folder that can be checked, restored and merged back.

A backup is one file (`.sdbackup` by convention), a zip archive holding:
- `manifest.json`: backup format and version, kind (full, or one tournament), when and by which
  StrikeDesk it was made, the schema revision, and for every table of every database in it the
  row count and fingerprint (`checksums`: every column of every row);
- `strikedesk.db`: the live database (full backup) or a StrikeDesk database holding just one
  tournament's rows and the rows they refer to (tournament backup);
- `archive.db`: the archive file (or that tournament's archived rows), if there is an archive.

One file is easy to copy to a USB stick; the zip's CRC-32 per member catches a cut-short or
damaged copy before SQLite sees it; deflate (fast level) roughly halves the size.

Full backups use SQLite's online backup API in a single step per database: one read transaction,
so the copy is a consistent snapshot while the recorder goes on committing (in WAL mode readers
never block the writer). Copying page by page would restart whenever the recorder commits,
which during a tournament means never finishing.

Verification (`verify_backup`, also run before every restore and merge): the zip and its CRCs;
the manifest's format, backup-format version and schema revision (a newer one is refused); then
`PRAGMA integrity_check`, the alembic stamp and every table's count and fingerprint of each
database, against the manifest. A file failing any of these is refused with a message saying
which, and nothing is changed.
"""

from __future__ import annotations

import contextlib
import enum
import json
import logging
import os
import shutil
import socket
import sqlite3
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from app import __version__
from app.jobs.runner import JobCancelled, JobContext
from app.store.checksums import Fingerprint, fingerprint_tables, user_tables
from app.store.connections import attach, connect, file_size
from app.store.database import Database
from app.store.errors import BackupError, NotFoundError
from app.store.migrate import SCHEMA_HEAD, known_revision, upgrade
from app.store.models import TournamentDay
from app.store.paths import ARCHIVE_NAME, DATABASE_NAME, DataPaths
from app.store.repositories import Audit

if TYPE_CHECKING:
    from app.store.merge import MergeResult

log = logging.getLogger(__name__)

FORMAT = "strikedesk-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
SUFFIX = ".sdbackup"
AUTO_PREFIX = "auto-"
DEFAULT_KEEP = 10
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZIP_MAGIC = b"PK\x03\x04"


class BackupKind(enum.StrEnum):
    FULL = "full"
    TOURNAMENT = "tournament"


@dataclass(frozen=True, slots=True)
class Manifest:
    kind: BackupKind
    created_at: datetime
    app_version: str
    schema_revision: str
    #: database file name in the backup -> table -> fingerprint
    databases: Mapping[str, Mapping[str, Fingerprint]]
    tournament_id: int | None = None
    tournament_name: str | None = None
    source: str = ""  # "host:data folder" it was made from
    format_version: int = FORMAT_VERSION

    def rows(self, table: str) -> int:
        return sum(tables[table].rows for tables in self.databases.values() if table in tables)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "format_version": self.format_version,
            "kind": self.kind.value,
            "created_at": self.created_at.isoformat(),
            "app_version": self.app_version,
            "schema_revision": self.schema_revision,
            "source": self.source,
            "tournament": (
                None
                if self.tournament_id is None
                else {"id": self.tournament_id, "name": self.tournament_name}
            ),
            "databases": {
                name: {table: fp.to_json() for table, fp in tables.items()}
                for name, tables in self.databases.items()
            },
        }

    @classmethod
    def from_json(cls, data: Any, path: Path) -> Manifest:
        """Read a manifest, refusing anything that is not one this version understands."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BackupError(f"{path} is not a StrikeDesk backup (its manifest is not ours).")
        version = data.get("format_version")
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise BackupError(
                f"{path} was made by a newer StrikeDesk (backup format {version}); this version "
                f"reads format {FORMAT_VERSION}. Install the newer StrikeDesk to restore it."
            )
        revision = data.get("schema_revision")
        if not isinstance(revision, str) or not known_revision(revision):
            raise BackupError(
                f"{path} was written by a newer StrikeDesk (database schema {revision}); this "
                f"version knows schema {SCHEMA_HEAD}. Install the newer StrikeDesk to restore it."
            )
        try:
            tournament = data.get("tournament")
            databases = {
                str(name): {
                    str(table): Fingerprint(int(fp["rows"]), str(fp["checksum"]))
                    for table, fp in tables.items()
                }
                for name, tables in data["databases"].items()
            }
            return cls(
                kind=BackupKind(data["kind"]),
                created_at=datetime.fromisoformat(data["created_at"]),
                app_version=str(data["app_version"]),
                schema_revision=revision,
                databases=databases,
                tournament_id=None if tournament is None else int(tournament["id"]),
                tournament_name=None if tournament is None else tournament.get("name"),
                source=str(data.get("source", "")),
                format_version=version,
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BackupError(
                f"{path} has a damaged manifest ({exc!r}); it cannot be used."
            ) from exc


@dataclass(frozen=True, slots=True)
class BackupPlan:
    """What `create` would copy now (the preview before the operator agrees)."""

    kind: BackupKind
    tournament_id: int | None
    tournament_name: str | None
    matches: int
    events: int
    archived_matches: int
    archived_events: int
    database_bytes: int  # the files a full backup copies (a tournament backup is smaller)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "tournament_id": self.tournament_id,
            "tournament_name": self.tournament_name,
            "matches": self.matches,
            "events": self.events,
            "archived_matches": self.archived_matches,
            "archived_events": self.archived_events,
            "database_bytes": self.database_bytes,
        }


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    manifest: Manifest
    bytes: int
    seconds: float

    def summary(self) -> str:
        what = (
            "full backup"
            if self.manifest.kind is BackupKind.FULL
            else f"backup of tournament {self.manifest.tournament_name!r}"
        )
        return (
            f"{what} written to {self.path} ({self.bytes / 1e6:.1f} MB, "
            f"{self.manifest.rows('events'):,} events, {self.manifest.rows('matches'):,} matches)"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
            "manifest": self.manifest.to_json(),
        }


@dataclass(frozen=True, slots=True)
class VerifyReport:
    path: Path
    manifest: Manifest
    tables: int  # tables whose count and fingerprint matched

    def summary(self) -> str:
        return (
            f"{self.path} is a sound {self.manifest.kind.value} backup made "
            f"{self.manifest.created_at:%Y-%m-%d %H:%M} UTC by StrikeDesk "
            f"{self.manifest.app_version} (schema {self.manifest.schema_revision}): "
            f"{self.tables} tables, {self.manifest.rows('events'):,} events checked"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "ok": True,
            "tables": self.tables,
            "manifest": self.manifest.to_json(),
        }


@dataclass(frozen=True, slots=True)
class RestoreResult:
    folder: Path
    manifest: Manifest
    migrated: bool  # the backup's schema was older and was brought up to date
    seconds: float

    def summary(self) -> str:
        return (
            f"restored the {self.manifest.kind.value} backup of "
            f"{self.manifest.created_at:%Y-%m-%d %H:%M} UTC into {self.folder} "
            f"({self.manifest.rows('events'):,} events); use it with --data-dir {self.folder}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "migrated": self.migrated,
            "seconds": round(self.seconds, 3),
            "manifest": self.manifest.to_json(),
        }


# --- reading and checking a backup file -----------------------------------------------------------


def _open_zip(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise BackupError(f"There is no backup file {path}.")
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError as exc:
        raise BackupError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    if head.startswith(_SQLITE_MAGIC):
        raise BackupError(
            f"{path} is an SQLite database, not a StrikeDesk backup file. Backups are made "
            "with `strikedesk backup create` (or the Backup dialog)."
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        if head.startswith(_ZIP_MAGIC):
            raise BackupError(
                f"{path} is incomplete or damaged (it was cut short, e.g. by a full disk or an "
                f"unfinished copy): {exc}. Use another copy of the backup."
            ) from exc
        raise BackupError(f"{path} is not a StrikeDesk backup file.") from exc


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> Manifest:
    try:
        raw = archive.read(MANIFEST_NAME)
    except KeyError as exc:
        raise BackupError(f"{path} is not a StrikeDesk backup (it has no manifest).") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BackupError(f"{path} is damaged: its manifest cannot be read ({exc}).") from exc
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is not a StrikeDesk backup (unreadable manifest).") from exc
    return Manifest.from_json(data, path)


def read_manifest(path: Path) -> Manifest:
    """The manifest alone (a quick look for lists of backups); no contents are checked."""
    with _open_zip(path) as archive:
        return _read_manifest(archive, path)


@contextlib.contextmanager
def opened_backup(
    path: Path, ctx: JobContext | None = None
) -> Iterator[tuple[Manifest, dict[str, Path]]]:
    """Verify a backup completely and yield its manifest and its databases, extracted into a
    temporary folder that is removed afterwards. Raises BackupError on any failed check."""
    ctx = ctx or JobContext.unattached("verify")
    path = Path(path)
    with _open_zip(path) as archive:
        manifest = _read_manifest(archive, path)
        unknown = set(manifest.databases) - {DATABASE_NAME, ARCHIVE_NAME}
        if DATABASE_NAME not in manifest.databases or unknown:
            raise BackupError(f"{path} does not hold the databases a StrikeDesk backup has.")
        with tempfile.TemporaryDirectory(prefix="strikedesk-verify-") as scratch:
            extracted: dict[str, Path] = {}
            for number, name in enumerate(manifest.databases):
                ctx.check()
                ctx.report(number, len(manifest.databases) * 2, f"reading {name}")
                target = Path(scratch) / name
                try:
                    with archive.open(name) as source, target.open("wb") as sink:
                        shutil.copyfileobj(source, sink, 1 << 20)  # CRC-32 checked at the end
                except KeyError as exc:
                    raise BackupError(f"{path} is incomplete: {name} is missing.") from exc
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    raise BackupError(
                        f"{path} is damaged: {name} fails its checksum or is cut short ({exc})."
                    ) from exc
                extracted[name] = target
            for number, (name, database) in enumerate(extracted.items()):
                ctx.check()
                ctx.report(len(extracted) + number, len(extracted) * 2, f"checking {name}")
                _check_database(path, name, database, manifest)
            yield manifest, extracted


def _check_database(path: Path, name: str, database: Path, manifest: Manifest) -> None:
    try:
        with closing(connect(database, read_only=True)) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(
                    f"{path} is damaged: {name} fails SQLite's integrity check "
                    f"({'; '.join(problems[:3])})."
                )
            tables = set(user_tables(connection))
            if "alembic_version" not in tables:
                raise BackupError(
                    f"{path} holds a database that was not made by StrikeDesk ({name} has no "
                    "StrikeDesk schema)."
                )
            stamped = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            if stamped is None or stamped[0] != manifest.schema_revision:
                raise BackupError(
                    f"{path} does not match its manifest: {name} has schema "
                    f"{stamped[0] if stamped else 'none'}, the manifest says "
                    f"{manifest.schema_revision}."
                )
            expected = manifest.databases[name]
            if tables != set(expected):
                raise BackupError(
                    f"{path} does not match its manifest: {name} holds tables "
                    f"{sorted(tables ^ set(expected))} the manifest does not list (or lacks them)."
                )
            actual = fingerprint_tables(connection, "main", sorted(tables))
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is damaged: {name} cannot be read ({exc}).") from exc
    for table, fingerprint in expected.items():
        if actual[table] != fingerprint:
            raise BackupError(
                f"{path} does not match its manifest: table {table} of {name} has "
                f"{actual[table].rows} rows (checksum {actual[table].checksum[:12]}), the manifest "
                f"says {fingerprint.rows} ({fingerprint.checksum[:12]})."
            )


def verify_backup(path: Path, ctx: JobContext | None = None) -> VerifyReport:
    """Check a backup file completely (see the module docstring); BackupError if unsound."""
    with opened_backup(path, ctx) as (manifest, _databases):
        tables = sum(len(tables) for tables in manifest.databases.values())
    return VerifyReport(Path(path), manifest, tables)


def restore_backup(path: Path, folder: Path, ctx: JobContext | None = None) -> RestoreResult:
    """Restore a backup into a new data folder (it must not hold a database yet). An older
    schema is migrated there, with the usual pre-migration copy. The current data folder is
    never touched."""
    ctx = ctx or JobContext.unattached("restore")
    started = time.monotonic()
    paths = DataPaths.resolve(folder)
    if paths.database.exists() or paths.archive_database.exists():
        raise BackupError(
            f"{paths.root} already holds a StrikeDesk database; restore into a new, empty "
            "folder (or merge one tournament into the current data with `backup restore` "
            "without --into)."
        )
    with opened_backup(path, ctx) as (manifest, databases):
        ctx.check()
        paths.ensure()
        targets = {DATABASE_NAME: paths.database, ARCHIVE_NAME: paths.archive_database}
        try:
            for name, extracted in databases.items():
                partial = targets[name].with_name(targets[name].name + ".partial")
                shutil.copyfile(extracted, partial)
                partial.replace(targets[name])
        except OSError as exc:
            for target in targets.values():
                target.unlink(missing_ok=True)
            raise BackupError(
                f"Cannot write the restored data into {paths.root}: {exc.strerror or exc}."
            ) from exc
    migrated = manifest.schema_revision != SCHEMA_HEAD
    for target in targets.values():
        if target.exists():
            upgrade(target, backups=paths.backups)
    with Database.open(paths) as restored, restored.transaction() as session:
        Audit(session).append(
            "backup.restore",
            {
                "from": str(path),
                "kind": manifest.kind.value,
                "made": manifest.created_at.isoformat(),
            },
        )
    ctx.report(1, 1, "restored")
    return RestoreResult(paths.root, manifest, migrated, time.monotonic() - started)


# --- making backups -------------------------------------------------------------------------------


class BackupService:
    """Full and tournament backups of one data folder, automatic backups, and merging a
    tournament from a backup into it. Any thread may call it (each call opens its own
    connections); the long calls take a JobContext for progress and cancel."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.paths = db.paths

    def plan(self, tournament_id: int | None = None) -> BackupPlan:
        """What a backup would hold now: rows in the live database and in the archive."""
        name = self._tournament_name(tournament_id) if tournament_id is not None else None
        live = self._counts(self.paths.database, tournament_id)
        archived = (
            self._counts(self.paths.archive_database, tournament_id)
            if self.paths.archive_database.exists()
            else (0, 0)
        )
        return BackupPlan(
            BackupKind.FULL if tournament_id is None else BackupKind.TOURNAMENT,
            tournament_id,
            name,
            live[0],
            live[1],
            archived[0],
            archived[1],
            file_size(self.paths.database) + file_size(self.paths.archive_database),
        )

    def create(
        self, path: Path, ctx: JobContext | None = None, *, tournament_id: int | None = None
    ) -> BackupResult:
        """Write a full backup (or one tournament's) to `path`, which must not exist yet.

        The file appears only when complete (written as `<path>.partial`, synced, renamed).
        """
        ctx = ctx or JobContext.unattached("backup")
        started = time.monotonic()
        target = Path(path)
        if target.exists():
            raise BackupError(f"{target} already exists; choose another name for the backup.")
        tournament_name = (
            self._tournament_name(tournament_id) if tournament_id is not None else None
        )
        kind = BackupKind.FULL if tournament_id is None else BackupKind.TOURNAMENT
        self._audit("backup.create", {"status": "started", "path": str(target), "kind": kind})
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            scratch = tempfile.TemporaryDirectory(prefix=".strikedesk-backup-", dir=target.parent)
            with scratch as work:
                copies = self._copy_databases(Path(work), tournament_id, ctx)
                databases: dict[str, dict[str, Fingerprint]] = {}
                for number, (name, copy) in enumerate(copies.items()):
                    ctx.check()
                    ctx.report(2 + number, 5, f"checksums of {name}")
                    with closing(connect(copy, read_only=True)) as connection:
                        databases[name] = fingerprint_tables(connection)
                manifest = Manifest(
                    kind=kind,
                    created_at=datetime.now(UTC),
                    app_version=__version__,
                    schema_revision=SCHEMA_HEAD,
                    databases=databases,
                    tournament_id=tournament_id,
                    tournament_name=tournament_name,
                    source=f"{socket.gethostname()}:{self.paths.root}",
                )
                ctx.check()
                ctx.report(4, 5, "writing the backup file")
                _write_zip(target, manifest, copies)
        except OSError as exc:
            self._audit("backup.create", {"status": "failed", "error": str(exc)})
            raise BackupError(
                f"Cannot write the backup {target}: {exc.strerror or exc}. Check the free space "
                "and that the folder is writable."
            ) from exc
        except BaseException as exc:
            status = "cancelled" if isinstance(exc, JobCancelled) else "failed"
            self._audit("backup.create", {"status": status, "error": str(exc) or repr(exc)})
            raise
        result = BackupResult(target, manifest, target.stat().st_size, time.monotonic() - started)
        ctx.report(5, 5, "backup written")
        self._audit("backup.create", {"status": "completed", **_audit_summary(result)})
        log.info("%s", result.summary())
        return result

    def merge(
        self, path: Path, ctx: JobContext | None = None, *, tournament_id: int | None = None
    ) -> MergeResult:
        """Merge one tournament of a backup into this data folder (see `app.store.merge`)."""
        from app.store.merge import merge_tournament  # merge builds on this module

        return merge_tournament(self.db, Path(path), ctx, tournament_id=tournament_id)

    # --- automatic backups ---------------------------------------------------------------------
    def create_automatic(
        self, reason: str = "scheduled", ctx: JobContext | None = None, *, keep: int = DEFAULT_KEEP
    ) -> BackupResult:
        """A full backup into the data folder's backups folder, then only the newest `keep`
        automatic backups are kept."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        result = self.create(self.paths.backups / f"{AUTO_PREFIX}{stamp}-{reason}{SUFFIX}", ctx)
        self.prune_automatic(keep)
        return result

    def automatic_backups(self) -> list[Path]:
        """The automatic backups, oldest first (their names sort by time)."""
        return sorted(self.paths.backups.glob(f"{AUTO_PREFIX}*{SUFFIX}"))

    def prune_automatic(self, keep: int) -> list[Path]:
        if keep < 1:
            raise ValueError("keep at least one automatic backup")
        backups = self.automatic_backups()
        removed = backups[: max(0, len(backups) - keep)]
        for old in removed:
            old.unlink(missing_ok=True)
        return removed

    def latest_day_end(self) -> datetime | None:
        """When the most recent tournament day ended (the day-end trigger watches it)."""
        with self.db.session() as session:
            return session.scalar(select(func.max(TournamentDay.ended_at)))

    # --- helpers ------------------------------------------------------------------------------
    def _copy_databases(
        self, work: Path, tournament_id: int | None, ctx: JobContext
    ) -> dict[str, Path]:
        sources = {DATABASE_NAME: self.paths.database}
        if self.paths.archive_database.exists():
            upgrade(self.paths.archive_database, backups=self.paths.backups)
            sources[ARCHIVE_NAME] = self.paths.archive_database
        copies: dict[str, Path] = {}
        # The archive first: a tournament's live copy also takes the rows its archived rows use.
        for number, name in enumerate(sorted(sources, key=lambda n: n != ARCHIVE_NAME)):
            ctx.check()
            ctx.report(number, 5, f"copying {name}")
            copy = work / name
            if tournament_id is None:
                _online_copy(sources[name], copy)
            elif name == ARCHIVE_NAME:
                _tournament_copy(sources[name], copy, tournament_id)
            else:
                _tournament_copy(
                    sources[name],
                    copy,
                    tournament_id,
                    references=True,
                    archived=copies.get(ARCHIVE_NAME),
                )
            copies[name] = copy
        return {name: copies[name] for name in sorted(copies, key=lambda n: n != DATABASE_NAME)}

    def _counts(self, database: Path, tournament_id: int | None) -> tuple[int, int]:
        with closing(connect(database)) as connection:
            if tournament_id is None:
                (matches,) = connection.execute("SELECT count(*) FROM matches").fetchone()
                (events,) = connection.execute("SELECT count(*) FROM events").fetchone()
            else:
                (matches,) = connection.execute(
                    "SELECT count(*) FROM matches WHERE tournament_id = ?", (tournament_id,)
                ).fetchone()
                (events,) = connection.execute(
                    f"SELECT count(*) FROM events WHERE {_TOURNAMENT_EVENTS}", (tournament_id,) * 2
                ).fetchone()
        return int(matches), int(events)

    def _tournament_name(self, tournament_id: int) -> str:
        with closing(connect(self.paths.database)) as connection:
            row = connection.execute(
                "SELECT name FROM tournaments WHERE id = ?", (tournament_id,)
            ).fetchone()
        if row is None:
            raise NotFoundError(f"There is no tournament {tournament_id}.")
        return str(row[0])

    def _audit(self, action: str, details: dict[str, Any]) -> None:
        with self.db.transaction() as session:
            Audit(session).append(action, details)


#: A tournament's events: those of its matches, and its events that belong to no match
#: (events follow their match, as in the archive). Two parameters: the tournament id twice.
_TOURNAMENT_EVENTS = (
    "(match_id IN (SELECT id FROM matches WHERE tournament_id = ?) "
    "OR (match_id IS NULL AND tournament_id = ?))"
)


def _audit_summary(result: BackupResult) -> dict[str, Any]:
    manifest = result.manifest
    return {
        "path": str(result.path),
        "kind": manifest.kind.value,
        "tournament_id": manifest.tournament_id,
        "bytes": result.bytes,
        "events": manifest.rows("events"),
        "matches": manifest.rows("matches"),
        "checksums": {
            name: {table: tables[table].checksum for table in ("events", "matches")}
            for name, tables in manifest.databases.items()
        },
    }


def _online_copy(source: Path, target: Path) -> None:
    """SQLite's online backup API in one step: a consistent snapshot, the writer never waits."""
    # Not read-only: a read-only connection cannot always open a WAL database's shared memory.
    with closing(connect(source)) as origin, closing(connect(target)) as copy:
        origin.backup(copy)  # pages=-1: everything inside one read transaction
        copy.execute("PRAGMA journal_mode = DELETE")  # a self-contained file, no -wal beside it


def _tournament_copy(
    source: Path,
    target: Path,
    tournament_id: int,
    *,
    references: bool = False,
    archived: Path | None = None,
) -> None:
    """A StrikeDesk database holding one tournament's matches and events from `source` and,
    with `references`, the tournament, its days, and the courts and athletes its rows (and the
    rows of the `archived` copy) use."""
    upgrade(target, backups=target.parent / "pre-migration")
    with closing(connect(target, foreign_keys=False)) as connection:
        attach(connection, source, "src")
        schemas = ["main"]
        if archived is not None:
            attach(connection, archived, "archived")
            schemas.append("archived")
        connection.execute("BEGIN IMMEDIATE")
        for table in user_tables(connection):
            if table != "alembic_version":  # the new file's own rows (default court, ...)
                connection.execute(f'DELETE FROM main."{table}"')
        params = {"t": tournament_id}
        connection.execute(
            "INSERT INTO main.matches SELECT * FROM src.matches WHERE tournament_id = :t", params
        )
        connection.execute(
            "INSERT INTO main.events SELECT * FROM src.events WHERE match_id IN "
            "(SELECT id FROM main.matches) OR (match_id IS NULL AND tournament_id = :t)",
            params,
        )
        if references:
            for statement in _reference_copies(schemas):
                connection.execute(statement)
            connection.execute(
                "INSERT OR IGNORE INTO main.tournaments SELECT * FROM src.tournaments "
                "WHERE id = :t",
                params,
            )
            connection.execute(
                "INSERT OR IGNORE INTO main.tournament_days SELECT * FROM src.tournament_days "
                "WHERE tournament_id = :t",
                params,
            )
            dangling = connection.execute("PRAGMA main.foreign_key_check").fetchall()
            if dangling:
                connection.execute("ROLLBACK")
                raise BackupError(
                    f"The tournament backup would hold rows pointing at missing rows "
                    f"(first: {tuple(dangling[0])}); nothing was written. Please report this."
                )
        connection.execute("COMMIT")
    with closing(connect(target)) as connection:  # alone on the file: it may leave WAL mode
        connection.execute("PRAGMA journal_mode = DELETE")


def _reference_copies(schemas: list[str]) -> list[str]:
    """Statements copying the rows that the matches and events in `schemas` refer to."""

    def used(column: str, tables: tuple[str, ...] = ("matches", "events")) -> str:
        return " UNION ".join(f"SELECT {column} FROM {s}.{t}" for s in schemas for t in tables)

    return [
        f"INSERT INTO main.tournaments SELECT * FROM src.tournaments "
        f"WHERE id IN ({used('tournament_id')})",
        f"INSERT INTO main.tournament_days SELECT * FROM src.tournament_days "
        f"WHERE id IN ({used('tournament_day_id')})",
        f"INSERT INTO main.courts SELECT * FROM src.courts WHERE id IN ({used('court_id')})",
        "UPDATE main.courts SET context_tournament_id = NULL, context_day_id = NULL",
        "INSERT INTO main.athletes SELECT * FROM src.athletes WHERE id IN ("
        f"{used('blue_athlete_id', ('matches',))} UNION {used('red_athlete_id', ('matches',))})",
        "INSERT INTO main.ingest_checkpoint SELECT * FROM src.ingest_checkpoint",
    ]


def _write_zip(target: Path, manifest: Manifest, databases: Mapping[str, Path]) -> None:
    partial = target.with_name(target.name + ".partial")
    try:
        with zipfile.ZipFile(
            partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True
        ) as archive:
            archive.writestr(MANIFEST_NAME, json.dumps(manifest.to_json(), indent=2))
            for name, database in databases.items():
                archive.write(database, name)
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())  # on disk before it gets its real name
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
