"""AutoBackup: backups every N minutes and at day end, as background jobs, keeping the last K."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.jobs.autobackup import AutoBackup, AutoBackupSettings
from app.jobs.runner import JobRunner
from app.store.backup import BackupService, verify_backup
from app.store.database import Database
from app.store.repositories import Days, Tournaments


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "data")
    yield database
    database.close()


@pytest.fixture
def runner() -> Iterator[JobRunner]:
    jobs = JobRunner(workers=1)
    yield jobs
    jobs.shutdown()


def test_backups_come_every_interval_and_only_the_newest_are_kept(
    db: Database, runner: JobRunner
) -> None:
    clock = Clock()
    service = BackupService(db)
    auto = AutoBackup(runner, service, AutoBackupSettings(every_minutes=10, keep=2), clock=clock)
    assert auto.tick() is None  # not due yet
    for _ in range(3):
        clock.now += 10 * 60
        job = auto.tick()
        assert job is not None and "scheduled" in job.name
        job.result(30)
        assert auto.tick() is None  # the next one is ten minutes away
    kept = service.automatic_backups()
    assert len(kept) == 2 and all("-scheduled" in path.name for path in kept)
    verify_backup(kept[-1])


def test_the_end_of_a_day_triggers_a_backup(db: Database, runner: JobRunner) -> None:
    with db.transaction() as session:
        tournament = Tournaments(session).create("Open")
        Days(session).start(tournament.id)
        Days(session).end(tournament.id)  # ended before automatic backups started
        Days(session).start(tournament.id)
    service = BackupService(db)
    auto = AutoBackup(runner, service, AutoBackupSettings(every_minutes=60), clock=Clock())
    auto.start()
    try:
        assert auto.tick() is None
        with db.transaction() as session:
            Days(session).end(tournament.id)
        job = auto.tick()
        assert job is not None and "day-end" in job.name
        job.result(30)
        assert auto.tick() is None  # that day end is done
        [made] = service.automatic_backups()
        assert made.name.endswith("-day-end.sdbackup")
    finally:
        auto.stop()


def test_the_thread_polls_and_stops(db: Database, runner: JobRunner) -> None:
    submitted = threading.Event()
    auto = AutoBackup(
        runner,
        BackupService(db),
        AutoBackupSettings(every_minutes=0.001, poll_seconds=0.05),
        on_submitted=lambda job: submitted.set(),
    )
    auto.start()
    try:
        assert submitted.wait(10)
        assert auto.last is not None
        auto.last.result(30)
    finally:
        auto.stop()
