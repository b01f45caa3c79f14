"""Migrations: match the models, seed defaults, back up before changing, refuse strangers."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from app.resources import resource_path
from app.store.engine import create_engine_for
from app.store.errors import MigrationError
from app.store.migrate import (
    SCHEMA_HEAD,
    current_revision,
    head_revision,
    migrations_folder,
    render_item,
    revision,
    upgrade,
)
from app.store.models import Base, DayStatus, EnumText, UtcDateTime

SECOND_MIGRATION = f'''"""A trivial extra migration, only for tests."""

from alembic import op
import sqlalchemy as sa

revision = "0099"
down_revision = "{SCHEMA_HEAD}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tournaments") as batch:
        batch.add_column(sa.Column("notes", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tournaments") as batch:
        batch.drop_column("notes")
'''


def schema_differences(engine: sa.Engine, metadata: sa.MetaData) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))


@pytest.fixture
def migrated(tmp_path: Path) -> Path:
    path = tmp_path / "strikedesk.db"
    upgrade(path)
    return path


@pytest.fixture
def migrations_with_extra(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(migrations_folder(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "versions" / "0099_notes.py").write_text(SECOND_MIGRATION)
    return folder


def test_migrations_folder_is_found_through_resource_path() -> None:
    assert migrations_folder() == resource_path("migrations")
    assert (migrations_folder() / "env.py").is_file()


def test_schema_head_constant_matches_alembic() -> None:
    assert head_revision() == SCHEMA_HEAD


def test_models_and_migrations_agree(migrated: Path) -> None:
    engine = create_engine_for(migrated)
    try:
        assert schema_differences(engine, Base.metadata) == []
    finally:
        engine.dispose()


def test_the_comparison_can_see_a_difference(migrated: Path) -> None:
    # The agreement test must be able to fail: a model the migrations lack is reported.
    metadata = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    sa.Table("extra", metadata, sa.Column("id", sa.Integer, primary_key=True))
    metadata.tables["courts"].append_column(sa.Column("colour", sa.String(10)))
    engine = create_engine_for(migrated)
    try:
        differences = schema_differences(engine, metadata)
        kinds = {diff[0] for diff in differences if isinstance(diff, tuple)}
    finally:
        engine.dispose()
    assert {"add_table", "add_column"} <= kinds


def test_first_migration_seeds_the_checkpoint_and_default_court(migrated: Path) -> None:
    connection = sqlite3.connect(migrated)
    try:
        assert connection.execute("SELECT id, last_seq FROM ingest_checkpoint").fetchall() == [
            (1, 0)
        ]
        courts = connection.execute(
            "SELECT name, port, bind_address, allowed_sources, enabled FROM courts"
        ).fetchall()
        assert courts == [("Court 1", 6000, "0.0.0.0", "[]", 1)]
        assert connection.execute("PRAGMA auto_vacuum").fetchone() == (2,)
    finally:
        connection.close()


def test_events_id_is_the_rowid(migrated: Path) -> None:
    # Only "INTEGER PRIMARY KEY" aliases the rowid; BIGINT would add a second index per row.
    connection = sqlite3.connect(migrated)
    try:
        connection.execute(
            "INSERT INTO events (id, seq, sub_index, received_at, monotonic_ns, source, code,"
            ' raw, text, parse_status, encoding_error, "foreign")'
            " VALUES (42, 1, 0, 0.0, 0, 'x', 'clk', x'00', 'clk', 'ok', 0, 0)"
        )
        assert connection.execute("SELECT rowid, id FROM events").fetchall() == [(42, 42)]
    finally:
        connection.close()


def test_a_new_database_is_not_backed_up(tmp_path: Path) -> None:
    result = upgrade(tmp_path / "new.db")
    assert (result.from_revision, result.to_revision, result.backup) == (None, SCHEMA_HEAD, None)
    assert current_revision(tmp_path / "new.db") == SCHEMA_HEAD
    assert not (tmp_path / "backups").exists()


def test_an_up_to_date_database_is_left_alone(migrated: Path) -> None:
    before = migrated.stat().st_mtime_ns
    result = upgrade(migrated)
    assert not result.changed
    assert result.backup is None
    assert migrated.stat().st_mtime_ns == before


def test_an_older_database_is_backed_up_then_migrated(
    migrated: Path, migrations_with_extra: Path, tmp_path: Path
) -> None:
    connection = sqlite3.connect(migrated)
    connection.execute(
        "INSERT INTO tournaments (name, status, created_at)"
        " VALUES ('Kept', 'planned', '2025-01-01')"
    )
    connection.commit()
    connection.close()
    backups = tmp_path / "backups"

    assert head_revision(migrations_with_extra) == "0099"
    result = upgrade(migrated, backups=backups, script_location=migrations_with_extra)

    assert (result.from_revision, result.to_revision) == (SCHEMA_HEAD, "0099")
    assert result.backup is not None
    assert result.backup.parent == backups
    assert result.backup.name.startswith(f"pre-migration-{SCHEMA_HEAD}-")
    assert result.backup.suffix == ".db"
    assert list(backups.iterdir()) == [result.backup]  # no partial file left behind
    copy = sqlite3.connect(result.backup)
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
        assert copy.execute("SELECT name FROM tournaments").fetchall() == [("Kept",)]
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        copy.close()
    live = sqlite3.connect(migrated)
    try:
        assert live.execute("SELECT version_num FROM alembic_version").fetchone() == ("0099",)
        assert live.execute("SELECT name, notes FROM tournaments").fetchall() == [("Kept", None)]
    finally:
        live.close()

    # Migrating again changes nothing and makes no second backup.
    again = upgrade(migrated, backups=backups, script_location=migrations_with_extra)
    assert again.backup is None
    assert len(list(backups.iterdir())) == 1


def test_a_database_from_a_newer_strikedesk_is_refused(migrated: Path) -> None:
    connection = sqlite3.connect(migrated)
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    with pytest.raises(MigrationError, match="newer StrikeDesk"):
        upgrade(migrated)


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE something (x)")
    connection.commit()
    connection.close()
    with pytest.raises(MigrationError, match="not created by StrikeDesk"):
        upgrade(path)


def test_missing_migrations_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(MigrationError, match="migrations are missing"):
        upgrade(tmp_path / "x.db", script_location=tmp_path / "nowhere")


def test_autogenerate_renders_our_types_as_plain_columns() -> None:
    assert render_item("type", UtcDateTime(), None) == "sa.DateTime()"
    assert render_item("type", EnumText(DayStatus), None) == "sa.String(length=16)"
    assert render_item("type", sa.Integer(), None) is False


def test_the_revision_tool_finds_no_drift(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(migrations_folder(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    before = set((folder / "versions").glob("*.py"))
    revision("no changes", script_location=folder)
    (created,) = set((folder / "versions").glob("*.py")) - before
    body = created.read_text()
    assert f"down_revision: str | Sequence[str] | None = '{SCHEMA_HEAD}'" in body
    assert "op." not in body  # the models need nothing the migrations lack


def test_a_first_release_database_gains_the_analytics_and_metrics_tables(tmp_path: Path) -> None:
    # Built at revision 0001 by the real migration, then upgraded through the real chain.
    path = tmp_path / "v1.db"
    folder = tmp_path / "migrations"
    shutil.copytree(migrations_folder(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    for later in (folder / "versions").glob("*.py"):
        if not later.name.startswith("0001"):
            later.unlink()
    upgrade(path, script_location=folder)
    assert current_revision(path) == "0001"

    result = upgrade(path, backups=tmp_path / "backups")

    assert (result.from_revision, result.to_revision) == ("0001", SCHEMA_HEAD)
    assert result.backup is not None
    connection = sqlite3.connect(path)
    try:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
        assert {"analytics_snapshots", "metrics_history"} <= tables
        assert connection.execute("SELECT count(*) FROM courts").fetchone() == (1,)
    finally:
        connection.close()
