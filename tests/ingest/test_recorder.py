"""The recording pipeline over real UDP into a real SQLite file."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.ingest.writer import WriterConfig
from app.sim.capture import read_capture
from app.store.models import Event, Match
from app.store.repositories import Courts, Days, Tournaments
from tests.ingest.conftest import Rig, close_rig, open_rig


def stored(rig: Rig) -> list[Event]:
    with rig.db.session() as session:
        return list(session.scalars(select(Event).order_by(Event.seq, Event.sub_index)))


def test_every_sample_datagram_is_stored_in_order_with_its_bytes(
    rig: Rig, samples_dir: Path
) -> None:
    sent: list[bytes] = []
    for name in ("real_match_1945_final.tsv", "real_match_5555_bronze_ivr.tsv"):
        for line in read_capture(samples_dir / name):
            payload = line.datagram + b"\r\n"
            rig.send(payload)
            sent.append(payload)
    rig.settle(len(sent))
    events = stored(rig)
    assert [e.raw for e in events] == sent
    assert [e.seq for e in events] == list(range(1, len(sent) + 1))
    assert all(e.parse_status == "ok" and e.court_id == rig.court.court_id for e in events)
    with rig.db.session() as session:
        matches = session.scalars(select(Match).order_by(Match.id)).all()
    assert [(m.match_number, m.winner, m.decision) for m in matches] == [
        ("1945", "blue", "2-1 PTF"),
        ("5555", "tie", "0-0 WDR"),
    ]
    assert matches[0].rounds == [[4, 5], [19, 12], [12, 0]]
    assert sum(m.event_count for m in matches) == len(sent)


def test_bad_input_is_stored_and_counted_never_fatal(rig: Rig) -> None:
    rng = random.Random(7)
    garbage = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) for _ in range(50)]
    huge = b"at1;" + b"X" * 65_000
    payloads = [
        *garbage,
        huge,
        b"",
        b"at1;J. M\xdcLLER;Jonas M\xdcLLER;GER;at2;K. NIELSEN;Karin NIELSEN;DEN",
        b"xyz;1;2",
        b"pt1;9",
        b"pt1;3",
    ]
    rig.send(*payloads)
    rig.settle(len(payloads))
    events = stored(rig)
    # A datagram with CR/LF inside is several messages: one row each, all with its raw bytes.
    assert [e.raw for e in events if e.sub_index == 0] == payloads
    assert all(e.raw == payloads[e.seq - 1] for e in events)
    by_raw = {e.raw: e for e in events}
    assert by_raw[huge].raw == huge and len(by_raw[huge].raw) == 65_004
    assert by_raw[b""].parse_status == "unknown" and by_raw[b""].error == "empty datagram"
    latin = by_raw[payloads[-4]]
    assert latin.parse_status == "ok" and latin.encoding_error and "MÜLLER" in latin.text
    assert by_raw[b"xyz;1;2"].parse_status == "unknown"
    assert by_raw[b"pt1;9"].parse_status == "malformed"
    stats = rig.recorder.stats()
    assert stats.received == len(payloads)
    assert stats.stored == len(events)
    assert stats.unknown + stats.malformed + stats.ok == len(events)
    assert stats.unknown >= 3 and stats.malformed >= 1 and stats.unknown_codes["xyz"] == 1


def test_events_are_filed_under_the_court_context(rig: Rig) -> None:
    with rig.db.transaction() as session:
        tournament = Tournaments(session).create("Open 2026")
        day = Days(session).start(tournament.id)
        Courts(session).set_context(rig.court.court_id, tournament.id, day.id)
        ids = (tournament.id, day.id)
    rig.send(b"pt1;3")
    rig.settle(1)
    rig.recorder.set_context(rig.court.court_id, *ids)
    rig.send(b"pt2;2")
    rig.settle(2)
    first, second = stored(rig)
    assert (first.tournament_id, first.tournament_day_id) == (None, None)
    assert (second.tournament_id, second.tournament_day_id) == ids


@pytest.mark.parametrize("busy_timeout_ms", [5000, 300], ids=["waits", "retries"])
def test_a_locked_database_delays_but_loses_nothing(tmp_path: Path, busy_timeout_ms: int) -> None:
    rig = open_rig(tmp_path / "data", WriterConfig(retry_max=0.2), busy_timeout_ms)
    try:
        database = rig.db.paths.database
        locked = threading.Event()

        def hold_lock() -> None:
            conn = sqlite3.connect(database, timeout=1, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            locked.set()
            time.sleep(3)
            conn.execute("COMMIT")
            conn.close()

        holder = threading.Thread(target=hold_lock)
        holder.start()
        locked.wait(5)
        payloads = [f"clk;01:{n % 60:02d}".encode() for n in range(600)]
        for payload in payloads:
            rig.send(payload)
            time.sleep(0.004)
        holder.join()
        rig.settle(len(payloads), timeout=20)
        stats = rig.recorder.stats()
        # The lock was really in the way: SQLite waited out busy_timeout, or the writer retried.
        if busy_timeout_ms > 3000:
            assert stats.latency_ms_p99 > 2000
        else:
            assert stats.retries > 0
        assert [e.raw for e in stored(rig)] == payloads
        assert stats.error is None
    finally:
        close_rig(rig)


def test_restart_resumes_the_journal_and_the_running_match(
    tmp_path: Path, samples_dir: Path
) -> None:
    lines = read_capture(samples_dir / "real_match_1945_final.tsv")
    half = len(lines) // 2
    rig = open_rig(tmp_path / "data")
    rig.send(*(line.datagram for line in lines[:half]))
    rig.settle(half)
    close_rig(rig)
    # A new process continues the match that was running (its tracker is rebuilt from the rows).
    rig = open_rig(tmp_path / "data")
    try:
        rig.send(*(line.datagram for line in lines[half:]))
        rig.settle(len(lines) - half)
        with rig.db.session() as session:
            [match] = session.scalars(select(Match)).all()
        assert match.event_count == len(lines)
        assert match.rounds == [[4, 5], [19, 12], [12, 0]]
        assert (match.winner, match.decision, match.warnings) == ("blue", "2-1 PTF", [])
    finally:
        close_rig(rig)
    assert os.path.isdir(tmp_path / "data" / "journal")


def test_a_journal_younger_than_the_database_numbers_after_it(tmp_path: Path) -> None:
    """A data folder restored from a backup has events but no journal: new datagrams must be
    numbered after the stored ones, or they would collide with them and be lost."""
    rig = open_rig(tmp_path / "data")
    try:
        rig.send(b"pt1;1", b"pt1;2")
        rig.settle(2)
    finally:
        close_rig(rig)
    for segment in (tmp_path / "data" / "journal").iterdir():
        segment.unlink()  # as after `backup restore --into`
    rig = open_rig(tmp_path / "data")
    try:
        rig.send(b"pt1;3")
        rig.settle(1)
        assert [(e.seq, e.raw) for e in stored(rig)] == [
            (1, b"pt1;1"),
            (2, b"pt1;2"),
            (3, b"pt1;3"),
        ]
    finally:
        close_rig(rig)
