"""Analytics of one athlete, within a tournament or over all recorded data.

Inputs are the athlete's match rows and per-match aggregates the database computes (points by
technique, hit counts), plus the gam-jeom (`wg`) and round (`rnd`) events of those matches,
which are folded with `MatchState` so penalties follow the live window's rules (counts per
round, reset silently at a new round).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.analytics.figures import NO_TECHNIQUES, AthleteInfo, TechniqueCounts, share
from app.analytics.rows import HitRow, MatchEventRow, MatchRow, TechniqueRow
from app.match.state import MatchState, apply
from app.protocol.messages import Side
from app.protocol.parser import parse_text


@dataclass(frozen=True, slots=True)
class AthleteAnalytics:
    athlete: AthleteInfo
    tournament_id: int | None  # None: over all recorded data
    matches: int  # matches fought (the clock ran)
    wins: int
    losses: int
    ties: int  # `win;TIE`
    undecided: int  # running, or abandoned without a result
    scored: TechniqueCounts  # the athlete's scoring actions
    conceded: TechniqueCounts  # the opponents' scoring actions
    head_kick_share: float | None  # head + turning head points / all technique points scored
    hits: int  # sensor hits (`hl`) of the athlete
    average_hit_level: float | None
    penalties: int  # gam-jeoms received
    penalties_per_match: float | None
    match_ids: tuple[int, ...]  # the fought matches, in recorded order


def penalties_by_match(events: Iterable[MatchEventRow]) -> dict[int, MatchState]:
    """Fold each match's `rnd` and `wg` events (in seq order) into a MatchState."""
    states: dict[int, MatchState] = {}
    for row in events:
        state = states.get(row.match_id) or MatchState()
        states[row.match_id] = apply(state, parse_text(row.text))
    return states


def athlete_analytics(
    athlete: AthleteInfo,
    matches: Sequence[MatchRow],
    techniques: Iterable[TechniqueRow],
    hits: Iterable[HitRow],
    penalty_events: Iterable[MatchEventRow],
    tournament_id: int | None = None,
) -> AthleteAnalytics:
    """`matches` are the rows naming the athlete (blue or red); the other inputs may cover more
    matches than those fought, which are ignored."""
    sides = {
        match.id: side
        for match in matches
        if match.fought and (side := match.side_of(athlete.id)) is not None
    }
    fought = [match for match in matches if match.id in sides]
    wins = losses = ties = undecided = 0
    for match in fought:
        colour = "blue" if sides[match.id] == 1 else "red"
        if match.winner is None:
            undecided += 1
        elif match.winner == "tie":
            ties += 1
        elif match.winner == colour:
            wins += 1
        else:
            losses += 1
    scored: list[tuple[int, int]] = []
    conceded: list[tuple[int, int]] = []
    for row in techniques:
        own = sides.get(row.match_id) if row.match_id is not None else None
        if own is not None:
            (scored if row.side == own else conceded).append((row.technique, row.actions))
    hit_count = hit_total = 0
    for hit in hits:
        if sides.get(hit.match_id) == hit.side:
            hit_count += hit.hits
            hit_total += hit.total
    penalties = 0
    for match_id, state in penalties_by_match(
        row for row in penalty_events if row.match_id in sides
    ).items():
        penalties += state.penalties_total.of(Side(sides[match_id]))
    scored_counts = TechniqueCounts.from_pairs(scored) if scored else NO_TECHNIQUES
    return AthleteAnalytics(
        athlete=athlete,
        tournament_id=tournament_id,
        matches=len(fought),
        wins=wins,
        losses=losses,
        ties=ties,
        undecided=undecided,
        scored=scored_counts,
        conceded=TechniqueCounts.from_pairs(conceded) if conceded else NO_TECHNIQUES,
        head_kick_share=share(scored_counts.head_points, scored_counts.points),
        hits=hit_count,
        average_hit_level=share(hit_total, hit_count),
        penalties=penalties,
        penalties_per_match=share(penalties, len(fought)),
        match_ids=tuple(match.id for match in fought),
    )
