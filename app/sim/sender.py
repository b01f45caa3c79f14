"""Send datagrams over UDP on a schedule (used by `simulate`, `replay` and the benchmarks)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SendReport:
    datagrams: int
    bytes: int
    seconds: float


def free_udp_port(host: str = "127.0.0.1") -> int:
    """A UDP port nobody listens on right now, for a simulated court (tests, benchmarks)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def open_sender(broadcast: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if broadcast:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    return sock


def send_scheduled(
    datagrams: Iterable[tuple[float, bytes]],
    host: str,
    port: int,
    speed: float = 1.0,
    should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    """Send (delay_seconds, payload) pairs; delays are divided by `speed` (0 or less: no waits).

    Times are kept on an absolute schedule so small sleep errors do not add up over an hour.
    """
    sock = open_sender(broadcast=host.endswith(".255"))
    count = 0
    total = 0
    started = time.perf_counter()
    due = started
    try:
        for delay, payload in datagrams:
            if should_stop():
                break
            if speed > 0:
                due += delay / speed
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
            sock.sendto(payload, (host, port))
            count += 1
            total += len(payload)
    finally:
        sock.close()
    return SendReport(count, total, time.perf_counter() - started)
