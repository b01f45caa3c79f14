"""UdpListener over real UDP on 127.0.0.1: stamping, journaling, hand-off and port errors."""

from __future__ import annotations

import queue
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.ingest.journal import Datagram, Journal
from app.ingest.listener import CatchUp, PortInUseError, QueueItem, UdpListener


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal.open(tmp_path / "journal")


@pytest.fixture
def sender() -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    yield sock
    sock.close()


def collect(out: queue.Queue[QueueItem], journal: Journal, count: int) -> list[Datagram]:
    got: list[Datagram] = []
    deadline = time.monotonic() + 5
    while len(got) < count and time.monotonic() < deadline:
        try:
            item = out.get(timeout=0.2)
        except queue.Empty:
            continue
        if isinstance(item, CatchUp):
            got.extend(journal.read_from(item.first_seq, item.last_seq))
        else:
            got.extend(item)
    return got


def test_datagrams_are_stamped_journaled_and_queued(
    journal: Journal, sender: socket.socket
) -> None:
    out: queue.Queue[QueueItem] = queue.Queue(maxsize=100)
    listener = UdpListener(journal, out)
    listener.start()
    try:
        status = listener.add_endpoint(7, "127.0.0.1", 0)
        assert status.listening and status.error is None
        port = listener.bound_port(7)
        payloads = [f"clk;01:{i:02d}".encode() for i in range(50)] + [b"", b"\xff\x00binary"]
        before = time.time_ns()
        for payload in payloads:
            sender.sendto(payload, ("127.0.0.1", port))
        got = collect(out, journal, len(payloads))
    finally:
        listener.stop()
    assert [d.data for d in got] == payloads
    assert [d.seq for d in got] == list(range(1, len(payloads) + 1))
    assert all(d.court_id == 7 and d.source_host == "127.0.0.1" for d in got)
    assert all(before <= d.received_ns <= time.time_ns() for d in got)
    assert [d.data for d in journal.read_from(1)] == payloads


def test_what_every_socket_held_is_journaled_and_queued_together(
    journal: Journal, sender: socket.socket
) -> None:
    out: queue.Queue[QueueItem] = queue.Queue(maxsize=100)
    listener = UdpListener(journal, out)
    listener.start()
    try:
        ports = {}
        for court in (1, 2, 3):
            listener.add_endpoint(court, "127.0.0.1", 0)
            ports[court] = listener.bound_port(court)
        # Keep the listener's loop busy while all three courts send: when it looks again, it
        # finds every socket ready in the same iteration.
        listener._loop.call_soon_threadsafe(time.sleep, 1.0)
        time.sleep(0.2)
        for court, port in ports.items():
            for n in range(5):
                sender.sendto(f"clk;0{court}:{n:02d}".encode(), ("127.0.0.1", port))
        item = out.get(timeout=5)
        deadline = time.monotonic() + 5
        while not listener.idle.is_set() and time.monotonic() < deadline:
            time.sleep(0.01)
        idle_after_traffic = listener.idle.is_set()
    finally:
        listener.stop()
    assert isinstance(item, list)  # one hand-off for the three courts, not one per socket
    assert sorted(d.court_id for d in item) == [1] * 5 + [2] * 5 + [3] * 5
    assert [d.seq for d in item] == list(range(1, 16))
    assert out.empty()
    assert [d.seq for d in journal.read_from(1)] == list(range(1, 16))
    assert idle_after_traffic  # the writer is not held back once the datagrams are queued
    assert listener.idle.is_set()


def test_a_full_queue_never_loses_datagrams(journal: Journal, sender: socket.socket) -> None:
    out: queue.Queue[QueueItem] = queue.Queue(maxsize=1)
    listener = UdpListener(journal, out)
    listener.start()
    try:
        listener.add_endpoint(1, "127.0.0.1", 0)
        port = listener.bound_port(1)
        for i in range(300):
            sender.sendto(f"pt1;{i % 5 + 1}".encode(), ("127.0.0.1", port))
            if i % 50 == 0:
                time.sleep(0.01)  # let several bursts meet the full queue
        time.sleep(0.3)  # traffic stops while the queue is still full
        got = collect(out, journal, 300)
    finally:
        listener.stop()
    assert listener.catch_up_ranges > 0
    assert [d.seq for d in got] == list(range(1, 301))


def test_port_in_use_is_a_clear_error(journal: Journal) -> None:
    blocker = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    blocker.bind(("127.0.0.1", 0))
    port = blocker.getsockname()[1]
    listener = UdpListener(journal, queue.Queue())
    listener.start()
    try:
        with pytest.raises(PortInUseError, match=f"UDP port {port} on 127.0.0.1 is already in use"):
            listener.add_endpoint(1, "127.0.0.1", port)
        [status] = listener.statuses()
        assert not status.listening and status.error is not None and "in use" in status.error
    finally:
        listener.stop()
        blocker.close()


def test_sequence_continues_after_the_journal(journal: Journal, sender: socket.socket) -> None:
    journal.append([Datagram(41, 0, 0, 1, 6000, "x", 1, b"old")])
    out: queue.Queue[QueueItem] = queue.Queue()
    listener = UdpListener(journal, out)
    listener.start()
    try:
        listener.add_endpoint(1, "127.0.0.1", 0)
        sender.sendto(b"rnd;1", ("127.0.0.1", listener.bound_port(1)))
        [got] = collect(out, journal, 1)
    finally:
        listener.stop()
    assert got.seq == 42
