"""The courts the pipeline records and their tournament context, shared between threads.

The directory is replaced whole on every change (copy-on-write), so the writer reads a
consistent snapshot without locking on its hot path.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class CourtInfo:
    court_id: int
    name: str
    port: int
    bind_address: str = "0.0.0.0"
    allowed_sources: frozenset[str] = frozenset()
    tournament_id: int | None = None
    day_id: int | None = None

    def is_foreign(self, source_host: str) -> bool:
        """A datagram from outside a non-empty allow-list (README §6.8)."""
        return bool(self.allowed_sources) and source_host not in self.allowed_sources


class CourtDirectory:
    def __init__(self, courts: list[CourtInfo] | None = None) -> None:
        self._courts: dict[int, CourtInfo] = {c.court_id: c for c in courts or []}
        self._lock = threading.Lock()

    def snapshot(self) -> dict[int, CourtInfo]:
        return self._courts

    def get(self, court_id: int) -> CourtInfo | None:
        return self._courts.get(court_id)

    def put(self, court: CourtInfo) -> None:
        with self._lock:
            self._courts = {**self._courts, court.court_id: court}

    def remove(self, court_id: int) -> None:
        with self._lock:
            self._courts = {k: v for k, v in self._courts.items() if k != court_id}

    def set_context(self, court_id: int, tournament_id: int | None, day_id: int | None) -> None:
        with self._lock:
            court = self._courts[court_id]
            updated = replace(court, tournament_id=tournament_id, day_id=day_id)
            self._courts = {**self._courts, court_id: updated}
