"""UDP listener: its own thread and asyncio loop, one non-blocking socket per court.

The listener only receives, stamps, journals and hands off (design.md §3). It registers each
socket with `loop.add_reader` and drains it until it would block: asyncio's datagram transport
makes one `recvfrom` per loop iteration, which costs several times more per datagram under load.
What every socket gave in one loop iteration is journaled in one write and queued as one item.

The loop wakes at most once every PACE_SECONDS (`PacedSelector`): with 8 courts sharing 5,000
datagrams/s, waking for each datagram cost the listener and the writer ~55 µs of GIL time per
datagram each (a wake-up, a journal write, a queue hand-off and a writer pass for a list of
one), which the window's thread then waited for. Datagrams wait in the kernel's buffers for at
most that long instead.

A full hand-off queue never blocks the listener: the datagrams stay in the journal and the
writer is told to read that range back (`CatchUp`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import queue
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import NamedTuple

from app.ingest.journal import Datagram, Journal

log = logging.getLogger(__name__)

RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024
MAX_DATAGRAM = 65535
TICK_SECONDS = 0.05
DRAIN_LIMIT = 512  # datagrams read per wake-up before other sockets get their turn
#: Datagram from a tuple of its fields, in C: a NamedTuple's own constructor is a Python
#: function, a frame per datagram in which the listener can lose the GIL to another thread.
new_datagram = functools.partial(tuple.__new__, Datagram)
#: Shortest time between two wake-ups of the listener loop (the latency it adds at most).
PACE_SECONDS = 0.002


class PacedSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """The platform's selector, waiting until PACE_SECONDS have passed since its last wake-up
    with events before it looks again, so that a loop iteration finds several datagrams
    instead of one. A poll for work already queued (timeout 0) is never held back."""

    def __init__(self, pace: float = PACE_SECONDS) -> None:
        super().__init__()
        self._pace = pace
        self._woke = 0.0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is None or timeout > 0:
            hold = self._woke + self._pace - time.monotonic()
            if hold > 0:
                time.sleep(hold if timeout is None else min(hold, timeout))
                if timeout is not None:
                    timeout = max(0.0, timeout - hold)
        events: list[tuple[selectors.SelectorKey, int]] = super().select(timeout)
        if events:
            self._woke = time.monotonic()
        return events


class CatchUp(NamedTuple):
    """Queue item: datagrams first_seq..last_seq are in the journal but were not queued."""

    first_seq: int
    last_seq: int


QueueItem = list[Datagram] | CatchUp


@dataclass(frozen=True, slots=True)
class EndpointStatus:
    """What the UI shows for a court's socket (status light and tooltip)."""

    court_id: int
    bind_address: str
    port: int
    listening: bool
    error: str | None
    receive_buffer: int
    datagrams: int
    last_received_monotonic: float | None  # time.monotonic() of the last datagram


@dataclass(slots=True)
class _Endpoint:
    court_id: int
    bind_address: str
    port: int
    sock: socket.socket | None = None
    error: str | None = None
    receive_buffer: int = 0
    datagrams: int = 0
    last_received: float | None = None
    counted: list[int] = field(default_factory=list)


class PortInUseError(OSError):
    """The court's UDP port is taken by another program (or another StrikeDesk)."""


def open_udp_socket(bind_address: str, port: int) -> tuple[socket.socket, int]:
    """A bound non-blocking UDP socket with a large receive buffer, and its effective size."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        except OSError as exc:  # some systems refuse large buffers: keep the default
            log.warning("SO_RCVBUF %d refused: %s", RECEIVE_BUFFER_BYTES, exc)
        try:
            sock.bind((bind_address, port))
        except OSError as exc:
            if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
                raise PortInUseError(
                    exc.errno, f"UDP port {port} on {bind_address} is already in use"
                ) from exc
            raise OSError(
                exc.errno, f"cannot listen on {bind_address}:{port}: {exc.strerror}"
            ) from exc
        sock.setblocking(False)
        effective = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        return sock, effective
    except BaseException:
        sock.close()
        raise


class UdpListener:
    """Owns the sockets, stamps sequence numbers, journals, and feeds the writer queue."""

    def __init__(
        self,
        journal: Journal,
        out: queue.Queue[QueueItem],
        on_received: Callable[[int, int], None] | None = None,
        idle: threading.Event | None = None,
    ) -> None:
        self._journal = journal
        self._out = out
        self._on_received = on_received
        # A selector loop on every platform: Windows' default (proactor) loop has no add_reader.
        self._loop = asyncio.SelectorEventLoop(PacedSelector())
        self._thread = threading.Thread(target=self._run, name="strikedesk-listener", daemon=True)
        self._endpoints: dict[int, _Endpoint] = {}
        self._next_seq = journal.last_seq + 1
        self._pending_from: int | None = None  # first journaled seq not handed to the queue
        self._buffer = bytearray(MAX_DATAGRAM + 1)
        self._received: list[Datagram] = []  # this loop iteration's datagrams, all sockets
        self._flush_due = False
        # Clear while a loop iteration takes datagrams off the sockets, until they are queued:
        # the writer gives way meanwhile (see BatchWriter), so each recv, which lets the GIL go,
        # gets it back at once instead of after a switch interval (5 ms) of the writer's work.
        self.idle = idle if idle is not None else threading.Event()
        self.idle.set()
        # Items that could not be queued and are not (all) in the journal either: a failing
        # journal (full disk) must not lose what the queue cannot take yet.
        self._spill: deque[QueueItem] = deque()
        self._last_journaled = journal.last_seq
        self.received_total = 0
        self.catch_up_ranges = 0
        self.journal_error: str | None = None

    # --- lifecycle (any thread) ------------------------------------------------------------
    @property
    def next_seq(self) -> int:
        return self._next_seq

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._call(self._close_all)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
        self.idle.set()  # a flush the stopped loop never ran must not hold the writer back

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.call_soon(self._tick)
        self._loop.run_forever()

    def _tick(self) -> None:
        """Hand over what waits when traffic stops: a journal range or spilled datagrams."""
        if self._spill:
            self._drain_spill()
        elif self._pending_from is not None:
            try:
                self._out.put_nowait(CatchUp(self._pending_from, self._last_journaled))
                self._pending_from = None
            except queue.Full:
                pass
        self._loop.call_later(TICK_SECONDS, self._tick)

    def _call(self, fn: Callable[[], object], timeout: float = 5.0) -> object:
        """Run fn on the listener thread and return its result (or raise its error)."""
        result: Future[object] = Future()

        def runner() -> None:
            try:
                result.set_result(fn())
            except BaseException as exc:
                result.set_exception(exc)

        self._loop.call_soon_threadsafe(runner)
        return result.result(timeout)

    # --- endpoints (any thread) ------------------------------------------------------------
    def add_endpoint(self, court_id: int, bind_address: str, port: int) -> EndpointStatus:
        """Start listening for a court. Raises PortInUseError/OSError if the port cannot open;
        the failed endpoint stays visible (with its error) in `statuses()`."""

        def add() -> EndpointStatus:
            self._remove(court_id)
            endpoint = _Endpoint(court_id, bind_address, port)
            self._endpoints[court_id] = endpoint
            try:
                endpoint.sock, endpoint.receive_buffer = open_udp_socket(bind_address, port)
            except OSError as exc:
                endpoint.error = exc.strerror or str(exc)
                raise
            if endpoint.receive_buffer < RECEIVE_BUFFER_BYTES:
                log.info(
                    "court %d: receive buffer %d bytes (asked %d; the kernel caps it)",
                    court_id,
                    endpoint.receive_buffer,
                    RECEIVE_BUFFER_BYTES,
                )
            self._loop.add_reader(endpoint.sock.fileno(), self._drain, endpoint)
            log.info("court %d listening on %s:%d", court_id, bind_address, port)
            return self._status(endpoint)

        return self._call(add)  # type: ignore[return-value]

    def remove_endpoint(self, court_id: int) -> None:
        self._call(lambda: self._remove(court_id))

    def statuses(self) -> list[EndpointStatus]:
        # Read without a loop round-trip: the UI polls this; fields are replaced atomically.
        return [self._status(e) for e in list(self._endpoints.values())]

    def bound_port(self, court_id: int) -> int:
        """The actual port (useful when a court was opened on port 0 in tests)."""
        endpoint = self._endpoints[court_id]
        assert endpoint.sock is not None
        return int(endpoint.sock.getsockname()[1])

    @staticmethod
    def _status(e: _Endpoint) -> EndpointStatus:
        return EndpointStatus(
            e.court_id,
            e.bind_address,
            e.port,
            e.sock is not None,
            e.error,
            e.receive_buffer,
            e.datagrams,
            e.last_received,
        )

    def _remove(self, court_id: int) -> None:
        endpoint = self._endpoints.pop(court_id, None)
        if endpoint is not None and endpoint.sock is not None:
            self._receive(endpoint)  # whatever the kernel already holds is still recorded
            self._flush()
            self._loop.remove_reader(endpoint.sock.fileno())
            endpoint.sock.close()
            endpoint.sock = None

    def _close_all(self) -> None:
        for court_id in list(self._endpoints):
            self._remove(court_id)

    # --- the hot path (listener thread) --------------------------------------------------------
    def _drain(self, endpoint: _Endpoint) -> None:
        """Reader callback: take what the socket holds; `_flush` journals and queues it once
        every ready socket of this loop iteration has been read."""
        if not self._flush_due:
            self.idle.clear()
            self._flush_due = True
            self._loop.call_soon(self._flush)
        self._receive(endpoint)

    def _receive(self, endpoint: _Endpoint) -> int:
        sock = endpoint.sock
        if sock is None:
            return 0
        batch = self._received
        buffer = self._buffer
        seq = first = self._next_seq
        court_id = endpoint.court_id
        port = endpoint.port
        recv = sock.recvfrom_into
        wall = time.time_ns
        mono = time.monotonic_ns
        for _ in range(DRAIN_LIMIT):
            try:
                size, (host, source_port) = recv(buffer)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                # Windows reports ICMP "port unreachable" as an error on the next recv.
                log.debug("recv on court %d: %s", court_id, exc)
                break
            batch.append(
                new_datagram(
                    (seq, wall(), mono(), court_id, port, host, source_port, bytes(buffer[:size]))
                )
            )
            seq += 1
        count = seq - first
        if count:
            self._next_seq = seq
            endpoint.datagrams += count
            endpoint.last_received = time.monotonic()
            if self._on_received is not None:
                self._on_received(court_id, count)
        return count

    def _flush(self) -> None:
        self._flush_due = False
        try:
            if self._spill:
                self._drain_spill()
            batch, self._received = self._received, []
            if not batch:
                return
            journaled = self._journal_append(batch)
            self.received_total += len(batch)
            self._hand_off(batch, journaled)
        finally:
            self.idle.set()

    def _journal_append(self, batch: list[Datagram]) -> bool:
        try:
            self._journal.append(batch)
        except OSError as exc:
            if self.journal_error is None:
                log.error("journal write failed, keeping datagrams in memory: %s", exc)
            self.journal_error = f"journal write failed: {exc}"
            return False
        if self.journal_error is not None:
            log.info("journal writes resumed")
            self.journal_error = None
        self._last_journaled = batch[-1].seq
        return True

    def _hand_off(self, batch: list[Datagram], journaled: bool) -> None:
        if journaled and not self._spill:
            if self._pending_from is not None:
                item: QueueItem = CatchUp(self._pending_from, batch[-1].seq)
            else:
                item = batch
            try:
                self._out.put_nowait(item)
            except queue.Full:
                # Never block or drop: the journal has them; the writer reads them back later.
                if self._pending_from is None:
                    self._pending_from = batch[0].seq
                    self.catch_up_ranges += 1
                return
            self._pending_from = None
            return
        # The journal failed (now or before): keep order and hold the data itself in memory.
        if self._pending_from is not None:
            self._spill.append(CatchUp(self._pending_from, self._last_journaled))
            self._pending_from = None
        self._spill.append(batch)
        self._drain_spill()

    def _drain_spill(self) -> None:
        while self._spill:
            try:
                self._out.put_nowait(self._spill[0])
            except queue.Full:
                return
            self._spill.popleft()
