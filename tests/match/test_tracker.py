"""MatchTracker: reload vs new match vs abandoned, held messages, timeouts, determinism."""

from __future__ import annotations

from collections.abc import Sequence

from app.match.state import MatchState, MatchStatus
from app.match.tracker import LOAD_TIMEOUT_S, MatchTracker
from app.protocol.messages import Malformed
from app.protocol.parser import parse_text


def mch(number: str) -> str:
    colours = "#0000ff;#FFFFFF;#ff0000;#FFFFFF"
    return f"mch;{number};Final;M -68kg;0;{colours};null;Seniors;3;120;cntDown;20;5;"


AT1 = "at1;Blue One;Blue One;KOR;at2;Red Two;Red Two;GER"
AT1_OTHER = "at1;Blue Three;Blue Three;FRA;at2;Red Four;Red Four;ITA"


def load(number: str = "101", athletes: str = AT1) -> list[str]:
    return [
        "pre;FightLoaded",
        "ref;;;ju1;;;ju2;;;ta;;;",
        athletes,
        mch(number),
        "wg1;0;wg2;0",
        "wrd;rd1;0;rd2;0;rd3;0",
        "s11;0;s21;0;s12;0;s22;0;s13;0;s23;0",
        "sc1;0;sc2;0",
        "clk;02:00",
        "rnd;1",
        "sup;0",
        "rdy;FightReady",
    ]


Placed = list[tuple[int, MatchState | None]]


class Feeder:
    """Feeds text lines with increasing tokens, 10 ms apart unless told otherwise."""

    def __init__(self) -> None:
        self.tracker: MatchTracker[int] = MatchTracker()
        self.token = 0
        self.at = 0.0
        self.placed: Placed = []

    def feed(self, lines: Sequence[str], step: float = 0.01) -> Placed:
        out: Placed = []
        for line in lines:
            self.token += 1
            self.at += step
            out += self.tracker.feed(parse_text(line), self.at, self.token)
        self.placed += out
        return out

    def keys(self, placed: Placed) -> list[int | None]:
        return [state.key if state is not None else None for _, state in placed]


def test_messages_before_any_load_are_placed_in_no_match() -> None:
    feeder = Feeder()
    out = feeder.feed(["clk;01:59", "sc1;1;sc2;0", "Udp Port 8888 connected;"])
    assert out == [(1, None), (2, None), (3, None)]
    assert feeder.tracker.current is None


def test_load_is_held_until_at1_and_mch_then_released_in_order() -> None:
    feeder = Feeder()
    assert feeder.feed(load()[:3]) == []  # pre, ref, at1: which match is not known yet
    assert feeder.tracker.pending
    out = feeder.feed([mch("101")])
    assert [token for token, _ in out] == [1, 2, 3, 4]
    assert not feeder.tracker.pending
    states = [state for _, state in out]
    assert all(state is not None and state.key == 1 for state in states)
    assert [state.events for state in states if state] == [1, 2, 3, 4]  # state after each one
    assert states[-1] is not None and states[-1].match_number == "101"
    # the rest of the burst is placed at once
    assert feeder.keys(feeder.feed(load()[4:])) == [1] * 8


def test_load_without_mch_resolves_at_the_first_non_load_message() -> None:
    feeder = Feeder()
    assert feeder.feed(["pre;FightLoaded", "ref;;;ju1;;;ju2;;;ta;;;", AT1, "avt;0"]) == []
    out = feeder.feed(["wg1;0;wg2;0"])
    assert [token for token, _ in out] == [1, 2, 3, 4, 5]
    assert feeder.tracker.current is not None
    assert feeder.tracker.current.info.red is not None


def test_unknown_malformed_and_session_lines_do_not_resolve_a_load() -> None:
    feeder = Feeder()
    broken = "mch;245.A;cut short"
    assert isinstance(parse_text(broken), Malformed)
    lines = ["pre;FightLoaded", AT1, broken, "xyz;1", "Udp Port 8888 connected;", "hel;"]
    assert feeder.feed(lines) == []
    out = feeder.feed(["rdy;FightReady"])  # rdy ends the burst even without a valid mch
    assert [token for token, _ in out] == [1, 2, 3, 4, 5, 6, 7]
    assert feeder.keys(out) == [1, 1, 1, 1, None, None, 1]  # session lines stay outside
    current = feeder.tracker.current
    assert current is not None and (current.malformed, current.unknown) == (1, 1)


def test_pending_load_times_out_on_the_next_message() -> None:
    feeder = Feeder()
    feeder.feed(["pre;FightLoaded", AT1])
    out = feeder.feed(["Udp Port 8888 connected;"], step=LOAD_TIMEOUT_S)
    assert [token for token, _ in out] == [1, 2, 3]
    assert feeder.keys(out) == [1, 1, None]
    assert not feeder.tracker.pending


def test_flush_resolves_only_once_the_time_is_up() -> None:
    tracker: MatchTracker[int] = MatchTracker()
    assert tracker.feed(parse_text("pre;FightLoaded"), 10.0, 1) == []
    assert tracker.feed(parse_text(AT1), 11.5, 2) == []
    assert tracker.flush(10.0 + LOAD_TIMEOUT_S - 0.001) == []
    assert tracker.pending
    out = tracker.flush(10.0 + LOAD_TIMEOUT_S)
    assert [token for token, _ in out] == [1, 2]
    assert not tracker.pending
    assert tracker.flush(100.0) == []


def test_close_resolves_a_pending_load() -> None:
    feeder = Feeder()
    feeder.feed(["pre;FightLoaded"])
    out = feeder.tracker.close()
    assert [token for token, _ in out] == [1]
    assert feeder.tracker.current is not None and not feeder.tracker.pending
    assert feeder.tracker.close() == []


def test_reload_of_the_same_match_before_its_clock_started() -> None:
    feeder = Feeder()
    feeder.feed(load("101"))
    out = feeder.feed(load("101"))
    assert set(feeder.keys(out)) == {1}
    assert feeder.tracker.current is not None
    assert feeder.tracker.current.events == 24  # both load bursts are events of match 1
    assert feeder.tracker.drain_closed() == []


def test_other_match_number_or_athletes_is_a_new_match() -> None:
    feeder = Feeder()
    feeder.feed(load("101"))
    assert set(feeder.keys(feeder.feed(load("102")))) == {2}
    assert set(feeder.keys(feeder.feed(load("102", AT1_OTHER)))) == {3}
    closed = feeder.tracker.drain_closed()
    assert [(s.key, s.match_number, s.status) for s in closed] == [
        (1, "101", MatchStatus.LOADED),
        (2, "102", MatchStatus.LOADED),
    ]
    assert feeder.tracker.drain_closed() == []


def test_same_match_loaded_after_its_clock_ran_is_a_new_match_and_abandons_the_old() -> None:
    feeder = Feeder()
    feeder.feed([*load("101"), "clk;02:00;start", "clk;01:59", "clk;01:58;stop"])
    out = feeder.feed(load("101"))
    assert set(feeder.keys(out)) == {2}
    (old,) = feeder.tracker.drain_closed()
    assert (old.key, old.status, old.clock_started) == (1, MatchStatus.ABANDONED, True)
    assert feeder.tracker.current is not None
    assert feeder.tracker.current.status is MatchStatus.LOADED


def test_finished_match_is_closed_as_finished_and_late_wmh_still_updates_it() -> None:
    feeder = Feeder()
    feeder.feed([*load("101"), "clk;02:00;start", "win;BLUE", "wmh;Blue One;2-1 PTF"])
    out = feeder.feed(["wmh;Blue One;2-0 PTG", "Udp Port 8888 disconnected;"])
    assert feeder.keys(out) == [1, None]
    feeder.feed(load("102"))
    (old,) = feeder.tracker.drain_closed()
    assert old.status is MatchStatus.FINISHED
    assert old.outcome.result is not None and old.outcome.result.result_text == "2-0 PTG"


def test_second_pre_resolves_the_first_load() -> None:
    feeder = Feeder()
    feeder.feed(["pre;FightLoaded", AT1])
    out = feeder.feed(["pre;FightLoaded"])
    assert [token for token, _ in out] == [1, 2]
    assert feeder.tracker.pending
    out = feeder.feed([AT1_OTHER, mch("7")])
    assert feeder.keys(out) == [2, 2, 2]


def test_lost_mch_with_same_athletes_is_still_a_reload() -> None:
    feeder = Feeder()
    feeder.feed(load("101"))
    lines = [line for line in load("101") if not line.startswith("mch")]
    assert set(feeder.keys(feeder.feed(lines))) == {1}


def test_session_and_equipment_messages_are_never_placed() -> None:
    feeder = Feeder()
    feeder.feed(load("101"))
    lines = ["hel;", "inlb;50:", "hwt;3", "Udp Port 6000 disconnected;", "bye;"]
    assert feeder.keys(feeder.feed(lines)) == [None] * 5
    assert feeder.tracker.current is not None and feeder.tracker.current.events == 12


def test_every_token_is_placed_once_in_receive_order() -> None:
    feeder = Feeder()
    lines = [
        "hel;",
        *load("1"),
        "clk;02:00;start",
        "pt1;3",
        "Udp Port 8888 connected;",
        *load("2")[:3],
        "xyz",
        *load("2")[3:],
        "pre;FightLoaded",
    ]
    feeder.feed(lines)
    feeder.placed += feeder.tracker.close()
    assert [token for token, _ in feeder.placed] == list(range(1, len(lines) + 1))


def test_keys_start_at_first_key() -> None:
    tracker: MatchTracker[str] = MatchTracker(first_key=41)
    out = [tracker.feed(parse_text(line), 0.0, line) for line in load("1")]
    assert out[3][-1][1] is not None and out[3][-1][1].key == 41


def test_same_input_gives_same_keys_and_states() -> None:
    lines = [
        *load("1"),
        "clk;02:00;start",
        "pt1;3",
        *load("1"),
        *load("2"),
        *load("2"),
        "clk;02:00;start",
        "win;RED",
    ]

    def run() -> tuple[Placed, list[MatchState], MatchState | None]:
        feeder = Feeder()
        feeder.feed(lines)
        feeder.placed += feeder.tracker.close()
        return feeder.placed, feeder.tracker.drain_closed(), feeder.tracker.current

    first, second = run(), run()
    assert first == second
    placed, closed, current = first
    # 1 abandoned (clock ran, reloaded), 2 replaced before it started, 3 reloaded then played
    assert [(s.key, s.status) for s in closed] == [
        (1, MatchStatus.ABANDONED),
        (2, MatchStatus.LOADED),
    ]
    assert current is not None and (current.key, current.status) == (3, MatchStatus.FINISHED)
    assert [state.key if state else None for _, state in placed].count(3) == 26
