"""Datagram-to-row latency at a steady 1,000 events/s: from the sender's `sendto` to the moment
the row's transaction has committed.

    python -m bench.latency [--rate 1000] [--seconds 20]

The real Recorder (journal, listener, BatchWriter, synchronous=FULL) and the Monitor run as
`strikedesk record` runs them. The sender is another process that notes the wall-clock time
of every datagram; the pipeline's distributor notes when each batch committed. Over loopback
datagrams arrive in the order sent, so the n-th datagram is journal seq n. The pipeline's
own figure (listener stamp -> commit) is printed beside it.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.ingest import traffic, wait_for


def timed_sender(port: int, rate: int, seconds: float, ready: Any, report: Any) -> None:
    """Send `rate` datagrams a second for `seconds`, reporting each one's time.time_ns()."""
    stream = traffic(1)[0]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ready.set()
    total = int(rate * seconds)
    stamps: list[int] = []
    start = time.perf_counter()
    while len(stamps) < total:
        due = min(total, int((time.perf_counter() - start) * rate) + 1)
        while len(stamps) < due:
            stamps.append(time.time_ns())
            sock.sendto(stream[len(stamps) % len(stream)], ("127.0.0.1", port))
        time.sleep(0.0005)
    sock.close()
    report.put(stamps)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run(rate: int = 1000, seconds: float = 20.0, quick: bool = False) -> dict[str, object]:
    from app.ingest.courts import CourtInfo
    from app.ingest.feed import CommittedBatch
    from app.ingest.recorder import Recorder
    from app.monitor.service import Monitor
    from app.store.database import Database
    from app.store.repositories import Courts

    if quick:
        seconds = min(seconds, 5.0)
    committed: dict[int, int] = {}  # seq -> time.time_ns() of its commit
    lock = threading.Lock()

    def note(batch: CommittedBatch) -> None:
        now = time.time_ns()
        with lock:
            for event in batch.events:
                committed.setdefault(event.seq, now)

    with tempfile.TemporaryDirectory(prefix="bench-latency-") as folder:
        db = Database.open(Path(folder))
        with db.transaction() as session:
            court_id = Courts(session).add("Latency", 7100, bind_address="127.0.0.1").id
        recorder = Recorder(db.engine, db.paths.journal)
        recorder.start()
        recorder.distributor.subscribe(note)
        monitor = Monitor(db, recorder)
        monitor.start()
        recorder.open_court(CourtInfo(court_id, "Latency", 0, "127.0.0.1"))
        port = recorder.bound_port(court_id)

        context = mp.get_context("spawn")
        ready = context.Event()
        report: mp.Queue[list[int]] = context.Queue()
        process = context.Process(target=timed_sender, args=(port, rate, seconds, ready, report))
        process.start()
        ready.wait(30)
        stamps = report.get(timeout=seconds + 60)
        process.join()
        stored, _ = wait_for(lambda: recorder.stats().stored, len(stamps), 10)
        recorder.wait_idle(10)
        pipeline = recorder.stats()
        monitor.stop(store=False)
        recorder.stop()
        db.close()

    latencies = [
        (committed[seq] - sent) / 1e6
        for seq, sent in enumerate(stamps, start=1)
        if seq in committed
    ]
    return {
        "rate": rate,
        "seconds": seconds,
        "sent": len(stamps),
        "received": pipeline.received,
        "stored": stored,
        "lost": len(stamps) - stored,
        "measured": len(latencies),
        "p50_ms": round(percentile(latencies, 0.5), 2) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99), 2) if latencies else None,
        "max_ms": round(max(latencies), 2) if latencies else None,
        "pipeline_p99_ms": round(pipeline.latency_ms_p99, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(json.dumps(run(args.rate, args.seconds), indent=2))


if __name__ == "__main__":
    main()
