"""BackgroundCalls: the window's one way to run blocking work and await its result.

Anki's pattern: the GUI thread hands a callable to a worker pool (our JobRunner) and resumes
when it is done, here as a qasync coroutine, so slots stay plain `async def` code that never
blocks. Errors come back as exceptions at the `await`; `spawn` logs and reports those of
fire-and-forget tasks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from app.jobs.runner import JobRunner, Priority

log = logging.getLogger(__name__)

T = TypeVar("T")

ErrorHandler = Callable[[BaseException], None]


class BackgroundCalls:
    def __init__(self, runner: JobRunner, on_error: ErrorHandler) -> None:
        self.runner = runner
        self.on_error = on_error
        self._tasks: set[asyncio.Future[Any]] = set()

    async def __call__(
        self, fn: Callable[[], T], name: str = "query", priority: Priority = Priority.INTERACTIVE
    ) -> T:
        job = self.runner.submit(lambda _ctx: fn(), name, priority)
        return await asyncio.wrap_future(job.future)

    def spawn(self, coroutine: Coroutine[Any, Any, object]) -> asyncio.Future[Any]:
        """Run a coroutine from a slot; its failure goes to `on_error` (status bar / dialog)."""
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)  # keep a reference: asyncio holds tasks weakly
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Future[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.debug("background task failed", exc_info=error)
            self.on_error(error)

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
