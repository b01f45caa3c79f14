"""Merging one tournament from a backup into the current live database.

The backup may come from this installation (a tournament deleted or lost here) or from another
one (the laptop of another court), so nothing is assumed about its ids:

- The tournament is the one here with the same name and creation time, or a new one. Its days
  are matched by number, courts by name (a missing court is added disabled, so it never takes a
  UDP port by surprise), athletes by name and NOC.
- A match already here (same tournament, court, match number and load time) is not added again;
  one found in the local archive stops the merge (restore it from the archive first).
- An event already here (same receive time, monotonic stamp, index and bytes) is skipped. The
  others keep their `seq` when every incoming seq is one this installation's journal has
  already passed and none collides with a different stored event; otherwise all of them get
  new numbers below every seq in use (order kept), so they can never collide with datagrams
  this installation receives later.

Rows are added in chunks of whole matches with their events, one transaction each; every chunk
is checked (counts, and fingerprints of the event columns that a merge never changes, read in
the backup and read back here) before it commits. A rerun after a cancel or a crash adds only
what is missing. The merge is written to the audit log.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.jobs.runner import JobCancelled, JobContext
from app.store.backup import BackupKind, opened_backup
from app.store.checksums import Digest, Fingerprint, columns_of, render_row
from app.store.connections import attach, connect
from app.store.database import Database
from app.store.errors import BackupError, NotFoundError
from app.store.migrate import upgrade
from app.store.paths import ARCHIVE_NAME, DATABASE_NAME
from app.store.repositories import Audit

DEFAULT_CHUNK_ROWS = 10_000
#: Event columns a merge maps to this installation's rows; every other column is copied as is.
_MAPPED = frozenset({"id", "seq", "court_id", "tournament_id", "tournament_day_id", "match_id"})


@dataclass(frozen=True, slots=True)
class MergeResult:
    tournament_id: int  # here
    tournament_name: str
    new_tournament: bool
    days: int  # added
    courts: int  # added (disabled)
    athletes: int  # added
    matches: int  # added
    events: int  # added
    already_here: int  # events skipped because they were here already
    renumbered: bool  # the added events got new seq numbers
    seconds: float
    cancelled: bool = False

    def summary(self) -> str:
        text = (
            f"merged {self.events:,} events and {self.matches:,} matches into tournament "
            f"{self.tournament_id} ({self.tournament_name!r}"
            f"{', new' if self.new_tournament else ''})"
        )
        if self.already_here:
            text += f"; {self.already_here:,} events were here already"
        if self.courts:
            text += f"; added {self.courts} court(s), disabled"
        if self.cancelled:
            text += "; cancelled: run it again to add the rest"
        return text

    def to_json(self) -> dict[str, Any]:
        return {
            "tournament_id": self.tournament_id,
            "tournament_name": self.tournament_name,
            "new_tournament": self.new_tournament,
            "days": self.days,
            "courts": self.courts,
            "athletes": self.athletes,
            "matches": self.matches,
            "events": self.events,
            "already_here": self.already_here,
            "renumbered": self.renumbered,
            "seconds": round(self.seconds, 3),
            "cancelled": self.cancelled,
        }


@dataclass(slots=True)
class _Counts:
    tournament_id: int = 0
    tournament_name: str = ""
    new_tournament: bool = False
    days: int = 0
    courts: int = 0
    athletes: int = 0
    matches: int = 0
    events: int = 0
    already_here: int = 0
    renumbered: bool = False


def merge_tournament(
    db: Database,
    path: Path,
    ctx: JobContext | None = None,
    *,
    tournament_id: int | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> MergeResult:
    """Merge tournament `tournament_id` of the backup at `path` (for a tournament backup, its
    tournament) into `db`. The backup is verified completely first."""
    ctx = ctx or JobContext.unattached("merge")
    started = time.monotonic()
    counts = _Counts()
    with opened_backup(Path(path), ctx) as (manifest, databases):
        chosen = _choose(manifest.kind, manifest.tournament_id, tournament_id, path)
        local_archive = db.paths.archive_database
        if local_archive.exists():
            upgrade(local_archive, backups=db.paths.backups)
        with closing(connect(db.paths.database, foreign_keys=True)) as connection:
            attach(connection, databases[DATABASE_NAME], "b")
            parts = ["b"]
            if ARCHIVE_NAME in databases:
                attach(connection, databases[ARCHIVE_NAME], "ba")
                parts.append("ba")
            if local_archive.exists():
                attach(connection, local_archive, "la")
            merger = _Merger(connection, parts, chosen, local_archive.exists(), counts)
            merger.check_tournament(path)
            _audit(db, {"status": "started", "from": str(path), "tournament": chosen})
            try:
                merger.map_references()
                merger.prepare()
                chunks = merger.chunks(chunk_rows)
                total = sum(size for _, size in chunks)
                ctx.report(0, total, f"{total:,} events to check")
                done = 0
                for matches, size in chunks:
                    ctx.check()
                    merger.add(matches)
                    done += size
                    ctx.report(done, total, f"{counts.events:,} events added")
                merger.add_orphans(chunk_rows, ctx)
            except JobCancelled as cancelled:
                result = _result(counts, started, cancelled=True)
                _audit(db, {"status": "cancelled", **result.to_json()})
                raise JobCancelled("merge", message=result.summary(), partial=result) from cancelled
            except Exception as exc:
                _audit(db, {"status": "failed", "error": str(exc)})
                raise
    result = _result(counts, started)
    _audit(db, {"status": "completed", "from": str(path), **result.to_json()})
    return result


def _choose(kind: BackupKind, in_backup: int | None, asked: int | None, path: Path) -> int:
    if kind is BackupKind.TOURNAMENT:
        assert in_backup is not None
        if asked is not None and asked != in_backup:
            raise NotFoundError(
                f"{path} holds tournament {in_backup} only, not tournament {asked}."
            )
        return in_backup
    if asked is None:
        raise BackupError(
            f"{path} is a full backup: name the tournament to merge (--tournament ID), or "
            "restore all of it into a new folder (--into DIR)."
        )
    return asked


def _result(counts: _Counts, started: float, *, cancelled: bool = False) -> MergeResult:
    return MergeResult(
        counts.tournament_id,
        counts.tournament_name,
        counts.new_tournament,
        counts.days,
        counts.courts,
        counts.athletes,
        counts.matches,
        counts.events,
        counts.already_here,
        counts.renumbered,
        time.monotonic() - started,
        cancelled,
    )


def _audit(db: Database, details: dict[str, Any]) -> None:
    with db.transaction() as session:
        Audit(session).append("backup.merge", details)


class _Merger:
    """The steps of one merge over a connection: main is the live database, `b` (and `ba`) the
    backup's databases, `la` the local archive if there is one."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        parts: list[str],
        tournament_id: int,
        has_local_archive: bool,
        counts: _Counts,
    ) -> None:
        self.c = connection
        self.parts = parts
        self.tournament = tournament_id
        self.has_local_archive = has_local_archive
        self.counts = counts
        self.event_columns = columns_of(connection, "main", "events")
        self.match_columns = columns_of(connection, "main", "matches")
        self.content = [c for c in self.event_columns if c.name not in _MAPPED]

    def check_tournament(self, path: Path) -> None:
        found = self.c.execute(
            "SELECT name FROM b.tournaments WHERE id = ?", (self.tournament,)
        ).fetchone()
        if found is None:
            raise NotFoundError(f"{path} holds no tournament {self.tournament}.")

    # --- tournament, days, courts, athletes -------------------------------------------------------
    def map_references(self) -> None:
        c = self.c
        c.execute("DROP TABLE IF EXISTS temp.map_ref")
        c.execute(
            "CREATE TEMP TABLE map_ref (kind TEXT, old INTEGER, new INTEGER, "
            "PRIMARY KEY (kind, old))"
        )
        c.execute("BEGIN IMMEDIATE")
        try:
            self._map_tournament()
            self._map_days()
            self._map_courts()
            self._map_athletes()
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def _row(self, schema: str, table: str, row_id: int) -> dict[str, Any]:
        cursor = self.c.execute(f"SELECT * FROM {schema}.{table} WHERE id = ?", (row_id,))
        names = [d[0] for d in cursor.description]
        values = cursor.fetchone()
        return dict(zip(names, values, strict=True))

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        values = {k: v for k, v in row.items() if k != "id"}
        names = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join("?" * len(values))
        cursor = self.c.execute(
            f"INSERT INTO main.{table} ({names}) VALUES ({marks})", list(values.values())
        )
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def _map(self, kind: str, old: int, new: int) -> None:
        self.c.execute("INSERT OR REPLACE INTO temp.map_ref VALUES (?, ?, ?)", (kind, old, new))

    def _map_tournament(self) -> None:
        row = self._row("b", "tournaments", self.tournament)
        here = self.c.execute(
            "SELECT id FROM main.tournaments WHERE name = ? AND created_at IS ?",
            (row["name"], row["created_at"]),
        ).fetchone()
        if here is None:
            new = self._insert("tournaments", row)
            self.counts.new_tournament = True
        else:
            new = int(here[0])
        self._map("tournament", self.tournament, new)
        self.counts.tournament_id = new
        self.counts.tournament_name = str(row["name"])

    def _map_days(self) -> None:
        new_tournament = self.counts.tournament_id
        days = self.c.execute(
            "SELECT id FROM b.tournament_days WHERE tournament_id = ?", (self.tournament,)
        ).fetchall()
        for (day_id,) in days:
            row = self._row("b", "tournament_days", day_id)
            here = self.c.execute(
                "SELECT id FROM main.tournament_days WHERE tournament_id = ? AND number = ?",
                (new_tournament, row["number"]),
            ).fetchone()
            if here is None:
                row["tournament_id"] = new_tournament
                active = self.c.execute(
                    "SELECT 1 FROM main.tournament_days WHERE tournament_id = ? "
                    "AND status = 'active'",
                    (new_tournament,),
                ).fetchone()
                if row["status"] == "active" and active is not None:
                    row["status"] = "completed"  # one active day per tournament, here too
                here = (self._insert("tournament_days", row),)
                self.counts.days += 1
            self._map("day", day_id, int(here[0]))

    def _referenced(self, table: str, column: str) -> set[int]:
        ids: set[int] = set()
        for part in self.parts:
            ids.update(
                value
                for (value,) in self.c.execute(
                    f"SELECT DISTINCT {column} FROM {part}.{table} WHERE {column} IS NOT NULL "
                    f"AND {self._in_tournament(part, table)}",
                    self._params(),
                )
            )
        return ids

    def _in_tournament(self, part: str, table: str) -> str:
        if table == "matches":
            return "tournament_id = :t"
        return (
            f"(match_id IN (SELECT id FROM {part}.matches WHERE tournament_id = :t) "
            "OR (match_id IS NULL AND tournament_id = :t))"
        )

    def _params(self) -> dict[str, object]:
        return {"t": self.tournament}

    def _map_courts(self) -> None:
        courts = self._referenced("matches", "court_id") | self._referenced("events", "court_id")
        for court_id in sorted(courts):
            row = self._row("b", "courts", court_id)
            here = self.c.execute(
                "SELECT id FROM main.courts WHERE name = ?", (row["name"],)
            ).fetchone()
            if here is None:
                row.update(enabled=0, context_tournament_id=None, context_day_id=None)
                try:
                    here = (self._insert("courts", row),)
                except sqlite3.IntegrityError as exc:
                    raise BackupError(
                        f"Court {row['name']!r} of the backup uses UDP port {row['port']}, "
                        "which a court here uses too. Add a court named "
                        f"{row['name']!r} with a free port first (strikedesk court add), then "
                        "merge again: its events will be filed under it."
                    ) from exc
                self.counts.courts += 1
            self._map("court", court_id, int(here[0]))

    def _map_athletes(self) -> None:
        athletes = self._referenced("matches", "blue_athlete_id") | self._referenced(
            "matches", "red_athlete_id"
        )
        for athlete_id in sorted(athletes):
            row = self._row("b", "athletes", athlete_id)
            here = self.c.execute(
                "SELECT id FROM main.athletes WHERE long_name = ? AND noc = ?",
                (row["long_name"], row["noc"]),
            ).fetchone()
            if here is None:
                here = (self._insert("athletes", row),)
                self.counts.athletes += 1
            self._map("athlete", athlete_id, int(here[0]))

    # --- which matches and events are new, and their seq numbers ---------------------------------
    def prepare(self) -> None:
        c = self.c
        for table in ("incoming", "incoming_matches", "seq_map"):
            c.execute(f"DROP TABLE IF EXISTS temp.{table}")
        c.execute(
            "CREATE TEMP TABLE incoming (n INTEGER PRIMARY KEY, part TEXT, id INTEGER, "
            "seq INTEGER, sub_index INTEGER, received_at REAL, monotonic_ns INTEGER, raw BLOB, "
            "match_id INTEGER, present INTEGER NOT NULL DEFAULT 0, new_seq INTEGER)"
        )
        c.execute(
            "CREATE TEMP TABLE incoming_matches (part TEXT, id INTEGER, new_id INTEGER, "
            "events INTEGER, PRIMARY KEY (part, id))"
        )
        selects = " UNION ALL ".join(
            f"SELECT '{part}', id, seq, sub_index, received_at, monotonic_ns, raw, match_id "
            f"FROM {part}.events WHERE {self._in_tournament(part, 'events')}"
            for part in self.parts
        )
        c.execute(
            "INSERT INTO temp.incoming (part, id, seq, sub_index, received_at, monotonic_ns, "
            f"raw, match_id) SELECT * FROM ({selects}) ORDER BY seq, sub_index",
            self._params(),
        )
        for part in self.parts:
            c.execute(
                "INSERT INTO temp.incoming_matches (part, id, events) "
                f"SELECT '{part}', m.id, (SELECT count(*) FROM temp.incoming i "
                f"WHERE i.part = '{part}' AND i.match_id = m.id) "
                f"FROM {part}.matches m WHERE m.tournament_id = :t",
                self._params(),
            )
        self._find_matches_here()
        self._number_events()

    def _locals(self) -> list[str]:
        return ["main", "la"] if self.has_local_archive else ["main"]

    def _find_matches_here(self) -> None:
        rows = self.c.execute("SELECT part, id FROM temp.incoming_matches").fetchall()
        for part, match_id in rows:
            row = self._row(part, "matches", match_id)
            key = (
                self._mapped("tournament", row["tournament_id"]),
                self._mapped("court", row["court_id"]),
                row["match_number"],
                row["loaded_at"],
            )
            for schema in self._locals():
                here = self.c.execute(
                    f"SELECT id FROM {schema}.matches WHERE tournament_id IS ? AND court_id IS ? "
                    "AND match_number IS ? AND loaded_at IS ?",
                    key,
                ).fetchone()
                if here is None:
                    continue
                if schema == "la":
                    raise BackupError(
                        f"Match {row['match_number']} of this tournament is in the archive "
                        "here; restore the tournament from the archive first (strikedesk "
                        "archive restore --tournament ID), then merge again."
                    )
                self.c.execute(
                    "UPDATE temp.incoming_matches SET new_id = ? WHERE part = ? AND id = ?",
                    (here[0], part, match_id),
                )

    def _mapped(self, kind: str, old: int | None) -> int | None:
        if old is None:
            return None
        row = self.c.execute(
            "SELECT new FROM temp.map_ref WHERE kind = ? AND old = ?", (kind, old)
        ).fetchone()
        return None if row is None else int(row[0])

    def _number_events(self) -> None:
        c = self.c
        limit = int(
            c.execute(
                "SELECT max(coalesce((SELECT max(last_seq) FROM main.ingest_checkpoint), 0), "
                "coalesce((SELECT max(seq) FROM main.events), 0))"
            ).fetchone()[0]
        )
        collisions = 0
        for schema in self._locals():
            (clashing,) = c.execute(
                f"SELECT count(*) FROM temp.incoming i JOIN {schema}.events e "
                "ON e.seq = i.seq AND e.sub_index = i.sub_index WHERE NOT ("
                "e.received_at IS i.received_at AND e.monotonic_ns IS i.monotonic_ns "
                "AND e.raw IS i.raw)"
            ).fetchone()
            collisions += clashing
        (highest,) = c.execute("SELECT coalesce(max(seq), 0) FROM temp.incoming").fetchone()
        keep = collisions == 0 and highest <= limit
        for schema in self._locals():
            if keep:
                here = (
                    f"SELECT 1 FROM {schema}.events e WHERE e.seq = i.seq "
                    "AND e.sub_index = i.sub_index"
                )
            else:  # the same event under another seq (e.g. renumbered by an earlier merge)
                here = (
                    f"SELECT 1 FROM {schema}.events e WHERE e.received_at = i.received_at "
                    "AND e.monotonic_ns = i.monotonic_ns AND e.sub_index = i.sub_index "
                    "AND e.raw = i.raw"
                )
            c.execute(f"UPDATE temp.incoming AS i SET present = 1 WHERE EXISTS ({here})")
        if keep:
            c.execute("UPDATE temp.incoming SET new_seq = seq")
        else:
            lowest = min(
                0,
                *(
                    int(c.execute(f"SELECT coalesce(min(seq), 0) FROM {s}.events").fetchone()[0])
                    for s in self._locals()
                ),
            )
            c.execute("CREATE TEMP TABLE seq_map (seq INTEGER PRIMARY KEY, new INTEGER)")
            c.execute(
                "INSERT INTO temp.seq_map SELECT seq, row_number() OVER (ORDER BY seq) "
                "FROM (SELECT DISTINCT seq FROM temp.incoming WHERE present = 0)"
            )
            (distinct,) = c.execute("SELECT count(*) FROM temp.seq_map").fetchone()
            c.execute(
                "UPDATE temp.incoming SET new_seq = (SELECT ? - ? + new FROM temp.seq_map s "
                "WHERE s.seq = incoming.seq) WHERE present = 0",
                (lowest - 1, distinct),
            )
            self.counts.renumbered = bool(distinct)
        (present,) = c.execute("SELECT count(*) FROM temp.incoming WHERE present = 1").fetchone()
        self.counts.already_here = int(present)

    # --- adding, chunk by chunk -------------------------------------------------------------------
    def chunks(self, chunk_rows: int) -> list[tuple[list[tuple[str, int]], int]]:
        rows = self.c.execute(
            "SELECT part, id, events FROM temp.incoming_matches ORDER BY part, id"
        ).fetchall()
        chunks: list[tuple[list[tuple[str, int]], int]] = []
        group: list[tuple[str, int]] = []
        size = 0
        for part, match_id, events in rows:
            if group and size + events > chunk_rows:
                chunks.append((group, size))
                group, size = [], 0
            group.append((part, match_id))
            size += events
        if group:
            chunks.append((group, size))
        return chunks

    def add(self, matches: list[tuple[str, int]]) -> None:
        c = self.c
        c.execute("BEGIN IMMEDIATE")
        try:
            for part, match_id in matches:
                (new_id,) = c.execute(
                    "SELECT new_id FROM temp.incoming_matches WHERE part = ? AND id = ?",
                    (part, match_id),
                ).fetchone()
                if new_id is None:
                    row = self._row(part, "matches", match_id)
                    for column, kind in (
                        ("tournament_id", "tournament"),
                        ("tournament_day_id", "day"),
                        ("court_id", "court"),
                        ("blue_athlete_id", "athlete"),
                        ("red_athlete_id", "athlete"),
                    ):
                        row[column] = self._mapped(kind, row[column])
                    new_id = self._insert("matches", row)
                    c.execute(
                        "UPDATE temp.incoming_matches SET new_id = ? WHERE part = ? AND id = ?",
                        (new_id, part, match_id),
                    )
                    self.counts.matches += 1
            for part in self.parts:
                ids = [m for p, m in matches if p == part]
                if ids:
                    marks = ", ".join("?" * len(ids))
                    self._add_events(part, f"i.match_id IN ({marks})", ids)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def add_orphans(self, chunk_rows: int, ctx: JobContext) -> None:
        c = self.c
        for part in self.parts:
            numbers = [
                n
                for (n,) in c.execute(
                    "SELECT n FROM temp.incoming WHERE part = ? AND match_id IS NULL ORDER BY n",
                    (part,),
                )
            ]
            for start in range(0, len(numbers), chunk_rows):
                ctx.check()
                first, last = numbers[start], numbers[min(start + chunk_rows, len(numbers)) - 1]
                c.execute("BEGIN IMMEDIATE")
                try:
                    self._add_events(
                        part, "i.match_id IS NULL AND i.n BETWEEN ? AND ?", [first, last]
                    )
                    c.execute("COMMIT")
                except BaseException:
                    c.execute("ROLLBACK")
                    raise

    def _add_events(self, part: str, where: str, params: list[int]) -> None:
        """Insert the chunk's new events of one backup part, checked against the backup."""
        c = self.c
        where = f"i.part = '{part}' AND i.present = 0 AND {where}"
        values = []
        for column in self.event_columns:
            name = column.name
            if name == "id":
                continue
            if name == "seq":
                values.append("i.new_seq")
            elif name == "match_id":
                values.append(
                    "(SELECT new_id FROM temp.incoming_matches m "
                    "WHERE m.part = i.part AND m.id = e.match_id)"
                )
            elif name in ("court_id", "tournament_id", "tournament_day_id"):
                kind = {"court_id": "court", "tournament_id": "tournament"}.get(name, "day")
                values.append(
                    f"(SELECT new FROM temp.map_ref WHERE kind = '{kind}' AND old = e.{name})"
                )
            else:
                values.append(f'e."{name}"')
        names = ", ".join(f'"{col.name}"' for col in self.event_columns if col.name != "id")
        source = self._content_fingerprint(
            f"FROM temp.incoming i JOIN {part}.events x ON x.id = i.id WHERE {where}", params
        )
        inserted = c.execute(
            f"INSERT INTO main.events ({names}) SELECT {', '.join(values)} "
            f"FROM temp.incoming i JOIN {part}.events e ON e.id = i.id WHERE {where} "
            "ORDER BY i.n",
            params,
        ).rowcount
        added = self._content_fingerprint(
            "FROM temp.incoming i JOIN main.events x ON x.seq = i.new_seq "
            f"AND x.sub_index = i.sub_index WHERE {where}",
            params,
        )
        if inserted != source.rows or added != source:
            raise BackupError(
                f"The merge stopped: {inserted} events were added but {source.rows} were read "
                "from the backup, or they differ. Nothing of this chunk was added; please "
                "report this."
            )
        self.counts.events += inserted

    def _content_fingerprint(self, rows: str, params: list[int]) -> Fingerprint:
        line = render_row(self.content, "x")
        digest = Digest()
        digest.add_rows(self.c.execute(f"SELECT {line} {rows} ORDER BY i.n", params))
        return digest.fingerprint()
