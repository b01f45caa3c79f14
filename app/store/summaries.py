"""Recorded matches as `MatchSummary` records: the same shape `inspect` gives for a capture."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.match.summary import AthleteSummary, MatchSummary
from app.store.models import Athlete, Court, Match, TournamentDay


def _athlete(athlete: Athlete | None) -> AthleteSummary:
    if athlete is None:
        return AthleteSummary(None, None)
    return AthleteSummary(athlete.long_name or athlete.short_name or None, athlete.noc or None)


def summary_of(match: Match) -> MatchSummary:
    return MatchSummary(
        match_number=match.match_number,
        category=match.category,
        blue=_athlete(match.blue_athlete),
        red=_athlete(match.red_athlete),
        rounds=tuple((int(pair[0]), int(pair[1])) for pair in match.rounds or ()),
        round_wins=(match.round_wins_blue, match.round_wins_red),
        winner=match.winner.value if match.winner is not None else None,
        decision=match.decision,
        events=match.event_count,
        unknown=match.unknown_count,
        malformed=match.malformed_count,
        warnings=tuple(match.warnings or ()),
    )


def recorded_matches(
    session: Session,
    *,
    tournament_id: int | None = None,
    day_number: int | None = None,
    court_name: str | None = None,
    match_number: str | None = None,
) -> Sequence[Match]:
    """Matches in the order they were recorded, with their athletes loaded."""
    query = select(Match).options(selectinload(Match.blue_athlete), selectinload(Match.red_athlete))
    if tournament_id is not None:
        query = query.where(Match.tournament_id == tournament_id)
    if day_number is not None:
        query = query.join(TournamentDay, Match.tournament_day_id == TournamentDay.id).where(
            TournamentDay.number == day_number
        )
    if court_name is not None:
        query = query.join(Court, Match.court_id == Court.id).where(Court.name == court_name)
    if match_number is not None:
        query = query.where(Match.match_number == match_number)
    return session.scalars(query.order_by(Match.id)).all()
