"""Athlete and tournament analytics of the recorded samples, against the samples' own lines."""

from __future__ import annotations

from collections import Counter

import pytest

from app.analytics.service import AnalyticsService
from app.protocol.messages import Technique
from app.store.errors import NotFoundError
from tests.analytics.conftest import SAMPLES
from tests.analytics.recording import Recording
from tests.analytics.test_match import count

FINAL = "real_match_1945_final.tsv"


def test_an_athlete_within_a_tournament_and_over_all_data(
    service: AnalyticsService, recorded: Recording
) -> None:
    [kalashnikov] = service.find_athletes("mikhail kalashnikov")  # blue in the 1945 final
    counted = count(recorded.lines[f"Open/{FINAL}"])
    scored = tuple(counted.techniques[1][t.value] for t in Technique)
    conceded = tuple(counted.techniques[2][t.value] for t in Technique)
    levels = counted.levels[1]

    within = service.athlete(kalashnikov.id, recorded.tournaments["Open"]).value
    assert (within.matches, within.wins, within.losses, within.ties) == (1, 1, 0, 0)
    assert within.scored.counts == scored
    assert within.conceded.counts == conceded
    assert within.penalties == counted.penalties(1)
    assert within.penalties_per_match == counted.penalties(1)
    assert within.hits == len(levels)
    assert within.average_hit_level == (sum(levels) / len(levels) if levels else None)
    head = sum(counted.techniques[1][t] * t for t in (3, 5))
    assert within.head_kick_share == pytest.approx(head / within.scored.points)

    # The same final was recorded again in "Cup": over all data the athlete has two matches.
    overall = service.athlete(kalashnikov.id).value
    assert (overall.matches, overall.wins) == (2, 2)
    assert overall.scored.counts == tuple(2 * n for n in scored)
    assert overall.penalties_per_match == counted.penalties(1)
    assert overall.tournament_id is None and within.tournament_id == recorded.tournaments["Open"]


def test_the_loser_of_a_match_and_a_tie(service: AnalyticsService, recorded: Recording) -> None:
    [drakulic] = service.find_athletes("Marko Drakulić", "cro")  # blue, lost 7894 on decision
    analytics = service.athlete(drakulic.id).value
    assert (analytics.matches, analytics.wins, analytics.losses) == (1, 0, 1)
    [debela] = service.find_athletes("KRAVA DEBELA")  # 5555, `win;TIE`
    tie = service.athlete(debela.id).value
    assert (tie.matches, tie.ties, tie.scored.points, tie.head_kick_share) == (1, 1, 0, None)


def test_tournament_analytics(service: AnalyticsService, recorded: Recording) -> None:
    tournament_id = recorded.tournaments["Open"]
    analytics = service.tournament(tournament_id).value
    lines = [line for sample in SAMPLES for line in recorded.lines[f"Open/{sample}"]]
    counted = [count(recorded.lines[f"Open/{sample}"]) for sample in SAMPLES]

    assert (analytics.matches, analytics.finished, analytics.running) == (5, 5, 0)
    assert analytics.events == len(lines)  # every datagram, in a match or not
    assert dict(analytics.events_per_court) == {"Samples": len(lines)}
    points: Counter[int] = Counter()
    for figures in counted:
        points.update(figures.techniques[1])
        points.update(figures.techniques[2])
    assert analytics.points.counts == tuple(points[t.value] for t in Technique)
    assert analytics.points == analytics.points_blue.plus(analytics.points_red)
    assert dict(analytics.decision_methods) == {"PTF": 4, "WDR": 1}
    # 1945 blue RUS, 7894 red CRO, 101 blue CRO (Perica), 5555 tie, synthetic blue SLO
    assert dict(analytics.wins_per_noc) == {"CRO": 2, "RUS": 1, "SLO": 1}
    durations = [c.ended - c.started for c in counted if c.ended and c.started]
    assert analytics.average_match_seconds == pytest.approx(sum(durations) / len(durations))


def test_day_analytics_cover_that_day(service: AnalyticsService, recorded: Recording) -> None:
    cup = recorded.tournaments["Cup"]
    day = service.day(service.day_id(cup, 1)).value
    assert (day.scope.tournament_id, day.scope.day_number) == (cup, 1)
    assert day.scope.label == "Cup, day 1"
    assert (day.matches, day.events) == (1, len(recorded.lines[f"Cup/{FINAL}"]))
    assert day.points == service.tournament(cup).value.points


def test_unknown_ids_are_reported_not_served_stale(service: AnalyticsService) -> None:
    for call in (
        lambda: service.match(999),
        lambda: service.tournament(999),
        lambda: service.day(999),
        lambda: service.athlete(999),
    ):
        with pytest.raises(NotFoundError):
            call()
    with pytest.raises(NotFoundError, match="no day 7"):
        service.day_id(1, 7)
