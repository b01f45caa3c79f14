"""GUI event-loop stalls while the window records 8 courts at 5,000 events/s in total.

    QT_QPA_PLATFORM=offscreen python -m bench.gui_stall [--seconds 20] [--rate 5000]

The real MainWindow runs offscreen on a fresh data folder with 8 courts on ephemeral ports; a
sender in its own process (as the PSS is) spreads the simulator's traffic evenly over them. A
10 ms QTimer heartbeat on the GUI thread records the time between its ticks: a gap above 10 ms
is the time the event loop was busy (feed, scoreboards, statistics, qasync callbacks, GIL
hand-offs with the recorder's threads). The same heartbeat on the idle window, measured first
in the same run, is the baseline. Target (design.md §5): p99 < 50 ms, max < 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer

from app.ingest.stats import percentile
from app.sim.sender import free_udp_port
from app.ui.launch import drive_window
from app.ui.main_window import MainWindow
from bench.ingest import sender

COURTS = 8


HEARTBEAT_MS = 10


class Heartbeat:
    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)
        self.stamps: list[float] = []

    def _tick(self) -> None:
        self.stamps.append(time.perf_counter())

    def start(self) -> None:
        self.stamps = []
        self.timer.start()

    def stop(self) -> dict[str, float]:
        self.timer.stop()
        gaps = [(b - a) * 1000 for a, b in zip(self.stamps, self.stamps[1:], strict=False)]
        return {
            "ticks": len(self.stamps),
            "p50_ms": round(percentile(gaps, 0.50), 1),
            "p99_ms": round(percentile(gaps, 0.99), 1),
            "max_ms": round(max(gaps, default=0.0), 1),
        }


async def measure(window: MainWindow, rate: int, seconds: float) -> dict[str, object]:
    while window.desk is None:
        await asyncio.sleep(0.05)
    desk = window.desk
    calls = window.calls
    tournament = await calls(lambda: desk.create_tournament("Bench Open", None, None, None, None))
    await calls(lambda: desk.start_day(tournament))
    await calls(lambda: desk.set_recording(1, False))  # the default court's port 6000
    court_ids = []
    for n in range(COURTS):
        port = free_udp_port()
        court_id, problem = await calls(
            lambda n=n, port=port: desk.add_court(f"Mat {n + 1}", port, "127.0.0.1", ())
        )
        assert problem is None, problem
        court_ids.append(court_id)
    await window._reload()
    ports = [desk.recorder.bound_port(c) for c in court_ids]

    heartbeat = Heartbeat()
    heartbeat.start()
    await asyncio.sleep(min(5.0, seconds / 2))
    idle = heartbeat.stop()

    context = mp.get_context("spawn")
    ready = context.Event()
    report: mp.Queue[int] = context.Queue()
    process = context.Process(target=sender, args=(ports, rate, seconds, ready, report))
    process.start()
    while not ready.is_set():
        await asyncio.sleep(0.05)
    heartbeat.start()
    started = time.perf_counter()
    while process.is_alive():
        await asyncio.sleep(0.1)
    loaded = heartbeat.stop()
    elapsed = time.perf_counter() - started
    sent = report.get(timeout=10)
    process.join()
    deadline = time.monotonic() + 30
    while desk.recorder.stats().stored < sent and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    stats = desk.recorder.stats()
    return {
        "courts": COURTS,
        "rate": rate,
        "seconds": round(elapsed, 1),
        "sent": sent,
        "stored": stats.stored,
        "feed_rows": window.feed.model.rowCount(),
        "idle": idle,
        "loaded": loaded,
    }


def run(seconds: float = 20.0, rate: int = 5000) -> dict[str, object]:
    return drive_window(lambda window: measure(window, rate, seconds), prefix="bench-gui-")


def report(result: dict[str, object]) -> str:
    idle, loaded = result["idle"], result["loaded"]
    assert isinstance(idle, dict) and isinstance(loaded, dict)
    return (
        f"GUI heartbeat ({HEARTBEAT_MS} ms) while {result['courts']} courts send "
        f"{result['rate']:,} events/s for {result['seconds']} s "
        f"({result['stored']:,} of {result['sent']:,} stored):\n"
        f"  idle window : p50 {idle['p50_ms']} ms, p99 {idle['p99_ms']} ms, "
        f"max {idle['max_ms']} ms\n"
        f"  recording   : p50 {loaded['p50_ms']} ms, p99 {loaded['p99_ms']} ms, "
        f"max {loaded['max_ms']} ms  (target p99 < 50, max < 200)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=int, default=5000)
    args = parser.parse_args()
    result = run(args.seconds, args.rate)
    print(report(result))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
