"""Hypothesis properties of the parser and encoder.

(a) `parse`/`parse_datagram` never raise and never hit their own internal-error fallback, on
    arbitrary bytes and on real datagrams with bytes inserted, deleted or replaced.
(b) `parse(encode(m)) == m` for every message type, with values the real sender can write.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.protocol import encode, encode_text, parse, parse_datagram, parse_text, status_of
from app.protocol.messages import (
    VALID_TYPES,
    Athlete,
    Athletes,
    Avt,
    Break,
    Bye,
    Challenge,
    ChallengeState,
    Clock,
    ClockAction,
    ClockTime,
    FightLoaded,
    FightReady,
    HardwareTest,
    Hello,
    HitLevel,
    Injury,
    InjuryAction,
    Leader,
    LedSetting,
    Malformed,
    MatchConfig,
    MatchResult,
    Message,
    Official,
    ParseStatus,
    Penalties,
    Point,
    Referees,
    Round,
    RoundScore,
    RoundScores,
    RoundStats,
    RoundStatsReset,
    RoundWinner,
    RoundWinners,
    Score,
    Side,
    TimeOut,
    UdpPortStatus,
    Unknown,
    Winner,
    WinnerColour,
)
from app.protocol.parser import ParsedLine
from tests.protocol.sample_files import seed_datagrams

# Modest example counts: the whole file must run in well under 20 s on a shared 2-core machine.
# The autouse thread-leak fixture of tests/conftest.py is harmless across examples.
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ROBUST = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

INTERNAL_ERROR = "internal parser error"


# --- (a) robustness -------------------------------------------------------------------------------
def check_parsed(lines: tuple[ParsedLine, ...]) -> None:
    assert isinstance(lines, tuple) and len(lines) >= 1
    for index, line in enumerate(lines):
        assert line.index == index
        message = line.message
        if isinstance(message, Unknown | Malformed):
            assert not message.reason.startswith(INTERNAL_ERROR), message
            assert message.raw == line.text  # README §6: what is not understood keeps its text
        else:
            assert type(message) in VALID_TYPES
            assert status_of(message) is ParseStatus.OK


def check_parse(datagram: bytes) -> None:
    check_parsed(parse_datagram(datagram))
    message = parse(datagram)
    if isinstance(message, Unknown | Malformed):
        assert not message.reason.startswith(INTERNAL_ERROR), message


@ROBUST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_break_the_parser(datagram: bytes) -> None:
    check_parse(datagram)


@ROBUST
@given(st.text(max_size=200))
def test_arbitrary_text_never_breaks_the_parser(text: str) -> None:
    message = parse_text(text)
    if isinstance(message, Unknown | Malformed):
        assert not message.reason.startswith(INTERNAL_ERROR), message
    check_parse(text.encode("utf-8", "surrogatepass"))


#: Bytes worth inserting: separators, terminators, markers, signs, UTF-8 lead bytes, BOM, NUL.
TOKENS = (
    b";",
    b";;",
    b"\r\n",
    b"\r",
    b"\n",
    b"\x00",
    b" ",
    b"\t",
    b"-",
    b"-1",
    b":",
    b".",
    b"0",
    b"9" * 30,
    b"\xc3",
    b"\xc4\x87",
    b"\xef\xbb\xbf",
    b"\xff",
    b"at2",
    b"ju1",
    b"ta",
    b"st1",
    b"st2",
    b"rd1",
    b"sc2",
    b"wg2",
    b"s11",
    b"{",
)


@st.composite
def mutated_datagrams(draw: st.DrawFn) -> bytes:
    seeds = seed_datagrams()
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(("insert", "delete", "replace", "token", "cut")))
        position = draw(st.integers(0, len(data)))
        if operation == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=3))
        elif operation == "token":
            data[position:position] = draw(st.sampled_from(TOKENS))
        elif operation == "delete":
            del data[position : position + draw(st.integers(1, 4))]
        elif operation == "replace" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif operation == "cut":
            del data[position:]
    return bytes(data)


@ROBUST
@given(mutated_datagrams())
def test_mutated_real_datagrams_never_break_the_parser(datagram: bytes) -> None:
    check_parse(datagram)


@st.composite
def shuffled_datagrams(draw: st.DrawFn) -> bytes:
    """Fields of a real line, permuted, repeated or dropped: known codes with wrong layouts."""
    fields = draw(st.sampled_from(seed_datagrams())).split(b";")
    head, rest = fields[:1], fields[1:]
    rest = draw(st.permutations(rest)) if rest else rest
    repeat, drop = draw(st.booleans()), draw(st.booleans())
    if rest and repeat:
        rest = [*rest, draw(st.sampled_from(rest))]
    if rest and drop:
        rest = rest[: draw(st.integers(0, len(rest)))]
    return b";".join([*head, *rest])


@ROBUST
@given(shuffled_datagrams())
def test_shuffled_real_datagrams_never_break_the_parser(datagram: bytes) -> None:
    check_parse(datagram)


# --- (b) round trip -------------------------------------------------------------------------------
#: Inner markers the parser searches for; a text field equal to one of them (in any case) would be
#: read as a marker, and the real sender never writes such a name.
MARKERS = frozenset(
    {"at1", "at2", "ta", "st1", "st2", "sc1", "sc2", "wg1", "wg2"}
    | {f"ju{n}" for n in range(1, 10)}
    | {f"rd{n}" for n in range(1, 10)}
    | {f"s{side}{n}" for side in (1, 2) for n in range(1, 10)}
)

#: Characters the sender can put in a text field: no separator, no control characters (which
#: includes CR, LF, NUL and C1), no surrogates, no U+FFFD (the mark of undecodable input).
CHARACTERS = st.characters(
    codec="utf-8", exclude_categories=("Cc", "Cs"), exclude_characters=";\ufffd"
)


def is_sender_text(value: str) -> bool:
    return value == value.strip() and value.lower() not in MARKERS


TEXT = st.text(CHARACTERS, max_size=24).filter(is_sender_text)
NAME = st.text(CHARACTERS, min_size=1, max_size=24).filter(is_sender_text)
NOC = st.one_of(st.sampled_from(["", "CRO", "GER", "KOR", "CHI", "IND"]), TEXT)
SIDE = st.sampled_from(Side)
OPTIONAL_SIDE = st.one_of(st.none(), SIDE)
COUNT = st.integers(0, 99)


@st.composite
def clock_times(draw: st.DrawFn) -> ClockTime:
    """The text always agrees with the seconds: ticks `mm:ss`, end events `m:ss`, spec seconds."""
    style = draw(st.sampled_from(("mm:ss", "m:ss", "seconds")))
    limit = 999 if style == "seconds" else 99 * 60 + 59
    return ClockTime.from_seconds(draw(st.integers(0, limit)), style)


CLOCK_ACTION = st.one_of(st.none(), st.sampled_from(ClockAction))


@st.composite
def challenges(draw: st.DrawFn) -> Challenge:
    state = draw(st.sampled_from(ChallengeState))
    won = draw(st.one_of(st.none(), st.booleans())) if state is ChallengeState.ACCEPTED else None
    return Challenge(draw(OPTIONAL_SIDE), state, won)


@st.composite
def match_results(draw: st.DrawFn) -> MatchResult:
    name = draw(st.one_of(st.just(""), NAME))
    figures = st.builds(
        lambda b, r, decision: f"{b}-{r} {decision}",
        st.integers(0, 20),
        st.integers(0, 20),
        st.sampled_from(["PTF", "PTG", "GDP", "SUP", "RSC", "WDR", "DSQ", "PUN", "DQB", "PTS"]),
    )
    result = draw(st.one_of(figures, NAME))
    # The spec allows a missing classification, but with an empty name (`wmh;`) nothing is left
    # to tell it from a bare `wmh`: the sender names a classification when no one won (`wmh;;0-0
    # WDR`), so an empty name always comes with one.
    if name and draw(st.booleans()):
        return MatchResult(name, None)
    return MatchResult(name, result)


@st.composite
def score_halves(draw: st.DrawFn) -> tuple[int | None, int | None]:
    """At least one half: a datagram with neither (`""`) cannot be written."""
    blue, red = draw(st.one_of(st.none(), COUNT)), draw(st.one_of(st.none(), COUNT))
    if blue is None and red is None:
        blue = draw(COUNT)
    return blue, red


OFFICIAL = st.builds(Official, st.one_of(st.just(""), NAME), NOC)
ATHLETE = st.builds(Athlete, NAME, TEXT, NOC)
COLOUR = st.sampled_from(["#0000ff", "#FFFFFF", "#ff0000", "#000000"])
LED = st.one_of(
    st.builds(LedSetting, st.just("inlb"), st.integers(0, 100).map(str)),
    st.builds(LedSetting, st.just("insl"), st.sampled_from(["true", "false"])),
    st.builds(LedSetting, st.just("inth"), st.integers(0, 10_000).map(str)),
)

STRATEGIES: dict[type, st.SearchStrategy[Message]] = {
    UdpPortStatus: st.builds(UdpPortStatus, st.integers(1, 65535), st.booleans()),
    Hello: st.just(Hello()),
    Bye: st.just(Bye()),
    LedSetting: LED,
    HardwareTest: st.builds(HardwareTest, st.integers(0, 5)),
    FightLoaded: st.just(FightLoaded()),
    FightReady: st.just(FightReady()),
    Referees: st.builds(
        Referees,
        OFFICIAL,
        st.lists(OFFICIAL, max_size=3).map(tuple),
        st.one_of(st.none(), OFFICIAL),
    ),
    Athletes: st.builds(Athletes, ATHLETE, ATHLETE),
    MatchConfig: st.builds(
        MatchConfig,
        match_number=st.one_of(st.integers(1, 9999).map(str), st.just("245.A"), NAME),
        phase=TEXT,
        category=TEXT,
        field4=st.one_of(st.sampled_from(["0", ""]), TEXT),
        blue_background=COLOUR,
        blue_text=COLOUR,
        red_background=COLOUR,
        red_text=COLOUR,
        match_id=st.one_of(st.just("null"), TEXT),
        division=TEXT,
        rounds=st.integers(1, 9),
        round_seconds=st.integers(1, 3600),
        clock_direction=st.sampled_from(["cntDown", "cntUp"]),
        field14=st.one_of(st.none(), st.integers(-99, 999)),
        field15=st.one_of(st.none(), st.integers(-99, 999)),
    ),
    Avt: st.builds(Avt, st.integers(0, 999)),
    Clock: st.builds(Clock, clock_times(), CLOCK_ACTION),
    Break: st.builds(Break, clock_times(), CLOCK_ACTION),
    Injury: st.builds(
        Injury, OPTIONAL_SIDE, clock_times(), st.one_of(st.none(), st.sampled_from(InjuryAction))
    ),
    TimeOut: st.builds(TimeOut, SIDE, clock_times(), CLOCK_ACTION),
    Round: st.builds(Round, st.integers(1, 9)),
    Point: st.builds(Point, SIDE, st.integers(1, 5)),
    HitLevel: st.builds(HitLevel, SIDE, st.integers(1, 100)),
    Score: score_halves().map(lambda halves: Score(*halves)),
    RoundScores: st.lists(
        st.builds(RoundScore, SIDE, st.integers(1, 9), COUNT), min_size=1, max_size=8
    ).map(lambda entries: RoundScores(tuple(entries))),
    Leader: st.builds(Leader, OPTIONAL_SIDE),
    Penalties: score_halves().map(lambda halves: Penalties(*halves)),
    Challenge: challenges(),
    RoundWinners: st.lists(
        st.builds(RoundWinner, st.integers(1, 9), OPTIONAL_SIDE), min_size=1, max_size=5
    ).map(lambda entries: RoundWinners(tuple(entries))),
    RoundStats: st.builds(
        RoundStats,
        st.integers(1, 9),
        st.tuples(*[COUNT] * 6),
        st.tuples(*[COUNT] * 6),
    ),
    RoundStatsReset: st.just(RoundStatsReset()),
    Winner: st.builds(Winner, st.sampled_from(WinnerColour)),
    MatchResult: match_results(),
}


def test_strategies_cover_every_valid_type() -> None:
    assert set(STRATEGIES) == set(VALID_TYPES)


TYPES = sorted(STRATEGIES, key=lambda kind: kind.__name__)
Check = Callable[[Message], None]


@pytest.mark.parametrize("kind", TYPES, ids=[kind.__name__ for kind in TYPES])
@FAST
@given(data=st.data())
def test_round_trip(kind: type, data: st.DataObject) -> None:
    message = data.draw(STRATEGIES[kind])
    assert type(message) is kind
    datagram = encode(message)
    assert parse(datagram) == message, datagram
    assert parse_text(encode_text(message)) == message
    (line,) = parse_datagram(datagram)
    assert (line.message, line.encoding_error) == (message, False)


FRAMING = st.tuples(
    st.sampled_from(["", "\r\n", "\n", "\r", "\r\n\x00\x00"]),  # terminator
    st.sampled_from(["", " ", "\t", "\ufeff"]),  # before the code
    st.sampled_from(["", " ", "\t "]),  # after the last field
    st.booleans(),  # add one trailing `;` where the sender wrote none
)


@pytest.mark.parametrize("kind", TYPES, ids=[kind.__name__ for kind in TYPES])
@FAST
@given(data=st.data(), framing=FRAMING)
def test_round_trip_tolerates_framing(
    kind: type, data: st.DataObject, framing: tuple[str, str, str, bool]
) -> None:
    """Any terminator, surrounding blanks, a BOM, and one optional trailing `;` (README §5.1)."""
    terminator, before, after, semicolon = framing
    message = data.draw(STRATEGIES[kind])
    text = encode_text(message)
    if semicolon and not text.endswith(";"):
        text += ";"
    datagram = (before + text + after).encode("utf-8") + terminator.encode()
    assert parse(datagram) == message, datagram


@FAST
@given(st.lists(st.one_of(*STRATEGIES.values()), min_size=2, max_size=6))
def test_several_messages_in_one_datagram_split_in_order(messages: list[Message]) -> None:
    datagram = b"".join(encode(message) for message in messages)
    parsed = parse_datagram(datagram)
    assert [line.message for line in parsed] == messages
    assert [line.index for line in parsed] == list(range(len(messages)))
