"""JobRunner: runs long or blocking work off the caller's thread, by priority, with progress,
cancel and retry of transient database errors.

One way to "run this elsewhere, then call back" (Anki's background operations): the window
awaits `job.future` through qasync or listens to the job; the CLI calls `job.result()`.
Work receives a `JobContext` to report progress and to notice a cancel request; cancelling is
cooperative, so work stops at a point where its data is consistent.
"""

from __future__ import annotations

import enum
import heapq
import itertools
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.errors import StrikeDeskError
from app.store.engine import is_locked_error
from app.store.errors import DatabaseLockedError

log = logging.getLogger(__name__)

T = TypeVar("T")


class Priority(enum.IntEnum):
    INTERACTIVE = 0  # the operator is waiting for it (a panel's query)
    NORMAL = 1  # an operation the operator started (archive, export)
    BACKGROUND = 2  # scheduled work (automatic backup, snapshots)


class JobCancelled(StrikeDeskError):
    """Raised inside work when its job was cancelled; the job ends as cancelled.

    Work that stops part-way may say what it finished (`partial`, e.g. a result summary of the
    chunks done) and how things stand (`message`), so the window can tell the operator.
    """

    def __init__(
        self, name: str = "job", *, message: str | None = None, partial: object = None
    ) -> None:
        super().__init__(message or f"{name} was cancelled")
        self.partial = partial


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int | None  # None: unknown
    message: str

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressListener = Callable[["Job[object]", Progress], None]


def default_workers() -> int:
    return min(max(os.cpu_count() or 2, 2), 10)


def is_transient(error: BaseException) -> bool:
    """Errors worth retrying: the database is locked or busy for a moment (raw sqlite3,
    wrapped by SQLAlchemy, or already translated into DatabaseLockedError)."""
    return isinstance(error, DatabaseLockedError) or is_locked_error(error)


class JobContext:
    """Handed to the work function: progress reporting and cancellation."""

    def __init__(self, job: Job[object]) -> None:
        self._job = job

    @classmethod
    def unattached(cls, name: str = "job") -> JobContext:
        """A context for work called directly (scripts, tests): nobody cancels it and its
        progress goes nowhere unless a listener is added to `context.job`."""
        return cls(Job(0, name, Priority.NORMAL, lambda _ctx: None, retries=0))

    @property
    def job(self) -> Job[object]:
        return self._job

    @property
    def cancelled(self) -> bool:
        return self._job.cancel_requested

    def check(self) -> None:
        """Raise JobCancelled if a cancel was requested (call between consistent steps)."""
        if self._job.cancel_requested:
            raise JobCancelled(self._job.name)

    def report(self, done: int, total: int | None = None, message: str = "") -> None:
        self._job._set_progress(Progress(done, total, message))


class Job(Generic[T]):
    """A submitted piece of work. `future` completes with the result, the error, or cancel."""

    def __init__(
        self,
        job_id: int,
        name: str,
        priority: Priority,
        work: Callable[[JobContext], T],
        retries: int,
    ) -> None:
        self.id = job_id
        self.name = name
        self.priority = priority
        self.work = work
        self.retries = retries
        self.attempts = 0
        self.future: Future[T] = Future()
        self.progress = Progress(0, None, "waiting")
        self._cancel = threading.Event()
        self._listeners: list[ProgressListener] = []
        self._lock = threading.Lock()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the job to stop; a job not started yet is cancelled at once."""
        self._cancel.set()
        self.future.cancel()  # succeeds only while pending

    def wait_cancelled(self, timeout: float) -> bool:
        """Sleep up to `timeout` seconds, waking early if the job is cancelled."""
        return self._cancel.wait(timeout)

    def add_done_listener(self, listener: Callable[[Job[T]], None]) -> None:
        """Called once with the job when it ends (result, error or cancel), on the thread that
        ends it (or at once if it already has): the window turns this into a signal."""
        self.future.add_done_callback(lambda _future: listener(self))

    @property
    def error(self) -> BaseException | None:
        """The error the job ended with (JobCancelled if cancelled), None while running or
        after success."""
        if not self.future.done():
            return None
        if self.future.cancelled():
            return JobCancelled(self.name)
        return self.future.exception()

    def add_progress_listener(self, listener: ProgressListener) -> None:
        with self._lock:
            self._listeners.append(listener)

    def _set_progress(self, progress: Progress) -> None:
        self.progress = progress
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(self, progress)  # type: ignore[arg-type]
            except Exception:
                log.exception("progress listener of %s failed", self.name)

    def result(self, timeout: float | None = None) -> T:
        return self.future.result(timeout)

    @property
    def done(self) -> bool:
        return self.future.done()


class JobRunner:
    """A fixed pool of worker threads taking jobs by priority, then by submission order."""

    def __init__(
        self,
        workers: int | None = None,
        retry_initial: float = 0.2,
        retry_max: float = 5.0,
    ) -> None:
        self.workers = workers or default_workers()
        self.retry_initial = retry_initial
        self.retry_max = retry_max
        self._heap: list[tuple[int, int, Job[object]]] = []
        self._counter = itertools.count(1)
        self._cv = threading.Condition()
        self._closing = False
        self._active: dict[int, Job[object]] = {}
        self._threads = [
            threading.Thread(target=self._work, name=f"strikedesk-job-{n}", daemon=True)
            for n in range(self.workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(
        self,
        work: Callable[[JobContext], T],
        name: str = "job",
        priority: Priority = Priority.NORMAL,
        retries: int = 3,
    ) -> Job[T]:
        job_id = next(self._counter)
        job: Job[T] = Job(job_id, name, priority, work, retries)
        with self._cv:
            if self._closing:
                raise RuntimeError("the job runner is shut down")
            entry: tuple[int, int, Job[object]] = (int(priority), job_id, job)  # type: ignore[assignment]
            heapq.heappush(self._heap, entry)
            self._cv.notify()
        return job

    def call(self, fn: Callable[[], T], name: str = "query") -> Job[T]:
        """Shorthand for an interactive job that needs no progress or cancel."""
        return self.submit(lambda _ctx: fn(), name, Priority.INTERACTIVE)

    def active_jobs(self) -> list[Job[object]]:
        with self._cv:
            return list(self._active.values()) + [entry[2] for entry in self._heap]

    def shutdown(self, wait: bool = True, cancel_pending: bool = True) -> None:
        with self._cv:
            self._closing = True
            if cancel_pending:
                for _, _, job in self._heap:
                    job.cancel()
                self._heap.clear()
            for job in self._active.values():
                if cancel_pending:
                    job.cancel()
            self._cv.notify_all()
        if wait:
            for thread in self._threads:
                thread.join(timeout=30)

    # --- worker threads --------------------------------------------------------------------
    def _next(self) -> Job[object] | None:
        with self._cv:
            while not self._heap:
                if self._closing:
                    return None
                self._cv.wait()
            _, _, job = heapq.heappop(self._heap)
            self._active[job.id] = job
            return job

    def _work(self) -> None:
        while True:
            job = self._next()
            if job is None:
                return
            try:
                self._run(job)
            finally:
                with self._cv:
                    self._active.pop(job.id, None)

    def _run(self, job: Job[object]) -> None:
        if not job.future.set_running_or_notify_cancel():
            return  # cancelled while waiting
        context = JobContext(job)
        delay = self.retry_initial
        while True:
            job.attempts += 1
            try:
                result = job.work(context)
            except JobCancelled as exc:
                job.future.set_exception(exc)
                return
            except Exception as exc:
                if is_transient(exc) and job.attempts <= job.retries and not job.cancel_requested:
                    log.info("%s: %s; retry %d in %.1f s", job.name, exc, job.attempts, delay)
                    context.report(job.progress.done, job.progress.total, f"retrying: {exc}")
                    if job.wait_cancelled(delay):  # a cancel ends the wait, not the next try
                        job.future.set_exception(JobCancelled(job.name))
                        return
                    delay = min(delay * 2, self.retry_max)
                    continue
                log.debug("%s failed", job.name, exc_info=True)
                job.future.set_exception(exc)
                return
            except BaseException as exc:  # never let a worker die silently
                job.future.set_exception(exc)
                raise
            job.future.set_result(result)
            return
