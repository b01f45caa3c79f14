"""Automatic backups: every N minutes and when a tournament day ends, keeping the last K.

A small thread decides *when*; each backup runs as a BACKGROUND job on the JobRunner, so an
operator's archive or export goes first, and the window hears about it like about any job
(`on_submitted`). Day ends are noticed in the database (the newest `ended_at` of the tournament
days), so a day ended from the command line or another window counts too.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.jobs.runner import Job, JobRunner, Priority
from app.store.backup import DEFAULT_KEEP, BackupResult, BackupService

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AutoBackupSettings:
    every_minutes: float = 30.0
    keep: int = DEFAULT_KEEP
    at_day_end: bool = True
    poll_seconds: float = 15.0

    def __post_init__(self) -> None:
        if self.every_minutes <= 0 or self.poll_seconds <= 0:
            raise ValueError("backup intervals must be positive")
        if self.keep < 1:
            raise ValueError("keep at least one automatic backup")


class AutoBackup:
    """Start it with the recorder, stop it before closing the database."""

    def __init__(
        self,
        runner: JobRunner,
        service: BackupService,
        settings: AutoBackupSettings | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_submitted: Callable[[Job[BackupResult]], None] | None = None,
    ) -> None:
        self.runner = runner
        self.service = service
        self.settings = settings or AutoBackupSettings()
        self._clock = clock
        self._on_submitted = on_submitted
        self._due = clock() + self.settings.every_minutes * 60
        self._seen_day_end: datetime | None = None
        self._watching = False
        self.last: Job[BackupResult] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._remember_day_end()  # days that ended before we started do not count
        self._thread = threading.Thread(
            target=self._loop, name="strikedesk-autobackup", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def tick(self) -> Job[BackupResult] | None:
        """Decide once: start a backup if one is due (the thread calls this every poll)."""
        if self.last is not None and not self.last.done:
            return None  # the previous one is still running (or waiting its turn)
        if not self._watching:
            self._remember_day_end()
        reason = None
        if self.settings.at_day_end:
            ended = self.service.latest_day_end()
            if ended is not None and (self._seen_day_end is None or ended > self._seen_day_end):
                self._seen_day_end = ended
                reason = "day-end"
        if reason is None and self._clock() >= self._due:
            reason = "scheduled"
        if reason is None:
            return None
        self._due = self._clock() + self.settings.every_minutes * 60
        keep = self.settings.keep
        job = self.runner.submit(
            lambda ctx: self.service.create_automatic(reason, ctx, keep=keep),
            f"automatic backup ({reason})",
            Priority.BACKGROUND,
        )
        job.add_done_listener(_log_outcome)
        self.last = job
        if self._on_submitted is not None:
            self._on_submitted(job)
        return job

    def _remember_day_end(self) -> None:
        self._seen_day_end = self.service.latest_day_end()
        self._watching = True

    def _loop(self) -> None:
        while not self._stop.wait(self.settings.poll_seconds):
            try:
                self.tick()
            except Exception:  # a busy database now and then must not end automatic backups
                log.exception("automatic backup check failed")


def _log_outcome(job: Job[BackupResult]) -> None:
    if job.error is not None:
        log.error("%s failed: %s", job.name, job.error)
    else:
        log.info("%s: %s", job.name, job.result().summary())
