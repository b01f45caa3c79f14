"""MatchState consistency checks: stated scores versus points and penalties, at round/match end."""

from __future__ import annotations

from app.match.state import MatchState, fold
from app.protocol.parser import parse_text

LOAD = (
    "pre;FightLoaded",
    "at1;Blue One;Blue One;KOR;at2;Red Two;Red Two;GER",
    "mch;9;Final;M -68kg;0;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Seniors;3;120;cntDown;20;5;",
    "wg1;0;wg2;0",
    "wrd;rd1;0;rd2;0;rd3;0",
    "s11;0;s21;0;s12;0;s22;0;s13;0;s23;0",
    "sc1;0;sc2;0",
    "rnd;1",
    "rdy;FightReady",
    "clk;02:00;start",
)


def run(*lines: str) -> MatchState:
    return fold(parse_text(line) for line in (*LOAD, *lines))


def table(*rows: tuple[int, int]) -> str:
    padded = [*rows, *([(0, 0)] * (3 - len(rows)))]
    return ";".join(f"s1{r};{b};s2{r};{red}" for r, (b, red) in enumerate(padded, start=1))


def test_totals_stated_before_the_point_are_not_a_contradiction() -> None:
    # Mid-burst the stated score is ahead of the derived one (pt comes last): no warning.
    state = run("sc1;3;sc2;0", table((3, 0)))
    assert state.stated_round(1) != state.derived_round(1)
    assert state.warnings == ()


def test_a_round_whose_points_do_not_add_up_is_flagged_at_round_end() -> None:
    lines = ("sc1;3;sc2;0", table((3, 0)), "pt1;2", "clk;0:00;stopEnd")
    assert run(*lines).warnings == ()  # the clock's end is not where the stream closes a round
    state = run(*lines, "wrd;rd1;1;rd2;0;rd3;0")
    assert state.warnings == ("round 1: stream says 3-0, points and penalties give 2-0",)
    # ... recorded once, however often the round is closed again
    rst = "rst;1;st1;0;0;0;0;0;0;st2;0;0;0;0;0;0;"
    state = run(*lines, "wrd;rd1;1;rd2;0;rd3;0", table((3, 0)), rst, "rnd;2")
    assert state.warnings == ("round 1: stream says 3-0, points and penalties give 2-0",)
    assert state.stated_round(1) == (3, 0)  # the stated value is kept as sent


def test_round_mismatch_found_at_the_next_round_or_at_rst() -> None:
    expected = ("round 1: stream says 0-1, points and penalties give 0-0",)
    assert run("sc1;0;sc2;1", table((0, 1)), "rnd;2").warnings == expected
    rst = "rst;1;st1;0;0;0;0;0;0;st2;0;0;0;0;0;0;"
    assert run("sc1;0;sc2;1", table((0, 1)), rst).warnings == expected


def test_brief_example_round_two() -> None:
    state = run(
        "sc1;1;sc2;0",
        table((0, 0), (1, 0)),
        "rnd;2",
        "sc1;19;sc2;12",
        table((0, 0), (19, 12)),
        *["pt1;3"] * 6,
        *["pt2;3"] * 4,
        "wrd;rd1;0;rd2;1;rd3;0",
    )
    assert "round 2: stream says 19-12, points and penalties give 18-12" in state.warnings


def test_score_message_and_round_table_disagreeing() -> None:
    state = run("sc1;2;sc2;0", table((3, 0)), "pt1;3", "wrd;rd1;1;rd2;0;rd3;0")
    assert state.warnings == ("round 1: score message says 2-0, round table says 3-0",)


def test_round_given_to_the_athlete_behind_is_flagged() -> None:
    state = run("sc1;0;sc2;2", table((0, 2)), "pt2;2", "wrd;rd1;1;rd2;0;rd3;0")
    assert state.warnings == ("round 1: stream gives the round to blue, but its score is 0-2",)


def test_round_won_at_equal_or_zero_score_is_not_a_contradiction() -> None:
    # Superiority / referee decision: wrd just names a winner (real_match_7894 round 2 at 0-0,
    # real_match_101 with all rounds 0-0).
    state = run("sc1;2;sc2;2", table((2, 2)), "pt1;2", "pt2;2", "wrd;rd1;2;rd2;0;rd3;0")
    state = fold([parse_text(x) for x in ("rnd;2", "wrd;rd1;2;rd2;1;rd3;0")], state)
    assert state.warnings == ()


def test_result_against_round_winners() -> None:
    state = run("wrd;rd1;1;rd2;2;rd3;1", "win;RED", "wmh;Red Two;1-2 PTF")
    assert state.warnings == ("result RED contradicts round winners (blue won 2-1)",)
    assert state.outcome.winner is not None and state.outcome.winner.value == "RED"


def test_tie_against_round_winners() -> None:
    state = run("wrd;rd1;1;rd2;0;rd3;0", "win;TIE", "wmh;;0-0 WDR")
    assert state.warnings == ("result TIE contradicts round winners (blue won 1-0)",)


def test_result_with_level_round_wins_is_not_a_contradiction() -> None:
    # 1-1 in rounds: a golden round, a penalty decision, a referee's call may decide.
    state = run("wrd;rd1;1;rd2;2;rd3;0", "win;RED", "wmh;Red Two;1-1 RSC")
    assert state.warnings == ()


def test_result_name_must_be_the_winning_colour() -> None:
    state = run("wrd;rd1;1;rd2;1;rd3;0", "win;BLUE", "wmh;Red Two;2-0 PTF")
    assert state.warnings == ("result names 'Red Two' as winner, but win says BLUE (Blue One)",)
    state = run("win;TIE", "wmh;Blue One;0-0 WDR")
    assert state.warnings == ("result names 'Blue One' as winner, but win says TIE",)


def test_consistent_match_has_no_warning() -> None:
    state = run(
        "hl1;99",
        "sup;1",
        "sc1;3;sc2;0",
        table((3, 0)),
        "pt1;3",
        "sup;0",
        "sc1;3;sc2;1",
        table((3, 1)),
        "wg1;1;wg2;0",
        "clk;0:00;stopEnd",
        "wrd;rd1;1;rd2;0;rd3;0",
        "rnd;2",
        "sc1;0;sc2;1",
        table((3, 1), (0, 1)),
        "wg1;1;wg2;0",
        "wrd;rd1;1;rd2;2;rd3;0",
        "rnd;3",
        "sc1;5;sc2;0",
        table((3, 1), (0, 1), (5, 0)),
        "pt1;5",
        "wrd;rd1;1;rd2;2;rd3;1",
        "win;BLUE",
        "wmh;Blue One;2-1 PTF",
    )
    assert state.stated_rounds == ((3, 1), (0, 1), (5, 0))
    assert state.derived_rounds == state.stated_rounds
    assert state.warnings == ()
