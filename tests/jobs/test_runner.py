"""JobRunner: priority order, progress, cooperative cancel, retry of a locked database."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.jobs.runner import JobCancelled, JobContext, JobRunner, Priority


@pytest.fixture
def runner() -> Iterator[JobRunner]:
    jobs = JobRunner(workers=1, retry_initial=0.01)
    yield jobs
    jobs.shutdown()


def test_waiting_jobs_run_by_priority_then_order(runner: JobRunner) -> None:
    gate = threading.Event()
    order: list[str] = []
    runner.submit(lambda ctx: gate.wait(5), "blocker")
    jobs = [
        runner.submit(lambda ctx, n=name: order.append(n), name, priority)
        for name, priority in [
            ("backup", Priority.BACKGROUND),
            ("export", Priority.NORMAL),
            ("query", Priority.INTERACTIVE),
            ("archive", Priority.NORMAL),
        ]
    ]
    gate.set()
    for job in jobs:
        job.result(5)
    assert order == ["query", "export", "archive", "backup"]


def test_progress_is_reported_to_listeners(runner: JobRunner) -> None:
    seen: list[tuple[int, int | None]] = []

    def work(ctx: JobContext) -> int:
        for done in range(1, 4):
            ctx.report(done, 3, "chunk")
        return 42

    gate = threading.Event()
    runner.submit(lambda ctx: gate.wait(5), "blocker")  # keeps the only worker busy
    job = runner.submit(work, "count")
    job.add_progress_listener(lambda _job, progress: seen.append((progress.done, progress.total)))
    gate.set()
    assert job.result(5) == 42
    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert job.progress.fraction == 1.0


def test_cancel_stops_running_work_at_a_check(runner: JobRunner) -> None:
    started = threading.Event()
    steps: list[int] = []

    def work(ctx: JobContext) -> None:
        started.set()
        for step in range(1000):
            ctx.check()
            steps.append(step)
            threading.Event().wait(0.005)

    job = runner.submit(work, "archive")
    started.wait(5)
    job.cancel()
    with pytest.raises(JobCancelled, match="archive was cancelled"):
        job.result(5)
    assert 0 < len(steps) < 1000


def test_a_locked_database_is_retried(runner: JobRunner, tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")

    def write(ctx: JobContext) -> int:
        conn = sqlite3.connect(path, timeout=0.01, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")  # locked while the holder keeps its transaction
            conn.execute("INSERT INTO t VALUES (1)")
            conn.execute("COMMIT")
        finally:
            conn.close()
        return 1

    job = runner.submit(write, "write", retries=50)
    threading.Timer(0.2, lambda: holder.execute("COMMIT")).start()
    assert job.result(10) == 1
    assert job.attempts > 1
    holder.close()


def test_other_errors_are_not_retried(runner: JobRunner) -> None:
    job = runner.submit(lambda ctx: 1 / 0, "broken")
    with pytest.raises(ZeroDivisionError):
        job.result(5)
    assert job.attempts == 1
