"""Desk: the blocking operations behind the operator window, as plain Python.

Every method here may run SQL or touch sockets, so the window calls them only through
`BackgroundCalls` (off the GUI thread) and gets back frozen snapshots, never ORM objects. The
CLI reaches the same repositories directly; this class only bundles what the window needs and
keeps the recorder's view of the courts in step with the database.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ingest.courts import CourtInfo
from app.ingest.listener import EndpointStatus
from app.ingest.recorder import Recorder, load_courts
from app.monitor.service import Monitor
from app.store.database import Database
from app.store.engine import PoolStats
from app.store.models import DayStatus, Event, Match, Tournament, TournamentStatus
from app.store.repositories import MAX_PAGE, Courts, Days, Events, Matches, Tournaments
from app.store.summaries import summary_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DayRow:
    id: int
    tournament_id: int
    number: int
    date: date | None
    status: DayStatus


@dataclass(frozen=True, slots=True)
class TournamentRow:
    id: int
    name: str
    city: str | None
    country: str | None
    start_date: date | None
    end_date: date | None
    status: TournamentStatus
    days: tuple[DayRow, ...]

    @property
    def active_day(self) -> DayRow | None:
        return next((d for d in self.days if d.status is DayStatus.ACTIVE), None)


@dataclass(frozen=True, slots=True)
class CourtRow:
    id: int
    name: str
    port: int
    bind_address: str
    allowed_sources: tuple[str, ...]
    enabled: bool
    tournament_id: int | None
    day_id: int | None


@dataclass(frozen=True, slots=True)
class Overview:
    """Everything the tournament and court panels show, read in one transaction."""

    tournaments: tuple[TournamentRow, ...]
    courts: tuple[CourtRow, ...]


@dataclass(frozen=True, slots=True)
class MatchRow:
    id: int
    match_number: str | None
    category: str | None
    court: str | None
    blue: str | None
    blue_noc: str | None
    red: str | None
    red_noc: str | None
    rounds: tuple[tuple[int, int], ...]
    winner: str | None
    decision: str | None
    events: int

    @property
    def score(self) -> str:
        blue = sum(r[0] for r in self.rounds)
        red = sum(r[1] for r in self.rounds)
        return f"{blue}-{red}" if self.rounds else ""


@dataclass(frozen=True, slots=True)
class EventRow:
    seq: int
    received_at: float
    round: int | None
    clock: str | None
    code: str
    side: int | None
    value: int | None
    text: str
    status: str
    error: str | None


@dataclass(frozen=True, slots=True)
class MatchDetail:
    match: MatchRow
    warnings: tuple[str, ...]
    events: tuple[EventRow, ...]
    total_events: int  # the list may stop at EVENT_LIMIT


@dataclass(frozen=True, slots=True)
class DatabaseStats:
    file_bytes: int
    wal_bytes: int
    events: int
    matches: int
    tournaments: int
    pool: PoolStats


EVENT_LIMIT = 20_000  # a match has ~1,500 events; this bounds a corrupt or endless one


class Desk:
    """The database and the recorder of one data folder, for the window."""

    def __init__(self, db: Database, recorder: Recorder, monitor: Monitor | None = None) -> None:
        self.db = db
        self.recorder = recorder
        self.monitor = monitor  # alerts and metrics history; None when the caller has its own

    # --- reading ---------------------------------------------------------------------------
    def overview(self) -> Overview:
        with self.db.session() as session:
            tournaments = []
            for t in Tournaments(session).all():
                days = tuple(
                    DayRow(d.id, d.tournament_id, d.number, d.date, d.status)
                    for d in Days(session).for_tournament(t.id)
                )
                tournaments.append(
                    TournamentRow(
                        t.id, t.name, t.city, t.country, t.start_date, t.end_date, t.status, days
                    )
                )
            courts = tuple(
                CourtRow(
                    c.id,
                    c.name,
                    c.port,
                    c.bind_address,
                    tuple(c.allowed_sources or ()),
                    c.enabled,
                    c.context_tournament_id,
                    c.context_day_id,
                )
                for c in Courts(session).all()
            )
        return Overview(tuple(tournaments), courts)

    def matches_of_day(self, day_id: int) -> tuple[MatchRow, ...]:
        with self.db.session() as session:
            names = _court_names(session)
            return tuple(_match_row(m, names) for m in Matches(session).for_day(day_id))

    def matches_of_tournament(self, tournament_id: int) -> tuple[MatchRow, ...]:
        with self.db.session() as session:
            names = _court_names(session)
            matches = Matches(session).for_tournament(tournament_id)
            return tuple(_match_row(m, names) for m in matches)

    def match_detail(self, match_id: int) -> MatchDetail:
        with self.db.session() as session:
            match = Matches(session).get(match_id)
            repository = Events(session)
            events: list[Event] = []
            while len(events) < EVENT_LIMIT:
                after = (events[-1].seq, events[-1].sub_index) if events else None
                page = repository.for_match(match_id, after=after, limit=MAX_PAGE)
                events.extend(page)
                if len(page) < MAX_PAGE:
                    break
            return MatchDetail(
                _match_row(match, _court_names(session)),
                tuple(match.warnings or ()),
                tuple(
                    EventRow(
                        e.seq,
                        e.received_at,
                        e.round,
                        e.clock,
                        e.code,
                        e.side,
                        e.value,
                        e.text,
                        e.parse_status.value,
                        e.error,
                    )
                    for e in events
                ),
                match.event_count,
            )

    def database_stats(self) -> DatabaseStats:
        path = self.db.paths.database
        wal = Path(f"{path}-wal")
        with self.db.session() as session:
            # max(id) is an O(1) rowid lookup: count(*) scans millions of rows every second.
            events = session.scalar(select(func.max(Event.id))) or 0
            matches = session.scalar(select(func.count(Match.id))) or 0
            tournaments = session.scalar(select(func.count(Tournament.id))) or 0
        return DatabaseStats(
            file_bytes=_size(path),
            wal_bytes=_size(wal),
            events=events,
            matches=matches,
            tournaments=tournaments,
            pool=self.db.pool_stats(),
        )

    # --- tournaments and days -----------------------------------------------------------------
    def create_tournament(
        self,
        name: str,
        city: str | None,
        country: str | None,
        start_date: date | None,
        end_date: date | None,
    ) -> int:
        with self.db.transaction() as session:
            tournament = Tournaments(session).create(
                name, city=city, country=country, start_date=start_date, end_date=end_date
            )
            return tournament.id

    def update_tournament(
        self,
        tournament_id: int,
        name: str,
        city: str | None,
        country: str | None,
        start_date: date | None,
        end_date: date | None,
    ) -> None:
        with self.db.transaction() as session:
            Tournaments(session).update(
                tournament_id,
                name=name,
                city=city,
                country=country,
                start_date=start_date,
                end_date=end_date,
            )

    def start_day(self, tournament_id: int) -> int:
        """Start the next day and record every court into it."""
        with self.db.transaction() as session:
            day = Days(session).start(tournament_id)
            courts = Courts(session)
            for court in courts.all():
                courts.set_context(court.id, tournament_id, day.id)
            day_id = day.id
        self._sync_courts()
        return day_id

    def end_day(self, tournament_id: int) -> None:
        with self.db.transaction() as session:
            Days(session).end(tournament_id)
        self._sync_courts()

    def record_into(self, tournament_id: int) -> None:
        """Route every court to this tournament and its active day (if one is running)."""
        with self.db.transaction() as session:
            day = Days(session).active(tournament_id)
            courts = Courts(session)
            for court in courts.all():
                courts.set_context(court.id, tournament_id, day.id if day else None)
        self._sync_courts()

    # --- courts --------------------------------------------------------------------------------
    def add_court(
        self, name: str, port: int, bind_address: str, allowed_sources: tuple[str, ...]
    ) -> tuple[int, str | None]:
        """Add a court with the tournament context the others share and start recording it.

        Returns (court id, None), or (court id, reason) when its port cannot be opened: the
        court is kept, switched on and shown red, so the operator can fix the port.
        """
        with self.db.transaction() as session:
            courts = Courts(session)
            contexts = {(c.context_tournament_id, c.context_day_id) for c in courts.all()}
            court = courts.add(
                name, port, bind_address=bind_address, allowed_sources=allowed_sources
            )
            if len(contexts) == 1:
                tournament_id, day_id = contexts.pop()
                if tournament_id is not None:
                    courts.set_context(court.id, tournament_id, day_id)
            court_id = court.id
        self._sync_courts()
        try:
            self.set_recording(court_id, True)
        except OSError as exc:
            return court_id, str(exc)
        return court_id, None

    def update_court(
        self,
        court_id: int,
        name: str,
        port: int,
        bind_address: str,
        allowed_sources: tuple[str, ...],
    ) -> None:
        with self.db.transaction() as session:
            Courts(session).update(
                court_id,
                name=name,
                port=port,
                bind_address=bind_address,
                allowed_sources=allowed_sources,
            )
        self._sync_courts()

    def remove_court(self, court_id: int) -> None:
        with self.db.transaction() as session:
            Courts(session).remove(court_id)
        self.recorder.close_court(court_id)
        self.recorder.courts.remove(court_id)

    def set_recording(self, court_id: int, on: bool) -> EndpointStatus | None:
        """Open or close the court's socket and remember the choice for the next start.
        Raises PortInUseError / OSError (the court stays enabled, shown red with the reason)."""
        with self.db.transaction() as session:
            Courts(session).update(court_id, enabled=on)
        if not on:
            self.recorder.close_court(court_id)
            return None
        info = self._court_info(court_id)
        return self.recorder.open_court(info)

    def open_enabled_courts(self) -> list[tuple[str, str]]:
        """At start: listen on every enabled court. Returns (court, reason) for failures."""
        failures = []
        with self.db.session() as session:
            enabled = {c.id for c in Courts(session).all() if c.enabled}
        for info in load_courts(self.db.engine):
            if info.court_id not in enabled:
                continue
            try:
                self.recorder.open_court(info)
            except OSError as exc:
                log.warning("court %s: %s", info.name, exc)
                failures.append((info.name, str(exc)))
        return failures

    def _court_info(self, court_id: int) -> CourtInfo:
        return next(c for c in load_courts(self.db.engine) if c.court_id == court_id)

    def _sync_courts(self) -> None:
        """Hand the recorder the courts as the database now has them (context, allow-list,
        address); a moved socket is reopened by the recorder."""
        for info in load_courts(self.db.engine):
            self.recorder.update_court(info)


def _court_names(session: Session) -> dict[int, str]:
    return {court.id: court.name for court in Courts(session).all()}


def _match_row(match: Match, court_names: dict[int, str]) -> MatchRow:
    summary = summary_of(match)
    return MatchRow(
        id=match.id,
        match_number=summary.match_number,
        category=summary.category,
        court=court_names.get(match.court_id) if match.court_id is not None else None,
        blue=summary.blue.name,
        blue_noc=summary.blue.noc,
        red=summary.red.name,
        red_noc=summary.red.noc,
        rounds=summary.rounds,
        winner=summary.winner,
        decision=summary.decision,
        events=summary.events,
    )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
