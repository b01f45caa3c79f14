"""Record sample captures into a real database through the recorder's own writer path.

Datagrams go straight into a BatchWriter (no sockets: the listener is tested elsewhere), stamped
with the capture's own offsets, one commit per datagram, so the matches' start and end times
are those of the clock start and the result, as the live recorder records them.
"""

from __future__ import annotations

import queue
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from app.ingest.courts import CourtDirectory, CourtInfo
from app.ingest.feed import CommittedBatch, Distributor, Subscriber
from app.ingest.journal import Datagram, Journal
from app.ingest.listener import QueueItem
from app.ingest.recorder import rebuild_tracker
from app.ingest.writer import BatchWriter, WriterConfig
from app.sim.capture import read_capture
from app.store.database import Database
from app.store.models import Event
from app.store.repositories import Courts, Days, Tournaments

#: 2025-07-28 08:00 UTC, the first sample's first datagram; later samples follow an hour apart.
FIRST_STAMP_NS = 1_753_689_600 * 10**9
GAP_NS = 3600 * 10**9


@dataclass
class Line:
    """One datagram of a sample as recorded: its text and receive time (epoch seconds)."""

    text: str
    at: float


@dataclass
class Recording:
    db: Database
    court_id: int
    tournaments: dict[str, int] = field(default_factory=dict)  # name -> id
    days: dict[str, int] = field(default_factory=dict)  # tournament name -> day id
    lines: dict[str, list[Line]] = field(default_factory=dict)  # "<tournament>/<sample>"
    batches: list[CommittedBatch] = field(default_factory=list)


class SampleRecorder:
    """A BatchWriter on one court of `db`; `record(sample)` waits until it is committed."""

    def __init__(
        self,
        db: Database,
        court_id: int,
        subscribers: Sequence[Subscriber] = (),
        *,
        resume: bool = False,
    ) -> None:
        """`resume`: continue the court's last match, as the recorder does after a restart."""
        self.db = db
        self.court_id = court_id
        self.queue: queue.Queue[QueueItem] = queue.Queue()
        self.courts = CourtDirectory([CourtInfo(court_id, "Samples", 6000)])
        self.distributor = Distributor()
        for subscriber in subscribers:
            self.distributor.subscribe(subscriber)
        self.journal = Journal.open(db.paths.journal)
        self._now = FIRST_STAMP_NS / 1e9
        self.writer = BatchWriter(
            db.engine,
            self.journal,
            self.queue,
            self.courts,
            self.distributor,
            WriterConfig(batch_size=1, min_batch=1, adaptive=False),
            now=lambda: self._now,  # pending loads time out on the capture's clock
        )
        self.seq = 0
        self.next_ns = FIRST_STAMP_NS
        if resume:
            rebuilt = rebuild_tracker(db.engine, court_id)
            if rebuilt is not None:
                self.writer.restore_court(court_id, *rebuilt)
            with db.engine.connect() as conn:
                self.seq = conn.execute(select(func.max(Event.seq))).scalar() or 0
                last = conn.execute(select(func.max(Event.received_at))).scalar() or 0.0
            self.next_ns = int(last * 1e9) + GAP_NS
        self.writer.start(self.seq)

    def context(self, tournament_id: int | None, day_id: int | None) -> None:
        self.writer.wait_idle(30)
        self.courts.set_context(self.court_id, tournament_id, day_id)

    def record(self, path: Path) -> list[Line]:
        lines = []
        first_ns = self.next_ns
        for capture in read_capture(path):
            received_ns = first_ns + (capture.offset_ms or 0) * 10**6
            self.seq += 1
            self._now = received_ns / 1e9
            datagram = Datagram(
                self.seq,
                received_ns,
                received_ns,
                self.court_id,
                6000,
                "10.0.0.7",
                50123,
                capture.datagram + b"\r\n",
            )
            self.queue.put([datagram])
            lines.append(Line(capture.datagram.decode("utf-8"), received_ns / 1e9))
            self.next_ns = received_ns + GAP_NS
        assert self.writer.wait_idle(60), "the writer did not commit the sample"
        return lines

    def send(self, text: str) -> None:
        """One more datagram, one second after the last one."""
        self.seq += 1
        received_ns = self.next_ns - GAP_NS + 10**9
        self.next_ns = received_ns + GAP_NS
        self._now = received_ns / 1e9
        datagram = Datagram(
            self.seq, received_ns, received_ns, self.court_id, 6000, "10.0.0.7", 50123,
            text.encode() + b"\r\n",
        )  # fmt: skip
        self.queue.put([datagram])
        assert self.writer.wait_idle(30)

    def close(self) -> None:
        assert self.writer.stop(30)
        self.journal.close()


def new_tournament(db: Database, name: str) -> tuple[int, int]:
    """A tournament with its day 1 active: (tournament id, day id)."""
    with db.transaction() as session:
        tournament = Tournaments(session).create(name)
        day = Days(session).start(tournament.id)
        return tournament.id, day.id


def sample_court(db: Database) -> int:
    with db.transaction() as session:
        return Courts(session).add("Samples", 6077).id


def record_into(
    root: Path,
    samples_dir: Path,
    plan: dict[str, Sequence[str]],
    subscribers: Sequence[Subscriber] = (),
) -> Recording:
    """Record, per tournament name, the listed sample files (in order) into `root`."""
    db = Database.open(root, synchronous="NORMAL")
    court_id = sample_court(db)
    recording = Recording(db, court_id)
    recorder = SampleRecorder(db, court_id, [*subscribers, recording.batches.append])
    try:
        for tournament, samples in plan.items():
            tournament_id, day_id = new_tournament(db, tournament)
            recording.tournaments[tournament] = tournament_id
            recording.days[tournament] = day_id
            recorder.context(tournament_id, day_id)
            for name in samples:
                recording.lines[f"{tournament}/{name}"] = recorder.record(samples_dir / name)
    finally:
        recorder.close()
    return recording
