"""Highest rate StrikeDesk sustains over real UDP into committed SQLite rows with zero loss,
next to a minimal raw pipeline measured in the same run.

    python -m bench.ingest [--seconds 30] [--quick]

Raw pipeline: blocking-socket thread -> queue -> sqlite3.executemany in 500-row WAL
transactions, no parsing. StrikeDesk: the real Recorder (journal, listener thread, BatchWriter
with parsing, match tracking, five indexes, synchronous=FULL). Both receive on one UDP port
(one court), as the issue defines the raw pipeline; the traffic is the simulator's. The sender
runs in its own process, pacing datagrams every millisecond.

Both run in one process, so the raw pipeline's sqlite3 binds with the adapters StrikeDesk
registers (`engine.bind_common_values_directly`): the two bind the same way.

A rate is sustained when every datagram sent is received and committed, and the backlog left
when the sender stops drains within 2 s. Rates are probed in short trials that must leave at
most PROBE_DRAIN_S of backlog (a writer slightly slower than the traffic hides its deficit in
4 s, not in 30), then the best is confirmed for the full duration, stepping down 10% while it
fails, so the figure printed is one that was sustained.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing as mp
import queue
import socket
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

COURTS = 1
#: 10 % apart (10,000 … 108,300), as the confirmation steps down: with 25-33 % steps a pipeline
#: sustaining 24,000/s was reported at 20,000 and one sustaining 58,000 at 50,000.
PROBE_RATES = tuple(int(round(10_000 * 1.1**step, -2)) for step in range(26))
PROBE_DRAIN_S = 0.5
CONFIRM_STEPS = 6


@dataclass(frozen=True)
class Trial:
    pipeline: str
    rate: int
    seconds: float
    sent: int
    stored: int
    drained_in: float
    ok: bool


def traffic(courts: int) -> list[list[bytes]]:
    """One realistic session per court (every message type), encoded."""
    from app.protocol import encode
    from app.sim.generator import generate_session

    return [
        [encode(m) for _, m in generate_session(seed=100 + n, matches=3)] for n in range(courts)
    ]


def sender(ports: list[int], rate: int, seconds: float, ready: object, report: object) -> None:
    streams = traffic(len(ports))
    cycles = [itertools.cycle(stream) for stream in streams]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    targets = [("127.0.0.1", port) for port in ports]
    ready.set()  # type: ignore[attr-defined]
    total = int(rate * seconds)
    sent = 0
    start = time.perf_counter()
    court = 0
    while sent < total:
        due = min(total, int((time.perf_counter() - start) * rate) + 1)
        while sent < due:
            sock.sendto(next(cycles[court]), targets[court])
            court = (court + 1) % len(targets)
            sent += 1
        time.sleep(0.001)
    sock.close()
    report.put(sent)  # type: ignore[attr-defined]


def run_sender(ports: list[int], rate: int, seconds: float) -> int:
    context = mp.get_context("spawn")
    ready = context.Event()
    report: mp.Queue[int] = context.Queue()
    process = context.Process(target=sender, args=(ports, rate, seconds, ready, report))
    process.start()
    ready.wait(30)
    sent = report.get(timeout=seconds + 60)
    process.join()
    return int(sent)


def wait_for(count: Callable[[], int], target: int, timeout: float) -> tuple[int, float]:
    started = time.monotonic()
    value = count()
    while value < target and time.monotonic() - started < timeout:
        time.sleep(0.02)
        value = count()
    return value, time.monotonic() - started


# --- the raw baseline ------------------------------------------------------------------------
def raw_trial(rate: int, seconds: float) -> Trial:
    from app.store.engine import bind_common_values_directly

    bind_common_values_directly()  # as StrikeDesk binds (module docstring), in any run order
    folder = Path(tempfile.mkdtemp(prefix="bench-raw-"))
    conn = sqlite3.connect(folder / "raw.db", check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE events (seq INTEGER, received REAL, data BLOB)")
    socks = []
    for _ in range(COURTS):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * 1024 * 1024)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(0.2)
        socks.append(sock)
    items: queue.Queue[tuple[int, float, bytes] | None] = queue.Queue()
    stored = 0
    stop = threading.Event()
    seq = itertools.count(1)

    def receive(sock: socket.socket) -> None:
        while not stop.is_set():
            try:
                data = sock.recv(65535)
            except TimeoutError:
                continue
            items.put((next(seq), time.time(), data))

    def write() -> None:
        nonlocal stored
        batch: list[tuple[int, float, bytes]] = []
        while True:
            try:
                item = items.get(timeout=0.05)
            except queue.Empty:
                item = None
                if stop.is_set() and not batch:
                    return
            if item is not None:
                batch.append(item)
            if len(batch) >= 500 or (item is None and batch):
                conn.execute("BEGIN")
                conn.executemany("INSERT INTO events VALUES (?, ?, ?)", batch)
                conn.execute("COMMIT")
                stored += len(batch)
                batch = []

    threads = [threading.Thread(target=receive, args=(s,)) for s in socks]
    threads.append(threading.Thread(target=write))
    for thread in threads:
        thread.start()
    sent = run_sender([s.getsockname()[1] for s in socks], rate, seconds)
    final, drained = wait_for(lambda: stored, sent, 10)
    stop.set()
    for thread in threads:
        thread.join()
    for sock in socks:
        sock.close()
    conn.close()
    return Trial("raw", rate, seconds, sent, final, drained, final == sent and drained <= 2.0)


# --- StrikeDesk --------------------------------------------------------------------------------
def strikedesk_trial(rate: int, seconds: float) -> Trial:
    from app.ingest.courts import CourtInfo
    from app.ingest.recorder import Recorder
    from app.store.database import Database
    from app.store.repositories import Courts

    db = Database.open(Path(tempfile.mkdtemp(prefix="bench-sd-")))
    with db.transaction() as session:
        courts = Courts(session)
        ids = [
            courts.add(f"Bench {n}", 7000 + n, bind_address="127.0.0.1").id for n in range(COURTS)
        ]
    recorder = Recorder(db.engine, db.paths.journal)
    recorder.start()
    ports = []
    for n, court_id in enumerate(ids):
        recorder.open_court(CourtInfo(court_id, f"Bench {n}", 0, "127.0.0.1"))
        ports.append(recorder.bound_port(court_id))
    sent = run_sender(ports, rate, seconds)
    final, drained = wait_for(lambda: recorder.stats().stored, sent, 10)
    summary = recorder.stop()
    db.close()
    ok = final == sent and summary.datagrams == sent and drained <= 2.0
    return Trial("strikedesk", rate, seconds, sent, final, drained, ok)


def sustained(trial: Callable[[int, float], Trial], seconds: float, probe: float) -> list[Trial]:
    trials: list[Trial] = []
    best = None
    for rate in PROBE_RATES:
        result = trial(rate, probe)
        result = replace(result, ok=result.ok and result.drained_in <= PROBE_DRAIN_S)
        trials.append(result)
        print(
            f"  probe {result.pipeline:<10} {rate:>7}/s: stored {result.stored}/{result.sent}"
            f", drained in {result.drained_in:.2f} s -> {'ok' if result.ok else 'FAIL'}",
            flush=True,
        )
        if not result.ok:
            break
        best = rate
    rate = best or PROBE_RATES[0]
    for _ in range(CONFIRM_STEPS):
        result = trial(rate, seconds)
        trials.append(result)
        print(
            f"  {seconds:.0f} s  {result.pipeline:<10} {rate:>7}/s: stored "
            f"{result.stored}/{result.sent} -> {'ok' if result.ok else 'FAIL'}",
            flush=True,
        )
        if result.ok:
            break
        rate = int(rate * 0.9)
    return trials


def best_rate(trials: list[Trial], seconds: float) -> int:
    confirmed = [t.rate for t in trials if t.ok and t.seconds >= seconds]
    return max(confirmed, default=0)


def run(seconds: float = 30.0, probe: float = 4.0) -> dict[str, object]:
    print("StrikeDesk (journal, listener, BatchWriter, parse + match tracking)")
    desk = sustained(strikedesk_trial, seconds, probe)
    print("raw pipeline (socket thread -> queue -> sqlite3.executemany, no parsing)")
    raw = sustained(raw_trial, seconds, probe)
    raw_rate, desk_rate = best_rate(raw, seconds), best_rate(desk, seconds)
    return {
        "seconds": seconds,
        "raw_events_per_s": raw_rate,
        "strikedesk_events_per_s": desk_rate,
        "ratio": round(desk_rate / raw_rate, 3) if raw_rate else None,
        "trials": [asdict(t) for t in raw + desk],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--quick", action="store_true", help="5 s confirmation runs")
    args = parser.parse_args()
    result = run(5.0 if args.quick else args.seconds)
    print(json.dumps({k: v for k, v in result.items() if k != "trials"}, indent=2))


if __name__ == "__main__":
    main()
