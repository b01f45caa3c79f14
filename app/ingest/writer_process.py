"""WriterProcess: the BatchWriter, its committer and the WAL checkpointer in a child process.

Parsing, match tracking and SQL took most of a core at high rates, and in the window's process
they held the GIL the GUI thread and the listener needed: the heartbeat stalled and, at 20,000
datagrams/s, the listener fell behind the kernel. In a process of their own they run on the
other core and the window's process only receives, journals and displays.

The parent keeps the listener and its queue (zero loss does not depend on the child: every
datagram is journaled first). A forwarder thread sends queue items (datagram lists, journal
ranges) and control messages, in order, over a pipe; a receiver thread takes back committed
batches (republished on the parent's Distributor), statistics, log records and replies.

If the parent dies the child sees the pipe close and exits without committing more: what it had
not committed is in the journal, and the next start replays it. If the child dies, the parent
starts another, which replays from the database's checkpoint to the last datagram sent (UNIQUE
(seq, sub_index) with OR IGNORE makes a second commit of a row harmless).

Start method: forkserver where the platform has it (a child forks from a server that already
imported the writer, in milliseconds), spawn elsewhere (Windows, frozen builds).
"""

from __future__ import annotations

import functools
import itertools
import logging
import logging.handlers
import multiprocessing
import multiprocessing.connection
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import Engine, select

from app.ingest.courts import CourtDirectory, CourtInfo
from app.ingest.feed import CommittedBatch, Distributor
from app.ingest.journal import Datagram, Journal
from app.ingest.listener import CatchUp, QueueItem
from app.ingest.stats import IngestCounters, IngestStats
from app.ingest.writer import BatchWriter, Token, WriterConfig, stored_seqs_after
from app.match.tracker import MatchTracker
from app.protocol import parse_text
from app.store.engine import EngineSettings, create_engine_for, engine_settings
from app.store.models import Event, IngestCheckpoint, Match

log = logging.getLogger(__name__)

STATS_SECONDS = 0.05  # how often the child reports its counters
CHECKPOINT_SECONDS = 1.0
FORWARD_ITEMS = 256  # queue items sent together in one pipe message
RESPAWN_DELAYS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)  # after the 1st, 2nd, ... death in a row
HEALTHY_SECONDS = 60.0  # a child that lived this long resets the delays


# --- messages ------------------------------------------------------------------------------
class Courts(NamedTuple):
    """Parent -> child: the whole court directory (allow-lists, tournament context)."""

    courts: tuple[CourtInfo, ...]


class Ping(NamedTuple):
    """Parent -> child: answer `Idle` once everything sent before is committed."""

    token: int
    timeout: float


class Stop(NamedTuple):
    """Parent -> child: commit everything, answer `Stopped`, exit."""

    timeout: float


class Datagrams(NamedTuple):
    """Parent -> child: a hand-off list of datagrams as plain tuples. Unpickling NamedTuples
    runs their Python `__new__` one by one: a quarter of the child's time at 20,000/s."""

    rows: list[tuple[Any, ...]]


class Idle(NamedTuple):
    token: int
    idle: bool


class Stopped(NamedTuple):
    clean: bool


Control = Courts | Ping | Stop
Item = QueueItem | Control
Message = list[Datagrams | CatchUp | Control]


@dataclass(frozen=True, slots=True)
class WriterSetup:
    """Everything the child needs, picklable."""

    database: EngineSettings
    journal_dir: Path
    config: WriterConfig
    courts: tuple[CourtInfo, ...]
    queue_capacity: int
    committed_seq: int  # the checkpoint as the parent read it (the child re-reads it)
    replay_through: int  # journal records up to here are replayed if past the checkpoint
    counters: IngestStats | None  # a previous child's counters, continued
    log_level: int


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


def continued_counters(stats: IngestStats, batch_size: int) -> IngestCounters:
    """Counters that go on from a previous writer's (totals survive a restarted child)."""
    counters = IngestCounters(
        stored=stats.stored,
        ok=stats.ok,
        unknown=stats.unknown,
        malformed=stats.malformed,
        encoding_errors=stats.encoding_errors,
        foreign=stats.foreign,
        batches=stats.batches,
        retries=stats.retries,
        failed_writes=stats.failed_writes,
        committed_seq=stats.committed_seq,
        batch_size=batch_size,
    )
    counters.unknown_codes.update(stats.unknown_codes)
    counters.last_unknown.extend(stats.last_unknown)
    counters.court_events.update({c.court_id: c.events for c in stats.per_court})
    return counters


# --- the child ------------------------------------------------------------------------------
class _Outbox:
    """The child's side of the results pipe, shared by its threads."""

    def __init__(self, connection: multiprocessing.connection.Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()

    def send(self, message: object) -> None:
        try:
            with self._lock:
                self._connection.send(message)
        except (OSError, ValueError):
            os._exit(0)  # the parent is gone: stop at once (the journal holds the rest)

    def put_nowait(self, record: logging.LogRecord) -> None:
        """For logging's QueueHandler: log records go to the parent's handlers."""
        self.send(record)


def _open_writer(
    setup: WriterSetup, out: _Outbox
) -> tuple[BatchWriter, threading.Event, list[threading.Thread]]:
    settings = setup.database
    engine = create_engine_for(
        settings.path,
        settings.synchronous,
        busy_timeout_ms=settings.busy_timeout_ms,
        foreign_keys=settings.foreign_keys,
    )
    with engine.connect() as conn:
        committed = conn.execute(select(IngestCheckpoint.last_seq)).scalar() or 0
    distributor = Distributor()
    distributor.subscribe(out.send)
    writer = BatchWriter(
        engine,
        Journal(setup.journal_dir),  # read only: the parent's listener appends
        queue.Queue(maxsize=setup.queue_capacity),
        CourtDirectory(list(setup.courts)),
        distributor,
        setup.config,
        skip_seqs=stored_seqs_after(engine, committed),
    )
    if setup.counters is not None:
        writer.counters = continued_counters(setup.counters, setup.config.batch_size)
    for court in setup.courts:
        rebuilt = rebuild_tracker(engine, court.court_id)
        if rebuilt is not None:
            writer.restore_court(court.court_id, *rebuilt)
    if setup.replay_through > committed:
        log.info(
            "journal: datagrams %d..%d go to the database", committed + 1, setup.replay_through
        )
        writer.source.put(CatchUp(committed + 1, setup.replay_through))
    writer.start(committed)
    stop = threading.Event()

    def checkpoint_wal() -> None:
        """Fold the WAL into the database file every second, beside the committer (which has
        auto-checkpoints off), so the WAL stays small without stalling commits."""
        while not stop.wait(CHECKPOINT_SECONDS):
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception as exc:  # a busy database: next second
                log.debug("WAL checkpoint skipped: %s", exc)

    def report() -> None:
        while not stop.wait(STATS_SECONDS):
            out.send(writer.stats(0, 0, 0))

    threads = [
        threading.Thread(target=checkpoint_wal, name="strikedesk-checkpointer", daemon=True),
        threading.Thread(target=report, name="strikedesk-stats", daemon=True),
    ]
    for thread in threads:
        thread.start()
    return writer, stop, threads


def serve(
    setup: WriterSetup,
    inbox: multiprocessing.connection.Connection,
    outbox: multiprocessing.connection.Connection,
) -> None:
    """The child process's main function."""
    out = _Outbox(outbox)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(logging.handlers.QueueHandler(out))  # type: ignore[arg-type]
    root.setLevel(setup.log_level)
    try:
        writer, stop, threads = _open_writer(setup, out)
    except Exception:
        log.exception("the writer process could not start")
        return
    while True:
        try:
            message: Message = inbox.recv()
        except (EOFError, OSError):
            os._exit(0)  # the parent died: what is not committed is in its journal
        for item in message:
            if isinstance(item, Datagrams):
                # tuple.__new__ builds each NamedTuple in C (`_make` is a Python function).
                writer.source.put(list(map(functools.partial(tuple.__new__, Datagram), item.rows)))
            elif isinstance(item, Courts):
                writer.courts.replace_all(item.courts)
            elif isinstance(item, Ping):
                idle = writer.wait_idle(item.timeout)
                out.send(writer.stats(0, 0, 0))
                out.send(Idle(item.token, idle))
            elif isinstance(item, Stop):
                clean = writer.stop(item.timeout)
                stop.set()
                for thread in threads:
                    thread.join()
                out.send(writer.stats(0, 0, 0))
                out.send(Stopped(clean))
                return
            else:
                writer.source.put(item)


# --- the parent -------------------------------------------------------------------------------
def _context() -> multiprocessing.context.SpawnContext | multiprocessing.context.ForkServerContext:
    if "forkserver" in multiprocessing.get_all_start_methods() and not getattr(
        sys, "frozen", False
    ):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__])
        return context
    return multiprocessing.get_context("spawn")


def initial_stats(config: WriterConfig, committed_seq: int, capacity: int) -> IngestStats:
    return IngestStats(
        received=0,
        stored=0,
        ok=0,
        unknown=0,
        malformed=0,
        encoding_errors=0,
        foreign=0,
        unknown_codes={},
        last_unknown=(),
        per_court=(),
        rate=0.0,
        queue_depth=0,
        queue_capacity=capacity,
        batch_size=config.batch_size,
        batches=0,
        commit_ms_last=0.0,
        commit_ms_p50=0.0,
        commit_ms_p99=0.0,
        latency_ms_p50=0.0,
        latency_ms_p99=0.0,
        held=0,
        committed_seq=committed_seq,
        journal_bytes=0,
        catch_up_ranges=0,
        retries=0,
        error=None,
        failed_writes=0,
    )


class WriterProcess:
    """The parent's handle on the writer child: feeds it `source`, republishes its commits on
    `distributor`, keeps its latest statistics and restarts it if it dies."""

    def __init__(
        self,
        engine: Engine,
        journal_dir: Path,
        source: queue.Queue[Item],
        courts: CourtDirectory,
        distributor: Distributor,
        config: WriterConfig,
    ) -> None:
        self._settings = engine_settings(engine)
        self._journal_dir = journal_dir
        self._source = source
        self._courts = courts
        self._distributor = distributor
        self._config = config
        self._context = _context()
        self._stats = initial_stats(config, 0, source.maxsize)
        self._error: str | None = None  # the child died and is being restarted
        self._tokens = itertools.count(1)
        self._replies: dict[int, tuple[threading.Event, list[bool]]] = {}
        self._replies_lock = threading.Lock()
        self._send_lock = threading.Lock()  # a send and the note of what it carried
        self._changed = threading.Condition(self._send_lock)  # a new child, or the end
        self._last_sent = 0  # highest sequence number handed to a child
        self._generation = 0
        self._stopping = False
        self._finished = threading.Event()  # the child answered Stopped, or cannot
        self._clean = False
        self._deaths = 0
        self._started_at = 0.0
        self._process: multiprocessing.process.BaseProcess | None = None
        self._inbox: multiprocessing.connection.Connection | None = None
        self._outbox: multiprocessing.connection.Connection | None = None
        self._forwarder = threading.Thread(
            target=self._forward, name="strikedesk-writer-feed", daemon=True
        )
        self._receiver = threading.Thread(
            target=self._receive, name="strikedesk-writer-results", daemon=True
        )

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self, committed_seq: int, replay_through: int) -> None:
        self._stats = replace(self._stats, committed_seq=committed_seq)
        self._last_sent = replay_through
        with self._send_lock:
            self._spawn(committed_seq, None)
        self._forwarder.start()
        self._receiver.start()

    def _spawn(self, committed_seq: int, counters: IngestStats | None) -> None:
        """Start a child (called with the send lock held)."""
        setup = WriterSetup(
            database=self._settings,
            journal_dir=self._journal_dir,
            config=self._config,
            courts=tuple(self._courts.snapshot().values()),
            queue_capacity=self._source.maxsize or 2048,
            committed_seq=committed_seq,
            replay_through=self._last_sent,
            counters=counters,
            log_level=logging.getLogger().getEffectiveLevel(),
        )
        child_inbox, inbox = self._context.Pipe(duplex=False)
        outbox, child_outbox = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=serve,
            args=(setup, child_inbox, child_outbox),
            name="strikedesk-writer",
            daemon=True,
        )
        process.start()
        # Only the child holds its ends now: when it exits, our reads see EOF.
        child_inbox.close()
        child_outbox.close()
        self._process, self._inbox, self._outbox = process, inbox, outbox
        self._started_at = time.monotonic()
        self._generation += 1
        self._changed.notify_all()

    def stop(self, timeout: float = 30.0) -> bool:
        """Commit what is queued and end the child. False if it could not commit everything
        in time (the journal still holds it for the next start)."""
        if not self._forwarder.is_alive():
            return self._clean
        self._stopping = True
        try:
            self._source.put(Stop(timeout), timeout=timeout)
        except queue.Full:  # nothing drains the queue: the child died while stopping
            log.error("the writer process did not take the stop request")
        self._finished.wait(timeout + 10)
        self._forwarder.join(5)
        self._receiver.join(5)
        process = self._process
        if process is not None:
            process.join(5)
            if process.is_alive():
                log.error("the writer process did not end; terminating it")
                process.terminate()
                process.join(5)
        for connection in (self._inbox, self._outbox):
            if connection is not None:
                connection.close()
        return self._clean

    # --- what the recorder asks -----------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The child's process id (None before start)."""
        return self._process.pid if self._process is not None else None

    @property
    def committed_seq(self) -> int:
        return self._stats.committed_seq

    def courts_changed(self) -> None:
        """Send the court directory as it is now (after a put, a removal or a new context)."""
        if not self._stopping and self._forwarder.is_alive():
            self._source.put(Courts(tuple(self._courts.snapshot().values())))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """True once everything queued before this call is committed (within `timeout`)."""
        if self._stopping or not self._forwarder.is_alive():
            return False
        token = next(self._tokens)
        done = threading.Event()
        answer: list[bool] = []
        with self._replies_lock:
            self._replies[token] = (done, answer)
        started = time.monotonic()
        try:
            self._source.put(Ping(token, timeout), timeout=timeout)
        except queue.Full:
            return False
        remaining = max(0.0, timeout - (time.monotonic() - started))
        # The child waits up to `timeout` itself; allow for the trip there and back.
        done.wait(remaining + 5)
        with self._replies_lock:
            self._replies.pop(token, None)
        return bool(answer and answer[0])

    def stats(
        self,
        received: int,
        journal_bytes: int,
        catch_up_ranges: int,
        last_received_seq: int | None = None,
    ) -> IngestStats:
        stats = self._stats
        backlog = 0
        if last_received_seq is not None:
            backlog = max(0, last_received_seq - stats.committed_seq)
        return replace(
            stats,
            received=received,
            journal_bytes=journal_bytes,
            catch_up_ranges=catch_up_ranges,
            journal_backlog=backlog,
            # The listener's queue: when it is full, the listener hands over journal ranges.
            # (The child's own queue is a buffer behind it; journal_backlog counts all.)
            queue_depth=self._source.qsize(),
            queue_capacity=self._source.maxsize,
            error=self._error or stats.error,
        )

    # --- the threads ------------------------------------------------------------------------------
    def _forward(self) -> None:
        while True:
            taken: list[Item] = [self._source.get()]
            while len(taken) < FORWARD_ITEMS:
                try:
                    taken.append(self._source.get_nowait())
                except queue.Empty:
                    break
            items: Message = [
                Datagrams(list(map(tuple, i))) if isinstance(i, list) else i for i in taken
            ]
            if not self._deliver(items) or any(isinstance(item, Stop) for item in items):
                return

    def _deliver(self, items: Message) -> bool:
        """Send to the current child; after its death, to the next one. False: stopped."""
        last = max((_last_seq(item) for item in items), default=0)
        with self._send_lock:
            while True:
                generation = self._generation
                inbox = self._inbox
                try:
                    assert inbox is not None
                    inbox.send(items)
                except (OSError, ValueError):  # the child is gone: the receiver restarts it
                    while generation == self._generation and not self._finished.is_set():
                        self._changed.wait()
                    if self._finished.is_set():
                        return False
                    continue
                self._last_sent = max(self._last_sent, last)
                return True

    def _receive(self) -> None:
        while True:
            outbox = self._outbox
            assert outbox is not None
            try:
                message = outbox.recv()
            except (EOFError, OSError):
                if self._finished.is_set() or not self._child_died():
                    return
                continue
            self._dispatch(message)
            if self._finished.is_set():
                return

    def _dispatch(self, message: object) -> None:
        if isinstance(message, CommittedBatch):
            self._distributor.publish(message)
        elif isinstance(message, IngestStats):
            self._stats = message
            if self._error is not None and message.batches:
                self._error = None  # the new child committed: it works
        elif isinstance(message, logging.LogRecord):
            logging.getLogger(message.name).handle(message)
        elif isinstance(message, Idle):
            with self._replies_lock:
                reply = self._replies.get(message.token)
            if reply is not None:
                reply[1].append(message.idle)
                reply[0].set()
        elif isinstance(message, Stopped):
            self._clean = message.clean
            self._finished.set()
            with self._send_lock:
                self._changed.notify_all()

    def _child_died(self) -> bool:
        """Restart a child that died; False when the recorder is stopping (no restart)."""
        process = self._process
        assert process is not None
        process.join(5)
        code = process.exitcode
        self._fail_replies()
        if self._stopping:
            log.error("the writer process ended (exit code %s) while stopping", code)
            self._clean = False
            self._finished.set()
            with self._send_lock:
                self._changed.notify_all()
            return False
        if time.monotonic() - self._started_at >= HEALTHY_SECONDS:
            self._deaths = 0
        delay = RESPAWN_DELAYS[min(self._deaths, len(RESPAWN_DELAYS) - 1)]
        self._deaths += 1
        self._error = (
            f"the database writer stopped (exit code {code}); restarting it in {delay:g} s. "
            "Recording continues into the journal."
        )
        log.error("the writer process ended (exit code %s); restarting it in %g s", code, delay)
        time.sleep(delay)
        with self._send_lock:
            if self._outbox is not None:
                self._outbox.close()
            if self._inbox is not None:
                self._inbox.close()
            stats = self._stats
            self._spawn(stats.committed_seq, stats)
        return True

    def _fail_replies(self) -> None:
        with self._replies_lock:
            replies, self._replies = self._replies, {}
        for done, answer in replies.values():
            answer.append(False)
            done.set()


def _last_seq(item: Datagrams | CatchUp | Control) -> int:
    if isinstance(item, CatchUp):
        return item.last_seq
    if isinstance(item, Datagrams):
        return int(item.rows[-1][0]) if item.rows else 0
    return 0
