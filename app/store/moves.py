"""Moving rows between two SQLite files in checked chunks: the machinery of ArchiveService.

A connection has the destination as its main database and the source attached as `src`. A
`Selection` says which matches (alias `m`) and which match-less events (alias `e`) of src to
take; `plan_chunks` groups them into chunks of whole matches (or ranges of match-less events)
of about `chunk_rows` events; `ChunkMover.move` moves one chunk in one transaction:

1. the chunk's ids go into temp tables, so every statement sees the same rows;
2. the rows are fingerprinted at the source (every column, `checksums`);
3. they are copied with INSERT … SELECT; if an id or (seq, sub_index) is taken in the
   destination, the copy is redone through id maps: rows found identical there (left by an
   interrupted run) are skipped, rows whose id another row took get a new id, and events of a
   renumbered match follow it;
4. the rows are read back and fingerprinted at the destination, with the ids they had at the
   source: both fingerprints must be equal;
5. the rows are deleted at the source, the counts compared, and no event may be left pointing
   at a moved match.
Any failed check raises ArchiveError and rolls the chunk back: nothing of it has moved.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.store.checksums import Column, Digest, Fingerprint, columns_of, render_row
from app.store.errors import ArchiveError

CHECKPOINT_EVERY_CHUNKS = 10


@dataclass(frozen=True, slots=True)
class Selection:
    """SQL conditions for a scope: on matches `m` and on match-less events `e` of schema src."""

    matches: str
    orphans: str
    params: dict[str, object]


@dataclass(frozen=True, slots=True)
class Chunk:
    """Whole matches with ids in [first, last] that the selection takes, or match-less events
    with ids in [first, last]."""

    kind: str  # "matches" | "orphans"
    first: int
    last: int
    events: int


@dataclass(slots=True)
class Tally:
    matches: int = 0
    events: int = 0
    chunks: int = 0
    already_present: int = 0
    renumbered: int = 0
    digest: Digest = field(default_factory=Digest)


def tune_for_moves(connection: sqlite3.Connection) -> None:
    """Commit settings for a chunked move (main is the destination, src the source).

    - No automatic WAL checkpoint inside commits: every chunk's commit would otherwise copy its
      pages into the database file again; `checkpoint` runs every few chunks instead.
    - The source's deletes need no fsync of their own: if a power cut loses them, the rows are
      in both files and the next run only deletes them at the source. The destination's
      inserts keep synchronous FULL, and SQLite commits main (the destination) first.
    """
    connection.execute("PRAGMA wal_autocheckpoint = 0")
    connection.execute("PRAGMA src.synchronous = NORMAL")


def checkpoint(connection: sqlite3.Connection) -> None:
    # PASSIVE: never waits for (or blocks) the recorder; what it cannot copy now, it copies later.
    for schema in ("main", "src"):
        connection.execute(f"PRAGMA {schema}.walcheckpoint(PASSIVE)").fetchall()


def count_rows(connection: sqlite3.Connection, selection: Selection) -> tuple[int, int, int]:
    """(matches, events of those matches, match-less events) the selection takes in src."""
    matches, events = connection.execute(
        f"SELECT count(*), coalesce(sum((SELECT count(*) FROM src.events e "
        f"WHERE e.match_id = m.id)), 0) FROM src.matches m WHERE {selection.matches}",
        selection.params,
    ).fetchone()
    (orphans,) = connection.execute(
        f"SELECT count(*) FROM src.events e WHERE {selection.orphans}", selection.params
    ).fetchone()
    return int(matches), int(events), int(orphans)


def plan_chunks(
    connection: sqlite3.Connection, selection: Selection, chunk_rows: int
) -> list[Chunk]:
    chunks: list[Chunk] = []
    rows = connection.execute(
        f"SELECT m.id, (SELECT count(*) FROM src.events e WHERE e.match_id = m.id) "
        f"FROM src.matches m WHERE {selection.matches} ORDER BY m.id",
        selection.params,
    ).fetchall()
    group: list[tuple[int, int]] = []
    events = 0
    for match_id, count in rows:
        if group and events + count > chunk_rows:
            chunks.append(Chunk("matches", group[0][0], group[-1][0], events))
            group, events = [], 0
        group.append((match_id, count))
        events += count
    if group:
        chunks.append(Chunk("matches", group[0][0], group[-1][0], events))
    ids = [
        event_id
        for (event_id,) in connection.execute(
            f"SELECT e.id FROM src.events e WHERE {selection.orphans} ORDER BY e.id",
            selection.params,
        )
    ]
    for start in range(0, len(ids), chunk_rows):
        part = ids[start : start + chunk_rows]
        chunks.append(Chunk("orphans", part[0], part[-1], len(part)))
    return chunks


class ChunkMover:
    """Moves one chunk from `src` into `main` (or, for clean-up, deletes it from `src`)."""

    def __init__(self, connection: sqlite3.Connection, label: str, *, copy: bool) -> None:
        self.connection = connection
        self.label = label  # "archive", "restore", "cleanup": for messages
        self.copy = copy  # False: only delete at the source (clean-up)
        self.match_columns = columns_of(connection, "src", "matches")
        self.event_columns = columns_of(connection, "src", "events")
        if copy:
            _check_same_columns(connection, "matches", self.match_columns)
            _check_same_columns(connection, "events", self.event_columns)
        self.mapped = False  # the chunk being moved went the careful way (_copy_mapped)
        self.match_names = ", ".join(f'"{c.name}"' for c in self.match_columns)
        self.event_names = ", ".join(f'"{c.name}"' for c in self.event_columns)
        connection.executescript(
            """
            CREATE TEMP TABLE IF NOT EXISTS chunk_matches (id INTEGER PRIMARY KEY);
            CREATE TEMP TABLE IF NOT EXISTS chunk_events (id INTEGER PRIMARY KEY);
            CREATE TEMP TABLE IF NOT EXISTS map_matches (
                old INTEGER PRIMARY KEY, new INTEGER NOT NULL, present INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS temp.map_matches_new ON map_matches (new);
            CREATE TEMP TABLE IF NOT EXISTS map_events (
                old INTEGER PRIMARY KEY, new INTEGER NOT NULL, present INTEGER NOT NULL);
            """
        )

    def move(self, chunk: Chunk, selection: Selection, tally: Tally) -> None:
        c = self.connection
        c.execute("BEGIN IMMEDIATE")
        self.mapped = False
        try:
            c.execute("DELETE FROM temp.chunk_matches")
            c.execute("DELETE FROM temp.chunk_events")
            params = {**selection.params, "first": chunk.first, "last": chunk.last}
            if chunk.kind == "matches":
                c.execute(
                    "INSERT INTO temp.chunk_matches (id) SELECT m.id FROM src.matches m "
                    f"WHERE m.id BETWEEN :first AND :last AND {selection.matches}",
                    params,
                )
                c.execute(
                    "INSERT INTO temp.chunk_events (id) SELECT e.id FROM src.events e "
                    "WHERE e.match_id IN temp.chunk_matches"
                )
            else:
                c.execute(
                    "INSERT INTO temp.chunk_events (id) SELECT e.id FROM src.events e "
                    f"WHERE e.id BETWEEN :first AND :last AND {selection.orphans}",
                    params,
                )
            matches_source = self._source_fingerprint("matches")
            events_source = self._source_fingerprint("events")
            present = renumbered = 0
            if self.copy:
                present, renumbered = self._copy()
                self._check("matches", matches_source, self._destination_fingerprint("matches"))
                self._check("events", events_source, self._destination_fingerprint("events"))
            deleted_events = c.execute(
                "DELETE FROM src.events WHERE id IN temp.chunk_events"
            ).rowcount
            deleted_matches = c.execute(
                "DELETE FROM src.matches WHERE id IN temp.chunk_matches"
            ).rowcount
            if (deleted_matches, deleted_events) != (matches_source.rows, events_source.rows):
                raise ArchiveError(
                    f"The {self.label} stopped: {deleted_events} events and "
                    f"{deleted_matches} matches were deleted at the source, but "
                    f"{events_source.rows} and {matches_source.rows} were read. Nothing of "
                    "this chunk was changed; please report this."
                )
            (dangling,) = c.execute(
                "SELECT count(*) FROM src.events WHERE match_id IN temp.chunk_matches"
            ).fetchone()
            if dangling:
                raise ArchiveError(
                    f"The {self.label} stopped: {dangling} events would be left "
                    "pointing at a moved match. Nothing of this chunk was changed; please "
                    "report this."
                )
            c.execute("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.execute("ROLLBACK")
            raise
        tally.matches += matches_source.rows
        tally.events += events_source.rows
        tally.chunks += 1
        tally.already_present += present
        tally.renumbered += renumbered
        tally.digest.add_fingerprint(matches_source)
        tally.digest.add_fingerprint(events_source)

    # --- copying ------------------------------------------------------------------------------
    def _copy(self) -> tuple[int, int]:
        """Insert the chunk into main; returns (rows already there, rows renumbered)."""
        c = self.connection
        c.execute("SAVEPOINT copy")
        try:
            c.execute(
                f"INSERT INTO main.matches ({self.match_names}) SELECT {self.match_names} "
                "FROM src.matches WHERE id IN temp.chunk_matches"
            )
            c.execute(
                f"INSERT INTO main.events ({self.event_names}) SELECT {self.event_names} "
                "FROM src.events WHERE id IN temp.chunk_events"
            )
        except sqlite3.IntegrityError as exc:
            c.execute("ROLLBACK TO copy")
            c.execute("RELEASE copy")
            if "FOREIGN KEY" in str(exc):
                raise ArchiveError(self._missing_references()) from exc
            # An id or (seq, sub_index) is taken in the destination: the careful way.
            self.mapped = True
            return self._copy_mapped()
        c.execute("RELEASE copy")
        return 0, 0

    def _copy_mapped(self) -> tuple[int, int]:
        """Copy rows one id map at a time: rows already in the destination (an interrupted run)
        are recognised and skipped, rows whose id is taken get a new one."""
        c = self.connection
        c.execute("DELETE FROM temp.map_matches")
        c.execute("DELETE FROM temp.map_events")
        c.execute("INSERT INTO temp.map_matches SELECT id, id, 0 FROM temp.chunk_matches")
        c.execute("INSERT INTO temp.map_events SELECT id, id, 0 FROM temp.chunk_events")
        present = renumbered = 0
        # Matches whose id is taken: the same match (identical row) or another one.
        match_line = render_row(self.match_columns, "x")
        taken = c.execute(
            f"SELECT mm.old, (SELECT {match_line} FROM src.matches x WHERE x.id = mm.old), "
            f"(SELECT {match_line} FROM main.matches x WHERE x.id = mm.old) "
            "FROM temp.map_matches mm WHERE mm.old IN (SELECT id FROM main.matches)"
        ).fetchall()
        next_match = self._next_id("matches")
        for old, source_line, destination_line in taken:
            if source_line == destination_line:
                c.execute("UPDATE temp.map_matches SET present = 1 WHERE old = ?", (old,))
                present += 1
            else:
                c.execute("UPDATE temp.map_matches SET new = ? WHERE old = ?", (next_match, old))
                next_match += 1
                renumbered += 1
        # Events already in the destination (same seq and sub_index): identical apart from
        # ids, or a conflict nobody should resolve silently.
        no_ids = {"id": "0", "match_id": "0"}
        event_line = render_row(self.event_columns, "x", no_ids)
        duplicates = c.execute(
            f"SELECT e.id, d.id, (SELECT {event_line} FROM src.events x WHERE x.id = e.id), "
            f"(SELECT {event_line} FROM main.events x WHERE x.id = d.id) "
            "FROM src.events e JOIN main.events d "
            "ON d.seq = e.seq AND d.sub_index = e.sub_index "
            "WHERE e.id IN temp.chunk_events"
        ).fetchall()
        for old, existing, source_line, destination_line in duplicates:
            if source_line != destination_line:
                seq = c.execute("SELECT seq, sub_index FROM src.events WHERE id = ?", (old,))
                raise ArchiveError(
                    f"Event {tuple(seq.fetchone())} (seq, index) is in both databases with "
                    "different contents; nothing of this chunk was moved. Compare them before "
                    "going on (strikedesk events --match ...)."
                )
            c.execute(
                "UPDATE temp.map_events SET new = ?, present = 1 WHERE old = ?", (existing, old)
            )
            present += 1
        # Events whose id is taken by another event get new ids.
        clashing = [
            old
            for (old,) in c.execute(
                "SELECT old FROM temp.map_events WHERE present = 0 "
                "AND old IN (SELECT id FROM main.events)"
            )
        ]
        next_event = self._next_id("events")
        for old in clashing:
            c.execute("UPDATE temp.map_events SET new = ? WHERE old = ?", (next_event, old))
            next_event += 1
            renumbered += 1
        others = [c.name for c in self.match_columns if c.name != "id"]
        c.execute(
            f"INSERT INTO main.matches (id, {', '.join(f'{chr(34)}{n}{chr(34)}' for n in others)}) "
            f"SELECT mm.new, {', '.join(f'm.{chr(34)}{n}{chr(34)}' for n in others)} "
            "FROM temp.map_matches mm JOIN src.matches m ON m.id = mm.old "
            "WHERE mm.present = 0"
        )
        values = [
            "me.new"
            if column.name == "id"
            else "coalesce(mm.new, e.match_id)"
            if column.name == "match_id"
            else f'e."{column.name}"'
            for column in self.event_columns
        ]
        try:
            c.execute(
                f"INSERT INTO main.events ({self.event_names}) SELECT {', '.join(values)} "
                "FROM temp.map_events me JOIN src.events e ON e.id = me.old "
                "LEFT JOIN temp.map_matches mm ON mm.old = e.match_id WHERE me.present = 0"
            )
        except sqlite3.IntegrityError as exc:
            if "FOREIGN KEY" in str(exc):
                raise ArchiveError(self._missing_references()) from exc
            raise
        return present, renumbered

    def _next_id(self, table: str) -> int:
        (highest,) = self.connection.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM main.{table}), 0), "
            f"coalesce((SELECT max(id) FROM src.{table}), 0))"
        ).fetchone()
        return int(highest) + 1

    # --- checking -----------------------------------------------------------------------------
    # Fingerprints read rows in id order, driven by the chunk's temp table (already in that
    # order), so SQLite never sorts the rendered rows.
    def _source_fingerprint(self, table: str) -> Fingerprint:
        columns = self.match_columns if table == "matches" else self.event_columns
        line = render_row(columns, "x")
        return self._fingerprint(
            f"SELECT {line} FROM temp.chunk_{table} c JOIN src.{table} x ON x.id = c.id "
            "ORDER BY c.id"
        )

    def _destination_fingerprint(self, table: str) -> Fingerprint:
        """The chunk's rows read back from main, rendered with the ids they had at the source
        (after the careful path, through the id maps)."""
        columns = self.match_columns if table == "matches" else self.event_columns
        if not self.mapped:
            line = render_row(columns, "x")
            return self._fingerprint(
                f"SELECT {line} FROM temp.chunk_{table} c JOIN main.{table} x ON x.id = c.id "
                "ORDER BY c.id"
            )
        if table == "matches":
            line = render_row(columns, "x", {"id": "mm.old"})
            return self._fingerprint(
                f"SELECT {line} FROM temp.map_matches mm JOIN main.matches x ON x.id = mm.new "
                "ORDER BY mm.old"
            )
        line = render_row(
            columns, "x", {"id": "me.old", "match_id": "coalesce(mm.old, x.match_id)"}
        )
        return self._fingerprint(
            f"SELECT {line} FROM temp.map_events me JOIN main.events x ON x.id = me.new "
            "LEFT JOIN temp.map_matches mm ON mm.new = x.match_id ORDER BY me.old"
        )

    def _fingerprint(self, sql: str) -> Fingerprint:
        digest = Digest()
        digest.add_rows(self.connection.execute(sql))
        return digest.fingerprint()

    def _check(self, table: str, source: Fingerprint, destination: Fingerprint) -> None:
        if source != destination:
            raise ArchiveError(
                f"The {self.label} stopped: the {table} read back from the "
                f"destination ({destination.rows} rows, checksum {destination.checksum[:12]}) "
                f"differ from those read at the source ({source.rows} rows, "
                f"{source.checksum[:12]}). Nothing of this chunk was moved; please report this."
            )

    def _missing_references(self) -> str:
        """Which court, tournament, day or athlete the chunk refers to that main lacks."""
        references = [
            ("court", "courts", [("matches", "court_id"), ("events", "court_id")]),
            (
                "tournament",
                "tournaments",
                [("matches", "tournament_id"), ("events", "tournament_id")],
            ),
            (
                "tournament day",
                "tournament_days",
                [("matches", "tournament_day_id"), ("events", "tournament_day_id")],
            ),
            (
                "athlete",
                "athletes",
                [("matches", "blue_athlete_id"), ("matches", "red_athlete_id")],
            ),
        ]
        for label, parent, columns in references:
            ids = " UNION ".join(
                f"SELECT {column} AS v FROM src.{table} WHERE id IN temp.chunk_{table}"
                for table, column in columns
            )
            missing = self.connection.execute(
                f"SELECT v FROM ({ids}) WHERE v IS NOT NULL "
                f"AND v NOT IN (SELECT id FROM main.{parent}) LIMIT 1"
            ).fetchone()
            if missing is not None:
                return (
                    f"The archived rows refer to {label} {missing[0]}, which the live database "
                    "no longer has; nothing of this chunk was restored. Add it back, then "
                    "restore again."
                )
        return "The archived rows refer to rows the live database no longer has."


def _check_same_columns(
    connection: sqlite3.Connection, table: str, source_columns: Sequence[Column]
) -> None:
    main = [(c.name, c.declared_type.upper()) for c in columns_of(connection, "main", table)]
    src = [(c.name, c.declared_type.upper()) for c in source_columns]
    if main != src:
        raise ArchiveError(
            f"The {table} tables of the live database and the archive differ; restart "
            "StrikeDesk so both are brought to the same schema, then try again."
        )
