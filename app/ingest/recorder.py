"""Recorder: puts the journal, the listener and the batch writer together, recovers after a
crash, and offers the operations the CLI and the window need (courts, context, statistics).

Start-up order is what makes `kill -9` safe: open the journal (cutting a torn tail), read the
checkpoint, rebuild each court's current match from the database, queue the journal records
past the checkpoint, then start listening.
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app.ingest.courts import CourtDirectory, CourtInfo
from app.ingest.feed import CommittedBatch, Distributor, RecentEvents
from app.ingest.journal import Journal, RecoveryReport
from app.ingest.listener import CatchUp, EndpointStatus, QueueItem, UdpListener
from app.ingest.stats import IngestStats
from app.ingest.writer import BatchWriter, Token, WriterConfig, stored_seqs_after
from app.match.tracker import MatchTracker
from app.protocol import parse_text
from app.store.models import Event, IngestCheckpoint, Match
from app.store.repositories import Courts

log = logging.getLogger(__name__)

QUEUE_CAPACITY = 2048
CHECKPOINT_SECONDS = 1.0  # hand-off items (bursts of datagrams), not single datagrams


@dataclass(frozen=True, slots=True)
class StartReport:
    journal: RecoveryReport
    replayed: int  # journal records queued for the database after a crash
    committed_seq: int


@dataclass(frozen=True, slots=True)
class RecordingSummary:
    datagrams: int
    events: int
    ok: int
    unknown: int
    malformed: int
    matches: int
    clean: bool  # False: some events are only in the journal (stored at next start)


def load_courts(engine: Engine) -> list[CourtInfo]:
    """Every court of the database as the pipeline's immutable CourtInfo."""
    with Session(engine) as session:
        return [
            CourtInfo(
                court_id=court.id,
                name=court.name,
                port=court.port,
                bind_address=court.bind_address,
                allowed_sources=frozenset(court.allowed_sources or ()),
                tournament_id=court.context_tournament_id,
                day_id=court.context_day_id,
            )
            for court in Courts(session).all()
        ]


def rebuild_tracker(engine: Engine, court_id: int) -> tuple[MatchTracker[Token], int] | None:
    """A court's tracker as it was, by re-feeding its last match's stored events."""
    with engine.connect() as conn:
        match_id = conn.execute(
            select(Match.id).where(Match.court_id == court_id).order_by(Match.id.desc()).limit(1)
        ).scalar()
        if match_id is None:
            return None
        rows = conn.execute(
            select(Event.text, Event.received_at)
            .where(Event.match_id == match_id)
            .order_by(Event.seq, Event.sub_index)
        ).all()
    tracker: MatchTracker[Token] = MatchTracker()
    for text, received_at in rows:
        tracker.feed(parse_text(text), received_at, None)  # type: ignore[arg-type]
    tracker.close()
    if tracker.current is None:
        return None
    return tracker, match_id


class Recorder:
    """The recording pipeline of one data folder. Thread-safe public methods."""

    def __init__(
        self,
        engine: Engine,
        journal_dir: Path,
        config: WriterConfig | None = None,
        queue_capacity: int = QUEUE_CAPACITY,
    ) -> None:
        self.engine = engine
        self.journal_dir = journal_dir
        self.config = config or WriterConfig()
        self.queue: queue.Queue[QueueItem] = queue.Queue(maxsize=queue_capacity)
        self.courts = CourtDirectory()
        self.distributor = Distributor()
        self.recent = RecentEvents()
        self.distributor.subscribe(self.recent)
        self.distributor.subscribe(self._remember)
        self.journal: Journal | None = None
        self.listener: UdpListener | None = None
        self.writer: BatchWriter | None = None
        self._matches: set[int] = set()
        self._latest: dict[int, object] = {}  # court id -> latest MatchState
        self._lock = threading.Lock()
        self._prune_every = 0
        self._listener_idle = threading.Event()  # the writer gives way to the listener
        self._checkpointer_stop = threading.Event()
        self._checkpointer = threading.Thread(
            target=self._checkpoint_wal, name="strikedesk-checkpointer", daemon=True
        )

    def _checkpoint_wal(self) -> None:
        """Fold the WAL into the database file every second, beside the committer (which has
        auto-checkpoints off), so the WAL stays small without stalling commits."""
        while not self._checkpointer_stop.wait(CHECKPOINT_SECONDS):
            try:
                with self.engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception as exc:  # a busy database: next second
                log.debug("WAL checkpoint skipped: %s", exc)

    # --- lifecycle ----------------------------------------------------------------------------
    def start(self) -> StartReport:
        journal = self.journal = Journal.open(self.journal_dir)
        assert journal.recovery is not None
        if journal.recovery.cut_bytes:
            log.warning(
                "journal: cut %d damaged bytes at the end of %s (%s)",
                journal.recovery.cut_bytes,
                journal.recovery.cut_segment,
                journal.recovery.reason,
            )
        with self.engine.connect() as conn:
            committed = conn.execute(select(IngestCheckpoint.last_seq)).scalar() or 0
            stored = conn.execute(select(func.max(Event.seq))).scalar() or 0
        journal.continue_after(max(committed, stored))
        for court in load_courts(self.engine):
            self.courts.put(court)
        writer = self.writer = BatchWriter(
            self.engine,
            journal,
            self.queue,
            self.courts,
            self.distributor,
            self.config,
            skip_seqs=stored_seqs_after(self.engine, committed),
            listener_idle=self._listener_idle,
        )
        for court in self.courts.snapshot().values():
            rebuilt = rebuild_tracker(self.engine, court.court_id)
            if rebuilt is not None:
                writer.restore_court(court.court_id, *rebuilt)
        replayed = max(0, journal.last_seq - committed)
        if replayed:
            log.info("journal: %d datagrams after the checkpoint go to the database", replayed)
            self.queue.put(CatchUp(committed + 1, journal.last_seq))
        # What exists now lives as long as the recording: out of the cyclic collector's sight.
        # Rows in flight outlive young collections and trigger full ones, which hold the GIL for
        # as long as they scan; over the whole program that was ~100 ms every 2-3 s at 20,000
        # events/s, and the kernel dropped datagrams meanwhile. Now they scan the rows alone.
        gc.collect()
        gc.freeze()
        writer.start(committed)
        self._checkpointer.start()
        self.listener = UdpListener(journal, self.queue, idle=self._listener_idle)
        self.listener.start()
        return StartReport(journal.recovery, replayed, committed)

    def stop(self, timeout: float = 30.0) -> RecordingSummary:
        if self.listener is not None:
            self.listener.stop()
        clean = True
        if self.writer is not None:
            clean = self.writer.stop(timeout)
        if self._checkpointer.is_alive():
            self._checkpointer_stop.set()
            self._checkpointer.join(timeout=10)
        if self.journal is not None:
            if clean and self.writer is not None:
                self.journal.prune(self.writer.counters.committed_seq)
            self.journal.close()
        gc.unfreeze()  # what `start` froze may be garbage now (in a test process, say)
        stats = self.stats()
        return RecordingSummary(
            datagrams=stats.received,
            events=stats.stored,
            ok=stats.ok,
            unknown=stats.unknown,
            malformed=stats.malformed,
            matches=len(self._matches),
            clean=clean,
        )

    # --- courts and context ----------------------------------------------------------------------
    def open_court(self, court: CourtInfo) -> EndpointStatus:
        """Start recording a court (raises PortInUseError / OSError with a clear message)."""
        assert self.listener is not None, "start() first"
        self.courts.put(court)
        return self.listener.add_endpoint(court.court_id, court.bind_address, court.port)

    def close_court(self, court_id: int) -> None:
        assert self.listener is not None
        self.listener.remove_endpoint(court_id)

    def update_court(self, court: CourtInfo) -> None:
        """New allow-list or context for the writer; reopen the socket if the address moved."""
        previous = self.courts.get(court.court_id)
        self.courts.put(court)
        if previous is not None and (previous.port, previous.bind_address) != (
            court.port,
            court.bind_address,
        ):
            listening = any(
                s.court_id == court.court_id and s.listening for s in self.endpoint_statuses()
            )
            if listening:
                self.open_court(court)

    def set_context(self, court_id: int, tournament_id: int | None, day_id: int | None) -> None:
        """Route the court's next events to a tournament day (persisted by the caller)."""
        self.courts.set_context(court_id, tournament_id, day_id)

    def endpoint_statuses(self) -> list[EndpointStatus]:
        return self.listener.statuses() if self.listener is not None else []

    def bound_port(self, court_id: int) -> int:
        assert self.listener is not None
        return self.listener.bound_port(court_id)

    # --- state for the UI and CLI --------------------------------------------------------
    def _remember(self, batch: CommittedBatch) -> None:
        with self._lock:
            self._matches.update(batch.match_ids)
            self._latest.update(batch.matches)
        self._prune_every += 1
        if self._prune_every % 200 == 0 and self.journal is not None and self.writer is not None:
            self.journal.prune(self.writer.counters.committed_seq)

    def live_matches(self) -> dict[int, object]:
        """Court id -> the latest MatchState committed for it."""
        with self._lock:
            return dict(self._latest)

    def stats(self) -> IngestStats:
        assert self.writer is not None
        listener = self.listener
        if listener is not None:
            last_seq: int | None = listener.next_seq - 1
        else:
            last_seq = self.journal.last_seq if self.journal else None
        return self.writer.stats(
            received=listener.received_total if listener else 0,
            journal_bytes=self.journal.size_bytes() if self.journal else 0,
            catch_up_ranges=listener.catch_up_ranges if listener else 0,
            last_received_seq=last_seq,
        )

    def wait_idle(self, timeout: float = 10.0) -> bool:
        assert self.writer is not None
        return self.writer.wait_idle(timeout)
