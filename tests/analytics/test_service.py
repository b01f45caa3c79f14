"""AnalyticsService beyond the caches: stale values when the database fails, requests from other
processes, history snapshots, warm-up, and recording performance from metrics_history."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from app.analytics.control import requests_path
from app.analytics.history import SnapshotKind, SnapshotReason
from app.analytics.service import (
    AnalyticsService,
    AnalyticsUnavailableError,
    request_clear,
    request_invalidate,
)
from app.analytics.settings import AnalyticsSettings
from app.store.database import Database
from app.store.models import MetricsHistory
from app.store.repositories import Days
from tests.analytics.conftest import FakeTimer
from tests.analytics.recording import Recording


@contextmanager
def locked(db: Database) -> Iterator[None]:
    """Another program holding the database exclusively (readers get "database is locked")."""
    db.engine.dispose()  # SQLite refuses the exclusive mode while others keep the WAL open
    other = sqlite3.connect(db.paths.database, timeout=5, isolation_level=None)
    try:
        other.execute("PRAGMA locking_mode = EXCLUSIVE")
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE ingest_checkpoint SET last_seq = last_seq")
        other.execute("COMMIT")  # the exclusive lock stays until the mode is left
        yield
    finally:
        other.execute("PRAGMA locking_mode = NORMAL")
        other.execute("SELECT 1 FROM ingest_checkpoint").fetchall()
        other.close()


def test_a_failing_database_serves_the_last_value_marked_stale(
    service: AnalyticsService, db: Database, recorded: Recording
) -> None:
    tournament = recorded.tournaments["Open"]
    fresh = service.tournament(tournament)
    service.invalidate_tournament(tournament)
    with locked(db):
        stale = service.tournament(tournament)
        with pytest.raises(AnalyticsUnavailableError, match="database is locked"):
            service.tournament(recorded.tournaments["Cup"])  # never computed: nothing to serve
    assert stale.stale and not stale.cached
    assert stale.value == fresh.value and stale.computed_at == fresh.computed_at
    assert stale.error is not None and "database is locked" in stale.error
    assert service.stats().stale_served == 1
    again = service.tournament(tournament)  # the database is back: computed afresh
    assert not again.stale and not again.cached


def test_cache_requests_from_another_process(
    service: AnalyticsService, db: Database, recorded: Recording, timer: FakeTimer
) -> None:
    open_id, cup_id = recorded.tournaments["Open"], recorded.tournaments["Cup"]
    [final] = service.find_matches("1945", open_id)
    service.tournament(open_id)
    service.tournament(cup_id)
    service.match(final.id)

    request_invalidate(db.paths.root, match_ids=[final.id])
    assert service.match(final.id).cached  # looked at most once a second
    timer.advance(1.0)
    assert not service.match(final.id).cached
    assert service.tournament(open_id).cached

    request_invalidate(db.paths.root, tournament_ids=[open_id])
    timer.advance(1.0)
    assert not service.tournament(open_id).cached
    assert service.tournament(cup_id).cached

    request_clear(db.paths.root)
    with requests_path(db.paths.root).open("a") as file:
        file.write('{"half a line')  # a writer caught mid-line: read next time
    timer.advance(1.0)
    assert not service.tournament(cup_id).cached
    timer.advance(1.0)
    assert service.tournament(cup_id).cached


def test_a_new_service_ignores_requests_made_before_it_started(
    db: Database, recorded: Recording, timer: FakeTimer
) -> None:
    request_clear(db.paths.root)
    service = AnalyticsService(db, timer=timer)
    service.tournament(recorded.tournaments["Open"])
    timer.advance(1.5)
    assert service.tournament(recorded.tournaments["Open"]).cached


def test_snapshots_every_interval_and_at_day_end_are_read_back(
    db: Database, recorded: Recording, timer: FakeTimer
) -> None:
    now = [datetime(2026, 5, 1, 9, 0, tzinfo=UTC)]
    service = AnalyticsService(
        db, AnalyticsSettings(snapshot_minutes=15), timer=timer, clock=lambda: now[0]
    )
    cup = recorded.tournaments["Cup"]
    first = service.snapshot_if_due(cup)
    assert first is not None and first.reason == "interval"
    now[0] += timedelta(minutes=14)
    assert service.snapshot_if_due(cup) is None
    now[0] += timedelta(minutes=2)
    assert service.snapshot_if_due(cup) is not None

    with db.transaction() as session:
        Days(session).end(cup)
    now[0] += timedelta(minutes=1)
    day, tournament = service.snapshot_day_end(recorded.days["Cup"])
    assert (day.kind, day.key) == (SnapshotKind.DAY, f"{cup}:{recorded.days['Cup']}")
    assert tournament.reason == SnapshotReason.DAY_END

    history = service.history(cup)
    assert [(r.kind, r.reason) for r in history] == [
        (SnapshotKind.TOURNAMENT, "interval"),
        (SnapshotKind.TOURNAMENT, "interval"),
        (SnapshotKind.DAY, "day_end"),
        (SnapshotKind.TOURNAMENT, "day_end"),
    ]
    assert history[0].analytics == service.tournament(cup).value  # read back whole
    assert history[2].analytics == service.day(recorded.days["Cup"]).value
    assert [r.taken_at for r in history] == sorted(r.taken_at for r in history)
    assert service.history(recorded.tournaments["Open"]) == []


def test_no_snapshot_of_a_stale_value(
    service: AnalyticsService, db: Database, recorded: Recording
) -> None:
    cup = recorded.tournaments["Cup"]
    service.tournament(cup)
    service.invalidate_tournament(cup)
    with locked(db), pytest.raises(AnalyticsUnavailableError, match="No snapshot"):
        service.take_snapshot(cup)


def test_warm_up_fills_the_cache_for_a_selected_tournament(
    service: AnalyticsService, recorded: Recording
) -> None:
    open_id = recorded.tournaments["Open"]
    steps: list[tuple[int, int]] = []
    report = service.warm_up(open_id, progress=lambda done, total: steps.append((done, total)))
    # The tournament, its day, its five matches and their ten athletes.
    assert (report.computed, report.cached, report.failed) == (17, 0, 0)
    assert steps[-1] == (17, 17)
    [final] = service.find_matches("1945", open_id)
    assert service.match(final.id).cached
    assert service.tournament(open_id).cached
    again = service.warm_up(open_id, cancelled=lambda: len(steps) > 100)
    assert (again.computed, again.cached) == (0, 17)
    stopped = service.warm_up(open_id, cancelled=lambda: True)
    assert stopped.computed + stopped.cached == 0


def test_recording_performance_from_metrics_history(db: Database, timer: FakeTimer) -> None:
    start = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    samples = [
        (0, {"stored": 0, "unknown": 0, "malformed": 0, "commit_ms_p99": 3.0}),
        (60, {"stored": 6000, "unknown": 6, "malformed": 0, "commit_ms_p99": 5.0}),
        (120, {"ingest": {"stored": 18000, "unknown": 6, "malformed": 6, "commit_ms_p99": 9.0}}),
        (180, {"stored": 600, "unknown": 0, "malformed": 0}),  # the recorder restarted
        (240, {"cpu": 12}),  # another monitor sample, no ingest counters
    ]
    with db.transaction() as session:
        for seconds, data in samples:
            session.add(MetricsHistory(taken_at=start + timedelta(seconds=seconds), data=data))
    service = AnalyticsService(db, timer=timer, clock=lambda: start + timedelta(minutes=5))
    analytics = service.performance(hours=1).value
    assert [(p.events, p.ingest_rate) for p in analytics.points] == [(6000, 100.0), (12000, 200.0)]
    assert [p.error_rate for p in analytics.points] == [0.001, 0.0005]
    assert (analytics.samples, analytics.restarts, analytics.events) == (4, 1, 18000)
    assert analytics.mean_rate == 150.0 and analytics.peak_rate == 200.0
    assert analytics.worst_commit_ms_p99 == 9.0
    assert analytics.error_rate == pytest.approx(12 / 18000)
    assert service.performance(hours=1).cached


def test_memory_pressure_empties_the_caches(service: AnalyticsService, recorded: Recording) -> None:
    tournament = recorded.tournaments["Open"]
    service.tournament(tournament)
    assert service.tournament(tournament).cached
    assert service.cache_summary()["size"] >= 1
    service.relieve_memory(0)  # normal: nothing dropped
    assert service.tournament(tournament).cached
    service.relieve_memory(1)  # elevated
    assert service.cache_summary()["size"] == 0
    assert not service.tournament(tournament).cached
