"""MatchState: the effect of every message on the fold, one behaviour per test."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.match.state import (
    CARDS_PER_MATCH,
    ZERO,
    MatchInfo,
    MatchState,
    MatchStatus,
    Pair,
    ReviewStats,
    Scores,
    Timer,
    _evolve,
    _tick,
    abandoned,
    apply,
    fold,
)
from app.protocol.messages import (
    Athlete,
    ClockTime,
    Malformed,
    MatchResult,
    Side,
    Unknown,
    WinnerColour,
)
from app.protocol.parser import parse_text

LOAD = (
    "pre;FightLoaded",
    "ref;;;ju1;;;ju2;;;ta;;;",
    "at1;L. NOVAK;Luka NOVAK;SLO;at2;D. ĆORIĆ;Dario ĆORIĆ;CRO",
    "mch;245.A;Round of 16;M -68kg;0;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Seniors;3;120;cntDown;"
    "20;5;",
    "wg1;0;wg2;0",
    "wrd;rd1;0;rd2;0;rd3;0",
    "s11;0;s21;0;s12;0;s22;0;s13;0;s23;0",
    "sc1;0;sc2;0",
    "clk;02:00",
    "rnd;1",
    "sup;0",
    "rdy;FightReady",
)


def run(*lines: str, state: MatchState | None = None) -> MatchState:
    messages = [parse_text(line) for line in lines]
    for message in messages:
        assert not isinstance(message, Unknown | Malformed), message
    return fold(messages, state)


def loaded(*lines: str) -> MatchState:
    return run(*LOAD, *lines)


def started(*lines: str) -> MatchState:
    return loaded("clk;02:00;start", *lines)


def score(blue: int, red: int, round_number: int = 1, table: tuple[int, ...] = ()) -> list[str]:
    """The `sc` and `s11…` lines of a scoring burst (the stated totals, before the `pt`)."""
    rows = list(table) or [0] * 6
    rows[(round_number - 1) * 2] = blue
    rows[(round_number - 1) * 2 + 1] = red
    pairs = ";".join(
        f"s{side}{r};{rows[(r - 1) * 2 + side - 1]}" for r in (1, 2, 3) for side in (1, 2)
    )
    return [f"sc1;{blue};sc2;{red}", pairs]


# --- fresh state and the load burst ---------------------------------------------------------------
def test_fresh_state_knows_nothing() -> None:
    state = MatchState()
    assert state.status is MatchStatus.LOADED
    assert state.match_number is None and state.info == MatchInfo()
    assert state.round == 0 and state.clock is None and state.clock_text is None
    assert not state.clock_running and not state.clock_started
    assert state.rounds_played == 0 and state.stated_rounds == ()
    assert state.events == state.unknown == state.malformed == 0
    assert state.warnings == ()


def test_load_burst_sets_match_info_round_and_clock() -> None:
    state = loaded()
    info = state.info
    assert info.match_number == "245.A"
    assert info.phase == "Round of 16"
    assert info.category == "M -68kg"
    assert info.division == "Seniors"
    assert (info.round_count, info.round_seconds) == (3, 120)
    assert info.blue == Athlete("L. NOVAK", "Luka NOVAK", "SLO")
    assert info.red == Athlete("D. ĆORIĆ", "Dario ĆORIĆ", "CRO")
    assert info.config is not None and info.config.field14 == 20
    assert info.referees is not None
    assert state.round == 1
    assert state.clock == ClockTime(120, "02:00")
    assert not state.clock_running and not state.clock_started  # initial value, not a start
    assert state.status is MatchStatus.LOADED
    assert state.events == len(LOAD)
    assert state.warnings == ()


# --- clock ----------------------------------------------------------------------------------------
def test_clock_start_tick_stop_and_stop_end() -> None:
    state = started()
    assert state.clock_running and state.clock_started
    assert state.status is MatchStatus.RUNNING
    state = run("clk;01:59", state=state)
    assert (state.clock_text, state.clock_seconds) == ("01:59", 119)
    assert state.clock_running
    state = run("clk;01:45;stop", state=state)
    assert not state.clock_running and state.clock_seconds == 105
    assert state.clock_started  # stays true for good
    state = run("clk;01:45;start", "clk;01:44", "clk;0:00;stopEnd", state=state)
    assert not state.clock_running and state.clock_text == "0:00"
    assert state.status is MatchStatus.RUNNING


def test_clock_correction_keeps_running_state() -> None:
    running = started("clk;01:30", "clk;01:35;corr")
    assert running.clock_running and running.clock_seconds == 95
    stopped = started("clk;01:30;stop", "clk;01:35;corr")
    assert not stopped.clock_running and stopped.clock_seconds == 95


def test_a_tick_does_not_start_the_clock() -> None:
    state = loaded("clk;01:59")
    assert not state.clock_running and not state.clock_started
    assert state.status is MatchStatus.LOADED


# --- scores ---------------------------------------------------------------------------------------
def test_scoring_burst_states_totals_and_derives_them_from_points() -> None:
    # README §2.5 real burst: red body kick with a hit level, then a blue head kick.
    state = started(
        "hl2;99",
        "sup;2",
        *score(0, 2),
        "pt2;2",
        "sup;1",
        *score(3, 2),
        "pt1;3",
    )
    scores = state.scores
    assert scores.shown == Pair(3, 2)
    assert scores.table[0] == Pair(3, 2)
    assert state.stated_round(1) == Pair(3, 2)
    assert state.derived_round(1) == Pair(3, 2)
    assert scores.leader is Side.BLUE
    assert scores.last_hit == (None, 99)
    assert state.warnings == ()


def test_points_count_for_the_current_round() -> None:
    state = started("pt1;3", "rnd;2", "pt2;4", "pt2;5", "pt1;1")
    assert state.derived_round(1) == Pair(3, 0)
    assert state.derived_round(2) == Pair(1, 9)
    assert state.derived_total == Pair(4, 9)


def test_score_halves_may_come_alone() -> None:
    state = started("sc1;3;sc2;4", "sc2;6", "sc1;5")
    assert state.scores.shown == Pair(5, 6)


def test_round_table_accepts_any_subset_and_order() -> None:
    state = started("s22;7;s11;2", "s13;1")
    assert state.scores.table[:3] == (Pair(2, 0), Pair(0, 7), Pair(1, 0))


def test_stated_rounds_cover_rounds_played_only() -> None:
    state = started("wrd;rd1;1;rd2;0;rd3;0")
    assert state.rounds_played == 1
    assert state.stated_rounds == (ZERO,)
    state = run("rnd;2", *score(3, 1, 2), state=state)
    assert state.stated_rounds == (ZERO, Pair(3, 1))
    assert state.stated_total == Pair(3, 1)


def test_hit_levels_are_kept_per_side() -> None:
    state = started("hl1;37", "hl2;72", "hl1;64")
    assert state.scores.last_hit == (64, 72)


def test_leader_follows_sup() -> None:
    assert started("sup;2").scores.leader is Side.RED
    assert started("sup;2", "sup;0").scores.leader is None


# --- penalties ------------------------------------------------------------------------------------
def test_gam_jeom_gives_the_opponent_a_point() -> None:
    state = started(*score(1, 0), "wg1;0;wg2;1")
    assert state.penalties == Pair(0, 1)
    assert state.derived_round(1) == Pair(1, 0)
    assert state.warnings == ()


def test_gam_jeom_counts_reset_silently_at_the_next_round() -> None:
    # real_match_1945: round 1 ends with 1/1 gam-jeoms; round 2's first penalty comes as
    # `wg1;0;wg2;1`: one new gam-jeom for red (blue +1), not a removed one for blue.
    state = started(
        *score(1, 0),
        "wg1;0;wg2;1",
        *score(1, 1),
        "wg1;1;wg2;1",
        "rnd;2",
    )
    assert state.penalties == ZERO
    state = run(*score(1, 0, 2, (1, 1, 0, 0, 0, 0)), "wg1;0;wg2;1", state=state)
    assert state.penalties == Pair(0, 1)
    assert state.derived_round(1) == Pair(1, 1)
    assert state.derived_round(2) == Pair(1, 0)
    assert state.penalties_total == Pair(1, 2)
    assert state.warnings == ()


def test_a_removed_gam_jeom_takes_the_point_back() -> None:
    state = started("wg1;0;wg2;1", "wg1;0;wg2;0")
    assert state.penalties == ZERO
    assert state.derived_round(1) == ZERO


def test_penalty_halves_may_come_alone() -> None:
    state = started("wg2;2", "wg1;1")
    assert state.penalties == Pair(1, 2)
    assert state.derived_round(1) == Pair(2, 1)


def test_going_back_a_round_keeps_its_counts() -> None:
    state = started("wg1;1;wg2;0", "rnd;2", "wg1;0;wg2;2", "rnd;1")
    assert state.round == 1
    assert state.penalties == Pair(1, 0)
    state = run("rnd;2", "wg1;0;wg2;3", state=state)
    assert state.penalties == Pair(0, 3)
    assert state.derived_round(2) == Pair(3, 0)  # one more gam-jeom, not three
    assert state.penalties_total == Pair(1, 3)


# --- video review ---------------------------------------------------------------------------------
def test_captured_review_uses_the_card() -> None:
    # real_match_5555: `ch1;` → `ch1;1` → `ch1;-1`, no won/lost value.
    state = started("ch1;", "ch1;1", "ch1;-1")
    review = state.review(Side.BLUE)
    assert (review.requested, review.accepted, review.rejected) == (1, 1, 0)
    assert (review.won, review.lost, review.open) == (0, 0, False)
    assert state.cards_left(Side.BLUE) == 0
    assert state.cards_left(Side.RED) == CARDS_PER_MATCH


def test_review_accepted_and_won_keeps_the_card() -> None:
    state = started("ch2;", "ch2;1", "ch2;1;1", "ch2;-1")
    review = state.review(Side.RED)
    assert (review.requested, review.accepted, review.won, review.lost) == (1, 1, 1, 0)
    assert state.cards_left(Side.RED) == 1


def test_review_accepted_and_lost_or_rejected_spends_the_card() -> None:
    lost = started("ch2;", "ch2;1;0", "ch2;-1")
    assert lost.review(Side.RED).lost == 1 and lost.cards_left(Side.RED) == 0
    rejected = started("ch1;", "ch1;0", "ch1;-1")
    assert rejected.review(Side.BLUE).rejected == 1 and rejected.cards_left(Side.BLUE) == 0


def test_open_review_is_counted_while_in_progress() -> None:
    state = started("ch1;")
    assert state.review(Side.BLUE).open
    assert state.cards_left(Side.BLUE) == 0  # the card is on the table


def test_repeated_messages_of_one_review_count_once() -> None:
    state = started("ch1;", "ch1", "ch1;1", "ch1;1", "ch1;1;1", "ch1;1;1", "ch1;-1", "ch1;-1")
    review = state.review(Side.BLUE)
    assert (review.requested, review.accepted, review.won) == (1, 1, 1)


def test_a_decision_without_a_request_opens_a_review() -> None:
    state = started("ch2;0", "ch2;-1", "ch2;1")
    review = state.review(Side.RED)
    assert (review.requested, review.rejected, review.accepted) == (2, 1, 1)
    assert review.open


def test_referee_review_has_no_card() -> None:
    state = started("ch0;", "ch0;1", "ch0;1;0", "ch0;-1")
    expected = ReviewStats(requested=1, accepted=1, lost=1, decided=True, settled=True)
    assert state.review(None) == expected
    assert state.cards_left(Side.BLUE) == state.cards_left(Side.RED) == CARDS_PER_MATCH


# --- injury, break, time-out ----------------------------------------------------------------------
def test_injury_countdown_show_tick_hide_reset() -> None:
    state = started("clk;01:47;stop", "ij0;01:00;show")
    assert state.injury == Timer(ClockTime(60, "01:00"), True, None)
    state = run("ij0;00:59", state=state)
    assert state.injury is not None and state.injury.active and state.injury.time.seconds == 59
    state = run("ij0;00:55;hide", state=state)
    assert state.injury == Timer(ClockTime(55, "00:55"), False, None)
    state = run("ij2;01:00;show", "ij2;00:52", "ij2;01:00;reset", state=state)
    assert state.injury == Timer(ClockTime(60, "01:00"), True, Side.RED)


def test_break_on_paused_and_over() -> None:
    state = started("clk;0:00;stopEnd", "brk;00:59", "brk;00:58")
    assert state.break_on and state.break_clock is not None
    assert state.break_clock.time.text == "00:58"
    assert run("brk;00:40;stop", state=state).break_on  # paused is still a break
    assert not run("brk;0:00;stopEnd", state=state).break_on


def test_skipped_break_ends_at_the_next_round_or_clock_start() -> None:
    state = started("clk;0:00;stopEnd", "brk;00:59", "brk;00:50")
    assert not run("sup;0", "rnd;2", state=state).break_on
    assert not run("clk;02:00;start", state=state).break_on


def test_para_time_out() -> None:
    state = started("clk;01:00;stop", "to1;01:00;start", "to1;00:59")
    assert state.time_out == Timer(ClockTime(59, "00:59"), True, Side.BLUE)
    state = run("to1;00:55;stop", state=state)
    assert state.time_out is not None and not state.time_out.active


# --- end of match ---------------------------------------------------------------------------------
def test_round_winners_winner_and_decision() -> None:
    state = started("wrd;rd1;2;rd2;1;rd3;0")
    assert state.outcome.round_winners == (Side.RED, Side.BLUE, None)
    assert state.round_wins == Pair(1, 1)
    state = run("wrd;rd1;2;rd2;1;rd3;1", "win;BLUE", state=state)
    assert state.outcome.winner is WinnerColour.BLUE
    assert state.status is MatchStatus.FINISHED and state.finished
    state = run("wmh;Luka NOVAK;2-1 PTF", state=state)
    assert state.outcome.result == MatchResult("Luka NOVAK", "2-1 PTF")
    assert state.outcome.result.decision == "PTF"
    state = run("wmh;Luka NOVAK;2-1 SUP", state=state)  # a later wmh updates the decision
    assert state.outcome.result is not None
    assert state.outcome.result.result_text == "2-1 SUP"


def test_wmh_alone_finishes_the_match() -> None:
    assert started("wmh;Luka NOVAK;2-0 PTG").status is MatchStatus.FINISHED


def test_abandoned_marks_the_status_only() -> None:
    state = started("pt1;2")
    gone = abandoned(state)
    assert gone.status is MatchStatus.ABANDONED
    assert dataclasses.replace(gone, status=state.status) == state


# --- what does not change state -------------------------------------------------------------------
def test_unknown_and_malformed_only_count() -> None:
    state = started("pt1;3")
    after = fold([Unknown("xyz", "xyz;1", "unknown code"), parse_text("sc1;x;sc2;1")], state)
    assert isinstance(parse_text("sc1;x;sc2;1"), Malformed)
    assert (after.unknown, after.malformed, after.events) == (1, 1, state.events + 2)
    assert dataclasses.replace(after, unknown=0, malformed=0, events=state.events) == state


@pytest.mark.parametrize(
    "line",
    [
        *("pre;FightLoaded", "rdy;FightReady", "avt;0", "rsr;"),
        *("hel;", "bye;", "hwt;3", "inlb;50:", "Udp Port 8888 connected;"),
    ],
)
def test_messages_without_match_meaning_only_count_as_events(line: str) -> None:
    state = started("pt1;3", "ch1;")
    after = run(line, state=state)
    assert after == dataclasses.replace(state, events=state.events + 1)


def test_apply_leaves_the_input_state_alone() -> None:
    state = started()
    snapshot = dataclasses.replace(state)
    apply(state, parse_text("pt1;3"))
    apply(state, parse_text("clk;01:59"))
    assert state == snapshot


def test_fast_evolve_equals_dataclasses_replace_for_every_field() -> None:
    # _evolve is generated code; it must behave exactly like dataclasses.replace.
    state = started("pt1;3", "ch1;", "wg1;1;wg2;0")
    values: dict[str, Any] = {
        "key": 7,
        "info": MatchInfo(match_number="1"),
        "status": MatchStatus.FINISHED,
        "round": 3,
        "clock": ClockTime(5, "00:05"),
        "clock_running": False,
        "clock_started": False,
        "break_clock": Timer(ClockTime(1, "00:01"), True),
        "injury": Timer(ClockTime(2, "00:02"), False, Side.RED),
        "time_out": Timer(ClockTime(3, "00:03"), True, Side.BLUE),
        "scores": Scores(shown=Pair(1, 2)),
        "reviews": (ReviewStats(), ReviewStats(requested=1), ReviewStats()),
        "outcome": dataclasses.replace(state.outcome, winner=WinnerColour.TIE),
        "events": 99,
        "unknown": 3,
        "malformed": 4,
        "warnings": ("x",),
    }
    assert set(values) == {field.name for field in dataclasses.fields(MatchState)}
    for name, value in values.items():
        assert _evolve(state, **{name: value}) == dataclasses.replace(state, **{name: value})
    assert _evolve(state) == state and _evolve(state) is not state
    tick = ClockTime(59, "00:59")
    assert _tick(state, tick, 5) == dataclasses.replace(state, clock=tick, events=5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        _evolve(state).round = 2  # type: ignore[misc]
