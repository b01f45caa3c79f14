"""ArchiveService on a data folder recorded over real UDP: round trips, held-back matches,
idempotent reruns, interrupted runs, renumbered ids, cancel, checks that catch damage."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from app.jobs.runner import JobCancelled, JobContext, JobRunner, Progress
from app.store.archive import ArchiveResult, ArchiveScope, ArchiveService
from app.store.database import Database
from app.store.errors import ArchiveError, NotFoundError, ValidationError
from app.store.repositories import Audit
from tests.store.recording import Recorded, table_rows

FUTURE = datetime.now(UTC) + timedelta(days=365)


@pytest.fixture
def db(folder: Recorded) -> Iterator[Database]:
    database = Database.open(folder.root)
    yield database
    database.close()


def live(folder: Recorded, table: str, where: str = "1") -> list[tuple[object, ...]]:
    return table_rows(folder.root / "strikedesk.db", table, where)


def archived(folder: Recorded, table: str, where: str = "1") -> list[tuple[object, ...]]:
    return table_rows(folder.root / "archive.db", table, where)


def keys(rows: list[tuple[object, ...]]) -> set[tuple[object, object]]:
    return {(row[1], row[2]) for row in rows}  # events: (seq, sub_index)


def test_archive_then_restore_of_a_tournament_gives_back_identical_rows(
    folder: Recorded, db: Database
) -> None:
    before = {table: live(folder, table) for table in ("events", "matches")}
    service = ArchiveService(db, chunk_rows=300)  # several chunks
    scope = ArchiveScope.for_tournament(folder.open_id)
    plan = service.plan_archive(scope)
    open_events = live(folder, "events", f"tournament_id = {folder.open_id}")
    assert (plan.matches, plan.events) == (3, len(open_events))
    assert plan.held_back_matches == 0  # tournament 2 recorded after it on the same court

    done = service.archive(scope)
    assert (done.matches, done.events) == (3, len(open_events))
    assert done.chunks > 2 and not done.cancelled
    assert live(folder, "events", f"tournament_id = {folder.open_id}") == []
    assert live(folder, "matches", f"tournament_id = {folder.open_id}") == []
    assert archived(folder, "events") == open_events  # every column, same ids
    assert service.plan_archive(scope).events == 0

    back = service.restore(ArchiveScope.for_tournament(folder.open_id))
    assert (back.matches, back.events) == (3, len(open_events))
    assert back.checksum == done.checksum  # same rows, same chunks
    assert {table: live(folder, table) for table in ("events", "matches")} == before
    assert archived(folder, "events") == [] and archived(folder, "matches") == []


def test_every_operation_is_in_the_audit_log(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    result = service.archive(ArchiveScope.for_tournament(folder.open_id, day_number=2))
    service.restore(ArchiveScope.for_tournament(folder.open_id, day_number=2))
    with db.session() as session:
        entries = [(e.action, e.details) for e in reversed(Audit(session).recent(10))]
    archive_entries = [(a, d) for a, d in entries if a.startswith("archive.")]
    assert [(a, d["status"]) for a, d in archive_entries] == [
        ("archive.archive", "started"),
        ("archive.archive", "completed"),
        ("archive.restore", "started"),
        ("archive.restore", "completed"),
    ]
    completed = archive_entries[1][1]
    assert completed["events"] == result.events and completed["checksum"] == result.checksum
    assert completed["scope"]["day_number"] == 2


def test_a_day_scope_takes_that_day_only(folder: Recorded, db: Database) -> None:
    result = ArchiveService(db).archive(ArchiveScope.for_tournament(folder.open_id, 2))
    assert result.matches == 1
    [day_id] = {row[9] for row in archived(folder, "events")}  # tournament_day_id
    assert live(folder, "events", f"tournament_day_id = {day_id}") == []
    assert len(live(folder, "matches", f"tournament_id = {folder.open_id}")) == 2  # day 1


def test_the_current_match_of_a_court_stays_live(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    plan = service.plan_archive(ArchiveScope.for_tournament(folder.cup_id))
    assert (plan.matches, plan.held_back_matches) == (0, 1)
    result = service.archive(ArchiveScope.older_than(0, now=FUTURE))
    assert result.held_back_matches == 1
    [current] = live(folder, "matches")
    assert current[0] == max(row[0] for row in archived(folder, "matches")) + 1
    # its events stay with it; every other event moved
    assert {row[10] for row in live(folder, "events")} == {current[0]}
    assert "kept 1 current match" in result.summary()


def test_a_rerun_moves_nothing_twice(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db, chunk_rows=250)
    first = service.archive(ArchiveScope.older_than(0, now=FUTURE))
    again = service.archive(ArchiveScope.older_than(0, now=FUTURE))
    assert first.events > 0 and (again.events, again.matches, again.chunks) == (0, 0, 0)


def test_rows_left_in_both_files_by_a_crash_are_recognised(folder: Recorded, db: Database) -> None:
    """A power cut between the two files' commits leaves a chunk in both: the rerun must not
    fail on the duplicates, nor delete anything the archive does not hold identically."""
    service = ArchiveService(db)
    service.archive(ArchiveScope.for_tournament(folder.open_id, 2))  # creates archive.db
    open_day1 = live(folder, "events", f"tournament_id = {folder.open_id}")
    with sqlite3.connect(folder.root / "archive.db") as connection:  # the crash's leftovers
        connection.execute("ATTACH ? AS live", (str(folder.root / "strikedesk.db"),))
        connection.execute(
            "INSERT INTO matches SELECT * FROM live.matches WHERE id = "
            "(SELECT min(id) FROM live.matches)"
        )
        connection.execute(
            "INSERT INTO events SELECT * FROM live.events WHERE match_id = "
            "(SELECT min(id) FROM live.matches)"
        )
    result = service.archive(ArchiveScope.for_tournament(folder.open_id))
    assert result.already_present > 0 and result.renumbered == 0
    assert live(folder, "events", f"tournament_id = {folder.open_id}") == []
    assert keys(open_day1) <= keys(archived(folder, "events"))
    assert len(archived(folder, "events")) == len(keys(archived(folder, "events")))


def test_an_id_taken_meanwhile_gets_a_new_one_on_restore(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    service.archive(ArchiveScope.for_tournament(folder.open_id))
    moved = archived(folder, "events")
    taken_id = moved[0][0]
    with sqlite3.connect(folder.root / "strikedesk.db") as connection:
        # SQLite reuses the highest rowids after deletes: a new event may land on an old id.
        connection.execute(
            "INSERT INTO events (id, seq, sub_index, received_at, monotonic_ns, source, code, "
            'raw, text, parse_status, encoding_error, "foreign") '
            "VALUES (?, 10000000, 0, 1.0, 1, 'x', 'pt1', x'00', 'pt1', 'ok', 0, 0)",
            (taken_id,),
        )
    result = service.restore(ArchiveScope.for_tournament(folder.open_id))
    assert result.renumbered == 1 and result.events == len(moved)
    restored = {(row[1], row[2]): row for row in live(folder, "events")}
    for row in moved:
        again = restored[(row[1], row[2])]
        assert again[1:] == row[1:]  # every column but the id
        assert (again[0] == row[0]) == (row[0] != taken_id)


def test_cancel_in_the_middle_leaves_every_row_in_exactly_one_database(
    folder: Recorded, db: Database
) -> None:
    everything = keys(live(folder, "events"))
    service = ArchiveService(db, chunk_rows=100)  # a dozen chunks
    runner = JobRunner(workers=1)
    seen: list[int] = []

    def cancel_midway(job: object, progress: Progress) -> None:
        seen.append(progress.done)
        if len(seen) == 4:
            job.cancel()  # type: ignore[attr-defined]

    try:
        job = runner.submit(
            lambda ctx: service.archive(ArchiveScope.older_than(0, now=FUTURE), ctx), "archive"
        )
        job.add_progress_listener(cancel_midway)
        with pytest.raises(JobCancelled) as cancelled:
            job.result(30)
    finally:
        runner.shutdown()
    partial = cancelled.value.partial
    assert isinstance(partial, ArchiveResult) and partial.cancelled
    assert 0 < partial.events < len(everything)
    in_live, in_archive = keys(live(folder, "events")), keys(archived(folder, "events"))
    assert in_live | in_archive == everything
    assert in_live & in_archive == set()
    assert len(archived(folder, "events")) == partial.events
    # no event points at a match in the other file
    live_matches = {row[0] for row in live(folder, "matches")}
    assert {row[10] for row in live(folder, "events")} - {None} <= live_matches
    archived_matches = {row[0] for row in archived(folder, "matches")}
    assert {row[10] for row in archived(folder, "events")} - {None} <= archived_matches
    with db.session() as session:
        assert Audit(session).recent(1)[0].details["status"] == "cancelled"


def test_a_changed_row_fails_the_check_and_nothing_moves(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    service.archive(ArchiveScope.for_tournament(folder.open_id, 2))  # creates archive.db
    before = live(folder, "events")
    with sqlite3.connect(folder.root / "archive.db") as connection:
        # Something that changes rows on their way in: the fingerprints must see it.
        connection.execute(
            "CREATE TRIGGER damage AFTER INSERT ON events "
            "BEGIN UPDATE events SET text = 'x' WHERE id = new.id; END"
        )
    with pytest.raises(ArchiveError, match="differ from those read at the source"):
        service.archive(ArchiveScope.for_tournament(folder.open_id))
    assert live(folder, "events") == before


@pytest.mark.parametrize(
    ("damage", "refused"),
    [
        ("UPDATE matches SET court_id = 999", "court 999"),
        (
            "UPDATE matches SET red_athlete_id = 998 WHERE id = (SELECT min(id) FROM matches)",
            "athlete 998",
        ),
        (
            "UPDATE events SET tournament_day_id = 997 "
            "WHERE match_id = (SELECT min(id) FROM matches)",
            "tournament day 997",
        ),
    ],
)
def test_a_restore_that_lost_what_its_rows_refer_to_is_refused(
    folder: Recorded, db: Database, damage: str, refused: str
) -> None:
    service = ArchiveService(db)
    service.archive(ArchiveScope.for_tournament(folder.open_id))
    with sqlite3.connect(folder.root / "archive.db") as connection:
        connection.execute(damage)  # as if the live row had been deleted since
    archive_before = archived(folder, "events")
    with pytest.raises(ArchiveError, match=f"refer to {refused}, which the live database"):
        service.restore(ArchiveScope.for_tournament(folder.open_id))
    assert archived(folder, "events") == archive_before
    assert live(folder, "events", f"tournament_id = {folder.open_id}") == []


def test_restore_by_date_range(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    service.archive(ArchiveScope.older_than(0, now=FUTURE))
    today = date.today()
    earlier = ArchiveScope.between_days(today - timedelta(days=9), today - timedelta(days=1))
    assert service.plan_restore(earlier).events == 0
    whole = ArchiveScope.between_days(today - timedelta(days=1), today + timedelta(days=1))
    plan = service.plan_restore(whole)
    result = service.restore(whole)
    assert (result.events, result.matches) == (plan.events, plan.matches)
    assert archived(folder, "events") == []


def test_cleanup_deletes_old_archived_rows_only(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    service.archive(ArchiveScope.for_tournament(folder.open_id))
    live_before = live(folder, "events")
    assert service.plan_cleanup(30).events == 0  # recorded today
    plan = service.plan_cleanup(0, now=FUTURE)
    result = service.cleanup(0, now=FUTURE)
    assert (result.events, result.matches) == (plan.events, plan.matches)
    assert archived(folder, "events") == [] and archived(folder, "matches") == []
    assert live(folder, "events") == live_before


def test_stats_count_both_databases_per_tournament(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    service.archive(ArchiveScope.for_tournament(folder.open_id))
    stats = service.stats()
    assert stats.archive.events == len(archived(folder, "events"))
    assert stats.live.events == len(live(folder, "events"))
    [open_rows] = stats.archive.tournaments
    assert (open_rows.tournament_id, open_rows.name, open_rows.matches) == (
        folder.open_id,
        "Open 2026",
        3,
    )
    assert open_rows.oldest is not None and open_rows.newest is not None
    assert open_rows.oldest <= open_rows.newest
    assert stats.archive.bytes > 0 and stats.live.bytes > 0


def test_optimize_frees_the_pages_an_archive_left(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    service.archive(ArchiveScope.older_than(0, now=FUTURE))
    result = service.optimize(JobContext.unattached())
    assert [d.path.name for d in result.databases] == ["strikedesk.db", "archive.db"]
    assert result.databases[0].pages_freed > 0
    with sqlite3.connect(folder.root / "strikedesk.db") as connection:
        assert connection.execute("PRAGMA freelist_count").fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0] > 0


def test_scopes_are_checked(folder: Recorded, db: Database) -> None:
    service = ArchiveService(db)
    with pytest.raises(NotFoundError, match="no tournament 99"):
        service.plan_archive(ArchiveScope.for_tournament(99))
    with pytest.raises(NotFoundError, match="has no day 7"):
        service.archive(ArchiveScope.for_tournament(folder.open_id, 7))
    with pytest.raises(ValidationError):
        ArchiveScope(tournament_id=1, before=FUTURE)
    with pytest.raises(ValidationError):
        ArchiveScope.older_than(-1)
    with pytest.raises(ValidationError):
        ArchiveScope.between_days(date(2026, 5, 2), date(2026, 5, 1))


def test_archiving_while_the_recorder_writes(folder: Recorded) -> None:
    """The recorder keeps committing while chunks move: nothing is lost or left dangling."""
    from tests.ingest.conftest import close_rig, open_rig

    rig = open_rig(folder.root)
    stop = threading.Event()
    sent = 0

    def send() -> None:
        nonlocal sent
        while not stop.is_set():
            sent += 1
            rig.send(f"n;{sent}".encode())
            stop.wait(0.001)

    try:
        sender = threading.Thread(target=send)
        sender.start()
        try:
            service = ArchiveService(rig.db, chunk_rows=100)
            result = service.archive(ArchiveScope.for_tournament(folder.open_id))
        finally:
            stop.set()
            sender.join()
        rig.settle(sent)
        assert rig.recorder.stats().error is None
        stored = {
            row[17] for row in live(folder, "events", "text LIKE 'n;%'")
        }  # raw of every numbered datagram
        assert stored == {f"n;{n}".encode() for n in range(1, sent + 1)}
        assert result.events > 0
    finally:
        close_rig(rig)
