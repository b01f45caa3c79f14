"""Cache requests between processes: `strikedesk cache clear|invalidate` in a terminal asks the
running StrikeDesk window (or recorder) on the same data folder to drop analytics.

Caches live inside each process, so a command cannot reach them directly. It appends one JSON
line to `analytics-cache-requests.jsonl` in the data folder; every AnalyticsService on that
folder looks at the file's size at most once a second and applies the lines added since it
started. Requests are idempotent (dropping an entry twice costs one recomputation), so a file
that was deleted or truncated is simply read again from its start.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path

from app.store.errors import DataFolderError

log = logging.getLogger(__name__)

REQUESTS_FILE = "analytics-cache-requests.jsonl"

Tag = tuple[Hashable, ...]


@dataclass(frozen=True, slots=True)
class CacheRequest:
    """Drop everything (`tags` None) or the entries sharing one of `tags`."""

    tags: tuple[Tag, ...] | None


def requests_path(root: Path) -> Path:
    return root / REQUESTS_FILE


def append_request(root: Path, request: CacheRequest) -> None:
    line = {"clear": True} if request.tags is None else {"tags": [list(t) for t in request.tags]}
    path = requests_path(root)
    try:
        # One write of one short line in append mode: concurrent writers do not interleave.
        with path.open("a", encoding="utf-8") as file:
            file.write(json.dumps(line) + "\n")
            file.flush()
            os.fsync(file.fileno())
    except OSError as exc:
        raise DataFolderError(
            f"Cannot leave the cache request in {path}: {exc.strerror or exc}."
        ) from exc


def _request(text: str) -> CacheRequest | None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    if data.get("clear") is True:
        return CacheRequest(None)
    tags = data.get("tags")
    if not isinstance(tags, list):
        return None
    return CacheRequest(tuple(tuple(tag) for tag in tags if isinstance(tag, list)))


class RequestReader:
    """Reads the requests appended after it was created (not thread-safe: the service calls it
    under its own lock)."""

    def __init__(self, root: Path) -> None:
        self.path = requests_path(root)
        self._offset = self._size()

    def _size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0

    def poll(self) -> list[CacheRequest]:
        size = self._size()
        if size == self._offset:
            return []
        if size < self._offset:  # deleted or truncated: read it all again
            self._offset = 0
        try:
            with self.path.open("rb") as file:
                file.seek(self._offset)
                data = file.read(size - self._offset)
        except OSError as exc:
            log.warning("cannot read cache requests from %s: %s", self.path, exc)
            return []
        complete = data.rfind(b"\n") + 1  # a line still being written waits for next time
        self._offset += complete
        return _parse(data[:complete].decode("utf-8", "replace").splitlines())


def _parse(lines: Iterable[str]) -> list[CacheRequest]:
    requests = []
    for line in lines:
        request = _request(line) if line.strip() else None
        if request is not None:
            requests.append(request)
    return requests
