"""The engine: PRAGMAs on every pooled connection, pool statistics, BEGIN modes and lock errors."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from app.store.database import Database
from app.store.engine import (
    CACHE_SIZE_KIB,
    MMAP_SIZE_BYTES,
    create_engine_for,
    immediate,
    is_locked_error,
    pool_stats,
)
from app.store.errors import DatabaseLockedError, StoreError
from app.store.repositories import Tournaments


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = create_engine_for(tmp_path / "x.db", busy_timeout_ms=150)
    yield engine
    engine.dispose()


@pytest.fixture
def other_writer(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """Another program's connection, in autocommit mode so the test controls BEGIN/ROLLBACK."""
    connection = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    yield connection
    connection.close()


def pragma(connection: sa.Connection, name: str) -> object:
    return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_every_pooled_connection_has_the_pragmas(engine: sa.Engine) -> None:
    # Hold several connections at once so the pool really opens distinct DBAPI connections.
    connections = [engine.connect() for _ in range(4)]
    try:
        raw = {id(c.connection.dbapi_connection) for c in connections}
        assert len(raw) == 4
        for connection in connections:
            assert pragma(connection, "journal_mode") == "wal"
            assert pragma(connection, "synchronous") == 2  # FULL
            assert pragma(connection, "foreign_keys") == 1
            assert pragma(connection, "cache_size") == -CACHE_SIZE_KIB
            assert pragma(connection, "mmap_size") == MMAP_SIZE_BYTES
            assert pragma(connection, "busy_timeout") == 150
            assert pragma(connection, "auto_vacuum") == 2  # INCREMENTAL: set on the new file
            # The driver emits no BEGIN of its own; the engine's begin event does.
            dbapi_connection = connection.connection.dbapi_connection
            assert dbapi_connection is not None
            assert dbapi_connection.isolation_level is None
    finally:
        for connection in connections:
            connection.close()


def test_synchronous_normal_is_selectable_and_bad_values_are_refused(tmp_path: Path) -> None:
    engine = create_engine_for(tmp_path / "n.db", synchronous="NORMAL")
    try:
        with engine.connect() as connection:
            assert pragma(connection, "synchronous") == 1
    finally:
        engine.dispose()
    with pytest.raises(ValueError, match="FULL or NORMAL"):
        create_engine_for(tmp_path / "o.db", synchronous="OFF")  # type: ignore[arg-type]


def test_auto_vacuum_is_only_set_on_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    plain = sqlite3.connect(path)
    plain.execute("CREATE TABLE t (x)")  # an existing file made without auto_vacuum
    plain.commit()
    plain.close()
    engine = create_engine_for(path)
    try:
        with engine.connect() as connection:
            # Changing it now would need a VACUUM; the engine must not pretend otherwise.
            assert pragma(connection, "auto_vacuum") == 0
    finally:
        engine.dispose()


def test_pool_stats_count_connects_checkouts_and_invalidations(engine: sa.Engine) -> None:
    stats = pool_stats(engine)
    assert (stats.size, stats.connects, stats.checkouts, stats.checked_out) == (10, 0, 0, 0)

    first = engine.connect()
    second = engine.connect()
    first.exec_driver_sql("SELECT 1")
    second.exec_driver_sql("SELECT 1")
    stats = pool_stats(engine)
    assert stats.checked_out == 2
    assert stats.connects == 2
    assert stats.checkouts == 2
    first.close()
    second.close()

    with engine.connect() as connection:  # reuses a pooled connection: no new connect
        connection.exec_driver_sql("SELECT 1")
        connection.invalidate()
    stats = pool_stats(engine)
    assert stats.checked_out == 0
    assert stats.checked_in == 2  # the invalidated slot stays, to reconnect on next use
    assert stats.connects == 2
    assert stats.checkouts == 3
    assert stats.invalidations == 1

    engine.dispose()  # a new pool behind the same engine keeps counting
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    stats = pool_stats(engine)
    assert (stats.connects, stats.checkouts, stats.checked_in) == (3, 4, 1)


def test_pool_stats_refuses_foreign_engines(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'f.db'}")
    with pytest.raises(ValueError, match="create_engine_for"):
        pool_stats(engine)
    engine.dispose()


def test_plain_transactions_are_deferred_and_do_not_block_writers(
    engine: sa.Engine, other_writer: sqlite3.Connection
) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
    with engine.connect() as connection:
        connection.exec_driver_sql("SELECT count(*) FROM t").scalar()
        assert connection.in_transaction()
        # Our read transaction is open; another program can still take the write lock.
        other_writer.execute("BEGIN IMMEDIATE")
        other_writer.execute("INSERT INTO t VALUES (1)")
        other_writer.execute("COMMIT")


def test_immediate_transactions_take_the_write_lock_at_begin(
    engine: sa.Engine, other_writer: sqlite3.Connection
) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
    other_writer.execute("PRAGMA busy_timeout = 0")
    with immediate(engine).connect() as connection:
        connection.exec_driver_sql("SELECT 1")  # nothing written yet, but the lock is ours
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            other_writer.execute("BEGIN IMMEDIATE")
        connection.rollback()


def test_savepoints_work(engine: sa.Engine) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINT; the BEGIN recipe fixes it.
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        nested = connection.begin_nested()
        connection.exec_driver_sql("INSERT INTO t VALUES (2)")
        nested.rollback()
        connection.exec_driver_sql("INSERT INTO t VALUES (3)")
    with engine.connect() as connection:
        values = [row[0] for row in connection.exec_driver_sql("SELECT x FROM t ORDER BY x")]
    assert values == [1, 3]


def test_a_locked_database_raises_a_retryable_operational_error(
    engine: sa.Engine, other_writer: sqlite3.Connection
) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x)")
    writer = immediate(engine)
    other_writer.execute("BEGIN IMMEDIATE")
    with pytest.raises(OperationalError) as caught, writer.begin() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    assert isinstance(caught.value.orig, sqlite3.OperationalError)
    assert str(caught.value.orig) == "database is locked"
    assert is_locked_error(caught.value)
    assert is_locked_error(caught.value.orig)

    # Readers are not affected (WAL), and once the other program is done the retry succeeds.
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 0
    other_writer.execute("ROLLBACK")
    with writer.begin() as connection:
        connection.exec_driver_sql("INSERT INTO t VALUES (1)")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    assert pool_stats(engine).invalidations == 0  # "locked" is not a dead connection


def test_other_errors_are_not_mistaken_for_locks(engine: sa.Engine) -> None:
    with pytest.raises(OperationalError) as caught, engine.connect() as connection:
        connection.exec_driver_sql("SELECT * FROM no_such_table")
    assert not is_locked_error(caught.value)
    assert not is_locked_error(ValueError("database is locked"))


def test_database_transaction_reports_a_lock_as_database_locked_error(db: Database) -> None:
    other = sqlite3.connect(db.paths.database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(DatabaseLockedError, match="busy") as caught, db.transaction() as s:
            Tournaments(s).create("Blocked Open")
        assert isinstance(caught.value, StoreError)
        assert is_locked_error(caught.value.__cause__)  # type: ignore[arg-type]
        other.execute("ROLLBACK")
    finally:
        other.close()
    with db.transaction() as session:  # the retry goes through
        Tournaments(session).create("Blocked Open")
    with db.session() as session:
        assert [t.name for t in Tournaments(session).all()] == ["Blocked Open"]


def test_the_store_never_loads_qt() -> None:
    code = (
        "import sys\n"
        "import app.store.database, app.store.repositories, app.store.migrate\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'pyqtgraph', 'qasync')]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_engine_binds_none_bytes_and_bool_as_sqlite_would_without_it(
    tmp_path: Path,
) -> None:
    # A fresh interpreter: sqlite3's adapters are per process, and other tests made engines.
    code = (
        "import sqlite3, sys\n"
        "from pathlib import Path\n"
        "from app.store.engine import create_engine_for\n"
        "keys = [(t, sqlite3.PrepareProtocol) for t in (type(None), bytes, bool)]\n"
        "plain = sqlite3.connect(':memory:')\n"
        "values = (None, b'\\x00\\xffraw', True, False)\n"
        "sql = 'SELECT typeof(?), ?, typeof(?), ?, typeof(?), ?, typeof(?), ?'\n"
        "params = [v for value in values for v in (value, value)]\n"
        "before = plain.execute(sql, params).fetchone()\n"
        "assert not any(key in sqlite3.adapters for key in keys)\n"
        "engine = create_engine_for(Path(sys.argv[1]))\n"
        "assert all(key in sqlite3.adapters for key in keys)\n"
        "with engine.connect() as connection:\n"
        "    after = connection.exec_driver_sql(sql, tuple(params)).fetchone()\n"
        "engine.dispose()\n"
        "assert tuple(after) == before == "
        "('null', None, 'blob', b'\\x00\\xffraw', 'integer', 1, 'integer', 0), (before, after)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
