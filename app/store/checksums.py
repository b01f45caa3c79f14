"""Fingerprints of rows: how many there are and a BLAKE2b digest of every column of every row.

SQLite renders each row as one line of text with a single `printf` call: texts with `%Q`
(quoted and escaped, NULL as NULL), REAL and BLOB values with `quote()` (exact: a REAL is
printed with enough digits to read back the same double), integers as digits (nothing for
NULL). Python only hashes the lines: building Python objects for 20+ columns would cost about
twice as much per row, and the archive moves up to 100,000 rows a second.

Lines are hashed in the query's ORDER BY order, each followed by a newline, so the digest of a
set of rows does not depend on how it was split into chunks.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

FETCH_ROWS = 5000
_EXACT_TYPES = ("BLOB", "REAL", "FLOA", "DOUB")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    rows: int
    checksum: str  # 32 hex digits

    def to_json(self) -> dict[str, object]:
        return {"rows": self.rows, "checksum": self.checksum}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    declared_type: str
    not_null: bool


class Digest:
    """A running fingerprint: feed it rendered rows (or other fingerprints) in order."""

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=16)
        self.rows = 0

    def add_lines(self, lines: Sequence[bytes]) -> None:
        if lines:
            self._hash.update(b"\n".join(lines))
            self._hash.update(b"\n")
            self.rows += len(lines)

    def add_rows(self, cursor: sqlite3.Cursor) -> int:
        """Hash every row of a cursor whose single column is a rendered row; returns the count."""
        before = self.rows
        while batch := cursor.fetchmany(FETCH_ROWS):
            self.add_lines([line for (line,) in batch])
        return self.rows - before

    def add_fingerprint(self, fingerprint: Fingerprint) -> None:
        self._hash.update(f"{fingerprint.rows}:{fingerprint.checksum}\n".encode())
        self.rows += fingerprint.rows

    def fingerprint(self) -> Fingerprint:
        return Fingerprint(self.rows, self._hash.hexdigest())


def columns_of(connection: sqlite3.Connection, schema: str, table: str) -> list[Column]:
    rows = connection.execute(f'PRAGMA {schema}.table_info("{table}")').fetchall()
    return [Column(name, declared or "", bool(notnull)) for _, name, declared, notnull, *_ in rows]


def render_row(
    columns: Sequence[Column], alias: str, replacements: Mapping[str, str] | None = None
) -> str:
    """An SQL expression rendering one row of `alias` as a line of text.

    `replacements` renders some columns from other expressions (e.g. the id a row had before it
    was renumbered), so rows can be compared across a move that changed them on purpose.
    """
    replacements = replacements or {}
    specs: list[str] = []
    args: list[str] = []
    for column in columns:
        expression = replacements.get(column.name, f'{alias}."{column.name}"')
        declared = column.declared_type.upper()
        if not declared or any(kind in declared for kind in _EXACT_TYPES):
            specs.append("%s")
            args.append(f"quote({expression})")
        elif "INT" in declared or "BOOL" in declared:  # digits, or nothing for NULL
            specs.append("%s")
            args.append(expression)
        else:
            specs.append("%Q")
            args.append(expression)
    # As a BLOB: the bytes are hashed as stored, never decoded (a damaged text cannot stop it).
    return f"CAST(printf('{'|'.join(specs)}', {', '.join(args)}) AS BLOB)"


def fingerprint_rows(
    connection: sqlite3.Connection, sql: str, params: Sequence[object] | Mapping[str, object] = ()
) -> Fingerprint:
    """The fingerprint of the rendered rows `sql` returns (one column, in a fixed order)."""
    digest = Digest()
    digest.add_rows(connection.execute(sql, params))
    return digest.fingerprint()


def fingerprint_table(
    connection: sqlite3.Connection, schema: str, table: str, chunk_rows: int = 20_000
) -> Fingerprint:
    """Every row of a rowid table in rowid order, read in chunks so memory stays flat."""
    line = render_row(columns_of(connection, schema, table), "t")
    sql = (
        f'SELECT t.rowid, {line} FROM {schema}."{table}" t WHERE t.rowid > ? '
        f"ORDER BY t.rowid LIMIT {int(chunk_rows)}"
    )
    digest = Digest()
    last = -(2**63)
    while batch := connection.execute(sql, (last,)).fetchall():
        digest.add_lines([rendered for _, rendered in batch])
        last = batch[-1][0]
    return digest.fingerprint()


def user_tables(connection: sqlite3.Connection, schema: str = "main") -> list[str]:
    rows = connection.execute(
        f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows]


def fingerprint_tables(
    connection: sqlite3.Connection, schema: str = "main", tables: Iterable[str] | None = None
) -> dict[str, Fingerprint]:
    names = list(tables) if tables is not None else user_tables(connection, schema)
    return {name: fingerprint_table(connection, schema, name) for name in names}
