"""The SQLite engine: connection PRAGMAs, the connection pool, transaction mode and pool statistics.

Transactions. Python's sqlite3 module (3.11) begins transactions lazily and implicitly, which breaks
SAVEPOINT and transactional DDL and hides when the write lock is taken. Following SQLAlchemy's
documented pysqlite recipe, every connection gets `isolation_level = None` (the driver emits no
BEGIN of its own) and the engine's `begin` event emits BEGIN itself:

- plain `engine` → `BEGIN` (DEFERRED): readers never take the write lock, so in WAL mode GUI and
  analytics reads run beside the ingest writer;
- `immediate(engine)` → `BEGIN IMMEDIATE`: the write lock is taken up front, so a writer waits
  `busy_timeout` for another writer instead of failing when a deferred read transaction is
  upgraded (SQLite returns SQLITE_BUSY at once in that case, without waiting).

Use `immediate(engine)` for anything that writes. If the lock is still held when busy_timeout
expires, SQLAlchemy raises `sqlalchemy.exc.OperationalError` wrapping
`sqlite3.OperationalError: database is locked`; `is_locked_error` recognises it so callers retry.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry, Pool, QueuePool

Synchronous = Literal["FULL", "NORMAL"]

#: Execution option read by the `begin` event: "DEFERRED" (default) or "IMMEDIATE".
BEGIN_OPTION = "strikedesk_begin"

POOL_SIZE = 10
POOL_MAX_OVERFLOW = 5
POOL_RECYCLE_SECONDS = 3600
DEFAULT_BUSY_TIMEOUT_MS = 5000
CACHE_SIZE_KIB = 64 * 1024  # 64 MiB, as a negative cache_size (KiB) below
MMAP_SIZE_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class PoolStats:
    """The pool's state now (size..overflow) and counters since the engine was created."""

    size: int
    checked_in: int
    checked_out: int
    overflow: int
    connects: int
    invalidations: int
    checkouts: int


class _PoolCounters:
    """Counted from pool events, which fire on whichever thread uses the pool."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.connects = 0
        self.invalidations = 0
        self.checkouts = 0

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


# Counters per pool. `Engine.dispose()` replaces the pool (keeping its event listeners), so the
# `engine_disposed` hook below re-keys the counters to the new pool.
_COUNTERS: weakref.WeakKeyDictionary[Pool, _PoolCounters] = weakref.WeakKeyDictionary()


def sqlite_url(path: Path) -> sa.URL:
    return sa.URL.create("sqlite+pysqlite", database=str(path))


def create_engine_for(
    path: Path | str,
    synchronous: Synchronous = "FULL",
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    foreign_keys: bool = True,
    echo: bool = False,
) -> Engine:
    """An engine on the SQLite file `path` with StrikeDesk's PRAGMAs on every connection.

    `synchronous` FULL survives power loss at every commit; NORMAL (in WAL mode) can lose the
    last commits on power loss but never corrupts. `foreign_keys=False` is for migrations only
    (SQLite table rebuilds must not cascade).
    """
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
    bind_common_values_directly()
    engine = sa.create_engine(
        sqlite_url(Path(path)),
        poolclass=QueuePool,
        pool_size=POOL_SIZE,
        max_overflow=POOL_MAX_OVERFLOW,
        pool_pre_ping=True,
        pool_recycle=POOL_RECYCLE_SECONDS,
        # Pooled connections move between threads; each is used by one thread at a time.
        connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        echo=echo,
    )
    pragmas = _pragmas(synchronous, busy_timeout_ms, foreign_keys)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (module docstring)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
            # auto_vacuum only takes effect before the first table exists: set it on new files.
            if cursor.execute("PRAGMA page_count").fetchone()[0] == 0:
                cursor.execute("PRAGMA auto_vacuum = INCREMENTAL")
            for pragma in pragmas:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

    counters = _PoolCounters()
    _COUNTERS[engine.pool] = counters
    event.listen(engine, "connect", lambda *_: counters.add("connects"))
    event.listen(engine, "checkout", lambda *_: counters.add("checkouts"))
    event.listen(engine, "invalidate", lambda *_: counters.add("invalidations"))

    @event.listens_for(engine, "engine_disposed")
    def _on_dispose(disposed: Engine) -> None:
        _COUNTERS[disposed.pool] = counters

    return engine


def _null(_value: None) -> None:
    return None


def bind_common_values_directly() -> None:
    """Give sqlite3 an adapter for None, bytes and bool that hands the value back unchanged.

    sqlite3 (3.11) binds int, float and str as they are, but looks every other parameter up
    as an adapter first, and a miss raises and clears an AttributeError inside the module:
    ~1 µs for each None or bytes value, with the GIL held. An event row has 3-8 of them: a
    test insert of event rows into an unindexed table took 6.8 µs per row, and 2.7 with these
    adapters. With an adapter registered the look-up finds it, and the value is bound as
    before: None as NULL, bytes as a BLOB, bool as 0 or 1. sqlite3's adapters are per
    process; registering them again is harmless."""
    sqlite3.register_adapter(type(None), _null)
    sqlite3.register_adapter(bytes, bytes)
    sqlite3.register_adapter(bool, int)


def _pragmas(synchronous: Synchronous, busy_timeout_ms: int, foreign_keys: bool) -> list[str]:
    return [
        "PRAGMA journal_mode = WAL",
        f"PRAGMA synchronous = {synchronous}",
        f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}",
        f"PRAGMA cache_size = -{CACHE_SIZE_KIB}",
        f"PRAGMA mmap_size = {MMAP_SIZE_BYTES}",
    ]


def immediate(engine: Engine) -> Engine:
    """The same engine and pool, but transactions start with BEGIN IMMEDIATE (for writers)."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def pool_stats(engine: Engine) -> PoolStats:
    """A snapshot of the engine's pool: current size and use, and the event counters."""
    pool = engine.pool
    counters = _COUNTERS.get(pool)
    if counters is None:
        raise ValueError("pool_stats() needs an engine made by create_engine_for()")
    if not isinstance(pool, QueuePool):  # pragma: no cover - create_engine_for always sets it
        raise TypeError(f"expected a QueuePool, got {type(pool).__name__}")
    return PoolStats(
        size=pool.size(),
        checked_in=pool.checkedin(),
        checked_out=pool.checkedout(),
        overflow=pool.overflow(),
        connects=counters.connects,
        invalidations=counters.invalidations,
        checkouts=counters.checkouts,
    )


def is_locked_error(error: BaseException) -> bool:
    """True for SQLite's "database is locked" / "database is busy", raw or wrapped by
    SQLAlchemy: the operation can be retried once the other writer finishes."""
    original = error.orig if isinstance(error, DBAPIError) else error
    if not isinstance(original, sqlite3.OperationalError):
        return False
    message = str(original).lower()
    return "database is locked" in message or "database is busy" in message


def database_path(engine: Engine) -> Path:
    """The file behind a SQLite engine."""
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        raise ValueError(f"not a SQLite file engine: {engine.url!r}")
    return Path(database)
