"""The analytics queries use the partial scoring indexes (a query whose WHERE clause does not
repeat the index's condition word for word silently falls back to scanning clock ticks)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from app.analytics import queries
from app.store.database import Database
from app.store.models import SCORING_CONDITION
from tests.analytics.recording import Recording


def plans(db: Database, run: Any) -> list[str]:
    """The query plan of every statement `run(conn)` executes."""
    statements: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not the BEGIN the engine emits
            statements.append((statement, parameters))

    with db.engine.connect() as conn:
        event.listen(conn, "before_cursor_execute", capture)
        run(conn)
        event.remove(conn, "before_cursor_execute", capture)
        found = []
        for statement, parameters in statements:
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            found.append(" / ".join(row[-1] for row in rows))
    return found


def test_scoring_aggregates_read_the_partial_indexes(db: Database, recorded: Recording) -> None:
    matches = [1, 2, 3]
    tournament = recorded.tournaments["Open"]
    for run, index in (
        (lambda conn: queries.techniques_of_matches(conn, matches), "ix_events_scoring "),
        (lambda conn: queries.hits_of_matches(conn, matches), "ix_events_scoring "),
        (lambda conn: queries.penalty_events(conn, matches), "ix_events_scoring "),
        (
            lambda conn: queries.techniques_of_scope(conn, tournament, None),
            "ix_events_scoring_scope ",
        ),
        (lambda conn: queries.techniques_of_scope(conn, tournament, 1), "ix_events_scoring_scope "),
    ):
        [plan] = plans(db, run)
        assert f"USING COVERING INDEX {index}" in plan or f"USING INDEX {index}" in plan, plan
    [tournament_plan] = plans(db, lambda conn: queries.techniques_of_scope(conn, tournament, None))
    assert "TEMP B-TREE" not in tournament_plan  # counted in index order, no sorting


def test_the_check_sees_a_scan(db: Database) -> None:
    # Guard: without the index's condition the same aggregate does not use the partial index.
    [plan] = plans(
        db,
        lambda conn: conn.exec_driver_sql(
            "SELECT side, value, count(*) FROM events WHERE match_id = 1"
            " AND code IN ('pt1', 'pt2') GROUP BY side, value"
        ),
    )
    assert "ix_events_scoring " not in plan


def test_the_migrated_indexes_state_the_condition_the_queries_repeat(db: Database) -> None:
    with db.engine.connect() as conn:
        found = dict(
            conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE name LIKE 'ix_events_scoring%'"
            ).all()
        )
    assert set(found) == {"ix_events_scoring", "ix_events_scoring_scope"}
    assert all(sql.endswith(f"WHERE {SCORING_CONDITION}") for sql in found.values()), found
