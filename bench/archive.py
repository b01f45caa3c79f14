"""Archive and restore rates on 1,000,000 events, next to raw sqlite3 in the same run.

    python -m bench.archive [--events 1000000] [--chunk-rows 10000]

Data: a data folder migrated by StrikeDesk, filled with generated traffic (realistic lines from
the simulator, ~1,000 events per match, one tournament with three days) written straight with
executemany (the ingest path is measured by bench.ingest, not here).

Baseline: one raw sqlite3 connection, live database main and archive attached, chunks of whole
matches (~chunk_rows events), synchronous FULL and a 64 MiB cache like StrikeDesk's: BEGIN
IMMEDIATE; INSERT … SELECT matches and events into the archive; DELETE them from live; COMMIT.
Then the same back. No checks.

StrikeDesk: ArchiveService.archive(older than 0 days) then restore(the same dates), on a fresh
copy of the same folder: the same chunks plus what makes it safe (per-chunk fingerprints read
at both ends, count checks, the dangling-event check, the audit log). The newest match of the
court stays live by design, so the moved count is ~1,000 lower. Afterwards the events and
matches tables must be byte-identical to before (fingerprints of every column).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.ingest.rows import DecodedLine

EVENTS_PER_MATCH = 1000
DAYS = 3


def _lines() -> list[tuple[DecodedLine, bytes]]:
    """Realistic datagrams with their parsed columns (code, side, value, details, text, status)."""
    from app.ingest.rows import decode_datagram
    from app.protocol import encode
    from app.sim.generator import generate_session

    lines: list[tuple[DecodedLine, bytes]] = []
    for _, message in generate_session(seed=5, matches=3, round_seconds=60):
        data = encode(message)
        lines.extend((line, data) for line in decode_datagram(data))
    return lines


def build_folder(root: Path, events: int) -> None:
    """A migrated data folder with `events` events in matches of EVENTS_PER_MATCH."""
    from app.store.database import Database
    from app.store.repositories import Courts, Days, Tournaments

    with Database.open(root) as db, db.transaction() as session:
        tournament = Tournaments(session).create("Bench Open")
        day_ids = []
        for _ in range(DAYS):
            day = Days(session).start(tournament.id)
            day_ids.append(day.id)
            Days(session).end(tournament.id)
        court = Courts(session).all()[0].id
        tournament_id = tournament.id
    lines = _lines()
    matches = events // EVENTS_PER_MATCH
    # One event a second; the last match ends a day ago, so "older than 0 days" takes them all.
    start = datetime.now(UTC) - timedelta(days=1, seconds=matches * EVENTS_PER_MATCH)
    connection = sqlite3.connect(root / "strikedesk.db", isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("BEGIN")
    rows: list[tuple[Any, ...]] = []
    for match in range(matches):
        match_id = match + 1
        day_id = day_ids[match * DAYS // matches]
        first = start + timedelta(seconds=match * EVENTS_PER_MATCH)
        loaded = first.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
        ended = (first + timedelta(seconds=EVENTS_PER_MATCH)).replace(tzinfo=None)
        connection.execute(
            "INSERT INTO matches (id, tournament_id, tournament_day_id, court_id, match_number, "
            "category, rounds, round_wins_blue, round_wins_red, blue_score, red_score, winner, "
            "status, warnings, event_count, unknown_count, malformed_count, loaded_at, "
            "started_at, ended_at) VALUES (?, ?, ?, ?, ?, 'M -68 kg', '[[3, 2], [5, 7], [4, 1]]',"
            " 2, 1, 12, 10, 'blue', 'finished', '[]', ?, 0, 0, ?, ?, ?)",
            (
                match_id,
                tournament_id,
                day_id,
                court,
                str(100 + match),
                EVENTS_PER_MATCH,
                loaded,
                loaded,
                ended.strftime("%Y-%m-%d %H:%M:%S.%f"),
            ),
        )
        for index in range(EVENTS_PER_MATCH):
            seq = match * EVENTS_PER_MATCH + index + 1
            line, data = lines[seq % len(lines)]
            received = first.timestamp() + index
            rows.append(
                (
                    seq,
                    0,
                    received,
                    seq * 1_000_000,
                    court,
                    "192.168.1.20:5000",
                    6000,
                    tournament_id,
                    day_id,
                    match_id,
                    1 + index * 3 // EVENTS_PER_MATCH,
                    "1:23",
                    line.code,
                    line.side,
                    line.value,
                    line.details,
                    data,
                    line.text,
                    line.status,
                    line.error,
                    line.encoding_error,
                    False,
                )
            )
        if len(rows) >= 50_000:
            _insert(connection, rows)
            rows = []
    _insert(connection, rows)
    connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def _insert(connection: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    from app.ingest.writer import EVENT_COLUMNS

    names = ", ".join(f'"{c}"' for c in EVENT_COLUMNS)
    marks = ", ".join("?" * len(EVENT_COLUMNS))
    connection.executemany(f"INSERT INTO events ({names}) VALUES ({marks})", rows)


def _fingerprints(database: Path) -> dict[str, str]:
    from app.store.checksums import fingerprint_table

    connection = sqlite3.connect(database)
    try:
        return {t: fingerprint_table(connection, "main", t).checksum for t in ("events", "matches")}
    finally:
        connection.close()


def raw_move(source: Path, target: Path, chunk_rows: int) -> tuple[int, float]:
    """The baseline: INSERT … SELECT between attached files, then DELETE, per chunk."""
    from app.store.engine import CACHE_SIZE_KIB

    connection = sqlite3.connect(source, isolation_level=None)
    connection.execute("ATTACH DATABASE ? AS other", (str(target),))
    for schema in ("main", "other"):  # the same durability and cache as StrikeDesk's
        connection.execute(f"PRAGMA {schema}.synchronous = FULL")
        connection.execute(f"PRAGMA {schema}.cache_size = -{CACHE_SIZE_KIB}")
    ids = [row[0] for row in connection.execute("SELECT id FROM main.matches ORDER BY id")]
    per_chunk = max(1, chunk_rows // EVENTS_PER_MATCH)
    moved = 0
    started = time.perf_counter()
    for start in range(0, len(ids), per_chunk):
        first, last = ids[start], ids[min(start + per_chunk, len(ids)) - 1]
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO other.matches SELECT * FROM main.matches WHERE id BETWEEN ? AND ?",
            (first, last),
        )
        moved += connection.execute(
            "INSERT INTO other.events SELECT * FROM main.events WHERE match_id BETWEEN ? AND ?",
            (first, last),
        ).rowcount
        connection.execute("DELETE FROM main.events WHERE match_id BETWEEN ? AND ?", (first, last))
        connection.execute("DELETE FROM main.matches WHERE id BETWEEN ? AND ?", (first, last))
        connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    return moved, seconds


def run(events: int = 1_000_000, chunk_rows: int = 10_000) -> dict[str, Any]:
    from app.jobs.runner import JobContext
    from app.store.archive import ArchiveScope, ArchiveService
    from app.store.database import Database
    from app.store.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="strikedesk-bench-archive-") as scratch:
        base = Path(scratch)
        template = base / "template"
        started = time.perf_counter()
        build_folder(template, events)
        print(f"  built {events:,} events in {time.perf_counter() - started:.1f} s")
        before = _fingerprints(template / "strikedesk.db")

        raw = base / "raw"
        shutil.copytree(template, raw)
        upgrade(raw / "archive.db", backups=raw / "backups")
        live_db, archive_db = raw / "strikedesk.db", raw / "archive.db"
        raw_archived, raw_archive_s = raw_move(live_db, archive_db, chunk_rows)
        raw_restored, raw_restore_s = raw_move(archive_db, live_db, chunk_rows)
        raw_archive_rate = raw_archived / raw_archive_s
        raw_restore_rate = raw_restored / raw_restore_s
        print(
            f"  raw sqlite3: archive {raw_archive_rate:,.0f} events/s, "
            f"restore {raw_restore_rate:,.0f} events/s"
        )
        shutil.rmtree(raw)

        ours = base / "strikedesk"
        shutil.copytree(template, ours)
        with Database.open(ours) as db:
            service = ArchiveService(db, chunk_rows=chunk_rows)
            archived = service.archive(ArchiveScope.older_than(0), JobContext.unattached())
            print(f"  StrikeDesk archive: {archived.summary()}")
            today = date.today()
            restored = service.restore(
                ArchiveScope.between_days(today - timedelta(days=30), today),
                JobContext.unattached(),
            )
            print(f"  StrikeDesk restore: {restored.summary()}")
        identical = _fingerprints(ours / "strikedesk.db") == before
    result = {
        "events": events,
        "chunk_rows": chunk_rows,
        "raw_archive_events_per_s": round(raw_archive_rate),
        "raw_restore_events_per_s": round(raw_restore_rate),
        "archive_events_per_s": round(archived.events_per_second),
        "restore_events_per_s": round(restored.events_per_second),
        "archive_ratio": round(archived.events_per_second / raw_archive_rate, 2),
        "restore_ratio": round(restored.events_per_second / raw_restore_rate, 2),
        "archived_events": archived.events,
        "held_back_events": archived.held_back_events,
        "round_trip_identical": identical,
    }
    return result


def report(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"archive / restore of {result['events']:,} events "
            f"(chunks of ~{result['chunk_rows']:,} events)",
            f"  raw sqlite3 baseline   archive {result['raw_archive_events_per_s']:>9,} events/s"
            f"   restore {result['raw_restore_events_per_s']:>9,} events/s",
            f"  StrikeDesk (checked)   archive {result['archive_events_per_s']:>9,} events/s"
            f"   restore {result['restore_events_per_s']:>9,} events/s",
            f"  StrikeDesk / raw       archive {result['archive_ratio']:>9}"
            f"          restore {result['restore_ratio']:>9}",
            f"  round trip byte-identical: {result['round_trip_identical']}  "
            f"(target >= 100,000 events/s each way)",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    args = parser.parse_args()
    result = run(args.events, args.chunk_rows)
    print(report(result))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
