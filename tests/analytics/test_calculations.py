"""The pure calculations on hand-made rows: the cases the samples do not show."""

from __future__ import annotations

import json

from app.analytics.athlete import athlete_analytics
from app.analytics.figures import AthleteInfo, HitLevels, TechniqueCounts
from app.analytics.performance import performance_analytics
from app.analytics.rows import (
    CourtCount,
    HitRow,
    MatchEventRow,
    MatchRow,
    ScopeMatchRow,
    TechniqueRow,
)
from app.analytics.serialize import to_json, tournament_from_json
from app.analytics.tournament import Scope, tournament_analytics
from app.match.state import MatchStatus
from app.protocol.messages import Technique

ALICE = AthleteInfo(1, "A. ONE", "Alice ONE", "KOR")
BEA = AthleteInfo(2, "B. TWO", "Bea TWO", "")
CAT = AthleteInfo(3, "C. THREE", "", "GBR")


def row(match_id: int, status: MatchStatus, **values: object) -> MatchRow:
    fields: dict[str, object] = {
        "id": match_id,
        "match_number": str(100 + match_id),
        "tournament_id": 1,
        "day_id": 1,
        "court_id": 1,
        "category": "W -57kg",
        "phase": "Final",
        "blue_athlete_id": 1,
        "red_athlete_id": 2,
        "status": status,
        "winner": None,
        "decision": None,
        "method": None,
        "started_at": None,
        "ended_at": None,
        "event_count": 0,
    }
    fields.update(values)
    return MatchRow(**fields)  # type: ignore[arg-type]


MATCHES = [
    row(1, MatchStatus.FINISHED, winner="blue", method="PTF", started_at=0.0, ended_at=300.0,
        event_count=700),
    row(2, MatchStatus.FINISHED, winner="red", method="RSC", started_at=1000.0,
        ended_at=1100.0, event_count=300, blue_athlete_id=3),
    row(3, MatchStatus.ABANDONED, started_at=2000.0, ended_at=2500.0, event_count=200,
        court_id=2),
    row(4, MatchStatus.LOADED, event_count=12, court_id=9),
    row(5, MatchStatus.RUNNING, started_at=3000.0, event_count=50, red_athlete_id=3),
    row(6, MatchStatus.FINISHED, winner="tie", method="WDR", started_at=4000.0,
        ended_at=4010.0, event_count=40),
]  # fmt: skip


NOCS = {1: "KOR", 2: "", 3: "GBR"}  # Bea has no NOC


def scope_rows(matches: list[MatchRow]) -> list[ScopeMatchRow]:
    """What the database hands the tournament figures for these matches."""
    rows = []
    for match in matches:
        winner = {"blue": match.blue_athlete_id, "red": match.red_athlete_id}.get(
            match.winner or ""
        )
        seconds = None
        if match.started_at is not None and match.ended_at is not None:
            seconds = match.ended_at - match.started_at
        rows.append(
            ScopeMatchRow(
                match.status,
                match.method,
                NOCS.get(winner) if winner is not None else None,
                match.court_id,
                match.event_count,
                seconds,
            )
        )
    return rows


def test_tournament_figures_by_status_method_noc_and_court() -> None:
    analytics = tournament_analytics(
        Scope(1, "Open"),
        scope_rows(MATCHES),
        [TechniqueRow(None, 1, 3, 4), TechniqueRow(None, 2, 1, 5), TechniqueRow(None, 2, 5, 1)],
        [CourtCount(1, 30), CourtCount(None, 3)],
        {1: "Court A", 2: "Court B"},
    )
    assert (analytics.matches, analytics.finished, analytics.abandoned) == (5, 3, 1)
    assert (analytics.running, analytics.not_started) == (1, 1)
    assert analytics.events == 700 + 300 + 200 + 12 + 50 + 40 + 30 + 3
    assert analytics.events_per_court == (
        ("(no court)", 3),
        ("Court A", 1120),
        ("Court B", 200),
        ("court 9", 12),
    )
    assert analytics.decision_methods == (("PTF", 1), ("RSC", 1), ("WDR", 1))
    assert analytics.wins_per_noc == (("(unknown)", 1), ("KOR", 1))  # Bea has no NOC
    assert analytics.average_match_seconds == (300 + 100 + 10) / 3  # finished ones only
    assert analytics.points_blue.count(Technique.HEAD) == 4
    assert analytics.points.points == 12 + 5 + 5


def test_an_empty_tournament() -> None:
    analytics = tournament_analytics(Scope(1, "Empty"), [], [], [], {})
    assert (analytics.matches, analytics.events, analytics.points.points) == (0, 0, 0)
    assert analytics.average_match_seconds is None
    assert analytics.decision_methods == analytics.wins_per_noc == ()


def test_athlete_counts_only_fought_matches_on_their_side() -> None:
    analytics = athlete_analytics(
        ALICE,
        MATCHES,
        [
            TechniqueRow(1, 1, 3, 2),  # Alice's head kicks in match 1
            TechniqueRow(1, 2, 2, 1),  # conceded
            TechniqueRow(4, 1, 5, 9),  # match 4 never started: ignored
            TechniqueRow(9, 1, 1, 9),  # not her match
        ],
        [HitRow(1, 1, 2, 150), HitRow(1, 2, 5, 400), HitRow(4, 1, 1, 99)],
        [
            MatchEventRow(1, 10, "wg1;1;wg2;0"),
            MatchEventRow(1, 20, "rnd;2"),
            MatchEventRow(1, 30, "wg1;1;wg2;0"),  # round 2 starts at 0-0: one more
            MatchEventRow(2, 40, "wg1;3;wg2;0"),  # match 2: Cat is blue, Alice not in it
        ],
    )
    # Matches 1, 3, 5, 6 name Alice blue and were fought; 2 does not name her; 4 never ran.
    assert analytics.match_ids == (1, 3, 5, 6)
    assert (analytics.wins, analytics.losses, analytics.ties, analytics.undecided) == (1, 0, 1, 2)
    assert analytics.scored.count(Technique.HEAD) == 2 and analytics.scored.points == 6
    assert analytics.conceded.points == 2
    assert analytics.head_kick_share == 1.0
    assert (analytics.hits, analytics.average_hit_level) == (2, 75.0)
    assert (analytics.penalties, analytics.penalties_per_match) == (2, 0.5)


def test_technique_counts_and_hit_levels() -> None:
    counts = TechniqueCounts.from_pairs([(1, 2), (5, 1), (9, 4), (3, 1)])
    assert counts.counts == (2, 0, 1, 0, 1)
    assert (counts.actions, counts.points, counts.head_points) == (4, 2 + 3 + 5, 8)
    assert TechniqueCounts.from_json(counts.to_json()) == counts
    assert counts.to_json()["turning_head"] == {"count": 1, "points": 5}
    levels = HitLevels.of([1, 10, 11, 100])
    assert levels.histogram == (2, 1, 0, 0, 0, 0, 0, 0, 0, 1)
    assert (levels.mean, HitLevels.of([]).mean) == (30.5, None)
    assert CAT.name == "C. THREE" and BEA.label == "Bea TWO"


def test_tournament_json_round_trip() -> None:
    analytics = tournament_analytics(
        Scope(1, "Open", 4, 2), scope_rows(MATCHES), [TechniqueRow(None, 1, 2, 3)], [], {}
    )
    data = json.loads(json.dumps(to_json(analytics)))
    assert data["decision_methods"] == {"PTF": 1, "RSC": 1, "WDR": 1}
    assert data["points"]["body"] == {"count": 3, "points": 6}
    assert tournament_from_json(data) == analytics


def test_performance_without_samples() -> None:
    analytics = performance_analytics([])
    assert (analytics.points, analytics.mean_rate, analytics.error_rate) == ((), None, None)
