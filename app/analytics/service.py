"""AnalyticsService: the analytics of matches, athletes, tournaments and days, and recording
performance, computed from the store and cached by volatility.

Plain blocking Python: every query reads the database, so the window calls it through the
JobRunner, never on the GUI thread. Safe to call from several threads at once.

    service = AnalyticsService(database, AnalyticsSettings())
    recorder.distributor.subscribe(service.on_committed)    # commits drop what they touch
    result = service.tournament(3)                          # AnalyticsResult[TournamentAnalytics]
    result.value, result.stale, result.computed_at

Caching (see caches.py and settings.py): each value goes to the tier of its volatility (a
running match is live, a finished one is kept an hour, ...). A committed batch drops exactly the
entries of the matches, athletes, days and tournaments it touched. When the database fails
(locked past its timeout, disk error), the last value computed for that key is served marked
stale instead of an error; an error is raised only if there is none.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from app.analytics import queries
from app.analytics.athlete import AthleteAnalytics, athlete_analytics
from app.analytics.caches import CacheStats, Key, Tag, TieredCache
from app.analytics.control import CacheRequest, RequestReader, append_request
from app.analytics.figures import AthleteInfo
from app.analytics.history import (
    SnapshotKind,
    SnapshotReason,
    SnapshotRecord,
    load_history,
    save_snapshot,
)
from app.analytics.match import MatchAnalytics, match_analytics
from app.analytics.performance import PerformanceAnalytics, performance_analytics
from app.analytics.rows import MatchRow
from app.analytics.settings import AnalyticsSettings, Tier
from app.analytics.tournament import Scope, TournamentAnalytics, tournament_analytics
from app.errors import StrikeDeskError
from app.match.state import MatchStatus
from app.store.database import Database
from app.store.errors import NotFoundError, StoreError, ValidationError
from app.store.models import DayStatus, TournamentStatus

if TYPE_CHECKING:
    from app.ingest.feed import CommittedBatch

log = logging.getLogger(__name__)

T = TypeVar("T")


class AnalyticsUnavailableError(StoreError):
    """The database cannot be read and no earlier value is known."""


@dataclass(frozen=True, slots=True)
class AnalyticsResult(Generic[T]):
    value: T
    computed_at: datetime  # UTC: when the value was computed from the database
    tier: Tier
    cached: bool  # served from the cache
    stale: bool = False  # the database failed; this is the last value computed
    error: str | None = None  # why it is stale


@dataclass(frozen=True, slots=True)
class Computed(Generic[T]):
    value: T
    tier: Tier
    tags: frozenset[Tag]


@dataclass(frozen=True, slots=True)
class WarmUpReport:
    computed: int  # read from the database
    cached: int  # already in the cache
    failed: int
    seconds: float


# --- keys and tags -------------------------------------------------------------------------------
def match_key(match_id: int) -> Key:
    return ("match", match_id)


def athlete_key(athlete_id: int, tournament_id: int | None) -> Key:
    return ("athlete", athlete_id, tournament_id)


def tournament_key(tournament_id: int) -> Key:
    return ("tournament", tournament_id)


def day_key(day_id: int) -> Key:
    return ("day", day_id)


def match_tag(match_id: int) -> Tag:
    return ("match", match_id)


def tournament_tag(tournament_id: int) -> Tag:
    """Entries whose figures cover the whole tournament (its own analytics)."""
    return ("tournament", tournament_id)


def day_tag(day_id: int) -> Tag:
    return ("day", day_id)


def within_tag(tournament_id: int) -> Tag:
    """Every entry about something inside the tournament (operator's invalidation)."""
    return ("in-tournament", tournament_id)


def identity_tag(long_name: str, noc: str) -> Tag:
    """An athlete as the stream names them (`at1`): how a commit tells whose data changed."""
    return ("athlete", long_name, noc)


def athletes_of_tag(tournament_id: int | None) -> Tag:
    """The athlete entries within a tournament (None: the ones over all data)."""
    return ("athletes-of", tournament_id)


def request_clear(root: Path) -> None:
    """Ask every StrikeDesk process on the data folder `root` to drop its analytics caches."""
    append_request(root, CacheRequest(None))


def request_invalidate(
    root: Path, *, tournament_ids: Iterable[int] = (), match_ids: Iterable[int] = ()
) -> None:
    """Ask them to drop what concerns these tournaments (anything inside them) and matches."""
    tags = [within_tag(tournament_id) for tournament_id in tournament_ids]
    tags += [match_tag(match_id) for match_id in match_ids]
    append_request(root, CacheRequest(tuple(tags)))


# --- the service --------------------------------------------------------------------------------
class AnalyticsService:
    def __init__(
        self,
        database: Database,
        settings: AnalyticsSettings | None = None,
        *,
        timer: Callable[[], float] = time.monotonic,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        """`timer` drives the cache expiry (cachetools' timer); `clock` is the wall clock (UTC)
        for "finished recently" and snapshot times."""
        self.database = database
        self.settings = settings or AnalyticsSettings()
        self.cache = TieredCache(self.settings, timer)
        self._timer = timer
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._seen_matches: set[int] = set()
        self._requests = RequestReader(database.paths.root)
        self._next_poll = timer()

    # --- queries -----------------------------------------------------------------------------
    def match(self, match_id: int) -> AnalyticsResult[MatchAnalytics]:
        return self._get(match_key(match_id), lambda conn: self._compute_match(conn, match_id))

    def athlete(
        self, athlete_id: int, tournament_id: int | None = None
    ) -> AnalyticsResult[AthleteAnalytics]:
        """One athlete within a tournament, or over all recorded data (tournament_id None)."""
        return self._get(
            athlete_key(athlete_id, tournament_id),
            lambda conn: self._compute_athlete(conn, athlete_id, tournament_id),
        )

    def tournament(self, tournament_id: int) -> AnalyticsResult[TournamentAnalytics]:
        return self._get(
            tournament_key(tournament_id),
            lambda conn: self._compute_scope(conn, tournament_id, None, None),
        )

    def day(self, day_id: int) -> AnalyticsResult[TournamentAnalytics]:
        return self._get(day_key(day_id), lambda conn: self._compute_day(conn, day_id))

    def performance(self, hours: float = 12.0) -> AnalyticsResult[PerformanceAnalytics]:
        """Ingest rate, commit latency and error rate over the last `hours`, from the
        monitor's samples in `metrics_history`."""

        def compute(conn: Connection) -> Computed[PerformanceAnalytics]:
            since = self._clock() - timedelta(hours=hours)
            value = performance_analytics(queries.metrics_since(conn, since))
            return Computed(value, Tier.LIVE, frozenset())

        return self._get(("performance", hours), compute)

    # --- lookups for the callers (not cached: one indexed read each) ---------------------------
    def find_matches(self, match_number: str, tournament_id: int | None = None) -> list[MatchRow]:
        with self._reading() as conn:
            return queries.matches_by_number(conn, match_number, tournament_id)

    def find_athletes(self, name: str, noc: str | None = None) -> list[AthleteInfo]:
        with self._reading() as conn:
            return queries.athletes_named(conn, name, noc)

    def day_id(self, tournament_id: int, number: int) -> int:
        with self._reading() as conn:
            found = queries.day_by_number(conn, tournament_id, number)
        if found is None:
            raise NotFoundError(f"Tournament {tournament_id} has no day {number}.")
        return found

    # --- invalidation ------------------------------------------------------------------------
    def on_committed(self, batch: CommittedBatch) -> None:
        """Distributor subscriber (the writer thread): drop what the batch touched. No
        database access here; only dictionary work."""
        tags: set[Tag] = {match_tag(match_id) for match_id in batch.match_ids}
        tournaments = set()
        for tournament_id, day_id in batch.days:
            if tournament_id is not None:
                tournaments.add(tournament_id)
                tags.add(tournament_tag(tournament_id))
            if day_id is not None:
                tags.add(day_tag(day_id))
        for state in batch.matches.values():
            for athlete in (state.info.blue, state.info.red):
                if athlete is not None:
                    tags.add(identity_tag(athlete.long_name, athlete.noc))
        with self._lock:
            new = [match_id for match_id in batch.match_ids if match_id not in self._seen_matches]
            self._seen_matches.update(new)
        if len(new) > 1:
            # A new match is named through its court's latest state. Two new matches in one
            # batch (a replay, catching up after a crash) may mean one was already replaced by
            # the next, and its athletes are not named: drop the athletes of the tournament.
            tags.add(athletes_of_tag(None))
            tags.update(athletes_of_tag(tournament_id) for tournament_id in tournaments)
        if tags:
            self.cache.invalidate(tags)

    def invalidate_match(self, match_id: int) -> int:
        return self.cache.invalidate({match_tag(match_id)})

    def invalidate_tournament(self, tournament_id: int) -> int:
        return self.cache.invalidate({within_tag(tournament_id)})

    def clear(self) -> int:
        return self.cache.clear()

    def stats(self) -> CacheStats:
        self._poll_requests()
        return self.cache.stats()

    def relieve_memory(self, level: int) -> None:
        """The monitor's memory-pressure hook (app.monitor.memory.PressureLevel): above normal,
        drop every cached value; they are recomputed on demand. The monitor runs the GC."""
        if level > 0:
            dropped = self.cache.clear()
            log.warning("memory pressure: dropped %d cached analytics values", dropped)

    def cache_summary(self) -> dict[str, Any]:
        """The statistics document's cache section (app.monitor cache provider)."""
        stats = self.cache.stats()
        return {
            "hits": stats.hits,
            "misses": stats.misses,
            "hit_rate": stats.hit_rate,
            "size": sum(tier.size for tier in stats.tiers),
            "evictions": sum(tier.evictions for tier in stats.tiers),
            "invalidations": sum(tier.invalidations for tier in stats.tiers),
            "stale_served": stats.stale_served,
        }

    # --- warm-up -------------------------------------------------------------------------------
    def warm_up(
        self,
        tournament_id: int,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> WarmUpReport:
        """Compute what a selected tournament's views show first: the tournament, its days,
        its latest matches and their athletes. For a BACKGROUND job: report progress through
        `progress(done, total)`, stop early when `cancelled()` says so."""
        started = time.perf_counter()
        with self._reading() as conn:
            days = queries.day_ids(conn, tournament_id)
            latest = queries.latest_matches(conn, tournament_id, self.settings.warm_matches)
        work: list[Callable[[], AnalyticsResult[Any]]] = [
            functools.partial(self.tournament, tournament_id)
        ]
        work += [functools.partial(self.day, day_id) for day_id in days]
        athletes = []
        for match in latest:
            work.append(functools.partial(self.match, match.id))
            for athlete_id in (match.blue_athlete_id, match.red_athlete_id):
                if athlete_id is not None and athlete_id not in athletes:
                    athletes.append(athlete_id)
        work += [functools.partial(self.athlete, a, tournament_id) for a in athletes]
        computed = cached = failed = 0
        for done, step in enumerate(work):
            if cancelled is not None and cancelled():
                break
            try:
                result = step()
            except StrikeDeskError as exc:
                failed += 1
                log.warning("analytics warm-up: %s", exc)
            else:
                if result.cached:
                    cached += 1
                elif result.stale:
                    failed += 1
                else:
                    computed += 1
            if progress is not None:
                progress(done + 1, len(work))
        return WarmUpReport(computed, cached, failed, time.perf_counter() - started)

    # --- history -------------------------------------------------------------------------------
    def take_snapshot(
        self, tournament_id: int, reason: SnapshotReason = SnapshotReason.MANUAL
    ) -> SnapshotRecord:
        """Store the tournament's analytics as they stand now."""
        return self._save(self.tournament(tournament_id), reason)

    def snapshot_if_due(self, tournament_id: int) -> SnapshotRecord | None:
        """The periodic snapshot: taken when the last one is older than the interval. Call it
        every minute or so (a BACKGROUND job); the interval survives restarts."""
        minutes = self.settings.snapshot_minutes
        if minutes <= 0:
            return None
        with self._reading() as conn:
            last = queries.latest_snapshot_at(
                conn, SnapshotKind.TOURNAMENT.value, str(tournament_id)
            )
        if last is not None and self._clock() - last < timedelta(minutes=minutes):
            return None
        return self.take_snapshot(tournament_id, SnapshotReason.INTERVAL)

    def snapshot_day_end(self, day_id: int) -> tuple[SnapshotRecord, SnapshotRecord]:
        """At the end of a day: that day's analytics and the tournament's, both stored."""
        self.cache.invalidate({day_tag(day_id)})  # its status changed outside any batch
        day = self._save(self.day(day_id), SnapshotReason.DAY_END)
        tournament_id = day.analytics.scope.tournament_id
        self.cache.invalidate({tournament_tag(tournament_id)})
        return day, self._save(self.tournament(tournament_id), SnapshotReason.DAY_END)

    def history(self, tournament_id: int) -> list[SnapshotRecord]:
        with self._reading() as conn:
            if queries.tournament_name(conn, tournament_id) is None:
                raise NotFoundError(f"There is no tournament {tournament_id}.")
            return load_history(conn, tournament_id)

    def _save(
        self, result: AnalyticsResult[TournamentAnalytics], reason: SnapshotReason
    ) -> SnapshotRecord:
        if result.stale:
            raise AnalyticsUnavailableError(
                f"No snapshot taken: the database cannot be read ({result.error})."
            )
        try:
            with self.database.transaction() as session:
                return save_snapshot(session, result.value, reason, self._clock())
        except (SQLAlchemyError, OSError) as exc:
            raise AnalyticsUnavailableError(
                f"No snapshot taken: the database cannot be written ({_describe(exc)})."
            ) from exc

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        """A connection; a failing database becomes an error the operator can read."""
        try:
            with self.database.engine.connect() as conn:
                yield conn
        except (SQLAlchemyError, OSError) as exc:
            raise AnalyticsUnavailableError(
                f"Analytics cannot be read from the database: {_describe(exc)}"
            ) from exc

    # --- the cached read -----------------------------------------------------------------------
    def _get(self, key: Key, compute: Callable[[Connection], Computed[T]]) -> AnalyticsResult[T]:
        self._poll_requests()
        entry = self.cache.get(key)
        if entry is not None:
            return AnalyticsResult(entry.value, entry.computed_at, entry.tier, cached=True)
        since = self.cache.epoch()  # before reading: a commit from now on may be missed
        computed_at = self._clock()
        try:
            with self._reading() as conn, conn.begin():
                computed = compute(conn)
        except ValidationError:
            raise  # no such match, tournament, ...: the caller's mistake, not the database's
        except StoreError as exc:  # the database failed (AnalyticsUnavailableError, locked, ...)
            fallback = self.cache.fallback(key)
            message = _describe(exc.__cause__ or exc)
            if fallback is None:
                raise
            log.warning(
                "analytics %s: serving the value of %s: %s", key, fallback.computed_at, message
            )
            return AnalyticsResult(
                fallback.value, fallback.computed_at, fallback.tier, False, True, message
            )
        self.cache.put(key, computed.value, computed.tier, computed.tags, since, computed_at)
        return AnalyticsResult(computed.value, computed_at, computed.tier, cached=False)

    def _poll_requests(self) -> None:
        """Apply `strikedesk cache clear|invalidate` requests from other processes."""
        now = self._timer()
        with self._lock:
            if now < self._next_poll:
                return
            self._next_poll = now + self.settings.control_poll_seconds
            requests = self._requests.poll()
        for request in requests:
            if request.tags is None:
                self.cache.clear()
            else:
                self.cache.invalidate(set(request.tags))

    # --- computations (inside one read transaction) ----------------------------------------------
    def _recent(self, moment: float | None) -> bool:
        return moment is None or self._clock().timestamp() - moment < self.settings.recent_seconds

    def _compute_match(self, conn: Connection, match_id: int) -> Computed[MatchAnalytics]:
        match = queries.match_row(conn, match_id)
        if match is None:
            raise NotFoundError(f"There is no match with id {match_id}.")
        athletes = queries.athletes(conn, (match.blue_athlete_id, match.red_athlete_id))
        value = match_analytics(match, queries.match_events(conn, match_id), athletes)
        if match.status in (MatchStatus.LOADED, MatchStatus.RUNNING):
            tier = Tier.LIVE
        elif self._recent(match.ended_at):
            tier = Tier.RECENT
        else:
            tier = Tier.FINISHED_MATCH
        tags = {match_tag(match_id)}
        if match.tournament_id is not None:
            tags.add(within_tag(match.tournament_id))
        return Computed(value, tier, frozenset(tags))

    def _compute_athlete(
        self, conn: Connection, athlete_id: int, tournament_id: int | None
    ) -> Computed[AthleteAnalytics]:
        athlete = queries.athletes(conn, (athlete_id,)).get(athlete_id)
        if athlete is None:
            raise NotFoundError(f"There is no athlete with id {athlete_id}.")
        if tournament_id is not None and queries.tournament_name(conn, tournament_id) is None:
            raise NotFoundError(f"There is no tournament {tournament_id}.")
        matches = queries.matches_of_athlete(conn, athlete_id, tournament_id)
        ids = [match.id for match in matches if match.fought]
        value = athlete_analytics(
            athlete,
            matches,
            queries.techniques_of_matches(conn, ids),
            queries.hits_of_matches(conn, ids),
            queries.penalty_events(conn, ids),
            tournament_id,
        )
        live = any(match.status is MatchStatus.RUNNING for match in matches)
        tags: set[Tag] = {match_tag(match.id) for match in matches}
        tags |= {identity_tag(athlete.long_name, athlete.noc), athletes_of_tag(tournament_id)}
        if tournament_id is not None:
            tags.add(within_tag(tournament_id))
        return Computed(value, Tier.LIVE if live else Tier.RECENT, frozenset(tags))

    def _compute_day(self, conn: Connection, day_id: int) -> Computed[TournamentAnalytics]:
        found = queries.day(conn, day_id)
        if found is None:
            raise NotFoundError(f"There is no tournament day {day_id}.")
        tournament_id, number, status, ended_at = found
        computed = self._compute_scope(conn, tournament_id, day_id, number)
        if status is DayStatus.ACTIVE:
            tier = Tier.LIVE
        elif status is DayStatus.COMPLETED and not self._recent(ended_at):
            tier = Tier.FINISHED_DAY
        else:
            tier = Tier.RECENT
        return Computed(computed.value, tier, computed.tags)

    def _compute_scope(
        self, conn: Connection, tournament_id: int, day_id: int | None, day_number: int | None
    ) -> Computed[TournamentAnalytics]:
        state = queries.tournament_status(conn, tournament_id)
        name = queries.tournament_name(conn, tournament_id)
        if state is None or name is None:
            raise NotFoundError(f"There is no tournament {tournament_id}.")
        value = tournament_analytics(
            Scope(tournament_id, name, day_id, day_number),
            queries.scope_matches(conn, tournament_id, day_id),
            queries.techniques_of_scope(conn, tournament_id, day_id),
            queries.unplaced_events(conn, tournament_id, day_id),
            queries.court_names(conn),
        )
        status, active_day = state
        if active_day:
            tier = Tier.LIVE
        elif status == TournamentStatus.COMPLETED:
            tier = Tier.FINISHED_DAY
        else:
            tier = Tier.RECENT
        tags = {within_tag(tournament_id)}
        tags.add(tournament_tag(tournament_id) if day_id is None else day_tag(day_id))
        return Computed(value, tier, frozenset(tags))


def _describe(error: BaseException) -> str:
    """The driver's message (the first line), not SQLAlchemy's wrapper with the statement."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    return text.splitlines()[0] if text else type(original).__name__
