"""ExportService: a match's, day's or tournament's events, or its results sheet, as CSV or JSON.

Rows come from the live database and the archive alike (a tournament archived last week still
exports whole). CSV is written for Excel: UTF-8 with a byte-order mark (without it Excel guesses
the local code page and breaks names like ĆORIĆ), CRLF line ends, every field that needs it
quoted by the csv module, and text that Excel would run as a formula (starting with =, +, -, @)
prefixed with an apostrophe — athlete names come off the network and are not trusted. JSON is
one object: what was exported (kind, scope, when) and its rows.

Files are written to `<out>.partial` and renamed when complete, so an export that fails or is
cancelled leaves no half file under the real name.
"""

from __future__ import annotations

import csv
import enum
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from app.jobs.runner import JobContext
from app.store.connections import attach, connect
from app.store.database import Database
from app.store.errors import ExportError, NotFoundError, ValidationError
from app.store.models import epoch_to_utc
from app.store.repositories import Audit

FETCH_ROWS = 2000
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SIDES = {1: "blue", 2: "red"}

EVENT_FIELDS = (
    "seq",
    "sub_index",
    "received_at",
    "court",
    "tournament_id",
    "day",
    "match_number",
    "round",
    "clock",
    "code",
    "side",
    "value",
    "details",
    "text",
    "status",
    "error",
    "source",
)
RESULT_FIELDS = (
    "match_number",
    "category",
    "phase",
    "day",
    "court",
    "blue_athlete",
    "blue_noc",
    "red_athlete",
    "red_noc",
    "round_scores",
    "blue_round_wins",
    "red_round_wins",
    "blue_score",
    "red_score",
    "winner",
    "winner_athlete",
    "method",
    "decision",
    "status",
)


class ExportKind(enum.StrEnum):
    EVENTS = "events"
    RESULTS = "results"


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class ExportScope:
    """A tournament, one of its days (by number), or a match (by its match number, optionally
    within a tournament)."""

    tournament_id: int | None = None
    day_number: int | None = None
    match_number: str | None = None

    def __post_init__(self) -> None:
        if self.tournament_id is None and self.match_number is None:
            raise ValidationError("Choose a tournament (and day) or a match to export.")
        if self.day_number is not None and self.tournament_id is None:
            raise ValidationError("A day number needs its tournament.")

    def describe(self) -> str:
        parts = []
        if self.tournament_id is not None:
            parts.append(f"tournament {self.tournament_id}")
        if self.day_number is not None:
            parts.append(f"day {self.day_number}")
        if self.match_number is not None:
            parts.append(f"match {self.match_number}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "tournament_id": self.tournament_id,
            "day_number": self.day_number,
            "match_number": self.match_number,
        }


@dataclass(frozen=True, slots=True)
class ExportPlan:
    kind: ExportKind
    scope: ExportScope
    rows: int  # events, or matches for a results sheet
    archived_rows: int  # of those, how many come from the archive

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "scope": self.scope.to_json(),
            "rows": self.rows,
            "archived_rows": self.archived_rows,
        }


@dataclass(frozen=True, slots=True)
class ExportResult:
    kind: ExportKind
    format: ExportFormat
    scope: ExportScope
    path: Path
    rows: int
    bytes: int
    seconds: float

    def summary(self) -> str:
        what = "events" if self.kind is ExportKind.EVENTS else "matches"
        return f"exported {self.rows:,} {what} ({self.scope.describe()}) to {self.path}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "format": self.format.value,
            "scope": self.scope.to_json(),
            "path": str(self.path),
            "rows": self.rows,
            "bytes": self.bytes,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, slots=True)
class _Where:
    matches: str  # on `m`
    events: str  # on `e`
    params: dict[str, object]


class ExportService:
    """Exports over the live database and the archive. Any thread may call it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.paths = db.paths

    def plan(self, kind: ExportKind, scope: ExportScope) -> ExportPlan:
        """How many rows an export would write (the preview before the operator agrees)."""
        with closing(self._reader()) as connection:
            where = self._where(connection, scope)
            if kind is ExportKind.EVENTS:
                table, alias, condition = "events", "e", where.events
            else:
                table, alias, condition = "matches", "m", where.matches
            counts = [
                connection.execute(
                    f"SELECT count(*) FROM {part}.{table} {alias} "
                    f"WHERE {condition.replace('{part}', part)}",
                    where.params,
                ).fetchone()[0]
                for part in self._parts(connection)
            ]
        return ExportPlan(kind, scope, sum(counts), sum(counts[1:]))

    def export(
        self,
        kind: ExportKind,
        scope: ExportScope,
        fmt: ExportFormat,
        out: Path,
        ctx: JobContext | None = None,
    ) -> ExportResult:
        ctx = ctx or JobContext.unattached("export")
        started = time.monotonic()
        out = Path(out)
        total = self.plan(kind, scope).rows
        partial = out.with_name(out.name + ".partial")
        fields = EVENT_FIELDS if kind is ExportKind.EVENTS else RESULT_FIELDS
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._reader()) as connection:
                where = self._where(connection, scope)
                rows = (
                    self._events(connection, where)
                    if kind is ExportKind.EVENTS
                    else self._results(connection, where)
                )
                written = _write(partial, fmt, fields, rows, kind, scope, total, ctx)
            os.replace(partial, out)
        except OSError as exc:
            raise ExportError(
                f"Cannot write {out}: {exc.strerror or exc}. Check the folder and free space."
            ) from exc
        finally:
            partial.unlink(missing_ok=True)
        result = ExportResult(
            kind, fmt, scope, out, written, out.stat().st_size, time.monotonic() - started
        )
        with self.db.transaction() as session:
            Audit(session).append(f"export.{kind.value}", result.to_json())
        return result

    # --- reading ------------------------------------------------------------------------------
    def _reader(self) -> sqlite3.Connection:
        connection = connect(None)
        attach(connection, self.paths.database, "live")
        if self.paths.archive_database.exists():
            attach(connection, self.paths.archive_database, "arch")
        return connection

    @staticmethod
    def _parts(connection: sqlite3.Connection) -> list[str]:
        names = {row[1] for row in connection.execute("PRAGMA database_list")}
        return ["live", "arch"] if "arch" in names else ["live"]

    def _where(self, connection: sqlite3.Connection, scope: ExportScope) -> _Where:
        """Conditions with a `{part}` placeholder for the database (live or arch) read."""
        params: dict[str, object] = {}
        matches: list[str] = []
        if scope.tournament_id is not None:
            found = connection.execute(
                "SELECT 1 FROM live.tournaments WHERE id = ?", (scope.tournament_id,)
            ).fetchone()
            if found is None:
                raise NotFoundError(f"There is no tournament {scope.tournament_id}.")
            params["t"] = scope.tournament_id
            matches.append("m.tournament_id = :t")
        if scope.day_number is not None:
            day = connection.execute(
                "SELECT id FROM live.tournament_days WHERE tournament_id = ? AND number = ?",
                (scope.tournament_id, scope.day_number),
            ).fetchone()
            if day is None:
                raise NotFoundError(
                    f"Tournament {scope.tournament_id} has no day {scope.day_number}."
                )
            params["day"] = day[0]
            matches.append("m.tournament_day_id = :day")
        if scope.match_number is not None:
            params["number"] = scope.match_number
            matches.append("m.match_number = :number")
        match_condition = " AND ".join(matches)
        # Events follow their match; a tournament's or day's match-less events come along.
        events = f"e.match_id IN (SELECT m.id FROM {{part}}.matches m WHERE {match_condition})"
        if scope.match_number is None:
            own = "e.tournament_id = :t" + (
                " AND e.tournament_day_id = :day" if scope.day_number is not None else ""
            )
            events = f"({events} OR (e.match_id IS NULL AND {own}))"
        return _Where(match_condition, events, params)

    def _events(self, connection: sqlite3.Connection, where: _Where) -> Iterator[dict[str, Any]]:
        selects = " UNION ALL ".join(
            f"SELECT e.seq, e.sub_index, e.received_at, c.name, e.tournament_id, d.number, "
            f"m.match_number, e.round, e.clock, e.code, e.side, e.value, e.details, e.text, "
            f"e.parse_status, e.error, e.source FROM {part}.events e "
            f"LEFT JOIN live.courts c ON c.id = e.court_id "
            f"LEFT JOIN live.tournament_days d ON d.id = e.tournament_day_id "
            f"LEFT JOIN {part}.matches m ON m.id = e.match_id "
            f"WHERE {where.events.replace('{part}', part)}"
            for part in self._parts(connection)
        )
        cursor = connection.execute(f"{selects} ORDER BY 1, 2", where.params)
        for row in _rows(cursor):
            (seq, sub, received, court, tournament, day, number, rnd, clock, code, side) = row[:11]
            value, details, text, status, error, source = row[11:]
            yield {
                "seq": seq,
                "sub_index": sub,
                "received_at": epoch_to_utc(received).isoformat(timespec="microseconds"),
                "court": court,
                "tournament_id": tournament,
                "day": day,
                "match_number": number,
                "round": rnd,
                "clock": clock,
                "code": code,
                "side": _SIDES.get(side, side),
                "value": value,
                "details": details,
                "text": text,
                "status": status,
                "error": error,
                "source": source,
            }

    def _results(self, connection: sqlite3.Connection, where: _Where) -> Iterator[dict[str, Any]]:
        selects = " UNION ALL ".join(
            "SELECT m.match_number, m.category, m.phase, d.number, c.name, b.long_name, b.noc, "
            "r.long_name, r.noc, m.rounds, m.round_wins_blue, m.round_wins_red, m.blue_score, "
            "m.red_score, m.winner, m.method, m.decision, m.status, m.loaded_at, m.id "
            f"FROM {part}.matches m "
            "LEFT JOIN live.athletes b ON b.id = m.blue_athlete_id "
            "LEFT JOIN live.athletes r ON r.id = m.red_athlete_id "
            "LEFT JOIN live.courts c ON c.id = m.court_id "
            "LEFT JOIN live.tournament_days d ON d.id = m.tournament_day_id "
            f"WHERE {where.matches}"
            for part in self._parts(connection)
        )
        cursor = connection.execute(f"{selects} ORDER BY 19, 20", where.params)
        for row in _rows(cursor):
            (number, category, phase, day, court, blue, blue_noc, red, red_noc, rounds) = row[:10]
            wins_blue, wins_red, blue_score, red_score, winner, method, decision, status = row[
                10:18
            ]
            pairs = json.loads(rounds) if rounds else []
            yield {
                "match_number": number,
                "category": category,
                "phase": phase,
                "day": day,
                "court": court,
                "blue_athlete": blue,
                "blue_noc": blue_noc,
                "red_athlete": red,
                "red_noc": red_noc,
                "round_scores": [list(pair) for pair in pairs],
                "blue_round_wins": wins_blue,
                "red_round_wins": wins_red,
                "blue_score": blue_score,
                "red_score": red_score,
                "winner": winner,
                "winner_athlete": {"blue": blue, "red": red}.get(winner or ""),
                "method": method,
                "decision": decision,
                "status": status,
            }


def _rows(cursor: sqlite3.Cursor) -> Iterator[tuple[Any, ...]]:
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from batch


# --- writing --------------------------------------------------------------------------------------


def _write(
    path: Path,
    fmt: ExportFormat,
    fields: Sequence[str],
    rows: Iterator[dict[str, Any]],
    kind: ExportKind,
    scope: ExportScope,
    total: int,
    ctx: JobContext,
) -> int:
    if fmt is ExportFormat.CSV:
        # newline="": the csv module writes its own CRLF and quotes embedded line breaks.
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            return _write_csv(handle, fields, rows, total, ctx)
    with path.open("w", encoding="utf-8") as handle:
        return _write_json(handle, rows, kind, scope, total, ctx)


def _progress(written: int, total: int, ctx: JobContext) -> None:
    if written % FETCH_ROWS == 0:
        ctx.check()
        ctx.report(written, total, f"exported {written:,} of {total:,}")


def _write_csv(
    handle: IO[str],
    fields: Sequence[str],
    rows: Iterator[dict[str, Any]],
    total: int,
    ctx: JobContext,
) -> int:
    writer = csv.writer(handle, dialect="excel")  # comma, double quotes, CRLF
    writer.writerow(fields)
    written = 0
    for row in rows:
        writer.writerow([_csv_cell(row[field]) for field in fields])
        written += 1
        _progress(written, total, ctx)
    ctx.report(written, total, f"exported {written:,}")
    return written


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list):  # round scores, blue-red: "R1 5-3 | R2 2-7" (a bare "5-3"
        # would become the 5th of March in Excel; scores that add up have their own columns)
        return " | ".join(f"R{n} {blue}-{red}" for n, (blue, red) in enumerate(value, 1))
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # Excel would run it as a formula
    return value


def _write_json(
    handle: IO[str],
    rows: Iterator[dict[str, Any]],
    kind: ExportKind,
    scope: ExportScope,
    total: int,
    ctx: JobContext,
) -> int:
    # Streamed row by row, so a large tournament never sits in memory as one document.
    head = {
        "kind": kind.value,
        "scope": scope.to_json(),
        "exported_at": datetime.now(UTC).isoformat(),
    }
    handle.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": [')
    written = 0
    for row in rows:
        if kind is ExportKind.EVENTS and row["details"]:
            row["details"] = json.loads(row["details"])  # an object, not a string of JSON
        handle.write(("\n  " if written == 0 else ",\n  ") + json.dumps(row, ensure_ascii=False))
        written += 1
        _progress(written, total, ctx)
    handle.write("\n]}\n")
    ctx.report(written, total, f"exported {written:,}")
    return written
