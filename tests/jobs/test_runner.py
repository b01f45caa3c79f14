"""JobRunner: priority order, progress, cooperative cancel, retry of a locked database."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from app.jobs.runner import (
    Job,
    JobCancelled,
    JobContext,
    JobRunner,
    Priority,
    default_workers,
    is_transient,
)
from app.store.errors import DatabaseLockedError


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


def test_workers_follow_the_core_count(monkeypatch: pytest.MonkeyPatch) -> None:
    for cores, workers in [(None, 2), (1, 2), (2, 2), (6, 6), (10, 10), (64, 10)]:
        monkeypatch.setattr("os.cpu_count", lambda c=cores: c)
        assert default_workers() == workers


def test_locked_errors_are_transient_however_they_are_wrapped() -> None:
    raw = sqlite3.OperationalError("database is locked")
    wrapped = OperationalError("INSERT ...", {}, raw)
    assert is_transient(raw)
    assert is_transient(wrapped)
    assert is_transient(DatabaseLockedError("busy"))
    assert not is_transient(sqlite3.OperationalError("no such table: events"))
    assert not is_transient(ValueError("database is locked"))  # only the database's own errors


def test_cancel_ends_a_retry_wait_at_once(tmp_path: Path) -> None:
    runner = JobRunner(workers=1, retry_initial=30.0)  # a wait no test could sit through
    attempts = threading.Event()

    def locked(ctx: JobContext) -> None:
        attempts.set()
        raise DatabaseLockedError("busy")

    try:
        job = runner.submit(locked, "archive", retries=5)
        assert attempts.wait(5)
        threading.Event().wait(0.05)  # now in the retry wait
        job.cancel()
        with pytest.raises(JobCancelled):
            job.result(5)
        assert job.attempts == 1
    finally:
        runner.shutdown()


def test_done_listeners_hear_results_errors_and_cancels(runner: JobRunner) -> None:
    ended: list[tuple[str, object]] = []
    done = threading.Semaphore(0)

    def listen(job: Job[object]) -> None:
        outcome = job.error if job.error is not None else job.result()
        ended.append((job.name, outcome))
        done.release()

    gate = threading.Event()
    blocker = runner.submit(lambda ctx: gate.wait(5), "blocker")
    good = runner.submit(lambda ctx: 7, "good")
    bad = runner.submit(lambda ctx: 1 / 0, "bad")
    waiting = runner.submit(lambda ctx: 0, "waiting")
    for job in (good, bad, waiting):
        job.add_done_listener(listen)
    waiting.cancel()  # never started: cancelled at once
    gate.set()
    blocker.result(5)
    for _ in range(3):
        assert done.acquire(timeout=5)
    outcomes = dict(ended)
    assert outcomes["good"] == 7
    assert isinstance(outcomes["bad"], ZeroDivisionError)
    assert isinstance(outcomes["waiting"], JobCancelled)


def test_cancelled_work_can_hand_back_what_it_finished(runner: JobRunner) -> None:
    def work(ctx: JobContext) -> None:
        raise JobCancelled("archive", message="archive stopped after 3 chunks", partial=3)

    job = runner.submit(work, "archive")
    with pytest.raises(JobCancelled, match="after 3 chunks") as caught:
        job.result(5)
    assert caught.value.partial == 3


def test_an_unattached_context_reports_to_its_listeners() -> None:
    context = JobContext.unattached("script")
    seen: list[int] = []
    context.job.add_progress_listener(lambda _job, progress: seen.append(progress.done))
    context.report(5, 10)
    context.check()  # not cancelled
    context.job.cancel()
    assert seen == [5]
    with pytest.raises(JobCancelled):
        context.check()
