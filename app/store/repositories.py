"""Queries and validated changes, one repository class per aggregate, each over a Session.

Repositories never commit: the caller owns the transaction (`Database.transaction()`), so several
changes land together. They flush where the database must check something (unique names, the
one-active-day index) and turn integrity failures into ValidationError subclasses whose message
the operator can act on. Data operations are recorded in the audit log in the same transaction.
"""

from __future__ import annotations

import enum
import getpass
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, insert, select, tuple_, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.protocol.messages import ParseStatus
from app.store.errors import ConflictError, NotFoundError, ValidationError
from app.store.models import (
    Athlete,
    AuditLog,
    Court,
    DayStatus,
    Event,
    IngestCheckpoint,
    Match,
    Tournament,
    TournamentDay,
    TournamentStatus,
    utc_now,
)

#: Position of an event in the receive order: (seq, sub_index). Pages continue after it.
SeqKey = tuple[int, int]

DEFAULT_PAGE = 500
MAX_PAGE = 10_000
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::"})


class Unset(enum.Enum):
    """Marks an `update()` argument that was not given (None means "clear it")."""

    UNSET = enum.auto()


UNSET = Unset.UNSET


@dataclass(frozen=True, slots=True)
class RecordingContext:
    """Where a court's events go: the tournament and day stamped on every event."""

    court_id: int
    tournament_id: int | None
    day_id: int | None


def default_actor() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no login name (services, some containers)
        return "strikedesk"


def _audit(session: Session, action: str, details: dict[str, Any]) -> None:
    session.add(AuditLog(actor=default_actor(), action=action, details=details))


def _clean_text(value: str | None, label: str, max_length: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > max_length:
        raise ValidationError(
            f"{label} is too long ({len(value)} characters, at most {max_length})."
        )
    return value or None


# --- tournaments --------------------------------------------------------------------------------


class Tournaments:
    def __init__(self, session: Session) -> None:
        self.session = session

    def create(
        self,
        name: str,
        *,
        city: str | None = None,
        country: str | None = None,
        start_date: date | None = None,
        end_date: date | None = None,
    ) -> Tournament:
        _check_dates(start_date, end_date)
        tournament = Tournament(
            name=self._name(name),
            city=_clean_text(city, "City", 100),
            country=_clean_text(country, "Country", 64),
            start_date=start_date,
            end_date=end_date,
            status=TournamentStatus.PLANNED,
        )
        self.session.add(tournament)
        self.session.flush()
        _audit(self.session, "tournament.create", {"id": tournament.id, "name": tournament.name})
        return tournament

    def all(self, status: TournamentStatus | None = None) -> list[Tournament]:
        query = select(Tournament).order_by(
            Tournament.start_date.desc().nulls_last(), Tournament.id
        )
        if status is not None:
            query = query.where(Tournament.status == status)
        return list(self.session.scalars(query))

    def find(self, tournament_id: int) -> Tournament | None:
        return self.session.get(Tournament, tournament_id)

    def get(self, tournament_id: int) -> Tournament:
        tournament = self.find(tournament_id)
        if tournament is None:
            raise NotFoundError(f"There is no tournament {tournament_id}.")
        return tournament

    def update(
        self,
        tournament_id: int,
        *,
        name: str | Unset = UNSET,
        city: str | Unset | None = UNSET,
        country: str | Unset | None = UNSET,
        start_date: date | Unset | None = UNSET,
        end_date: date | Unset | None = UNSET,
        status: TournamentStatus | Unset = UNSET,
    ) -> Tournament:
        tournament = self.get(tournament_id)
        changes: dict[str, Any] = {}
        if not isinstance(name, Unset):
            changes["name"] = self._name(name)
        if not isinstance(city, Unset):
            changes["city"] = _clean_text(city, "City", 100)
        if not isinstance(country, Unset):
            changes["country"] = _clean_text(country, "Country", 64)
        if not isinstance(start_date, Unset):
            changes["start_date"] = start_date
        if not isinstance(end_date, Unset):
            changes["end_date"] = end_date
        if not isinstance(status, Unset):
            status = TournamentStatus(status)
            if status is TournamentStatus.COMPLETED:
                active = Days(self.session).active(tournament_id)
                if active is not None:
                    raise ConflictError(
                        f"Day {active.number} of {tournament.name!r} is still active; "
                        "end it before completing the tournament."
                    )
            changes["status"] = status
        _check_dates(
            changes.get("start_date", tournament.start_date),
            changes.get("end_date", tournament.end_date),
        )
        for key, value in changes.items():
            setattr(tournament, key, value)
        self.session.flush()
        _audit(
            self.session,
            "tournament.update",
            {"id": tournament_id, **{k: _jsonable(v) for k, v in changes.items()}},
        )
        return tournament

    @staticmethod
    def _name(name: str) -> str:
        cleaned = _clean_text(name, "The tournament name", 200)
        if cleaned is None:
            raise ValidationError("A tournament needs a name.")
        return cleaned


def _check_dates(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError(
            f"The tournament cannot end ({end.isoformat()}) before it starts ({start.isoformat()})."
        )


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


# --- days ---------------------------------------------------------------------------------------


class Days:
    def __init__(self, session: Session) -> None:
        self.session = session

    def for_tournament(self, tournament_id: int) -> list[TournamentDay]:
        Tournaments(self.session).get(tournament_id)
        query = (
            select(TournamentDay)
            .where(TournamentDay.tournament_id == tournament_id)
            .order_by(TournamentDay.number)
        )
        return list(self.session.scalars(query))

    def get(self, day_id: int) -> TournamentDay:
        day = self.session.get(TournamentDay, day_id)
        if day is None:
            raise NotFoundError(f"There is no tournament day {day_id}.")
        return day

    def active(self, tournament_id: int) -> TournamentDay | None:
        query = select(TournamentDay).where(
            TournamentDay.tournament_id == tournament_id,
            TournamentDay.status == DayStatus.ACTIVE,
        )
        return self.session.scalars(query).first()

    def start(
        self, tournament_id: int, number: int | None = None, *, day_date: date | None = None
    ) -> TournamentDay:
        """Make day `number` (default: the next one) the tournament's active day.

        Refused while another day is active: events must belong to exactly one day.
        """
        tournament = Tournaments(self.session).get(tournament_id)
        if tournament.status is TournamentStatus.COMPLETED:
            raise ConflictError(f"Tournament {tournament.name!r} is completed; no new days.")
        active = self.active(tournament_id)
        if active is not None:
            raise ConflictError(
                f"Day {active.number} of {tournament.name!r} is still active; "
                "end it before starting another day."
            )
        if number is None:
            last = self.session.scalar(
                select(func.max(TournamentDay.number)).where(
                    TournamentDay.tournament_id == tournament_id
                )
            )
            number = (last or 0) + 1
        if number < 1:
            raise ValidationError(f"Day numbers start at 1, not {number}.")
        day = self.session.scalars(
            select(TournamentDay).where(
                TournamentDay.tournament_id == tournament_id, TournamentDay.number == number
            )
        ).first()
        if day is not None and day.status is DayStatus.COMPLETED:
            raise ConflictError(
                f"Day {number} of {tournament.name!r} has already ended; start a new day number."
            )
        if day is None:
            day = TournamentDay(tournament_id=tournament_id, number=number)
            self.session.add(day)
        day.status = DayStatus.ACTIVE
        day.started_at = utc_now()
        day.date = day_date or day.date or date.today()
        if tournament.status is TournamentStatus.PLANNED:
            tournament.status = TournamentStatus.ACTIVE
        try:
            with self.session.begin_nested():
                self.session.flush()
        except IntegrityError as exc:  # another process started a day in between
            raise ConflictError(
                f"Another day of {tournament.name!r} was started at the same time; "
                "list the days and try again."
            ) from exc
        _audit(self.session, "day.start", {"tournament_id": tournament_id, "number": number})
        return day

    def end(self, tournament_id: int) -> TournamentDay:
        """End the active day; courts recording into it keep their tournament but no day."""
        tournament = Tournaments(self.session).get(tournament_id)
        day = self.active(tournament_id)
        if day is None:
            raise ConflictError(f"Tournament {tournament.name!r} has no active day to end.")
        day.status = DayStatus.COMPLETED
        day.ended_at = utc_now()
        self.session.execute(
            update(Court).where(Court.context_day_id == day.id).values(context_day_id=None)
        )
        self.session.flush()
        _audit(self.session, "day.end", {"tournament_id": tournament_id, "number": day.number})
        return day


# --- courts -------------------------------------------------------------------------------------


def _address(value: str, label: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError as exc:
        raise ValidationError(f"{label} {value!r} is not an IP address.") from exc


class Courts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        name: str,
        port: int,
        *,
        bind_address: str = "0.0.0.0",
        allowed_sources: Iterable[str] = (),
        enabled: bool = True,
    ) -> Court:
        court = Court(
            name=self._name(name),
            port=self._port(port),
            bind_address=_address(bind_address, "The bind address"),
            allowed_sources=self._sources(allowed_sources),
            enabled=enabled,
        )
        self._check_unique(court.name, court.bind_address, court.port, exclude=None)
        self.session.add(court)
        self._flush(court.name)
        _audit(self.session, "court.add", {"id": court.id, "name": court.name, "port": court.port})
        return court

    def all(self) -> list[Court]:
        return list(self.session.scalars(select(Court).order_by(Court.name, Court.id)))

    def get(self, court_id: int) -> Court:
        court = self.session.get(Court, court_id)
        if court is None:
            raise NotFoundError(f"There is no court {court_id}.")
        return court

    def by_name(self, name: str) -> Court | None:
        return self.session.scalars(select(Court).where(Court.name == name.strip())).first()

    def update(
        self,
        court_id: int,
        *,
        name: str | Unset = UNSET,
        port: int | Unset = UNSET,
        bind_address: str | Unset = UNSET,
        allowed_sources: Iterable[str] | Unset = UNSET,
        enabled: bool | Unset = UNSET,
    ) -> Court:
        court = self.get(court_id)
        changes: dict[str, Any] = {}
        if not isinstance(name, Unset):
            changes["name"] = self._name(name)
        if not isinstance(port, Unset):
            changes["port"] = self._port(port)
        if not isinstance(bind_address, Unset):
            changes["bind_address"] = _address(bind_address, "The bind address")
        if not isinstance(allowed_sources, Unset):
            changes["allowed_sources"] = self._sources(allowed_sources)
        if not isinstance(enabled, Unset):
            changes["enabled"] = bool(enabled)
        self._check_unique(
            changes.get("name", court.name),
            changes.get("bind_address", court.bind_address),
            changes.get("port", court.port),
            exclude=court_id,
        )
        for key, value in changes.items():
            setattr(court, key, value)
        self._flush(court.name)
        _audit(self.session, "court.update", {"id": court_id, **changes})
        return court

    def remove(self, court_id: int) -> None:
        """Delete a court that has recorded nothing; one with events can only be disabled."""
        court = self.get(court_id)
        try:
            with self.session.begin_nested():
                self.session.delete(court)
        except IntegrityError as exc:
            raise ConflictError(
                f"Court {court.name!r} has recorded matches or events, so it cannot be "
                "removed; disable it instead."
            ) from exc
        _audit(self.session, "court.remove", {"id": court_id, "name": court.name})

    # The recording context ---------------------------------------------------------------------

    def context(self, court_id: int) -> RecordingContext:
        court = self.get(court_id)
        return RecordingContext(court.id, court.context_tournament_id, court.context_day_id)

    def contexts(self) -> list[RecordingContext]:
        return [
            RecordingContext(c.id, c.context_tournament_id, c.context_day_id) for c in self.all()
        ]

    def set_context(
        self, court_id: int, tournament_id: int, day_id: int | None = None
    ) -> RecordingContext:
        """Record this court's events into the tournament (and day, if given)."""
        court = self.get(court_id)
        tournament = Tournaments(self.session).get(tournament_id)
        if tournament.status is TournamentStatus.COMPLETED:
            raise ConflictError(f"Tournament {tournament.name!r} is completed.")
        if day_id is not None:
            day = Days(self.session).get(day_id)
            if day.tournament_id != tournament_id:
                raise ValidationError(
                    f"Day {day.number} (id {day_id}) belongs to another tournament, "
                    f"not {tournament.name!r}."
                )
            if day.status is DayStatus.COMPLETED:
                raise ConflictError(
                    f"Day {day.number} of {tournament.name!r} has ended; start a new day."
                )
        court.context_tournament_id = tournament_id
        court.context_day_id = day_id
        self.session.flush()
        _audit(
            self.session,
            "court.context",
            {"court_id": court_id, "tournament_id": tournament_id, "day_id": day_id},
        )
        return RecordingContext(court_id, tournament_id, day_id)

    def clear_context(self, court_id: int) -> None:
        court = self.get(court_id)
        court.context_tournament_id = None
        court.context_day_id = None
        self.session.flush()
        _audit(self.session, "court.context", {"court_id": court_id, "cleared": True})

    # Validation -----------------------------------------------------------------------------

    @staticmethod
    def _name(name: str) -> str:
        cleaned = _clean_text(name, "The court name", 100)
        if cleaned is None:
            raise ValidationError("A court needs a name.")
        return cleaned

    @staticmethod
    def _port(port: int) -> int:
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            raise ValidationError(f"The UDP port must be between 1 and 65535, not {port!r}.")
        return port

    @staticmethod
    def _sources(sources: Iterable[str]) -> list[str]:
        cleaned: list[str] = []
        for source in sources:
            address = _address(source, "The allowed source")
            if address not in cleaned:
                cleaned.append(address)
        return cleaned

    def _check_unique(self, name: str, bind: str, port: int, exclude: int | None) -> None:
        for other in self.all():
            if other.id == exclude:
                continue
            if other.name == name:
                raise ConflictError(f"There is already a court named {name!r}.")
            # A wildcard bind takes the port on every address, so it clashes with any bind.
            same_address = bind == other.bind_address or WILDCARD_ADDRESSES & {
                bind,
                other.bind_address,
            }
            if other.port == port and same_address:
                raise ConflictError(
                    f"UDP port {port} on {bind} is already used by court {other.name!r}."
                )

    def _flush(self, name: str) -> None:
        try:
            with self.session.begin_nested():
                self.session.flush()
        except IntegrityError as exc:  # another process added the same name or port meanwhile
            raise ConflictError(
                f"Court {name!r} clashes with a court added at the same time; "
                "list the courts and try again."
            ) from exc


# --- athletes and matches -----------------------------------------------------------------------


class Athletes:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get_or_create(self, short_name: str, long_name: str, noc: str) -> Athlete:
        athlete = self.session.scalars(
            select(Athlete).where(Athlete.long_name == long_name, Athlete.noc == noc)
        ).first()
        if athlete is None:
            athlete = Athlete(short_name=short_name, long_name=long_name, noc=noc)
            self.session.add(athlete)
            self.session.flush()
        return athlete


class Matches:
    """Matches in the order they were loaded on the scoring system."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, match_id: int) -> Match:
        match = self.session.get(Match, match_id)
        if match is None:
            raise NotFoundError(f"There is no match {match_id}.")
        return match

    def for_tournament(self, tournament_id: int) -> list[Match]:
        return self._ordered(Match.tournament_id == tournament_id)

    def for_day(self, day_id: int) -> list[Match]:
        day = Days(self.session).get(day_id)
        # Both columns, so the (tournament_id, tournament_day_id) index is used.
        return self._ordered(
            Match.tournament_id == day.tournament_id, Match.tournament_day_id == day_id
        )

    def for_court(self, court_id: int, *, day_id: int | None = None) -> list[Match]:
        conditions = [Match.court_id == court_id]
        if day_id is not None:
            conditions.append(Match.tournament_day_id == day_id)
        return self._ordered(*conditions)

    def _ordered(self, *conditions: ColumnElement[bool]) -> list[Match]:
        query = select(Match).where(*conditions).order_by(Match.loaded_at.nulls_last(), Match.id)
        return list(self.session.scalars(query))


# --- events -------------------------------------------------------------------------------------


class Events:
    """Events in receive order (seq, sub_index), paged by keyset: pass the last SeqKey seen.

    Keyset paging costs the same on page 1,000 as on page 1, unlike OFFSET.
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    def for_match(
        self, match_id: int, *, after: SeqKey | None = None, limit: int = DEFAULT_PAGE
    ) -> list[Event]:
        return self._page([Event.match_id == match_id], after, limit)

    def for_day(
        self, day_id: int, *, after: SeqKey | None = None, limit: int = DEFAULT_PAGE
    ) -> list[Event]:
        return self._page(self._day_filter(day_id), after, limit)

    def for_tournament(
        self, tournament_id: int, *, after: SeqKey | None = None, limit: int = DEFAULT_PAGE
    ) -> list[Event]:
        return self._page([Event.tournament_id == tournament_id], after, limit)

    def count(
        self,
        *,
        tournament_id: int | None = None,
        day_id: int | None = None,
        match_id: int | None = None,
    ) -> int:
        query = select(func.count()).select_from(Event)
        query = query.where(*self._scope(tournament_id, day_id, match_id))
        return int(self.session.scalar(query) or 0)

    def count_by_status(
        self,
        *,
        tournament_id: int | None = None,
        day_id: int | None = None,
        match_id: int | None = None,
    ) -> dict[ParseStatus, int]:
        query = (
            select(Event.parse_status, func.count())
            .where(*self._scope(tournament_id, day_id, match_id))
            .group_by(Event.parse_status)
        )
        counts = dict.fromkeys(ParseStatus, 0)
        for status, count in self.session.execute(query):
            counts[ParseStatus(status)] = count
        return counts

    def count_by_code(
        self,
        *,
        tournament_id: int | None = None,
        day_id: int | None = None,
        match_id: int | None = None,
    ) -> dict[str, int]:
        query = (
            select(Event.code, func.count())
            .where(*self._scope(tournament_id, day_id, match_id))
            .group_by(Event.code)
            .order_by(Event.code)
        )
        return {row[0]: row[1] for row in self.session.execute(query)}

    def _day_filter(self, day_id: int) -> list[ColumnElement[bool]]:
        day = Days(self.session).get(day_id)
        # Both columns, so the (tournament_id, tournament_day_id) index is used.
        return [Event.tournament_id == day.tournament_id, Event.tournament_day_id == day_id]

    def _scope(
        self, tournament_id: int | None, day_id: int | None, match_id: int | None
    ) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if match_id is not None:
            conditions.append(Event.match_id == match_id)
        if day_id is not None:
            conditions.extend(self._day_filter(day_id))
        elif tournament_id is not None:
            conditions.append(Event.tournament_id == tournament_id)
        return conditions

    def _page(
        self, conditions: Sequence[ColumnElement[bool]], after: SeqKey | None, limit: int
    ) -> list[Event]:
        if not 1 <= limit <= MAX_PAGE:
            raise ValidationError(f"A page holds 1 to {MAX_PAGE} events, not {limit}.")
        query = select(Event).where(*conditions)
        if after is not None:
            query = query.where(tuple_(Event.seq, Event.sub_index) > tuple_(*after))
        query = query.order_by(Event.seq, Event.sub_index).limit(limit)
        return list(self.session.scalars(query))


# --- ingest checkpoint and audit log ------------------------------------------------------------


class Checkpoint:
    """The last seq whose events are all committed. Works on a Session or a Core Connection so
    the batch writer can move it in the same transaction as its inserts."""

    def __init__(self, executor: Session | Connection) -> None:
        self.executor = executor

    def get(self) -> int:
        value = self.executor.execute(
            select(IngestCheckpoint.last_seq).where(IngestCheckpoint.id == 1)
        ).scalar()
        return int(value or 0)

    def set(self, seq: int) -> None:
        """Move the checkpoint to `seq`; it never moves backwards."""
        exists = self.executor.execute(select(IngestCheckpoint.id).where(IngestCheckpoint.id == 1))
        if exists.first() is None:  # normally created by migration 0001
            self.executor.execute(insert(IngestCheckpoint).values(id=1, last_seq=seq))
            return
        last = IngestCheckpoint.last_seq
        self.executor.execute(
            update(IngestCheckpoint)
            .where(IngestCheckpoint.id == 1)
            .values(last_seq=case((last < seq, seq), else_=last))
        )


class Audit:
    def __init__(self, session: Session) -> None:
        self.session = session

    def append(
        self, action: str, details: dict[str, Any] | None = None, *, actor: str | None = None
    ) -> AuditLog:
        entry = AuditLog(actor=actor or default_actor(), action=action, details=details or {})
        self.session.add(entry)
        self.session.flush()
        return entry

    def recent(self, limit: int = 100, *, action: str | None = None) -> list[AuditLog]:
        query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
        if action is not None:
            query = query.where(AuditLog.action == action)
        return list(self.session.scalars(query))
