"""Match analytics of every recorded sample against figures counted here from the sample lines.

The counting below reads the raw text with string operations only (no parser, no MatchState),
so it checks the analytics rather than repeating them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest

from app.analytics.service import AnalyticsService
from app.protocol.messages import Side, Technique
from tests.analytics.conftest import SAMPLES
from tests.analytics.recording import Line, Recording


@dataclass
class Counted:
    techniques: dict[int, Counter[int]] = field(
        default_factory=lambda: {1: Counter(), 2: Counter()}
    )
    per_round: dict[tuple[int, int], Counter[int]] = field(default_factory=dict)
    levels: dict[int, list[int]] = field(default_factory=lambda: {1: [], 2: []})
    gam_jeoms: dict[int, dict[int, int]] = field(default_factory=lambda: {1: {}, 2: {}})
    table: dict[tuple[int, int], int] = field(default_factory=dict)  # (side, round) -> points
    requests: Counter[int] = field(default_factory=Counter)  # side (0 referee) -> reviews
    started: float | None = None
    ended: float | None = None
    winner: str | None = None

    def final(self, side: int) -> int:
        return sum(points for (s, _), points in self.table.items() if s == side)

    def penalties(self, side: int) -> int:
        return sum(self.gam_jeoms[side].values())


def count(lines: list[Line]) -> Counted:
    counted = Counted()
    current_round = 1
    for line in lines:
        text = line.text.removesuffix(";")
        code, _, rest = text.partition(";")
        fields = rest.split(";") if rest else []
        if code in ("pt1", "pt2"):
            side, value = int(code[2]), int(fields[0])
            counted.techniques[side][value] += 1
            counted.per_round.setdefault((side, current_round), Counter())[value] += 1
        elif code in ("hl1", "hl2"):
            counted.levels[int(code[2])].append(int(fields[0]))
        elif code == "rnd":
            current_round = int(fields[0])
        elif code == "wg1":  # `wg1;n;wg2;m`: this round's counts
            counted.gam_jeoms[1][current_round] = int(fields[0])
            counted.gam_jeoms[2][current_round] = int(fields[2])
        elif code == "s11":  # `s11;n;s21;n;s12;…`: the whole table
            pairs = [code, *fields]
            for marker, value in zip(pairs[::2], pairs[1::2], strict=True):
                counted.table[(int(marker[1]), int(marker[2]))] = int(value)
        elif code in ("ch0", "ch1", "ch2") and fields in ([], [""]):
            counted.requests[int(code[2])] += 1
        elif code == "clk" and fields[-1:] == ["start"] and counted.started is None:
            counted.started = line.at
        elif code == "win" and counted.ended is None:
            counted.ended = line.at
            counted.winner = fields[0].lower()
    return counted


def match_id(service: AnalyticsService, recording: Recording, sample: str) -> int:
    number = next(
        line.text.split(";")[1]
        for line in recording.lines[f"Open/{sample}"]
        if line.text[:4] == "mch;"
    )
    [match] = service.find_matches(number, recording.tournaments["Open"])
    return match.id


@pytest.mark.parametrize("sample", SAMPLES)
def test_points_by_technique_add_up_to_the_final_score_minus_penalty_points(
    service: AnalyticsService, recorded: Recording, sample: str
) -> None:
    lines = recorded.lines[f"Open/{sample}"]
    counted = count(lines)
    analytics = service.match(match_id(service, recorded, sample)).value

    for side in (Side.BLUE, Side.RED):
        figures = analytics.side(side)
        other = 3 - side.value
        expected = tuple(counted.techniques[side.value][t.value] for t in Technique)
        assert figures.techniques.counts == expected
        assert figures.techniques.points == counted.final(side.value) - counted.penalties(other)
        assert figures.stated == counted.final(side.value)
        assert figures.penalties == counted.penalties(side.value)
        assert figures.penalty_points == counted.penalties(other)
        assert figures.points == figures.stated  # the samples' own figures agree
        levels = counted.levels[side.value]
        assert figures.hits.count == len(levels)
        assert figures.hits.mean == (sum(levels) / len(levels) if levels else None)
        assert figures.reviews.requested == counted.requests[side.value]
        for figure in analytics.rounds:
            own = counted.per_round.get((side.value, figure.number), Counter())
            assert figure.side(side).techniques.counts == tuple(own[t.value] for t in Technique)
            penalties = counted.gam_jeoms[side.value].get(figure.number, 0)
            assert figure.side(side).penalties == penalties
    assert analytics.referee_reviews.requested == counted.requests[0]
    assert analytics.winner == counted.winner
    assert counted.started is not None and counted.ended is not None
    assert analytics.duration_seconds == pytest.approx(counted.ended - counted.started, abs=1e-3)
    session = ("Udp Port", "hel", "inl", "ins", "int", "hwt", "bye")  # never in a match
    assert analytics.events == sum(1 for line in lines if not line.text.startswith(session))


@pytest.mark.parametrize("sample", SAMPLES)
def test_the_score_timeline_ends_at_the_final_score(
    service: AnalyticsService, recorded: Recording, sample: str
) -> None:
    counted = count(recorded.lines[f"Open/{sample}"])
    analytics = service.match(match_id(service, recorded, sample)).value
    timeline = analytics.timeline

    points = [change for change in timeline if change.kind == "point"]
    assert len(points) == sum(sum(c.values()) for c in counted.techniques.values())
    assert [change.seq for change in timeline] == sorted(change.seq for change in timeline)
    score = {1: 0, 2: 0}
    for change in timeline:  # each step moves exactly one side by its value
        # A point goes to who scored it, a gam-jeom's point to the opponent.
        gets = change.side if change.kind == "point" else 3 - change.side
        score[gets] += change.value
        assert (change.blue, change.red) == (score[1], score[2])
    assert (score[1], score[2]) == (counted.final(1), counted.final(2))


def test_fight_time_follows_the_round_clock(service: AnalyticsService, recorded: Recording) -> None:
    # 1945: round 1 was stopped at 01:27 and ended early; rounds 2 and 3 ran to the end of
    # their clocks or to the points gap; the figures are the lowest clock shown per round.
    analytics = service.match(match_id(service, recorded, "real_match_1945_final.tsv")).value
    lines = [line.text for line in recorded.lines["Open/real_match_1945_final.tsv"]]
    lowest: dict[int, int] = {}
    current = 1
    for text in lines:
        if text.startswith("rnd;"):
            current = int(text.split(";")[1])
        elif text.startswith("clk;") and not text.endswith(("stopEnd", "corr")):
            minutes, seconds = text.split(";")[1].split(":")
            value = int(minutes) * 60 + int(seconds)
            lowest[current] = min(value, lowest.get(current, value))
    assert [r.fight_seconds for r in analytics.rounds] == [120 - lowest[n] for n in (1, 2, 3)]
    assert analytics.rounds[0].fight_seconds == 120 - 87
    assert analytics.fight_seconds == sum(120 - lowest[n] for n in (1, 2, 3))


def test_video_reviews_asked_and_won(service: AnalyticsService, recorded: Recording) -> None:
    # The synthetic match: red asks and wins (`ch2;1;1`), blue asks and is refused (`ch1;0`),
    # the referee reviews and the review is lost (`ch0;1;0`). The capture 5555: blue asks once.
    synthetic = service.match(match_id(service, recorded, "synthetic_full_match.tsv")).value
    assert (synthetic.red.reviews.requested, synthetic.red.reviews.won) == (1, 1)
    assert (synthetic.blue.reviews.requested, synthetic.blue.reviews.rejected) == (1, 1)
    assert (synthetic.referee_reviews.requested, synthetic.referee_reviews.lost) == (1, 1)
    ivr = service.match(match_id(service, recorded, "real_match_5555_bronze_ivr.tsv")).value
    reviews = ivr.blue.reviews
    assert (reviews.requested, reviews.accepted, reviews.won) == (1, 1, 0)
    assert ivr.winner == "tie" and ivr.method == "WDR"


def test_hit_level_distribution(service: AnalyticsService, recorded: Recording) -> None:
    analytics = service.match(match_id(service, recorded, "synthetic_full_match.tsv")).value
    # hl1: 37 64 88 55 91 77 66 -> buckets 31-40, 61-70 (x2), 81-90, 51-60, 91-100, 71-80
    assert analytics.blue.hits.histogram == (0, 0, 0, 1, 0, 1, 2, 1, 1, 1)
    assert (analytics.blue.hits.minimum, analytics.blue.hits.maximum) == (37, 91)
    assert analytics.red.hits.count == 3 and analytics.red.hits.total == 72 + 61 + 58
