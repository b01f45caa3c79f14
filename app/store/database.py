"""The open database: data folder, migrated schema, engine and sessions, in one object.

    with Database.open(DataPaths.resolve(root)) as db:
        with db.transaction() as session:        # BEGIN IMMEDIATE, commit on success
            Tournaments(session).create("Open 2025")
        with db.session() as session:            # deferred: reads never block the writer
            ...

The ingest writer takes `db.write_engine` (BEGIN IMMEDIATE, same pool) for its Core inserts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.store.engine import (
    DEFAULT_BUSY_TIMEOUT_MS,
    PoolStats,
    Synchronous,
    create_engine_for,
    immediate,
    is_locked_error,
    pool_stats,
)
from app.store.errors import DatabaseLockedError
from app.store.migrate import MigrationResult, upgrade
from app.store.paths import DataPaths

log = logging.getLogger(__name__)


class Database:
    """StrikeDesk's live database. Build it with `Database.open`; close it (or use `with`)."""

    def __init__(self, paths: DataPaths, engine: Engine, migration: MigrationResult) -> None:
        self.paths = paths
        self.engine = engine
        self.write_engine = immediate(engine)
        self.migration = migration
        # expire_on_commit=False: objects returned from a finished transaction stay readable
        # (commands print them; the GUI hands them to another thread as plain data).
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writer = sessionmaker(bind=self.write_engine, expire_on_commit=False)
        self._closed = False

    @classmethod
    def open(
        cls,
        paths: DataPaths | Path | str | None = None,
        *,
        synchronous: Synchronous = "FULL",
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> Database:
        """Create the data folder if needed, migrate the schema (backing it up first if it is
        older) and open the engine. `paths` may be a DataPaths, a root folder, or None for the
        platform default."""
        if not isinstance(paths, DataPaths):
            paths = DataPaths.resolve(paths)
        paths.ensure()
        migration = _upgrade_translating_lock(paths)
        engine = create_engine_for(
            paths.database, synchronous=synchronous, busy_timeout_ms=busy_timeout_ms
        )
        return cls(paths, engine, migration)

    def session(self) -> Session:
        """A session whose transactions BEGIN DEFERRED: for reading."""
        return self._reader()

    def write_session(self) -> Session:
        """A session whose transactions BEGIN IMMEDIATE: for writing."""
        return self._writer()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back on error.

        A write lock held elsewhere past busy_timeout raises DatabaseLockedError (retryable).
        """
        try:
            with self._writer() as session, session.begin():
                yield session
        except OperationalError as exc:
            if is_locked_error(exc):
                raise DatabaseLockedError(
                    "The database is busy: another StrikeDesk or program is writing to "
                    f"{self.paths.database}. Try again in a moment, or close the other program."
                ) from exc
            raise

    def pool_stats(self) -> PoolStats:
        return pool_stats(self.engine)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _upgrade_translating_lock(paths: DataPaths) -> MigrationResult:
    try:
        return upgrade(paths.database, backups=paths.backups)
    except OperationalError as exc:
        if is_locked_error(exc):
            raise DatabaseLockedError(
                f"Cannot update {paths.database}: another program is writing to it. "
                "Close the other StrikeDesk and try again."
            ) from exc
        raise
