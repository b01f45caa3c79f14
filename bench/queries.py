"""Analytics query latency on a 5,000,000-event database: match, athlete and tournament
analytics uncached and cached, next to a raw-SQL per-athlete tournament aggregate run in the
same process on the same file.

    python -m bench.queries [--events 5000000] [--samples 40] [--folder DIR] [--rebuild]

The database is the real schema (built by the alembic migrations) filled by raw sqlite3
executemany with simulator traffic (app/sim/generator.py): 4 tournaments x 4 days x 8 courts,
each court-day a session opening, then matches back to back, then its closing; matches are
drawn from 32 generated templates with their own athletes, times and numbers. Events are
interleaved across courts in receive order, as the recorder stores them. The built file is
kept in the folder (default: <tmp>/strikedesk-bench) and reused while the schema and this
builder are unchanged.

Uncached: the service's caches are cleared before each call (SQLite's own page cache stays
warm, as on a running desk). Cached: the same calls again, served by the cache.
"""

from __future__ import annotations

import argparse
import functools
import heapq
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TOURNAMENTS = 4
DAYS = 4
COURTS = 8
TEMPLATES = 32
#: Bump when the generated data changes, so an old cached file is not reused.
BUILDER_VERSION = 3
DAY_START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ROWS_PER_COMMIT = 200_000

EVENT_SQL = (
    "INSERT INTO events (seq, sub_index, received_at, monotonic_ns, court_id, source,"
    ' local_port, tournament_id, tournament_day_id, match_id, round, clock, code, side, "value",'
    ' details, raw, text, parse_status, error, encoding_error, "foreign")'
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', NULL, 0, 0)"
)

# A per-athlete tournament aggregate in plain SQL: points by technique of every athlete of a
# tournament, straight from the events (the figure the design page quotes for raw SQL).
RAW_AGGREGATE_SQL = (
    "SELECT CASE e.side WHEN 1 THEN m.blue_athlete_id ELSE m.red_athlete_id END AS athlete,"
    " e.value, count(*) FROM events e JOIN matches m ON m.id = e.match_id"
    " WHERE e.tournament_id = ? AND e.code IN ('pt1', 'pt2')"
    " GROUP BY athlete, e.value"
)


# --- templates --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class TemplateEvent:
    offset: float  # seconds from the start of the match (its `pre`)
    sub_index: int
    code: str
    side: int | None
    value: int | None
    details: str | None
    raw: bytes
    text: str
    round: int | None
    clock: str | None
    kind: str  # "at1", "wmh" (rewritten per match) or ""


@dataclass(frozen=True, slots=True)
class Template:
    events: tuple[TemplateEvent, ...]
    seconds: float  # from `pre` to the last event
    started: float  # offset of the first clock start
    ended: float  # offset of `win`
    rounds: list[list[int]]
    round_wins: tuple[int, int]
    scores: tuple[int, int]
    winner: str | None
    decision: str | None
    method: str | None
    match_seconds: int


def _lines(steps: list[tuple[int, Any]]) -> list[tuple[float, Any, Any]]:
    """(offset seconds, decoded line, message) of generated steps."""
    from app.ingest.rows import decode_datagram
    from app.protocol import encode

    offset = 0.0
    out = []
    for delay, message in steps:
        offset += delay / 1000
        for line in decode_datagram(encode(message)):
            out.append((offset, line, message))
    return out


def make_templates(count: int) -> list[Template]:
    from app.match.state import ClockAction
    from app.match.summary import summarize
    from app.match.tracker import MatchTracker
    from app.protocol import messages as m
    from app.sim.generator import generate_session

    templates = []
    for index in range(count):
        steps = [
            (delay, message)
            for delay, message in generate_session(seed=5000 + index, matches=1)
            if not isinstance(
                message, m.Hello | m.Bye | m.LedSetting | m.UdpPortStatus | m.HardwareTest
            )
        ]
        lines = _lines(steps)
        base = lines[0][0]
        tracker: MatchTracker[int] = MatchTracker()
        states: dict[int, Any] = {}
        for number, (offset, line, _message) in enumerate(lines):
            for token, state in tracker.feed(line.message, offset, number):
                states[token] = state
        for token, state in tracker.close():
            states[token] = state
        final = tracker.current
        assert final is not None and final.finished
        events = []
        started = ended = None
        for number, (offset, line, message) in enumerate(lines):
            state = states[number]
            kind = ""
            if isinstance(message, m.Athletes):
                kind = "at1"
            elif isinstance(message, m.MatchResult):
                kind = "wmh"
            if isinstance(message, m.Clock) and message.action is ClockAction.START:
                started = offset - base if started is None else started
            if isinstance(message, m.Winner) and ended is None:
                ended = offset - base
            events.append(
                _event(
                    line,
                    offset=offset - base,
                    round=(state.round or None) if state is not None else None,
                    clock=state.clock_text if state is not None else None,
                    kind=kind,
                )
            )
        summary = summarize(final)
        result = final.outcome.result
        assert started is not None and ended is not None
        templates.append(
            Template(
                events=tuple(events),
                seconds=events[-1].offset,
                started=started,
                ended=ended,
                rounds=[list(pair) for pair in summary.rounds],
                round_wins=summary.round_wins,
                scores=(final.stated_total.blue, final.stated_total.red),
                winner=summary.winner,
                decision=summary.decision,
                method=result.decision if result is not None else None,
                match_seconds=final.info.round_seconds or 120,
            )
        )
    return templates


# --- the database -----------------------------------------------------------------------------
def schema_head() -> str:
    from app.store.migrate import SCHEMA_HEAD

    return SCHEMA_HEAD


def database_path(folder: Path, events: int) -> Path:
    return folder / f"analytics-{events}-s{schema_head()}-b{BUILDER_VERSION}" / "strikedesk.db"


def _stamp(moment: float) -> str:
    """A time as SQLAlchemy's DateTime stores it on SQLite."""
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True, slots=True)
class Built:
    path: Path
    events: int
    matches: int
    athletes: int
    seconds: float
    reused: bool


def build(folder: Path, events: int, rebuild: bool = False, seed: int = 1) -> Built:
    """The bench database for `events` events, built once and reused (see the module doc)."""
    path = database_path(folder, events)
    if path.exists() and not rebuild:
        conn = sqlite3.connect(path)
        try:
            (count,) = conn.execute("SELECT max(id) FROM events").fetchone()
            (matches,) = conn.execute("SELECT count(*) FROM matches").fetchone()
            (people,) = conn.execute("SELECT count(*) FROM athletes").fetchone()
        finally:
            conn.close()
        return Built(path, count or 0, matches, people, 0.0, True)
    started = time.monotonic()
    if path.parent.exists():
        for old in path.parent.iterdir():
            if old.is_file():
                old.unlink()
    _create_schema(path.parent)
    rng = random.Random(seed)
    templates = make_templates(TEMPLATES)
    per_match = statistics.mean(len(t.events) for t in templates)
    court_days = TOURNAMENTS * DAYS * COURTS
    matches_per_court_day = max(1, round(events / court_days / per_match))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # A bulk load into a throw-away file: no journal, no syncs (a failed build is rebuilt).
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        # Indexes built once at the end sort their keys instead of inserting them row by row.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
            " AND sql IS NOT NULL"
        ).fetchall()
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        stored, matches, people = _fill(conn, rng, templates, matches_per_court_day)
        for _name, sql in indexes:
            conn.execute(sql)
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    return Built(path, stored, matches, people, time.monotonic() - started, False)


def _create_schema(root: Path) -> None:
    from app.store.database import Database

    Database.open(root).close()


def _fill(
    conn: sqlite3.Connection,
    rng: random.Random,
    templates: list[Template],
    matches_per_court_day: int,
) -> tuple[int, int, int]:
    from app.ingest.rows import decode_datagram
    from app.protocol import encode
    from app.protocol import messages as m
    from app.sim.generator import FIRST_NAMES, LAST_NAMES, NOCS, session_closing, session_opening

    conn.execute("BEGIN")
    conn.execute("DELETE FROM courts")
    courts = [(n, f"Court {n}", 6000 + n) for n in range(1, COURTS + 1)]
    conn.executemany(
        "INSERT INTO courts (id, name, port, bind_address, allowed_sources, enabled)"
        " VALUES (?, ?, ?, '0.0.0.0', '[]', 1)",
        courts,
    )
    athletes: list[tuple[int, str, str]] = []  # id, name, noc
    seen = set()
    while len(athletes) < 1200:
        initial = chr(ord("A") + rng.randrange(26))
        name = f"{rng.choice(FIRST_NAMES)} {initial}. {rng.choice(LAST_NAMES)}"
        noc = rng.choice(NOCS)
        if (name, noc) not in seen:
            seen.add((name, noc))
            athletes.append((len(athletes) + 1, name, noc))
    conn.executemany(
        "INSERT INTO athletes (id, short_name, long_name, noc) VALUES (?, ?, ?, ?)",
        [(i, name, name, noc) for i, name, noc in athletes],
    )
    opening = _lines(session_opening(rng, 6000))
    closing = _lines(session_closing(6000))
    match_rows: list[tuple[Any, ...]] = []
    next_match = 1
    seq = 0
    stored = 0
    batch: list[tuple[Any, ...]] = []
    for tournament in range(1, TOURNAMENTS + 1):
        first_day = DAY_START + timedelta(days=10 * (tournament - 1))
        conn.execute(
            "INSERT INTO tournaments (id, name, city, country, start_date, end_date, status,"
            " created_at) VALUES (?, ?, 'Bench', 'BEN', ?, ?, 'completed', ?)",
            (
                tournament,
                f"Bench Open {tournament}",
                first_day.date().isoformat(),
                (first_day + timedelta(days=DAYS - 1)).date().isoformat(),
                _stamp(first_day.timestamp()),
            ),
        )
        pool = rng.sample(athletes, 600)
        for number in range(1, DAYS + 1):
            day_id = (tournament - 1) * DAYS + number
            start = (first_day + timedelta(days=number - 1)).timestamp()
            streams = []
            day_end = start
            for court_id, _name, _port in courts:
                events, rows, next_match, end = _court_day(
                    rng,
                    templates,
                    pool,
                    opening,
                    closing,
                    (tournament, day_id, court_id),
                    start + rng.uniform(0, 600),
                    matches_per_court_day,
                    next_match,
                    decode_datagram,
                    encode,
                    m,
                )
                match_rows.extend(rows)
                streams.append(events)
                day_end = max(day_end, end)
            conn.execute(
                "INSERT INTO tournament_days (id, tournament_id, number, date, status,"
                " started_at, ended_at) VALUES (?, ?, ?, ?, 'completed', ?, ?)",
                (
                    day_id,
                    tournament,
                    number,
                    datetime.fromtimestamp(start, UTC).date().isoformat(),
                    _stamp(start),
                    _stamp(day_end),
                ),
            )
            for received_at, court_id, event, ids in heapq.merge(*streams):
                seq += 1
                batch.append(
                    (
                        seq,
                        event.sub_index,
                        received_at,
                        int(received_at * 1e9),
                        court_id,
                        f"10.0.0.{court_id}:50000",
                        6000 + court_id,
                        *ids,
                        event.round,
                        event.clock,
                        event.code,
                        event.side,
                        event.value,
                        event.details,
                        event.raw,
                        event.text,
                    )
                )
                if len(batch) >= ROWS_PER_COMMIT:
                    stored += _flush(conn, batch)
            stored += _flush(conn, batch)
    conn.executemany(
        "INSERT INTO matches (id, tournament_id, tournament_day_id, court_id, match_number,"
        " category, phase, division, blue_athlete_id, red_athlete_id, loaded_at, started_at,"
        " ended_at, round_count, rounds, round_wins_blue, round_wins_red, blue_score,"
        " red_score, winner, decision, method, status, warnings, event_count, unknown_count,"
        " malformed_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?)",
        match_rows,
    )
    conn.execute("UPDATE ingest_checkpoint SET last_seq = ?", (seq,))
    conn.execute("COMMIT")
    return stored, len(match_rows), len(athletes)


def _flush(conn: sqlite3.Connection, batch: list[tuple[Any, ...]]) -> int:
    count = len(batch)
    conn.executemany(EVENT_SQL, batch)
    conn.execute("COMMIT")
    conn.execute("BEGIN")
    batch.clear()
    return count


Stream = Iterator[tuple[float, int, TemplateEvent, tuple[int | None, int | None, int | None]]]


def _court_day(
    rng: random.Random,
    templates: list[Template],
    pool: list[tuple[int, str, str]],
    opening: list[tuple[float, Any, Any]],
    closing: list[tuple[float, Any, Any]],
    where: tuple[int, int, int],
    start: float,
    matches: int,
    next_match: int,
    decode: Callable[[bytes], Any],
    encode: Callable[[Any], bytes],
    m: Any,
) -> tuple[Stream, list[tuple[Any, ...]], int, float]:
    """One court's day: its events (lazily, in time order) and its match rows."""
    tournament, day_id, court_id = where
    plan = []
    rows = []
    at = start + opening[-1][0] + 30
    for _ in range(matches):
        template = rng.choice(templates)
        blue, red = rng.sample(pool, 2)
        match_id = next_match
        next_match += 1
        plan.append((at, template, blue, red, match_id))
        rows.append(
            (
                match_id,
                tournament,
                day_id,
                court_id,
                f"{court_id}{match_id % 1000:03d}",
                "M -68kg",
                "Round of 16",
                "Seniors",
                blue[0],
                red[0],
                _stamp(at),
                _stamp(at + template.started),
                _stamp(at + template.ended),
                3,
                json.dumps(template.rounds),
                template.round_wins[0],
                template.round_wins[1],
                template.scores[0],
                template.scores[1],
                template.winner,
                template.decision,
                template.method,
                "finished",
                "[]",
                len(template.events),
                0,
                0,
            )
        )
        at += template.seconds + rng.uniform(60, 240)
    end = at + closing[-1][0]
    outside = (tournament, day_id, None)

    def stream() -> Stream:
        for offset, line, _message in opening:
            yield start + offset, court_id, _event(line), outside
        for match_at, template, blue, red, match_id in plan:
            ids = (tournament, day_id, match_id)
            names = {
                "at1": _athletes_line(blue, red, decode, encode, m),
                "wmh": _result_line(template, blue, red, decode, encode, m),
            }
            for event in template.events:
                sent = event
                if event.kind:
                    sent = replace(names[event.kind], round=event.round, clock=event.clock)
                yield match_at + event.offset, court_id, sent, ids
        for offset, line, _message in closing:
            yield at + offset, court_id, _event(line), outside

    return stream(), rows, next_match, end


def _event(
    line: Any,
    offset: float = 0.0,
    round: int | None = None,
    clock: str | None = None,
    kind: str = "",
) -> TemplateEvent:
    """A decoded line as a template event (sent with a CR LF, like the real sender)."""
    return TemplateEvent(
        offset,
        line.sub_index,
        line.code,
        line.side,
        line.value,
        line.details,
        line.text.encode() + b"\r\n",
        line.text,
        round,
        clock,
        kind,
    )


def _athletes_line(
    blue: tuple[int, str, str],
    red: tuple[int, str, str],
    decode: Callable[[bytes], Any],
    encode: Callable[[Any], bytes],
    m: Any,
) -> TemplateEvent:
    message = m.Athletes(m.Athlete(blue[1], blue[1], blue[2]), m.Athlete(red[1], red[1], red[2]))
    return _event(decode(encode(message))[0])


def _result_line(
    template: Template,
    blue: tuple[int, str, str],
    red: tuple[int, str, str],
    decode: Callable[[bytes], Any],
    encode: Callable[[Any], bytes],
    m: Any,
) -> TemplateEvent:
    name = {"blue": blue[1], "red": red[1]}.get(template.winner or "", "")
    return _event(decode(encode(m.MatchResult(name, template.decision)))[0])


# --- the measurements -------------------------------------------------------------------------
#: The same aggregate through the analytics' partial index (what the service's queries use).
INDEXED_AGGREGATE_SQL = (
    "SELECT CASE e.side WHEN 1 THEN m.blue_athlete_id ELSE m.red_athlete_id END AS athlete,"
    " e.value, count(*) FROM matches m JOIN events e ON e.match_id = m.id"
    " WHERE m.tournament_id = ? AND {condition} AND e.code IN ('pt1', 'pt2')"
    " GROUP BY athlete, e.value"
)


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds (nearest rank)."""
    ordered = sorted(seconds)
    pick = lambda fraction: ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]  # noqa: E731
    return {"p50_ms": round(pick(0.5) * 1000, 3), "p95_ms": round(pick(0.95) * 1000, 3)}


def timed(
    calls: list[Callable[[], object]], before: Callable[[], object] | None = None
) -> list[float]:
    times = []
    for call in calls:
        if before is not None:
            before()
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def _fetch(conn: sqlite3.Connection, sql: str, tournament_id: int) -> list[Any]:
    return conn.execute(sql, (tournament_id,)).fetchall()


def run(
    events: int = 5_000_000,
    samples: int = 40,
    folder: Path | None = None,
    rebuild: bool = False,
) -> dict[str, Any]:
    """Build (or reuse) the database, then time each analytics query uncached and cached."""
    from app.analytics.service import AnalyticsService
    from app.store.database import Database
    from app.store.models import SCORING_CONDITION

    folder = folder or Path(tempfile.gettempdir()) / "strikedesk-bench"
    print(f"  database: {database_path(folder, events)}", flush=True)
    built = build(folder, events, rebuild)
    how = "reused" if built.reused else f"built in {built.seconds:.0f} s"
    size = f"{built.events:,} events, {built.matches:,} matches, {built.athletes:,} athletes"
    print(f"  {size} ({how})", flush=True)
    rng = random.Random(7)
    raw = sqlite3.connect(built.path)
    matches = raw.execute(
        "SELECT id, tournament_id, blue_athlete_id, red_athlete_id FROM matches"
    ).fetchall()
    days = raw.execute("SELECT id FROM tournament_days").fetchall()
    tournaments = [row[0] for row in raw.execute("SELECT id FROM tournaments")]
    picked = rng.sample(matches, min(samples, len(matches)))
    athletes = [(row[2 + rng.randrange(2)], row[1]) for row in picked]
    db = Database.open(built.path.parent)
    try:
        service = AnalyticsService(db)
        day_ids = [days[n % len(days)][0] for n in range(samples)]
        tournament_ids = [tournaments[n % len(tournaments)] for n in range(samples)]
        partial = functools.partial
        queries: dict[str, list[Callable[[], object]]] = {
            "match": [partial(service.match, row[0]) for row in picked],
            "athlete in tournament": [partial(service.athlete, a, t) for a, t in athletes],
            "athlete over all data": [partial(service.athlete, a) for a, _ in athletes],
            "day": [partial(service.day, day_id) for day_id in day_ids],
            "tournament": [partial(service.tournament, t) for t in tournament_ids],
        }
        results: dict[str, Any] = {}
        for name, calls in queries.items():
            uncached = timed(calls, before=service.clear)
            for call in calls:
                call()  # every sample in the cache
            cached = timed(calls)
            results[name] = {"uncached": percentiles(uncached), "cached": percentiles(cached)}
        stats = service.stats()
    finally:
        db.close()
    baselines = {}
    for name, sql in (
        ("raw SQL per-athlete tournament aggregate", RAW_AGGREGATE_SQL),
        (
            "same, through the scoring index",
            INDEXED_AGGREGATE_SQL.format(condition=SCORING_CONDITION),
        ),
    ):
        calls = [functools.partial(_fetch, raw, sql, t) for t in tournament_ids]
        baselines[name] = percentiles(timed(calls))
    raw.close()
    baseline = baselines["raw SQL per-athlete tournament aggregate"]["p95_ms"]
    report: dict[str, Any] = {
        "events": built.events,
        "matches": built.matches,
        "athletes": built.athletes,
        "build_seconds": round(built.seconds, 1),
        "reused": built.reused,
        "samples": samples,
        "queries": results,
        "baselines": baselines,
        "tournament_p95_over_raw_p95": round(
            results["tournament"]["uncached"]["p95_ms"] / baseline, 2
        ),
        "cache_hit_rate": stats.hit_rate,
    }
    print(f"  {'query':<42} {'uncached p50/p95 ms':>22} {'cached p50/p95 ms':>20}")
    for name, figures in results.items():
        u, c = figures["uncached"], figures["cached"]
        print(
            f"  {name:<42} {u['p50_ms']:>10.2f} / {u['p95_ms']:>8.2f}"
            f" {c['p50_ms']:>10.3f} / {c['p95_ms']:>6.3f}"
        )
    for name, figures in baselines.items():
        print(f"  {name:<42} {figures['p50_ms']:>10.2f} / {figures['p95_ms']:>8.2f}")
    worst_uncached = max(f["uncached"]["p95_ms"] for f in results.values())
    worst_cached = max(f["cached"]["p95_ms"] for f in results.values())
    report["worst_uncached_p95_ms"] = worst_uncached
    report["worst_cached_p95_ms"] = worst_cached
    print(
        f"  worst p95: uncached {worst_uncached:.2f} ms (target < 50),"
        f" cached {worst_cached:.3f} ms (target < 1)"
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--folder", type=Path, default=None, help="where the database is kept")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args()
    print(json.dumps(run(args.events, args.samples, args.folder, args.rebuild), indent=2))


if __name__ == "__main__":
    main()
