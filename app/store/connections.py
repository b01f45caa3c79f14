"""Plain sqlite3 connections for the data services (archive, backup, export).

These services work on two database files at once (ATTACH), move rows between them with
`INSERT … SELECT` in chunks, keep per-chunk temp tables and use SQLite's online backup API.
SQLAlchemy adds no safety to that and its per-statement overhead would show at 100,000 rows/s,
so they use the driver directly (as the ingest writer does for its inserts). Transactions are
explicit: `isolation_level=None`, and writers say `BEGIN IMMEDIATE` themselves.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.store.engine import CACHE_SIZE_KIB, DEFAULT_BUSY_TIMEOUT_MS


def file_uri(path: Path, *, read_only: bool = False) -> str:
    uri = path.resolve().as_uri()
    return f"{uri}?mode=ro" if read_only else uri


def connect(
    path: Path | None,
    *,
    foreign_keys: bool = True,
    read_only: bool = False,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> sqlite3.Connection:
    """A connection on `path` in autocommit mode with StrikeDesk's safety PRAGMAs; `path`
    None gives an empty in-memory main database to attach files to (a file must never be
    attached to a connection that has it open already: its two handles would lock each other).

    synchronous stays FULL whatever the live engine uses: a moved row must be durable in its
    new file before it is deleted from the old one.
    """
    connection = sqlite3.connect(
        "file::memory:" if path is None else file_uri(path, read_only=read_only),
        uri=True,
        isolation_level=None,
        timeout=busy_timeout_ms / 1000,
        check_same_thread=False,  # made on one thread, used by a job's worker thread
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
        connection.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        connection.execute("PRAGMA temp_store = MEMORY")
        if path is not None:
            _tune(connection, "main")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def attach(
    connection: sqlite3.Connection, path: Path, alias: str, *, read_only: bool = False
) -> None:
    connection.execute("ATTACH DATABASE ? AS " + alias, (file_uri(path, read_only=read_only),))
    _tune(connection, alias)


def _tune(connection: sqlite3.Connection, schema: str) -> None:
    connection.execute(f"PRAGMA {schema}.synchronous = FULL")
    connection.execute(f"PRAGMA {schema}.cache_size = -{CACHE_SIZE_KIB}")


def file_size(path: Path) -> int:
    """Bytes on disk of a database with its WAL (0 if it does not exist)."""
    total = 0
    for candidate in (path, path.with_name(path.name + "-wal")):
        try:
            total += candidate.stat().st_size
        except FileNotFoundError:
            continue
    return total
