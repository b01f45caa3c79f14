"""Plumbing for the data-service commands (archive, backup, export): long work runs as a
JobRunner job, exactly as in the window, with its progress on stderr, and Ctrl-C cancels it
(the job stops between two consistent steps; a second Ctrl-C stops at once, and SQLite rolls
the unfinished step back).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from app.cli import EXIT_FAILURE, EXIT_USAGE, data_dir_from
from app.commands._store_support import UsageError, fail

if TYPE_CHECKING:
    from app.jobs.runner import Job, JobContext, Progress
    from app.store.database import Database

T = TypeVar("T")
EXIT_CANCELLED = 130
PROGRESS_EVERY_S = 0.5


def service_handler(
    command: str, action: Callable[[argparse.Namespace], int]
) -> Callable[[argparse.Namespace], int]:
    """Wrap `action(args)`: operator errors become one line on stderr and an exit status."""

    def handler(args: argparse.Namespace) -> int:
        from app.jobs.runner import JobCancelled
        from app.store.errors import StoreError, ValidationError

        try:
            return action(args)
        except JobCancelled as exc:
            fail(command, str(exc))
            return EXIT_CANCELLED
        except (UsageError, ValidationError) as exc:
            fail(command, str(exc))
            return EXIT_USAGE
        except StoreError as exc:
            fail(command, str(exc))
            return EXIT_FAILURE

    return handler


@contextmanager
def opened_database(args: argparse.Namespace) -> Iterator[Database]:
    from app.store.database import Database

    with Database.open(data_dir_from(args)) as db:
        yield db


class _ProgressLine:
    """Prints a job's progress on stderr at most twice a second (one rewritten line on a
    terminal, plain lines otherwise)."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.terminal = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False

    def __call__(self, _job: Job[object], progress: Progress) -> None:
        now = time.monotonic()
        finished = progress.total is not None and progress.done >= progress.total
        if now - self.last < PROGRESS_EVERY_S and not finished:
            return
        self.last = now
        fraction = progress.fraction
        percent = f" ({fraction:.0%})" if fraction is not None else ""
        text = f"{self.command}: {progress.message}{percent}"
        if self.terminal:
            print(f"\r{text[:120]:<120}", end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr, flush=True)
        self.shown = True

    def close(self) -> None:
        if self.shown and self.terminal:
            print(file=sys.stderr)


def run_job(command: str, work: Callable[[JobContext], T]) -> T:
    """Run `work` as a job on its own runner and wait; Ctrl-C cancels it (JobCancelled)."""
    from app.jobs.runner import JobRunner, Priority

    runner = JobRunner(workers=1)
    progress = _ProgressLine(command)
    try:
        job = runner.submit(work, command, Priority.NORMAL)
        job.add_progress_listener(progress)
        while True:
            try:
                return job.result(timeout=0.2)
            except FutureTimeout:
                continue
            except KeyboardInterrupt:
                progress.close()
                print(f"strikedesk {command}: cancelling…", file=sys.stderr, flush=True)
                job.cancel()
                return job.result()  # raises JobCancelled once the job has stopped
    finally:
        progress.close()
        runner.shutdown(wait=True)
