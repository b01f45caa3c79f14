"""Schema migrations: bring a database to the newest schema, with a backup first.

The alembic Config is built in code and the scripts are found through `resource_path`, so neither
an alembic.ini nor the current directory matters (source checkout or PyInstaller build alike).
A database that already holds a schema older than head is copied with SQLite's online backup API
to `<backups>/pre-migration-<revision>-<UTC timestamp>.db` before anything changes.

Developers add a migration with `python -m app.store.migrate revision "message"`, which
autogenerates it from the models against a scratch database at head.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from app.resources import resource_path
from app.store.engine import create_engine_for, database_path, immediate, is_locked_error
from app.store.errors import MigrationError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

#: The newest revision in migrations/versions. Lets `upgrade` confirm an up-to-date database with
#: one SELECT instead of importing alembic (a few hundred ms of the cold start). A test checks it
#: against alembic's head, so a new migration cannot forget to bump it.
SCHEMA_HEAD = "0005"


@dataclass(frozen=True, slots=True)
class MigrationResult:
    from_revision: str | None  # None: a new, empty database
    to_revision: str
    backup: Path | None  # the pre-migration copy, if one was needed

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision


def migrations_folder() -> Path:
    return resource_path("migrations")


def alembic_config(script_location: Path | None = None, url: str | None = None) -> Config:
    from alembic.config import Config

    location = script_location or migrations_folder()
    if not (location / "env.py").is_file():
        raise MigrationError(
            f"The database migrations are missing ({location}). Reinstall StrikeDesk."
        )
    config = Config()
    config.set_main_option("script_location", str(location))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision(script_location: Path | None = None) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config(script_location)).get_current_head()
    if head is None:  # pragma: no cover - the folder always has 0001
        raise MigrationError("The migrations folder has no revisions. Reinstall StrikeDesk.")
    return head


def known_revision(revision: str, script_location: Path | None = None) -> bool:
    """True if `revision` is one of this version's migrations (False: a newer StrikeDesk's)."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    if revision == SCHEMA_HEAD and script_location is None:
        return True
    script = ScriptDirectory.from_config(alembic_config(script_location))
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def current_revision(engine_or_path: Engine | Path | str) -> str | None:
    """The revision stamped in the database, None for a new or non-StrikeDesk database."""
    from alembic.runtime.migration import MigrationContext

    engine, owned = _engine(engine_or_path)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        if owned:
            engine.dispose()


def upgrade(
    engine_or_path: Engine | Path | str,
    *,
    backups: Path | None = None,
    script_location: Path | None = None,
) -> MigrationResult:
    """Migrate the database file to head; back it up first if it holds an older schema.

    `backups` defaults to `<database folder>/backups`. Runs on its own short-lived connection
    with foreign keys OFF, as SQLite table rebuilds (batch mode) require, and checks them after.
    """
    if isinstance(engine_or_path, Engine):
        path = database_path(engine_or_path)
    else:
        path = Path(engine_or_path)
    if script_location is None and _stamped_revision(path) == SCHEMA_HEAD:
        return MigrationResult(SCHEMA_HEAD, SCHEMA_HEAD, None)

    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError
    from sqlalchemy import inspect

    config = alembic_config(script_location)
    script = ScriptDirectory.from_config(config)
    head = script.get_current_head()
    assert head is not None
    engine = create_engine_for(path, foreign_keys=False)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            tables = set(inspect(connection).get_table_names())
            connection.rollback()
        if current == head:
            return MigrationResult(current, head, None)
        if current is None and tables:
            raise MigrationError(
                f"{path} holds tables but no StrikeDesk schema version; it was not created by "
                "StrikeDesk. Move it away or choose another data folder."
            )
        if current is not None:
            try:
                known = script.get_revision(current)
            except CommandError:
                known = None
            if known is None:
                raise MigrationError(
                    f"{path} was written by a newer StrikeDesk (schema {current}); this version "
                    f"knows schema {head}. Install the newer StrikeDesk or restore a backup."
                )
        backup = None
        if current is not None:
            backup = backup_database(path, backups or path.parent / "backups", current)
            log.info("backed up %s to %s before migrating %s -> %s", path, backup, current, head)
        with immediate(engine).connect() as connection:
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, "head")
            except Exception as exc:
                if is_locked_error(exc):
                    raise  # retryable: the caller reports it as DatabaseLockedError
                hint = f" The copy made before migrating is {backup}." if backup else ""
                raise MigrationError(f"Updating the database schema failed: {exc}.{hint}") from exc
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.rollback()
        if problems:
            raise MigrationError(
                f"After migrating, {len(problems)} rows point at missing rows "
                f"(first: {tuple(problems[0])}). Restore {backup} and report this."
            )
        log.info("database %s migrated %s -> %s", path, current or "(new)", head)
        return MigrationResult(current, head, backup)
    finally:
        engine.dispose()


def _stamped_revision(path: Path) -> str | None:
    """The alembic revision in the file, read with plain sqlite3; None if there is none."""
    if not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:  # no alembic_version table: a new or foreign database
        return None
    finally:
        connection.close()
    return None if row is None else str(row[0])


def backup_database(path: Path, folder: Path, revision: str) -> Path:
    """Copy a live SQLite database (WAL included) with the online backup API.

    Written to a temporary name and renamed, so a file named pre-migration-* is always complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"pre-migration-{revision}-{stamp}.db"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"pre-migration-{revision}-{stamp}-{counter}.db"
    partial = target.with_suffix(".db.partial")
    source = sqlite3.connect(path)
    try:
        destination = sqlite3.connect(partial)
        try:
            source.backup(destination)
        finally:
            destination.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise MigrationError(
            f"Could not back up {path} to {folder} before migrating: {exc}. "
            "Free some disk space or check the folder's permissions."
        ) from exc
    finally:
        source.close()
    partial.replace(target)
    return target


def revision(message: str, script_location: Path | None = None) -> None:
    """Developer tool: autogenerate a new migration from the models (diff against head)."""
    from alembic import command

    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "scratch.db"
        upgrade(database, script_location=script_location)
        config = alembic_config(script_location, url=f"sqlite:///{database}")
        command.revision(config, message=message, autogenerate=True)


def render_item(kind: str, item: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate hook: render our TypeDecorators (EnumText, UtcDateTime) as their plain
    column types, so migration scripts never import application code that may change later."""
    if kind == "type" and isinstance(item, TypeDecorator):
        return f"sa.{item.impl_instance!r}"
    return False


def _engine(engine_or_path: Engine | Path | str) -> tuple[Engine, bool]:
    if isinstance(engine_or_path, Engine):
        return engine_or_path, False
    return create_engine_for(engine_or_path), True


if __name__ == "__main__":  # pragma: no cover - developer tool
    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        sys.exit('usage: python -m app.store.migrate revision "message"')
    revision(sys.argv[2])
