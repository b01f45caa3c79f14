"""BackupService on data recorded over real UDP: full and tournament backups, verification,
refusal of damaged, foreign and newer files, restore into a new folder, merge, backups taken
while the recorder ingests."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.jobs.runner import JobCancelled, JobContext
from app.store.archive import ArchiveScope, ArchiveService
from app.store.backup import (
    BackupKind,
    BackupService,
    read_manifest,
    restore_backup,
    verify_backup,
)
from app.store.database import Database
from app.store.errors import BackupError, NotFoundError
from app.store.migrate import SCHEMA_HEAD
from tests.ingest.conftest import close_rig, open_rig
from tests.store.recording import Recorded, table_rows

DATA_TABLES = ("tournaments", "tournament_days", "courts", "athletes", "matches", "events")


@pytest.fixture
def db(folder: Recorded) -> Iterator[Database]:
    database = Database.open(folder.root)
    yield database
    database.close()


@pytest.fixture
def full_backup(folder: Recorded, db: Database, tmp_path: Path) -> Path:
    """A full backup of a folder whose day 2 of tournament 1 is archived (both files in use)."""
    ArchiveService(db).archive(ArchiveScope.for_tournament(folder.open_id, 2))
    return BackupService(db).create(tmp_path / "full.sdbackup").path


def snapshot(root: Path) -> dict[str, list[tuple[object, ...]]]:
    rows = {t: table_rows(root / "strikedesk.db", t) for t in DATA_TABLES}
    rows.update({f"archive.{t}": table_rows(root / "archive.db", t) for t in ("events", "matches")})
    return rows


def test_a_full_backup_verifies_and_restores_row_for_row(
    folder: Recorded, db: Database, full_backup: Path, tmp_path: Path
) -> None:
    report = verify_backup(full_backup)
    manifest = report.manifest
    assert manifest.kind is BackupKind.FULL and manifest.schema_revision == SCHEMA_HEAD
    assert set(manifest.databases) == {"strikedesk.db", "archive.db"}
    live_events = len(table_rows(folder.root / "strikedesk.db", "events"))
    archived_events = len(table_rows(folder.root / "archive.db", "events"))
    assert manifest.databases["strikedesk.db"]["events"].rows == live_events
    assert manifest.rows("events") == live_events + archived_events
    restored = restore_backup(full_backup, tmp_path / "restored")
    assert not restored.migrated
    assert snapshot(tmp_path / "restored") == snapshot(folder.root)
    with Database.open(tmp_path / "restored") as again, again.session() as session:
        from app.store.repositories import Audit

        assert Audit(session).recent(1)[0].action == "backup.restore"


def test_a_backup_taken_while_recording_1000_events_per_second(
    tmp_path: Path, folder: Recorded
) -> None:
    """Real UDP into a real Recorder at ~1,000 datagrams/s while the backup runs: the backup
    verifies, and the live database holds every datagram sent."""
    rig = open_rig(folder.root)
    stop = threading.Event()
    sent = 0
    try:

        def send() -> None:
            nonlocal sent
            started = time.perf_counter()
            while not stop.is_set():
                due = int((time.perf_counter() - started) * 1000)
                while sent < due:
                    sent += 1
                    rig.send(f"n;{sent}".encode())
                time.sleep(0.002)

        sender = threading.Thread(target=send)
        sender.start()
        try:
            time.sleep(0.5)
            during = BackupService(rig.db).create(tmp_path / "during.sdbackup")
            time.sleep(0.5)
        finally:
            stop.set()
            sender.join()
        rig.settle(sent)
        assert rig.recorder.stats().error is None
        report = verify_backup(during.path)
        assert report.manifest.kind is BackupKind.FULL
        numbered = {
            row[17]
            for row in table_rows(folder.root / "strikedesk.db", "events", "text LIKE 'n;%'")
        }
        assert numbered == {f"n;{n}".encode() for n in range(1, sent + 1)}  # nothing lost
        assert sent >= 800
        # the backup is a snapshot taken mid-stream: some, not all, numbered datagrams
        with zipfile.ZipFile(during.path) as archive, archive.open("strikedesk.db") as data:
            (tmp_path / "copy.db").write_bytes(data.read())
        in_backup = table_rows(tmp_path / "copy.db", "events", "text LIKE 'n;%'")
        assert 0 < len(in_backup) < sent
        assert {row[17] for row in in_backup} <= numbered
    finally:
        close_rig(rig)


# --- files that must be refused ------------------------------------------------------------------


def _live_untouched(folder: Recorded, before: dict[str, list[tuple[object, ...]]]) -> None:
    assert snapshot(folder.root) == before


def _refused(path: Path, message: str, folder: Recorded, db: Database, tmp_path: Path) -> None:
    before = snapshot(folder.root)
    with pytest.raises(BackupError, match=message):
        verify_backup(path)
    with pytest.raises(BackupError, match=message):
        restore_backup(path, tmp_path / "never")
    with pytest.raises(BackupError, match=message):
        BackupService(db).merge(path, tournament_id=folder.open_id)
    assert not (tmp_path / "never" / "strikedesk.db").exists()
    _live_untouched(folder, before)


def test_a_truncated_backup_is_refused(
    folder: Recorded, db: Database, full_backup: Path, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.sdbackup"
    data = full_backup.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    _refused(cut, "incomplete or damaged", folder, db, tmp_path)


def test_random_bytes_are_refused(folder: Recorded, db: Database, tmp_path: Path) -> None:
    noise = tmp_path / "noise.sdbackup"
    noise.write_bytes(os.urandom(50_000))
    _refused(noise, "is not a StrikeDesk backup file", folder, db, tmp_path)


def test_an_sqlite_file_of_another_schema_is_refused(
    folder: Recorded, db: Database, tmp_path: Path
) -> None:
    foreign = tmp_path / "foreign.sdbackup"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        connection.execute("INSERT INTO invoices VALUES (1, 9.5)")
    connection.close()
    _refused(foreign, "is an SQLite database, not a StrikeDesk backup", folder, db, tmp_path)


def _repack(
    source: Path,
    target: Path,
    *,
    manifest: dict[str, object] | None = None,
    databases: dict[str, bytes] | None = None,
) -> None:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            if name == "manifest.json" and manifest is not None:
                data = json.dumps(manifest).encode()
            elif databases is not None and name in databases:
                data = databases[name]
            copy.writestr(name, data)


def test_a_backup_holding_a_foreign_database_is_refused(
    folder: Recorded, db: Database, full_backup: Path, tmp_path: Path
) -> None:
    foreign_db = tmp_path / "other.db"
    with sqlite3.connect(foreign_db) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    connection.close()
    forged = tmp_path / "forged.sdbackup"
    _repack(full_backup, forged, databases={"strikedesk.db": foreign_db.read_bytes()})
    _refused(forged, "not made by StrikeDesk", folder, db, tmp_path)


def test_a_backup_of_a_newer_schema_is_refused(
    folder: Recorded, db: Database, full_backup: Path, tmp_path: Path
) -> None:
    manifest = json.loads(zipfile.ZipFile(full_backup).read("manifest.json"))
    manifest["schema_revision"] = "0099"
    newer = tmp_path / "newer.sdbackup"
    _repack(full_backup, newer, manifest=manifest)
    _refused(newer, "newer StrikeDesk .database schema 0099", folder, db, tmp_path)


def test_a_changed_row_is_caught_by_the_manifest(
    folder: Recorded, db: Database, full_backup: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(full_backup) as archive:
        (tmp_path / "inner.db").write_bytes(archive.read("strikedesk.db"))
    with sqlite3.connect(tmp_path / "inner.db") as connection:
        connection.execute(
            "UPDATE events SET text = 'pt1;9' WHERE id = (SELECT min(id) FROM events)"
        )
    connection.close()
    tampered = tmp_path / "tampered.sdbackup"
    _repack(
        full_backup, tampered, databases={"strikedesk.db": (tmp_path / "inner.db").read_bytes()}
    )
    _refused(tampered, "table events of strikedesk.db has", folder, db, tmp_path)


def test_restore_never_overwrites_a_data_folder(folder: Recorded, full_backup: Path) -> None:
    before = snapshot(folder.root)
    with pytest.raises(BackupError, match="already holds a StrikeDesk database"):
        restore_backup(full_backup, folder.root)
    _live_untouched(folder, before)


# --- tournament backups and merging ---------------------------------------------------------------


def test_a_tournament_backup_holds_that_tournament_and_what_it_refers_to(
    folder: Recorded, db: Database, tmp_path: Path
) -> None:
    ArchiveService(db).archive(ArchiveScope.for_tournament(folder.open_id, 2))
    service = BackupService(db)
    plan = service.plan(folder.open_id)
    result = service.create(tmp_path / "open.sdbackup", tournament_id=folder.open_id)
    manifest = verify_backup(result.path).manifest
    assert manifest.kind is BackupKind.TOURNAMENT and manifest.tournament_name == "Open 2026"
    assert manifest.rows("events") == plan.events + plan.archived_events
    assert manifest.rows("matches") == 3
    assert manifest.databases["strikedesk.db"]["tournaments"].rows == 1
    assert manifest.databases["strikedesk.db"]["courts"].rows == 1
    assert manifest.databases["strikedesk.db"]["athletes"].rows == 6  # its three matches'


def test_a_tournament_merges_into_another_data_folder_and_again_adds_nothing(
    folder: Recorded, db: Database, tmp_path: Path
) -> None:
    ArchiveService(db).archive(ArchiveScope.for_tournament(folder.open_id, 2))
    backup = BackupService(db).create(tmp_path / "open.sdbackup", tournament_id=folder.open_id)
    source_events = table_rows(
        folder.root / "strikedesk.db", "events", f"tournament_id = {folder.open_id}"
    ) + table_rows(folder.root / "archive.db", "events")
    with Database.open(tmp_path / "other") as other:
        service = BackupService(other)
        merged = service.merge(backup.path)
        again = service.merge(backup.path)
    assert merged.new_tournament and merged.courts == 1 and merged.days == 2
    assert (merged.matches, merged.events) == (3, len(source_events))
    assert merged.renumbered  # a fresh folder's journal has not passed these seqs
    assert (again.matches, again.events, again.already_here) == (0, 0, len(source_events))
    added = table_rows(tmp_path / "other" / "strikedesk.db", "events")

    def content(row: tuple[object, ...]) -> tuple[object, ...]:
        # all but id, seq, court, tournament, day and match: what the PSS sent, how it parsed
        return row[2:5] + row[6:8] + row[11:]

    assert sorted(map(content, added), key=repr) == sorted(map(content, source_events), key=repr)
    by_time = sorted(added, key=lambda row: (row[3], row[2]))
    assert [row[1] for row in by_time] == sorted(row[1] for row in added)  # order kept
    assert max(row[1] for row in added) < 0  # below every seq this folder will use
    [court] = table_rows(tmp_path / "other" / "strikedesk.db", "courts", "name = 'Test court'")
    assert court[5] == 0  # added disabled


def test_a_tournament_merges_back_into_its_own_folder_with_its_seqs(
    folder: Recorded, db: Database, tmp_path: Path
) -> None:
    backup = BackupService(db).create(tmp_path / "open.sdbackup", tournament_id=folder.open_id)
    original = table_rows(
        folder.root / "strikedesk.db", "events", f"tournament_id = {folder.open_id}"
    )
    with sqlite3.connect(folder.root / "strikedesk.db") as connection:  # lost here
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute(f"DELETE FROM events WHERE tournament_id = {folder.open_id}")
        connection.execute(f"DELETE FROM matches WHERE tournament_id = {folder.open_id}")
    connection.close()
    merged = BackupService(db).merge(backup.path)
    assert not merged.new_tournament and not merged.renumbered
    back = table_rows(folder.root / "strikedesk.db", "events", f"tournament_id = {folder.open_id}")
    same = sorted(row[1:10] + row[11:] for row in back)  # new ids and match ids, same seqs
    assert same == sorted(row[1:10] + row[11:] for row in original)


def test_merging_a_full_backup_needs_the_tournament(
    folder: Recorded, db: Database, full_backup: Path
) -> None:
    with pytest.raises(BackupError, match="name the tournament"):
        BackupService(db).merge(full_backup)
    with pytest.raises(NotFoundError, match="no tournament 42"):
        BackupService(db).merge(full_backup, tournament_id=42)


def test_a_merge_into_a_folder_that_archived_the_tournament_is_refused(
    folder: Recorded, db: Database, tmp_path: Path
) -> None:
    backup = BackupService(db).create(tmp_path / "open.sdbackup", tournament_id=folder.open_id)
    ArchiveService(db).archive(ArchiveScope.for_tournament(folder.open_id, 2))
    with pytest.raises(BackupError, match="in the archive here"):
        BackupService(db).merge(backup.path)


# --- making backups ------------------------------------------------------------------------


def test_a_cancelled_backup_leaves_no_file(db: Database, tmp_path: Path) -> None:
    context = JobContext.unattached("backup")
    context.job.add_progress_listener(
        lambda job, progress: job.cancel() if progress.message.startswith("checksums") else None
    )
    (tmp_path / "out").mkdir()
    with pytest.raises(JobCancelled):
        BackupService(db).create(tmp_path / "out" / "never.sdbackup", context)
    assert list((tmp_path / "out").iterdir()) == []


def test_an_existing_file_is_never_overwritten(db: Database, tmp_path: Path) -> None:
    taken = tmp_path / "taken.sdbackup"
    taken.write_text("keep me")
    with pytest.raises(BackupError, match="already exists"):
        BackupService(db).create(taken)
    assert taken.read_text() == "keep me"


def test_automatic_backups_keep_the_newest(db: Database) -> None:
    service = BackupService(db)
    made = [service.create_automatic("scheduled", keep=2).path for _ in range(3)]
    assert service.automatic_backups() == made[1:]
    assert read_manifest(made[-1]).kind is BackupKind.FULL
