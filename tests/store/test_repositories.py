"""Repositories on a real migrated database: validation, one active day, courts and contexts,
matches and events queries, checkpoint and audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.store.database import Database
from app.store.errors import ConflictError, NotFoundError, ValidationError
from app.store.models import (
    Court,
    DayStatus,
    Event,
    Match,
    MatchStatus,
    ParseStatus,
    TournamentDay,
    TournamentStatus,
    Winner,
    epoch_to_utc,
    utc_to_epoch,
)
from app.store.paths import DataPaths
from app.store.repositories import (
    Athletes,
    Audit,
    Checkpoint,
    Courts,
    Days,
    Events,
    Matches,
    RecordingContext,
    Tournaments,
)


def make_tournament(db: Database, name: str = "Riga Open") -> int:
    with db.transaction() as session:
        return Tournaments(session).create(name, start_date=date(2025, 5, 1)).id


def event_row(seq: int, sub_index: int = 0, **overrides: Any) -> dict[str, Any]:
    """An events row shaped like the ingest writer's (plain strings, JSON text, bytes)."""
    row: dict[str, Any] = {
        "seq": seq,
        "sub_index": sub_index,
        "received_at": 1_750_000_000.0 + seq / 1000,
        "monotonic_ns": seq * 1_000_000,
        "court_id": 1,
        "source": "192.168.1.10:50000",
        "local_port": 6000,
        "tournament_id": None,
        "tournament_day_id": None,
        "match_id": None,
        "round": 1,
        "clock": "1:59",
        "code": "clk",
        "side": None,
        "value": 119,
        "details": None,
        "raw": b"clk;1:59;",
        "text": "clk;1:59;",
        "parse_status": "ok",
        "error": None,
        "encoding_error": False,
        "foreign": False,
    }
    row.update(overrides)
    return row


def insert_events(db: Database, rows: list[dict[str, Any]]) -> None:
    # The batch writer's way: Core executemany on the write engine.
    with db.write_engine.begin() as connection:
        connection.execute(sa.insert(Event), rows)


# --- tournaments --------------------------------------------------------------------------------


def test_tournament_create_validates_and_strips(db: Database) -> None:
    with db.transaction() as session:
        tournaments = Tournaments(session)
        created = tournaments.create(
            "  Riga Open ", city=" Riga", country="LAT ", start_date=date(2025, 5, 1)
        )
        assert (created.name, created.city, created.country) == ("Riga Open", "Riga", "LAT")
        assert created.status is TournamentStatus.PLANNED
        assert created.created_at.tzinfo is not None
        with pytest.raises(ValidationError, match="needs a name"):
            tournaments.create("   ")
        with pytest.raises(ValidationError, match="before it starts"):
            tournaments.create("X", start_date=date(2025, 5, 3), end_date=date(2025, 5, 1))
        with pytest.raises(ValidationError, match="too long"):
            tournaments.create("x" * 201)
        tournaments.create("One Day", start_date=date(2025, 6, 1), end_date=date(2025, 6, 1))


def test_tournament_list_get_update(db: Database) -> None:
    with db.transaction() as session:
        tournaments = Tournaments(session)
        old = tournaments.create("Old", start_date=date(2024, 1, 1))
        new = tournaments.create("New", start_date=date(2025, 1, 1))
        undated = tournaments.create("Undated")
        assert [t.name for t in tournaments.all()] == ["New", "Old", "Undated"]
        assert tournaments.get(old.id) is old
        with pytest.raises(NotFoundError, match="no tournament 999"):
            tournaments.get(999)
        tournaments.update(new.id, city="Oslo", end_date=date(2025, 1, 3))
        assert (new.city, new.end_date) == ("Oslo", date(2025, 1, 3))
        tournaments.update(new.id, city=None)  # None clears, an omitted argument keeps
        assert new.city is None
        assert new.end_date == date(2025, 1, 3)
        with pytest.raises(ValidationError, match="before it starts"):
            tournaments.update(new.id, start_date=date(2025, 2, 1))
        assert new.start_date == date(2025, 1, 1)  # refused change left nothing behind
        tournaments.update(undated.id, status=TournamentStatus.COMPLETED)
        assert tournaments.all(TournamentStatus.COMPLETED) == [undated]
    with db.session() as session:
        assert Tournaments(session).get(new.id).end_date == date(2025, 1, 3)


# --- days ---------------------------------------------------------------------------------------


def test_days_start_one_at_a_time(db: Database) -> None:
    tournament_id = make_tournament(db)
    with db.transaction() as session:
        days = Days(session)
        first = days.start(tournament_id)
        assert (first.number, first.status) == (1, DayStatus.ACTIVE)
        assert first.started_at is not None
        assert first.date == date.today()
        assert Tournaments(session).get(tournament_id).status is TournamentStatus.ACTIVE
        with pytest.raises(ConflictError, match="Day 1 of 'Riga Open' is still active"):
            days.start(tournament_id)
        with pytest.raises(ConflictError, match="still active"):
            days.start(tournament_id, 7)
    with db.transaction() as session:
        days = Days(session)
        ended = days.end(tournament_id)
        assert (ended.number, ended.status) == (1, DayStatus.COMPLETED)
        assert ended.ended_at is not None
        with pytest.raises(ConflictError, match="no active day"):
            days.end(tournament_id)
        with pytest.raises(ConflictError, match="already ended"):
            days.start(tournament_id, 1)
        second = days.start(tournament_id)
        assert second.number == 2
        days.end(tournament_id)
        fifth = days.start(tournament_id, 5, day_date=date(2025, 5, 5))
        assert (fifth.number, fifth.date) == (5, date(2025, 5, 5))
        days.end(tournament_id)
        assert days.start(tournament_id).number == 6
        days.end(tournament_id)
        with pytest.raises(ValidationError, match="start at 1"):
            days.start(tournament_id, 0)
    with db.session() as session:
        listed = Days(session).for_tournament(tournament_id)
        assert [(d.number, d.status) for d in listed] == [
            (1, DayStatus.COMPLETED),
            (2, DayStatus.COMPLETED),
            (5, DayStatus.COMPLETED),
            (6, DayStatus.COMPLETED),
        ]


def test_days_are_refused_for_unknown_or_completed_tournaments(db: Database) -> None:
    tournament_id = make_tournament(db)
    with db.transaction() as session:
        with pytest.raises(NotFoundError):
            Days(session).start(12345)
        with pytest.raises(NotFoundError):
            Days(session).for_tournament(12345)
        Tournaments(session).update(tournament_id, status=TournamentStatus.COMPLETED)
        with pytest.raises(ConflictError, match="completed"):
            Days(session).start(tournament_id)


def test_a_tournament_with_an_active_day_cannot_be_completed(db: Database) -> None:
    tournament_id = make_tournament(db)
    with db.transaction() as session:
        Days(session).start(tournament_id)
        with pytest.raises(ConflictError, match="end it before completing"):
            Tournaments(session).update(tournament_id, status=TournamentStatus.COMPLETED)


def test_the_database_itself_allows_only_one_active_day(db: Database) -> None:
    tournament_id = make_tournament(db)
    with db.transaction() as session:
        Days(session).start(tournament_id)
    # Bypass the repository, as a racing second process would.
    with pytest.raises(IntegrityError, match="UNIQUE"), db.transaction() as session:
        session.add(TournamentDay(tournament_id=tournament_id, number=2, status=DayStatus.ACTIVE))


# --- courts -------------------------------------------------------------------------------------


def test_the_default_court_exists(db: Database) -> None:
    with db.session() as session:
        courts = Courts(session).all()
    assert [(c.name, c.port, c.bind_address, c.enabled) for c in courts] == [
        ("Court 1", 6000, "0.0.0.0", True)
    ]


def test_court_add_validates(db: Database) -> None:
    with db.transaction() as session:
        courts = Courts(session)
        for port in (0, 65536, -1, True):
            with pytest.raises(ValidationError, match="between 1 and 65535"):
                courts.add("Court X", port)
        with pytest.raises(ValidationError, match="needs a name"):
            courts.add(" ", 6001)
        with pytest.raises(ConflictError, match="already a court named 'Court 1'"):
            courts.add("Court 1", 6001)
        with pytest.raises(ConflictError, match=r"6000 on 127\.0\.0\.1 is already used by court"):
            courts.add("Court 2", 6000, bind_address="127.0.0.1")  # Court 1 binds 0.0.0.0
        with pytest.raises(ValidationError, match="not an IP address"):
            courts.add("Court 2", 6001, bind_address="localhost")
        with pytest.raises(ValidationError, match=r"'10\.0\.0\.300' is not an IP"):
            courts.add("Court 2", 6001, allowed_sources=["10.0.0.300"])
        two = courts.add("Court 2", 6001, bind_address="127.0.0.1", allowed_sources=["10.0.0.5"])
        three = courts.add("Court 3", 6001, bind_address="127.0.0.2")  # same port, other address
        assert two.allowed_sources == ["10.0.0.5"]
        assert three.allowed_sources == []
        assert [c.name for c in courts.all()] == ["Court 1", "Court 2", "Court 3"]


def test_court_update_and_remove(db: Database) -> None:
    with db.transaction() as session:
        courts = Courts(session)
        court = courts.add("Court 2", 6001, allowed_sources=["10.0.0.5", "10.0.0.5", "::1"])
        assert court.allowed_sources == ["10.0.0.5", "::1"]
        courts.update(court.id, name="Mat B", port=6002, allowed_sources=[], enabled=False)
        assert (court.name, court.port, court.allowed_sources, court.enabled) == (
            "Mat B",
            6002,
            [],
            False,
        )
        with pytest.raises(ConflictError, match="already used"):
            courts.update(court.id, port=6000)
        assert court.port == 6002
        courts.update(court.id, port=6002)  # its own port is no conflict
        courts.remove(court.id)
        with pytest.raises(NotFoundError):
            courts.get(court.id)
    with db.session() as session:
        assert [c.name for c in Courts(session).all()] == ["Court 1"]


def test_a_court_with_events_cannot_be_removed(db: Database) -> None:
    insert_events(db, [event_row(1)])  # recorded on court 1
    with db.transaction() as session:
        courts = Courts(session)
        with pytest.raises(ConflictError, match="disable it instead"):
            courts.remove(1)
        # The refused delete was rolled back to its savepoint; the session goes on working.
        courts.update(1, enabled=False)
    with db.session() as session:
        assert Courts(session).get(1).enabled is False


def test_recording_context_is_persisted_across_reopen(paths: DataPaths) -> None:
    with Database.open(paths) as db:
        tournament_id = make_tournament(db)
        with db.transaction() as session:
            day = Days(session).start(tournament_id)
            context = Courts(session).set_context(1, tournament_id, day.id)
            day_id = day.id
        assert context == RecordingContext(1, tournament_id, day_id)
    with Database.open(paths) as db, db.session() as session:
        assert Courts(session).context(1) == RecordingContext(1, tournament_id, day_id)
        assert Courts(session).contexts() == [RecordingContext(1, tournament_id, day_id)]
    with Database.open(paths) as db:
        with db.transaction() as session:
            Courts(session).clear_context(1)
        with db.session() as session:
            assert Courts(session).context(1) == RecordingContext(1, None, None)


def test_recording_context_is_validated(db: Database) -> None:
    riga = make_tournament(db, "Riga Open")
    oslo = make_tournament(db, "Oslo Cup")
    with db.transaction() as session:
        courts = Courts(session)
        riga_day = Days(session).start(riga)
        with pytest.raises(ValidationError, match="belongs to another tournament"):
            courts.set_context(1, oslo, riga_day.id)
        with pytest.raises(NotFoundError):
            courts.set_context(1, 999)
        with pytest.raises(NotFoundError):
            courts.set_context(99, riga)
        assert courts.set_context(1, oslo) == RecordingContext(1, oslo, None)
        courts.set_context(1, riga, riga_day.id)
        # Ending the day takes it out of the court's context, keeping the tournament.
        Days(session).end(riga)
        assert courts.context(1) == RecordingContext(1, riga, None)
        with pytest.raises(ConflictError, match="has ended"):
            courts.set_context(1, riga, riga_day.id)


# --- athletes, matches, events ------------------------------------------------------------------


def test_matches_in_load_order(db: Database) -> None:
    tournament_id = make_tournament(db)
    at = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
    with db.transaction() as session:
        day = Days(session).start(tournament_id)
        court_2 = Courts(session).add("Court 2", 6001)
        blue = Athletes(session).get_or_create("KIM J.", "KIM Jiwon", "KOR")
        assert Athletes(session).get_or_create("KIM J.", "KIM Jiwon", "KOR") is blue
        red = Athletes(session).get_or_create("SMITH A.", "SMITH Anna", "GBR")
        for number, court_id, minutes in (("245.A", 1, 20), ("101", 1, 0), ("7", court_2.id, 5)):
            session.add(
                Match(
                    tournament_id=tournament_id,
                    tournament_day_id=day.id,
                    court_id=court_id,
                    match_number=number,
                    blue_athlete_id=blue.id,
                    red_athlete_id=red.id,
                    loaded_at=at + timedelta(minutes=minutes),
                    rounds=[[3, 1], [0, 2], [5, 5]],
                    winner=Winner.BLUE,
                    status=MatchStatus.FINISHED,
                )
            )
        session.add(Match(match_number="no context"))
        day_id = day.id
    with db.session() as session:
        matches = Matches(session)
        assert [m.match_number for m in matches.for_day(day_id)] == ["101", "7", "245.A"]
        assert [m.match_number for m in matches.for_tournament(tournament_id)] == [
            "101",
            "7",
            "245.A",
        ]
        assert [m.match_number for m in matches.for_court(1)] == ["101", "245.A"]
        assert [m.match_number for m in matches.for_court(1, day_id=day_id)] == ["101", "245.A"]
        first = matches.for_day(day_id)[0]
        assert first.loaded_at == at
        assert first.rounds == [[3, 1], [0, 2], [5, 5]]
        assert first.winner is Winner.BLUE
        assert first.blue_athlete is not None
        assert first.blue_athlete.noc == "KOR"
        with pytest.raises(NotFoundError):
            matches.get(999)


def test_events_round_trip_the_writer_rows(db: Database) -> None:
    details = '{"action":"start"}'
    insert_events(
        db,
        [
            event_row(1, details=details),
            event_row(1, 1, code="zzz", parse_status="unknown", error="unknown code"),
        ],
    )
    with db.session() as session:
        first, second = session.scalars(sa.select(Event).order_by(Event.id)).all()
    assert first.raw == b"clk;1:59;"
    assert first.details == details  # JSON text stored as given, not encoded twice
    assert first.parse_status is ParseStatus.OK
    assert (first.encoding_error, first.foreign) == (False, False)
    assert epoch_to_utc(first.received_at) == datetime(2025, 6, 15, 15, 6, 40, 1000, tzinfo=UTC)
    assert utc_to_epoch(epoch_to_utc(first.received_at)) == first.received_at
    assert (second.code, second.parse_status, second.error) == (
        "zzz",
        ParseStatus.UNKNOWN,
        "unknown code",
    )
    with pytest.raises(IntegrityError, match="UNIQUE"):
        insert_events(db, [event_row(1, 1)])  # (seq, sub_index) identifies a message


def test_event_pages_follow_receive_order(db: Database) -> None:
    riga = make_tournament(db)
    with db.transaction() as session:
        day = Days(session).start(riga)
        match = Match(tournament_id=riga, tournament_day_id=day.id, court_id=1)
        session.add(match)
        session.flush()
        day_id, match_id = day.id, match.id
    rows = []
    for seq in range(1, 26):
        for sub in range(2 if seq % 5 == 0 else 1):
            rows.append(
                event_row(
                    seq,
                    sub,
                    tournament_id=riga,
                    tournament_day_id=day_id,
                    match_id=match_id if seq <= 20 else None,
                    code="pt1" if seq % 3 == 0 else "clk",
                    parse_status="malformed" if seq == 7 else "ok",
                )
            )
    rows.append(event_row(26))  # no context
    insert_events(db, list(reversed(rows)))  # insertion order must not matter
    with db.session() as session:
        events = Events(session)
        pages: list[list[tuple[int, int]]] = []
        after = None
        while page := events.for_match(match_id, after=after, limit=7):
            pages.append([(e.seq, e.sub_index) for e in page])
            after = (page[-1].seq, page[-1].sub_index)
        flat = [key for page in pages for key in page]
        assert [len(page) for page in pages] == [7, 7, 7, 3]
        assert flat == sorted(flat)
        assert flat[4:6] == [(5, 0), (5, 1)]
        assert len(flat) == 24  # 20 seqs, 4 of them with two messages
        assert len(events.for_day(day_id, limit=1000)) == 30
        assert len(events.for_tournament(riga, after=(25, 0), limit=1000)) == 1  # (25, 1)
        assert events.count() == 31
        assert events.count(day_id=day_id) == 30
        assert events.count(match_id=match_id) == 24
        assert events.count_by_status(tournament_id=riga) == {
            ParseStatus.OK: 29,
            ParseStatus.UNKNOWN: 0,
            ParseStatus.MALFORMED: 1,
        }
        by_code = events.count_by_code(match_id=match_id)
        assert by_code == {"clk": 17, "pt1": 7}  # seqs 3, 6, ..., 18; 15 twice
        with pytest.raises(ValidationError, match="page holds"):
            events.for_day(day_id, limit=0)


# --- checkpoint and audit -----------------------------------------------------------------------


def test_checkpoint_moves_forward_only(db: Database) -> None:
    with db.transaction() as session:
        checkpoint = Checkpoint(session)
        assert checkpoint.get() == 0
        checkpoint.set(100)
        checkpoint.set(40)  # a late, smaller value never moves it back
        assert checkpoint.get() == 100
    with db.write_engine.begin() as connection:  # the writer's Core connection works too
        Checkpoint(connection).set(250)
    with db.session() as session:
        assert Checkpoint(session).get() == 250


def test_checkpoint_row_is_recreated_if_missing(db: Database) -> None:
    with db.transaction() as session:
        session.execute(sa.text("DELETE FROM ingest_checkpoint"))
        assert Checkpoint(session).get() == 0
        Checkpoint(session).set(7)
        assert Checkpoint(session).get() == 7


def test_changes_are_audited_in_the_same_transaction(db: Database) -> None:
    tournament_id = make_tournament(db)
    with db.transaction() as session:
        Days(session).start(tournament_id)
        Courts(session).add("Court 2", 6001)
        Audit(session).append("export.csv", {"rows": 10}, actor="tester")
    with pytest.raises(ConflictError), db.transaction() as session:
        Courts(session).add("Court 3", 6002)
        Courts(session).add("Court 3", 6003)  # refused: the whole transaction rolls back
    with db.session() as session:
        entries = Audit(session).recent()
        assert [e.action for e in entries] == [
            "export.csv",
            "court.add",
            "day.start",
            "tournament.create",
        ]
        assert entries[0].actor == "tester"
        assert entries[0].details == {"rows": 10}
        assert entries[1].actor  # the OS user by default
        assert entries[2].details == {"tournament_id": tournament_id, "number": 1}
        assert [e.action for e in Audit(session).recent(action="court.add")] == ["court.add"]
        assert session.scalar(sa.select(sa.func.count()).select_from(Court)) == 2
