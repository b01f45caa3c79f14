"""A real database in tmp_path and a running Recorder with one court on an ephemeral port."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.ingest.courts import CourtInfo
from app.ingest.recorder import QUEUE_CAPACITY, Recorder, load_courts
from app.ingest.writer import WriterConfig
from app.store.database import Database
from app.store.repositories import Courts


@dataclass
class Rig:
    db: Database
    recorder: Recorder
    court: CourtInfo
    port: int
    sender: socket.socket

    def send(self, *payloads: bytes) -> None:
        for payload in payloads:
            self.sender.sendto(payload, ("127.0.0.1", self.port))

    def send_paced(self, payloads: list[bytes], per_second: float) -> None:
        """About `per_second`, in slices of 10: a stream faster than small batches commit, but
        never so bursty that the kernel's receive buffer overflows before the listener reads."""
        started = time.perf_counter()
        for number, payload in enumerate(payloads):
            self.sender.sendto(payload, ("127.0.0.1", self.port))
            if number % 10 == 9:
                ahead = (number + 1) / per_second - (time.perf_counter() - started)
                if ahead > 0:
                    time.sleep(ahead)

    def settle(self, expected_stored: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.recorder.stats().stored >= expected_stored and self.recorder.wait_idle(1):
                return
            time.sleep(0.02)
        raise AssertionError(f"stored {self.recorder.stats().stored} of {expected_stored}")


def open_rig(
    root: Path,
    config: WriterConfig | None = None,
    busy_timeout_ms: int = 5000,
    queue_capacity: int = QUEUE_CAPACITY,
) -> Rig:
    db = Database.open(root, busy_timeout_ms=busy_timeout_ms)
    with db.transaction() as session:
        courts = Courts(session)
        court = courts.by_name("Test court") or courts.add(
            "Test court", 6099, bind_address="127.0.0.1"
        )
        court_id = court.id
    recorder = Recorder(db.engine, db.paths.journal, config, queue_capacity)
    recorder.start()
    [info] = [c for c in load_courts(db.engine) if c.court_id == court_id]
    info = CourtInfo(
        info.court_id,
        info.name,
        0,
        info.bind_address,
        info.allowed_sources,
        info.tournament_id,
        info.day_id,
    )  # port 0: an ephemeral port, so tests never collide
    recorder.open_court(info)
    sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    return Rig(db, recorder, info, recorder.bound_port(court_id), sender)


def close_rig(rig: Rig) -> None:
    rig.sender.close()
    rig.recorder.stop()
    rig.db.close()


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    opened = open_rig(tmp_path / "data")
    yield opened
    close_rig(opened)
