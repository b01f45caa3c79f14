"""The writer's adaptive batch size and backpressure, driven by real UDP into a real Recorder."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from app.ingest.writer import WriterConfig
from tests.ingest.conftest import close_rig, open_rig

#: Quick flushes and a low ceiling, so the growth and the way back take a second or two.
CONFIG = WriterConfig(batch_size=100, min_batch=50, max_batch=4000, flush_interval=0.02)


def test_batch_size_grows_under_a_burst_and_shrinks_back_after_it(tmp_path: Path) -> None:
    # A short hand-off queue, so the burst passes its high-water mark within a second.
    rig = open_rig(tmp_path / "data", CONFIG, queue_capacity=8)
    try:
        assert rig.recorder.stats().batch_size == CONFIG.batch_size
        burst = [f"clk;01:{n % 60:02d}".encode() for n in range(20_000)]
        peak = 0
        for start in range(0, len(burst), 1000):
            rig.send_paced(burst[start : start + 1000], per_second=40_000)
            peak = max(peak, rig.recorder.stats().batch_size)
        deadline = time.monotonic() + 20
        while rig.recorder.stats().stored < len(burst) and time.monotonic() < deadline:
            peak = max(peak, rig.recorder.stats().batch_size)
            time.sleep(0.001)
        rig.settle(len(burst))
        # Full batches committed quickly (x1.1 each) or a queue past high water (straight to
        # the maximum): either way, far above where it started.
        assert peak >= 10 * CONFIG.batch_size, peak

        # A trickle only ever fills part of a batch before the flush timer seals it: the size
        # eases back to the configured one (a commit slower than the 20 ms target, which a busy
        # disk may take, is allowed to take it a little lower).
        trickle = 0
        deadline = time.monotonic() + 20
        while rig.recorder.stats().batch_size > CONFIG.batch_size:
            assert time.monotonic() < deadline, rig.recorder.stats().batch_size
            rig.send(b"clk;01:00")
            trickle += 1
            time.sleep(0.025)
        assert trickle >= 10  # it came down step by step (x0.9 per commit), not at once
        rig.settle(len(burst) + trickle)
        assert rig.recorder.stats().batch_size >= CONFIG.min_batch
        assert rig.recorder.stats().stored == len(burst) + trickle
    finally:
        close_rig(rig)


def test_a_full_queue_raises_batches_to_the_maximum_and_drops_nothing(tmp_path: Path) -> None:
    rig = open_rig(tmp_path / "data", CONFIG, queue_capacity=16)
    holder = sqlite3.connect(rig.db.paths.database, timeout=1, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # the writer stalls; the queue fills behind it
        sent = 0
        deadline = time.monotonic() + 10
        while rig.recorder.queue.qsize() < 16 and time.monotonic() < deadline:
            rig.send(f"clk;01:{sent % 60:02d}".encode())
            sent += 1
            time.sleep(0.001)  # one queue item per datagram: the listener drains each alone
        assert rig.recorder.queue.full()
        holder.execute("COMMIT")
        largest = 0
        while rig.recorder.stats().stored < sent and time.monotonic() < deadline:
            largest = max(largest, rig.recorder.stats().batch_size)
        rig.settle(sent)
        assert rig.recorder.stats().stored == sent
        assert largest == CONFIG.max_batch  # the first commit after the stall saw a full queue
    finally:
        holder.close()
        close_rig(rig)
