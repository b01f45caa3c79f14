"""Every sample match, folded: the summary equals what the stream itself announces.

The expected values were read from the sample files by hand (the `s11…` table after each
round, `wrd`, `win`, `wmh`), not produced by the code under test. Matches whose stream does not
contradict itself must carry no warning: that proves the derivation from `pt` + gam-jeoms gives
exactly the stated scores, round by round.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from app.match.state import MatchState, MatchStatus
from app.match.summary import AthleteSummary, MatchSummary, summarize
from app.match.tracker import MatchTracker
from app.protocol.messages import Side
from app.protocol.parser import parse_datagram
from app.sim.capture import read_capture


@dataclass(frozen=True)
class Expected:
    summary: MatchSummary
    penalties_total: tuple[int, int]


EXPECTED: dict[str, Expected] = {
    # 3 rounds; round 1 red 4-5 after a gam-jeom each, round 2 19-12, round 3 12-0.
    "real_match_1945_final": Expected(
        MatchSummary(
            match_number="1945",
            category="M -87kg",
            blue=AthleteSummary("Mikhail Kalashnikov", "RUS"),
            red=AthleteSummary("Dicke Berta", "GER"),
            rounds=((4, 5), (19, 12), (12, 0)),
            round_wins=(2, 1),
            winner="blue",
            decision="2-1 PTF",
            events=308,
            unknown=0,
            malformed=0,
            warnings=(),
        ),
        penalties_total=(1, 2),
    ),
    # wrd gives blue rounds 1 and 3 (round 2 to red at 0-0), yet `win;RED` / `1-2 PTF`.
    "real_match_7894_semifinal": Expected(
        MatchSummary(
            match_number="7894",
            category="W +73kg",
            blue=AthleteSummary("Marko Drakulić", "CRO"),
            red=AthleteSummary("Damjan Mitrić", "CRO"),
            rounds=((12, 11), (0, 0), (2, 1)),
            round_wins=(2, 1),
            winner="red",
            decision="1-2 PTF",
            events=378,
            unknown=0,
            malformed=0,
            warnings=("result RED contradicts round winners (blue won 2-1)",),
        ),
        penalties_total=(1, 2),
    ),
    # No points at all: every round 0-0 and decided by wrd, which is not a contradiction.
    "real_match_101_semifinal_injury": Expected(
        MatchSummary(
            match_number="101",
            category="M -68kg",
            blue=AthleteSummary("Perica", "CRO"),
            red=AthleteSummary("Stevica", "GER"),
            rounds=((0, 0), (0, 0), (0, 0)),
            round_wins=(2, 1),
            winner="blue",
            decision="2-1 PTF",
            events=435,
            unknown=0,
            malformed=0,
            warnings=(),
        ),
        penalties_total=(0, 0),
    ),
    # One round played, given to blue by wrd; then a withdrawal with `win;TIE`.
    "real_match_5555_bronze_ivr": Expected(
        MatchSummary(
            match_number="5555",
            category="W +73kg",
            blue=AthleteSummary("Krava Debela", "IND"),
            red=AthleteSummary("Godzilla Vesela", "CHI"),
            rounds=((0, 0),),
            round_wins=(1, 0),
            winner="tie",
            decision="0-0 WDR",
            events=39,
            unknown=0,
            malformed=0,
            warnings=("result TIE contradicts round winners (blue won 1-0)",),
        ),
        penalties_total=(0, 0),
    ),
    # 668 datagrams, 13 of them session/equipment lines outside the match.
    "synthetic_full_match": Expected(
        MatchSummary(
            match_number="245.A",
            category="M -68kg",
            blue=AthleteSummary("Luka NOVAK", "SLO"),
            red=AthleteSummary("Dario ĆORIĆ", "CRO"),
            rounds=((7, 8), (7, 4), (6, 2)),
            round_wins=(2, 1),
            winner="blue",
            decision="2-1 PTF",
            events=655,
            unknown=0,
            malformed=0,
            warnings=(),
        ),
        penalties_total=(1, 2),
    ),
}

FILES = [
    *(f"{name}.tsv" for name in EXPECTED),
    *(f"{name}.txt" for name in EXPECTED if name.startswith("real_")),
]


def matches_in(paths: list[Path]) -> tuple[list[MatchState], int]:
    """All matches of the files fed one after the other through one tracker, and how many
    messages were placed in none."""
    tracker: MatchTracker[int] = MatchTracker()
    matches: list[MatchState] = []
    outside = 0
    base = 0.0
    token = 0
    for path in paths:
        lines = read_capture(path)
        for index, line in enumerate(lines):
            offset = line.offset_ms / 1000 if line.offset_ms is not None else index * 0.001
            for parsed in parse_datagram(line.datagram):
                token += 1
                for _, state in tracker.feed(parsed.message, base + offset, token):
                    outside += state is None
            matches += tracker.drain_closed()
        base += 3600.0
    for _, state in tracker.close():
        outside += state is None
    matches += tracker.drain_closed()
    assert tracker.current is not None
    return [*matches, tracker.current], outside


def test_every_sample_match_is_covered(samples_dir: Path) -> None:
    names = {p.stem for p in samples_dir.glob("*.tsv")} - {"real_odd_lines", "synthetic_malformed"}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("file", FILES)
def test_sample_summary_matches_what_the_stream_announces(samples_dir: Path, file: str) -> None:
    expected = EXPECTED[Path(file).stem]
    (state,), _ = matches_in([samples_dir / file])
    assert summarize(state) == expected.summary
    assert state.status is MatchStatus.FINISHED
    assert state.key == 1
    assert tuple(state.penalties_total) == expected.penalties_total


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if not e.summary.warnings])
def test_consistent_samples_derive_exactly_the_stated_scores(samples_dir: Path, name: str) -> None:
    (state,), _ = matches_in([samples_dir / f"{name}.tsv"])
    assert state.derived_rounds == state.stated_rounds
    assert state.warnings == ()


def test_contradicting_samples_still_derive_the_stated_round_scores(samples_dir: Path) -> None:
    # The warnings there are about the result only: every round's points add up.
    for name in ("real_match_7894_semifinal", "real_match_5555_bronze_ivr"):
        (state,), _ = matches_in([samples_dir / f"{name}.tsv"])
        assert state.derived_rounds == state.stated_rounds
        assert all(warning.startswith("result ") for warning in state.warnings)


def test_real_ivr_review_used_blue_card(samples_dir: Path) -> None:
    (state,), _ = matches_in([samples_dir / "real_match_5555_bronze_ivr.tsv"])
    review = state.reviews[1]
    assert (review.requested, review.accepted, review.open) == (1, 1, False)
    assert state.reviews[2].requested == 0


def test_synthetic_reviews_and_timers(samples_dir: Path) -> None:
    (state,), _ = matches_in([samples_dir / "synthetic_full_match.tsv"])
    referee, blue, red = state.reviews
    assert (referee.requested, referee.accepted, referee.lost) == (1, 1, 1)  # ch0;1;0
    assert (blue.requested, blue.rejected) == (1, 1)  # ch1;0: card lost
    assert (red.requested, red.accepted, red.won) == (1, 1, 1)  # ch2;1;1: card kept
    assert (state.cards_left(Side.BLUE), state.cards_left(Side.RED)) == (0, 1)
    assert state.injury is not None and not state.injury.active
    assert state.time_out is not None and not state.time_out.active


def test_all_samples_in_one_stream_split_into_five_matches(samples_dir: Path) -> None:
    paths = [samples_dir / f"{name}.tsv" for name in EXPECTED]
    matches, outside = matches_in(paths)
    assert [m.key for m in matches] == [1, 2, 3, 4, 5]
    assert [summarize(m) for m in matches] == [e.summary for e in EXPECTED.values()]
    assert all(m.status is MatchStatus.FINISHED for m in matches)
    assert outside == 13  # the synthetic file's session and sensor-test lines


def test_folding_twice_gives_identical_results(samples_dir: Path) -> None:
    paths = sorted(samples_dir.glob("*_match*.tsv"))
    assert matches_in(paths) == matches_in(paths)
