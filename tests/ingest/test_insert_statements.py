"""The writer's INSERT statement sizes: every row once, in order, from a small set of sizes."""

from __future__ import annotations

from app.ingest.writer import ROWS_PER_STATEMENT, statement_sizes


def test_sizes_cover_every_row_with_few_distinct_statements() -> None:
    seen: set[int] = set()
    for count in range(3 * ROWS_PER_STATEMENT + 2):
        sizes = statement_sizes(count)
        assert sum(sizes) == count
        assert all(0 < size <= ROWS_PER_STATEMENT for size in sizes)
        assert sizes == sorted(sizes, reverse=True)  # full chunks first
        seen.update(sizes)
    # sqlite3 caches 128 prepared statements per connection, each ~2 KB per row: the writer
    # must not prepare one per remainder size.
    assert seen == {ROWS_PER_STATEMENT, *(1 << bit for bit in range(10))}
    assert statement_sizes(20_000)[:22] == [ROWS_PER_STATEMENT] * 22
