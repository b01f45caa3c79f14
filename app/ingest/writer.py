"""BatchWriter: parses, tracks matches and commits events in batches, on two threads.

The writer thread parses datagrams, folds them into each court's match and builds rows; it
seals them into batches for the committer thread, which runs the transactions. SQLite does its
work with the GIL released, so committing batch N overlaps with preparing batch N+1: at 50,000
events/s neither half alone would keep up. Batches are committed strictly in order.

One transaction per batch (events, the matches they touch, and the checkpoint together), so the
checkpoint is exactly what the database holds. A locked or failing database is retried with
backoff for as long as it takes; meanwhile the listener keeps journaling and the queue fills,
after which the listener hands over journal ranges (`CatchUp`) instead of datagrams. Nothing is
dropped. The batch size adapts toward a target commit time (x1.1 / x0.9 per batch): it grows
while full batches commit quickly, shrinks when commits are slow, and eases back toward the
configured size once traffic no longer fills batches, so after a burst it reports what the
traffic needs rather than staying at its peak.
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import DBAPIError

from app.ingest.courts import CourtDirectory, CourtInfo
from app.ingest.feed import CommittedBatch, Distributor, FeedEvent
from app.ingest.journal import Datagram, Journal
from app.ingest.listener import CatchUp, QueueItem
from app.ingest.matches import MatchRows
from app.ingest.rows import DecodedLine, decode_datagram
from app.ingest.stats import CourtCounters, IngestCounters, IngestStats, percentile
from app.match.state import MatchState
from app.match.tracker import MatchTracker
from app.store.engine import immediate, is_locked_error
from app.store.models import Event, IngestCheckpoint

log = logging.getLogger(__name__)

Token = tuple[Datagram, DecodedLine]
#: Committed events handed to subscribers as FeedEvents per batch: the newest ones only, which
#: is all a live feed shows (building one per event would cost as much as parsing it).
FEED_TAIL = 1000
#: Longest the writer waits for the listener to finish taking datagrams off the sockets.
GIVE_WAY_SECONDS = 0.005

#: Columns of an event row, in the order the writer builds them.
EVENT_COLUMNS = (
    "seq",
    "sub_index",
    "received_at",
    "monotonic_ns",
    "court_id",
    "source",
    "local_port",
    "tournament_id",
    "tournament_day_id",
    "match_id",
    "round",
    "clock",
    "code",
    "side",
    "value",
    "details",
    "raw",
    "text",
    "parse_status",
    "error",
    "encoding_error",
    "foreign",
)
_TOURNAMENT_ID = EVENT_COLUMNS.index("tournament_id")
_DAY_ID = EVENT_COLUMNS.index("tournament_day_id")
_MATCH_ID = EVENT_COLUMNS.index("match_id")
_ENCODING_ERROR = EVENT_COLUMNS.index("encoding_error")
_STATUS = EVENT_COLUMNS.index("parse_status")
_COURT_ID = EVENT_COLUMNS.index("court_id")
_FOREIGN = EVENT_COLUMNS.index("foreign")
_CODE = EVENT_COLUMNS.index("code")
_TEXT = EVENT_COLUMNS.index("text")
_RECEIVED_AT = EVENT_COLUMNS.index("received_at")
#: 22 columns x 900 rows stays under SQLite's 32,766 bound parameters per statement.
ROWS_PER_STATEMENT = 900
# Quoted names: `foreign` is an SQL keyword. OR IGNORE: a journal replay after a crash may
# offer rows that are already stored.
_QUOTED = ", ".join(f'"{column}"' for column in EVENT_COLUMNS)
_INSERT_PREFIX = f"INSERT OR IGNORE INTO events ({_QUOTED}) VALUES "
_ROW_PLACEHOLDERS = "(" + ", ".join("?" * len(EVENT_COLUMNS)) + ")"
_CHECKPOINT_SQL = f"UPDATE {IngestCheckpoint.__tablename__} SET last_seq = ? WHERE id = 1"


@dataclass(frozen=True, slots=True)
class _Batch:
    """Rows sealed by the writer thread for the committer thread."""

    rows: list[list[Any]]
    refs: list[tuple[list[Any], int, int]]  # row, court id, match key: match_id to fill in
    touched: dict[tuple[int, int], tuple[MatchState, float]]
    match_numbers: list[str | None]
    checkpoint: int
    full: bool  # sealed because it reached the batch size (not by the flush timer)


@dataclass(frozen=True, slots=True)
class WriterConfig:
    batch_size: int = 100
    min_batch: int = 50
    max_batch: int = 20_000
    flush_interval: float = 0.1  # seconds: the oldest row waits at most this long
    target_commit: float = 0.02  # seconds: the batch size steers toward this commit time
    adaptive: bool = True
    high_water: float = 0.5  # queue fill ratio above which batches go to max size
    retry_initial: float = 0.05
    retry_max: float = 2.0
    catch_up_chunk: int = 20_000


class BatchWriter:
    """Consumes the listener queue; owns the match trackers and the event rows."""

    def __init__(
        self,
        engine: Engine,
        journal: Journal,
        source: queue.Queue[QueueItem],
        courts: CourtDirectory,
        distributor: Distributor,
        config: WriterConfig | None = None,
        skip_seqs: Iterable[int] = (),
        now: Callable[[], float] = time.time,
        listener_idle: threading.Event | None = None,
    ) -> None:
        self.engine = immediate(engine)  # BEGIN IMMEDIATE: wait for the lock, not fail later
        self.journal = journal
        self.source = source
        self.courts = courts
        self.distributor = distributor
        self.config = config or WriterConfig()
        self.counters = IngestCounters(batch_size=self.config.batch_size)
        self.matches = MatchRows()
        self._skip = set(skip_seqs)  # already stored before a crash (recovery only)
        # Cleared while the listener receives (UdpListener.idle); None: nothing to give way to.
        self._listener_idle = listener_idle
        self._now = now
        self._trackers: dict[int, MatchTracker[Token]] = {}
        self._rows: list[list[Any]] = []
        self._numbers: list[str | None] = []  # match number of each row, for the live feed
        self._refs: list[tuple[list[Any], int, int]] = []  # row, court, match key
        self._touched: dict[tuple[int, int], tuple[MatchState, float]] = {}
        self._outstanding: set[tuple[int, int]] = set()
        self._last_seq = 0
        self._first_row_at: float | None = None
        self._batch_size = float(self.config.batch_size)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="strikedesk-writer", daemon=True)
        # Two sealed batches at most: a slow database makes the writer wait here, the listener
        # queue fill up, and the listener hand over journal ranges instead.
        self._sealed: queue.Queue[_Batch | None] = queue.Queue(maxsize=2)
        self._committer = threading.Thread(
            target=self._commit_loop, name="strikedesk-committer", daemon=True
        )
        self._idle = threading.Event()
        self._committing = threading.Event()
        self._sealed_seq = 0
        self._conn: Connection | None = None
        self._stopped_cleanly = False

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self, committed_seq: int) -> None:
        self._last_seq = self._sealed_seq = committed_seq
        self.counters.committed_seq = committed_seq
        self._committer.start()
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> bool:
        """Finish what is queued, release held messages and commit. False if the database
        refused until the timeout (the journal still holds everything for the next start)."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        self._thread.join(timeout)
        self._committer.join(max(0.1, deadline - time.monotonic()))
        alive = self._thread.is_alive() or self._committer.is_alive()
        return self._stopped_cleanly and not alive

    def tracker(self, court_id: int) -> MatchTracker[Token]:
        tracker = self._trackers.get(court_id)
        if tracker is None:
            tracker = self._trackers[court_id] = MatchTracker()
        return tracker

    def restore_court(self, court_id: int, tracker: MatchTracker[Token], match_id: int) -> None:
        """Before start: the rebuilt tracker of a court and the row of its current match."""
        self._trackers[court_id] = tracker
        if tracker.current is not None:
            self.matches.adopt(court_id, tracker.current.key, match_id)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """For tests and benchmarks: wait until the queue is empty and nothing is unflushed."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                self.source.empty()
                and self._idle.is_set()
                and self._sealed.empty()
                and not self._committing.is_set()
            ):
                return True
            time.sleep(0.01)
        return False

    # --- the loop -------------------------------------------------------------------------------
    def _run(self) -> None:
        last_tick = time.monotonic()
        while True:
            stopping = self._stop.is_set()
            timeout = self._time_to_flush()
            try:
                item = self.source.get(timeout=0 if stopping else timeout)
            except queue.Empty:
                item = None
            if item is not None:
                self._idle.clear()
                self._take(item)
            elif stopping:
                break
            now = time.monotonic()
            if now - last_tick >= 0.25:
                last_tick = now
                self._release_timed_out()
                self.counters.sample()
            if self._due():
                self._seal()
            if item is None and not self._rows:
                if self._checkpoint() != self._sealed_seq:
                    self._seal()  # nothing to insert, but the checkpoint moved
                self._idle.set()
        # Shutting down: whatever trackers still hold is placed and committed.
        for court_id, tracker in self._trackers.items():
            self._place(court_id, tracker.close())
        self._seal()
        self._sealed.put(None)
        self._idle.set()

    def _time_to_flush(self) -> float:
        if self._first_row_at is None:
            return 0.25
        return max(0.0, self._first_row_at + self.config.flush_interval - time.monotonic())

    def _due(self) -> bool:
        if not self._rows:
            return False
        if len(self._rows) >= int(self._batch_size):
            return True
        assert self._first_row_at is not None
        return time.monotonic() - self._first_row_at >= self.config.flush_interval

    def _take(self, item: QueueItem) -> None:
        if isinstance(item, CatchUp):
            chunk: list[Datagram] = []
            for datagram in self.journal.read_from(item.first_seq, item.last_seq):
                chunk.append(datagram)
                if len(chunk) >= self.config.catch_up_chunk:
                    self._ingest(chunk)
                    chunk = []
                    self._seal()
            self._ingest(chunk)
        else:
            self._ingest(item)

    # --- parsing and placing ---------------------------------------------------------------
    def _ingest(self, datagrams: list[Datagram]) -> None:
        courts = self.courts.snapshot()
        listener_idle = self._listener_idle
        for datagram in datagrams:
            if listener_idle is not None and not listener_idle.is_set():
                # The listener is receiving: wait (without the GIL) until it has queued what
                # the sockets held. Each of its recv calls lets the GIL go, and while this
                # thread parses it would win it back only after a switch interval, long enough
                # for the kernel's buffer to overflow at 20,000 datagrams/s.
                listener_idle.wait(GIVE_WAY_SECONDS)
            if datagram.seq in self._skip:
                self._skip.discard(datagram.seq)
                continue
            court = courts.get(datagram.court_id)
            foreign = court is not None and court.is_foreign(datagram.source_host)
            at = datagram.received_ns / 1e9
            for line in decode_datagram(datagram.data):
                token = (datagram, line)
                if court is None or foreign:
                    self._add_row(token, None, court, foreign)  # not this court's match
                    continue
                try:
                    placed = self.tracker(datagram.court_id).feed(line.message, at, token)
                except Exception:  # a bug in match tracking must not cost the event
                    log.exception("match tracking failed on %r", line.text[:200])
                    self._add_row(token, None, court, foreign)
                    continue
                if not placed or placed[-1][0] is not token:
                    self._outstanding.add((datagram.seq, line.sub_index))  # held by the tracker
                self._place(datagram.court_id, placed)
            self._last_seq = datagram.seq
        if self._rows and self._first_row_at is None:
            self._first_row_at = time.monotonic()

    def _place(self, court_id: int, placed: list[tuple[Token, MatchState | None]]) -> None:
        if not placed:
            return
        court = self.courts.snapshot().get(court_id)
        outstanding = self._outstanding
        for token, state in placed:
            if outstanding:
                outstanding.discard((token[0].seq, token[1].sub_index))
            self._add_row(token, state, court, False)
        # A new match replaced the previous one: its row gets its final status (abandoned…).
        tracker = self._trackers[court_id]
        closed_at = placed[-1][0][0].received_ns / 1e9
        closed = tracker.drain_closed()
        for state in closed:
            self._touched[(court_id, state.key)] = (state, closed_at)
        current = tracker.current
        if closed and current is not None and (court_id, current.key) in self._touched:
            # The batch publishes, per court, the last state in `_touched`: that must be the
            # court's current match, not the one it just replaced.
            self._touched[(court_id, current.key)] = self._touched.pop((court_id, current.key))
        if self._first_row_at is None:
            self._first_row_at = time.monotonic()

    def _release_timed_out(self) -> None:
        at = self._now()
        for court_id, tracker in self._trackers.items():
            if tracker.pending:
                self._place(court_id, tracker.flush(at))

    def _add_row(self, token: Token, state: Any, court: CourtInfo | None, foreign: bool) -> None:
        datagram, line = token
        received_at = datagram.received_ns / 1e9
        round_number = clock = match_number = None
        if state is not None:
            round_number = state.round or None
            clock = state.clock_text
            match_number = state.match_number
        # A list in EVENT_COLUMNS order: handed to executemany as is (match_id set at commit).
        row: list[Any] = [
            datagram.seq,
            line.sub_index,
            received_at,
            datagram.monotonic_ns,
            datagram.court_id if court is not None else None,
            f"{datagram.source_host}:{datagram.source_port}",
            datagram.local_port,
            court.tournament_id if court is not None else None,
            court.day_id if court is not None else None,
            None,
            round_number,
            clock,
            line.code,
            line.side,
            line.value,
            line.details,
            datagram.data,
            line.text,
            line.status,
            line.error,
            line.encoding_error,
            foreign,
        ]
        if state is not None:
            self._refs.append((row, datagram.court_id, state.key))
            self._touched[(datagram.court_id, state.key)] = (state, received_at)
        self._rows.append(row)
        self._numbers.append(match_number)

    # --- committing -------------------------------------------------------------------------------
    def _checkpoint(self) -> int:
        if self._outstanding:
            return min(seq for seq, _ in self._outstanding) - 1
        return self._last_seq

    def _seal(self) -> None:
        """Hand the rows so far to the committer (blocks while two batches wait)."""
        checkpoint = self._checkpoint()
        if not self._rows and not self._touched and checkpoint == self._sealed_seq:
            return
        full = len(self._rows) >= int(self._batch_size)
        batch = _Batch(self._rows, self._refs, self._touched, self._numbers, checkpoint, full)
        self._rows, self._refs, self._touched, self._numbers = [], [], {}, []
        self._first_row_at = None
        self._sealed_seq = checkpoint
        self._sealed.put(batch)

    def _commit_loop(self) -> None:
        clean = True
        while True:
            batch = self._sealed.get()
            if batch is None:
                break
            self._committing.set()
            # Read by monitors: a commit stuck behind a lock shows before it finishes.
            self.counters.commit_started = time.monotonic()
            try:
                clean = self._commit_with_retry(batch) and clean
            finally:
                self.counters.commit_started = None
                self._committing.clear()
        self._release_connection()
        self._stopped_cleanly = clean
        self.counters.sample()

    def _connection(self) -> Connection:
        """The committer keeps one connection: no pool round trip or ping per batch, and it
        never runs WAL checkpoints itself (the recorder's checkpointer thread does, beside it;
        an auto-checkpoint inside a commit stalled it for ~0.5 s now and then)."""
        if self._conn is None:
            self._conn = self.engine.connect()
            self._conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            self._conn.commit()  # end the transaction SQLAlchemy began for the PRAGMA
        return self._conn

    def _release_connection(self) -> None:
        if self._conn is not None:
            try:
                self._conn.rollback()
                self._conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 1000")
                self._conn.commit()
                self._conn.close()
            except Exception:
                log.debug("closing the committer's connection failed", exc_info=True)
            self._conn = None

    def _commit_with_retry(self, batch: _Batch) -> bool:
        delay = self.config.retry_initial
        deadline: float | None = None
        while True:
            try:
                self._commit(batch)
                if self.counters.error is not None:
                    log.info("database writes resumed")
                self.counters.error = None
                return True
            except Exception as exc:  # whatever it is, the rows wait and the thread lives on
                self.counters.retries += 1
                if not is_locked_error(exc):
                    self._release_connection()  # start the next attempt on a fresh one
                if isinstance(exc, DBAPIError) and exc.orig is not None:
                    message = str(exc.orig)
                else:
                    message = f"{type(exc).__name__}: {exc}"
                    log.exception("unexpected error while committing")
                if is_locked_error(exc):
                    self.counters.error = f"database busy, retrying: {message}"
                else:
                    self.counters.failed_writes += 1
                    self.counters.error = (
                        f"cannot write to the database ({message}); "
                        "recording continues into the journal"
                    )
                log.warning("commit failed (%s); retry in %.2f s", message, delay)
            if self._stop.is_set() and deadline is None:
                deadline = time.monotonic() + 10  # shutting down: give up after a while
            if deadline is not None and time.monotonic() + delay > deadline:
                return False
            time.sleep(delay)
            delay = min(delay * 2, self.config.retry_max)

    def _commit(self, batch: _Batch) -> None:
        rows, touched = batch.rows, batch.touched
        started = time.perf_counter()
        conn = self._connection()
        with conn.begin():
            ids = self.matches.write(conn, touched, self.courts.snapshot())
            for row, court_id, key in batch.refs:
                row[_MATCH_ID] = ids[(court_id, key)]
            insert_events(conn, rows)
            # As SQL text: building and compiling an update() took ~0.3 ms of every commit.
            conn.exec_driver_sql(_CHECKPOINT_SQL, (batch.checkpoint,))
        elapsed = time.perf_counter() - started
        self.matches.committed()
        committed_ns = time.time_ns()
        self._count(rows, elapsed, committed_ns, batch.checkpoint)
        self._adapt(elapsed, batch.full)
        matches = {court: state for (court, _key), (state, _at) in touched.items()}
        days = {(row[_TOURNAMENT_ID], row[_DAY_ID]) for row in rows}
        self.distributor.publish(
            CommittedBatch(
                _feed_events(rows[-FEED_TAIL:], batch.match_numbers[-FEED_TAIL:]),
                len(rows),
                matches,
                tuple(ids[key] for key in touched),
                tuple(days),
                elapsed,
            )
        )

    def _count(
        self, rows: list[list[Any]], elapsed: float, committed_ns: int, checkpoint: int
    ) -> None:
        c = self.counters
        flagged = [row for row in rows if row[_STATUS] != "ok" or row[_ENCODING_ERROR]]
        courts = Counter(row[_COURT_ID] for row in rows)
        foreign = sum(1 for row in rows if row[_FOREIGN])
        with c.lock:
            c.batches += 1
            c.stored += len(rows)
            c.committed_seq = checkpoint
            c.commit_seconds.append(elapsed)
            c.court_events.update(courts)
            c.foreign += foreign
            bad = 0
            for row in flagged:
                if row[_ENCODING_ERROR]:
                    c.encoding_errors += 1
                status = row[_STATUS]
                if status == "ok":
                    continue
                bad += 1
                if status == "unknown":
                    c.unknown += 1
                    c.unknown_codes[row[_CODE] or "(empty)"] += 1
                else:
                    c.malformed += 1
                c.last_unknown.append(row[_TEXT][:200])
            c.ok += len(rows) - bad
            if rows:
                # Latency of the oldest and newest rows of the batch bound all the others.
                c.latency_seconds.append(committed_ns / 1e9 - rows[0][_RECEIVED_AT])
                c.latency_seconds.append(committed_ns / 1e9 - rows[-1][_RECEIVED_AT])

    def _adapt(self, elapsed: float, full: bool) -> None:
        config = self.config
        if not config.adaptive:
            return
        depth = self.source.qsize()
        capacity = self.source.maxsize or 1
        size = self._batch_size
        # Behind: the hand-off queue is filling, or the writer already waits for the committer.
        if depth / capacity >= config.high_water or self._sealed.full():
            size = float(config.max_batch)  # backpressure: fewer, larger commits
        elif elapsed > config.target_commit:
            size *= 0.9
        elif full:
            size *= 1.1  # the size limited this batch and the commit was quick: allow more
        elif size > config.batch_size:
            # The flush timer sealed a part-filled batch: traffic eased, so ease back too.
            size = max(float(config.batch_size), size * 0.9)
        self._batch_size = min(float(config.max_batch), max(float(config.min_batch), size))
        self.counters.batch_size = int(self._batch_size)

    # --- statistics -----------------------------------------------------------------------
    def stats(
        self,
        received: int,
        journal_bytes: int,
        catch_up_ranges: int,
        last_received_seq: int | None = None,
    ) -> IngestStats:
        c = self.counters
        started = c.commit_started
        running_ms = (time.monotonic() - started) * 1000 if started is not None else 0.0
        with c.lock:
            backlog = 0
            if last_received_seq is not None:
                backlog = max(0, last_received_seq - c.committed_seq)
            commits = [s * 1000 for s in c.commit_seconds]
            latencies = [s * 1000 for s in c.latency_seconds]
            rates = c.rates()
            return IngestStats(
                received=received,
                stored=c.stored,
                ok=c.ok,
                unknown=c.unknown,
                malformed=c.malformed,
                encoding_errors=c.encoding_errors,
                foreign=c.foreign,
                unknown_codes=dict(c.unknown_codes),
                last_unknown=tuple(c.last_unknown),
                per_court=tuple(
                    CourtCounters(court, count, rates.get(court, 0.0))
                    for court, count in sorted(c.court_events.items())
                ),
                rate=sum(rates.values()),
                queue_depth=self.source.qsize(),
                queue_capacity=self.source.maxsize,
                batch_size=int(self._batch_size),
                batches=c.batches,
                commit_ms_last=commits[-1] if commits else 0.0,
                commit_ms_p50=percentile(commits, 0.5),
                commit_ms_p99=percentile(commits, 0.99),
                latency_ms_p50=percentile(latencies, 0.5),
                latency_ms_p99=percentile(latencies, 0.99),
                held=len(self._outstanding),
                committed_seq=c.committed_seq,
                journal_bytes=journal_bytes,
                catch_up_ranges=catch_up_ranges,
                retries=c.retries,
                error=c.error,
                failed_writes=c.failed_writes,
                commit_running_ms=running_ms,
                journal_backlog=backlog,
            )


@functools.lru_cache(maxsize=16)
def _insert_sql(rows: int) -> str:
    return _INSERT_PREFIX + ", ".join([_ROW_PLACEHOLDERS] * rows)


def statement_sizes(count: int) -> list[int]:
    """Rows per INSERT for `count` rows: full ROWS_PER_STATEMENT chunks, then the rest in
    powers of two (700 -> 512 + 128 + 32 + 16 + 8 + 4).

    sqlite3 keeps the last 128 prepared statements of each connection, and a multi-row INSERT
    holds ~2 KB per row once prepared. One statement per remainder size kept up to 128 of them
    alive (~200 MB of RSS within a million events); powers of two make at most 11 sizes."""
    full, rest = divmod(count, ROWS_PER_STATEMENT)
    sizes = [ROWS_PER_STATEMENT] * full
    size = 1 << (ROWS_PER_STATEMENT.bit_length() - 1)
    while rest:
        if rest >= size:
            sizes.append(size)
            rest -= size
        size >>= 1
    return sizes


def insert_events(conn: Connection, rows: list[list[Any]]) -> None:
    """Insert rows with multi-row INSERT statements of the sizes `statement_sizes` gives.

    Not executemany: sqlite3 releases the GIL around every row's step, and with the writer
    thread busy each re-acquisition waits up to a switch interval; one statement per chunk
    waits once. Parameters go straight to the driver: SQLAlchemy's per-row processing would
    cost more than the insert itself at 50,000 rows/s.
    """
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        start = 0
        for size in statement_sizes(len(rows)):
            chunk = rows[start : start + size]
            start += size
            cursor.execute(_insert_sql(size), [value for row in chunk for value in row])
    finally:
        cursor.close()


#: FeedEvent from a tuple of its fields, in C: a NamedTuple's own constructor is a Python
#: function, and the committer makes up to FEED_TAIL of them per batch with the GIL held.
_new_feed_event = functools.partial(tuple.__new__, FeedEvent)


def _feed_events(rows: list[list[Any]], numbers: list[str | None]) -> tuple[FeedEvent, ...]:
    return tuple(
        [
            _new_feed_event(
                (
                    row[0],
                    row[1],
                    int(row[_RECEIVED_AT] * 1e9),
                    row[_COURT_ID] or 0,
                    number,
                    row[10],
                    row[11],
                    row[_CODE],
                    row[13],
                    row[14],
                    row[_TEXT],
                    row[_STATUS],
                    row[19],
                    bool(row[_FOREIGN]),
                )
            )
            for row, number in zip(rows, numbers, strict=True)
        ]
    )


def stored_seqs_after(engine: Engine, seq: int) -> set[int]:
    """Sequence numbers already in the database past the checkpoint (recovery after a crash)."""
    with engine.connect() as conn:
        return set(conn.execute(select(Event.seq).where(Event.seq > seq)).scalars())
