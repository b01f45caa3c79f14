"""Replay a capture (`.txt`/`.tsv` from ../shared/protocol/samples) to a UDP port."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from app.sim.capture import CaptureLine
from app.sim.sender import SendReport, send_scheduled

DEFAULT_TXT_GAP = 0.05  # seconds between lines of a .txt capture, which has no timing


def schedule(
    lines: Sequence[CaptureLine], terminator: bytes = b"\r\n", max_gap: float | None = 10.0
) -> Iterator[tuple[float, bytes]]:
    """(delay_seconds, datagram) pairs keeping the capture's timing; idle gaps longer than
    `max_gap` are shortened to it (long captures hold minutes of nothing)."""
    previous: int | None = None
    for index, line in enumerate(lines):
        if index == 0:
            delay = 0.0
        elif line.offset_ms is None or previous is None:
            delay = DEFAULT_TXT_GAP
        else:
            delay = max(0, line.offset_ms - previous) / 1000
        previous = line.offset_ms
        if max_gap is not None:
            delay = min(delay, max_gap)
        yield delay, line.datagram + terminator


def replay(
    lines: Sequence[CaptureLine],
    host: str,
    port: int,
    speed: float = 1.0,
    terminator: bytes = b"\r\n",
    max_gap: float | None = 10.0,
    should_stop: Callable[[], bool] = lambda: False,
) -> SendReport:
    return send_scheduled(schedule(lines, terminator, max_gap), host, port, speed, should_stop)
