"""The writer's child process: restarted when it dies, its log records reach the parent's
logging, and a parent's journal backlog is replayed by it. Real processes, UDP and SQLite."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from app.ingest.journal import Datagram, Journal
from app.store.database import Database
from tests.ingest.conftest import Rig, close_rig, open_rig


def stored_seqs(rig: Rig) -> list[int]:
    with sqlite3.connect(rig.db.paths.database) as conn:
        return [seq for (seq,) in conn.execute("SELECT seq FROM events ORDER BY seq")]


def test_a_killed_writer_process_is_restarted_and_loses_nothing(rig: Rig) -> None:
    payloads = [f"clk;01:{n % 60:02d}".encode() for n in range(600)]
    rig.send_paced(payloads[:300], per_second=2000)
    rig.settle(300)
    writer = rig.recorder.writer
    assert writer is not None
    first = writer.pid
    assert first is not None and first != os.getpid()

    os.kill(first, signal.SIGKILL)
    rig.send_paced(payloads[300:], per_second=2000)  # received and journaled meanwhile
    deadline = time.monotonic() + 10
    error = None
    while error is None and time.monotonic() < deadline:
        error = rig.recorder.stats().error
        time.sleep(0.01)
    assert error is not None and "database writer stopped" in error, error

    rig.settle(600, timeout=20)
    assert writer.pid not in (None, first)
    assert stored_seqs(rig) == list(range(1, 601))  # every datagram once, in order
    stats = rig.recorder.stats()
    assert stats.stored >= 600  # totals go on from the first child's
    deadline = time.monotonic() + 5
    while rig.recorder.stats().error is not None:  # the new child committed: error cleared
        assert time.monotonic() < deadline, rig.recorder.stats().error
        time.sleep(0.02)


def test_the_child_replays_the_journal_and_its_log_reaches_the_parent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    data = tmp_path / "data"
    Database.open(data).close()
    journal = Journal.open(data / "journal")
    now = time.time_ns()
    journal.append(
        [
            Datagram(seq, now, seq, 0, 6000, "127.0.0.1", 5000, f"clk;01:{seq:02d}".encode())
            for seq in range(1, 41)
        ]
    )
    journal.close()

    rig = open_rig(data)
    try:
        rig.settle(40)
        assert stored_seqs(rig) == list(range(1, 41))
        replayed = [
            r
            for r in caplog.records
            if r.name == "app.ingest.writer_process" and "go to the database" in r.getMessage()
        ]
        assert replayed, [r.getMessage() for r in caplog.records]
        assert replayed[0].processName == "strikedesk-writer"  # logged in the child
        assert replayed[0].process != os.getpid()
    finally:
        close_rig(rig)
