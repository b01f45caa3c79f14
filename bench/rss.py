"""Resident memory of a recorder process after 1,000,000 events recorded.

    python -m bench.rss [--events 1000000] [--rate 12000]

A fresh process (so nothing the other benchmarks allocated counts) runs what `strikedesk
record` runs: Recorder and Monitor on a new data folder, one court on loopback. A sender
process streams the simulator's traffic until a million events are committed; the recorder
process then reports its RSS (psutil) after the pipeline is idle, and its peak.

The rate is one the recorder sustains on a shared 2-core machine (real courts send 5-15 a
second): under overload the hand-off queue and the largest batches hold far more datagrams
in memory, and CPython keeps the memory it reached (its arenas stay mapped), so RSS then
measures the backlog's high-water mark rather than what recording a million events costs.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ingest import sender

MB = 1_000_000


def settle(recorder: Any, events: int) -> None:
    """Wait until `events` are stored, or everything received is stored and nothing more
    arrives (what the kernel dropped is not coming)."""
    last = -1
    while True:
        stats = recorder.stats()
        if stats.stored >= events or (stats.stored == stats.received == last):
            return
        last = stats.received
        time.sleep(1.0)


def record_and_measure(events: int, rate: int, report: Any) -> None:
    """The recorder process: record `events` events, then put its memory figures on `report`."""
    import psutil

    from app.ingest.courts import CourtInfo
    from app.ingest.recorder import Recorder
    from app.monitor.memory import MemoryMonitor
    from app.monitor.service import Monitor
    from app.store.database import Database
    from app.store.repositories import Courts

    process = psutil.Process()
    with tempfile.TemporaryDirectory(prefix="bench-rss-") as folder:
        db = Database.open(Path(folder))
        with db.transaction() as session:
            court_id = Courts(session).add("RSS", 7200, bind_address="127.0.0.1").id
        recorder = Recorder(db.engine, db.paths.journal)
        recorder.start()
        monitor = Monitor(db, recorder)
        monitor.start()
        recorder.open_court(CourtInfo(court_id, "RSS", 0, "127.0.0.1"))
        port = recorder.bound_port(court_id)
        started_rss = process.memory_info().rss
        started = time.monotonic()
        context = mp.get_context("spawn")
        rounds = 0
        # Top up until a million are committed: a datagram the kernel dropped on a busy
        # machine is not what this measures.
        while recorder.stats().stored < events and rounds < 5:
            missing = events - recorder.stats().stored
            ready = context.Event()
            sent: mp.Queue[int] = context.Queue()
            child = context.Process(target=sender, args=([port], rate, missing / rate, ready, sent))
            child.start()
            ready.wait(30)
            sent.get(timeout=missing / rate + 120)
            child.join()
            settle(recorder, events)
            rounds += 1
        recorder.wait_idle(30)
        stored = recorder.stats().stored
        seconds = time.monotonic() - started
        time.sleep(2)  # idle: what the recorder holds, not what is in flight
        rss = process.memory_info().rss
        peak = MemoryMonitor().sample().peak_rss_bytes
        monitor.stop(store=False)
        recorder.stop()
        db.close()
    report.put(
        {
            "events": stored,
            "rate": rate,
            "seconds": round(seconds, 1),
            "rss_start_mb": round(started_rss / MB, 1),
            "rss_mb": round(rss / MB, 1),
            "peak_rss_mb": round(peak / MB, 1),
        }
    )


def run(events: int = 1_000_000, rate: int = 12_000, quick: bool = False) -> dict[str, object]:
    if quick:
        events = min(events, 200_000)
    context = mp.get_context("spawn")
    report: mp.Queue[dict[str, object]] = context.Queue()
    process = context.Process(target=record_and_measure, args=(events, rate, report))
    process.start()
    result = report.get(timeout=events / rate * 5 + 300)
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rate", type=int, default=12_000)
    args = parser.parse_args()
    print(json.dumps(run(args.events, args.rate), indent=2))


if __name__ == "__main__":
    main()
