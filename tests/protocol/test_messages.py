"""Example-based tests: every message type, every real odd line, and the framing tolerances."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    Technique,
    TimeOut,
    UdpPortStatus,
    Unknown,
    Winner,
    WinnerColour,
)
from app.protocol.parser import KNOWN_CODES, MAX_LINE_CHARS, decode, split_lines
from tests.protocol.sample_files import read_lines

BLUE, RED = Side.BLUE, Side.RED
NOBODY = Official("", "")


def t(text: str, seconds: int) -> ClockTime:
    return ClockTime(seconds, text)


def mch(**changes: object) -> MatchConfig:
    """The real `mch;245.A;Bronze medal contest;…` with some fields changed."""
    fields: dict[str, object] = {
        "match_number": "245.A",
        "phase": "Bronze medal contest",
        "category": "M +87kg",
        "field4": "0",
        "blue_background": "#0000ff",
        "blue_text": "#FFFFFF",
        "red_background": "#ff0000",
        "red_text": "#FFFFFF",
        "match_id": "null",
        "division": "Under 21",
        "rounds": 3,
        "round_seconds": 120,
        "clock_direction": "cntDown",
        "field14": 23,
        "field15": 5,
    }
    fields.update(changes)
    return MatchConfig(**fields)  # type: ignore[arg-type]


MCH_245A = "mch;245.A;Bronze medal contest;M +87kg;0;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Under 21;3;120;cntDown;23;5;"  # noqa: E501
SIX_PAIRS = "s11;12;s21;11;s12;0;s22;0;s13;0;s23;1"
SIX_PAIRS_MESSAGE = RoundScores(
    (
        RoundScore(BLUE, 1, 12),
        RoundScore(RED, 1, 11),
        RoundScore(BLUE, 2, 0),
        RoundScore(RED, 2, 0),
        RoundScore(BLUE, 3, 0),
        RoundScore(RED, 3, 1),
    )
)

# --- one or more valid examples per message type ---------------------------------------------
EXAMPLES: list[tuple[str, Message]] = [
    ("Udp Port 8888 connected;", UdpPortStatus(8888, connected=True)),
    ("Udp Port 6000 disconnected;", UdpPortStatus(6000, connected=False)),
    ("Udp Port 6000 connected", UdpPortStatus(6000, connected=True)),
    ("hel;", Hello()),
    ("bye;", Bye()),
    ("bye", Bye()),
    ("inlb;50:", LedSetting("inlb", "50")),
    ("insl;true:", LedSetting("insl", "true")),
    ("inth;1000:", LedSetting("inth", "1000")),
    ("hwt;0", HardwareTest(0)),
    ("hwt;5", HardwareTest(5)),
    ("pre;FightLoaded", FightLoaded()),
    ("rdy;FightReady", FightReady()),
    ("ref;;;ju1;;;ju2;;;ta;;;", Referees(NOBODY, (NOBODY, NOBODY), NOBODY)),
    (
        "ref;J. PARK;KOR;ju1;A. SILVA;BRA;ju2;M. DUBOIS;FRA;ta;;;",
        Referees(
            Official("J. PARK", "KOR"),
            (Official("A. SILVA", "BRA"), Official("M. DUBOIS", "FRA")),
            NOBODY,
        ),
    ),
    # [src] writes ju3 instead of ta and leaves unknown fields out: find markers, do not count.
    (
        "ref;J. PARK;KOR;ju1;A. SILVA;ju2;;ju3;M. DUBOIS;FRA",
        Referees(
            Official("J. PARK", "KOR"),
            (Official("A. SILVA", ""), NOBODY, Official("M. DUBOIS", "FRA")),
            None,
        ),
    ),
    (
        "at1;N. DESMOND;Nicolas DESMOND;FRA;at2;Perica;Perica;CRO",
        Athletes(
            Athlete("N. DESMOND", "Nicolas DESMOND", "FRA"), Athlete("Perica", "Perica", "CRO")
        ),
    ),
    (MCH_245A, mch()),
    # [src] leaves field 4 empty; fields 14/15 may be missing.
    (
        "mch;101;Final;MEN -68kg;;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Seniors;3;120;cntUp",
        mch(
            match_number="101",
            phase="Final",
            category="MEN -68kg",
            field4="",
            division="Seniors",
            clock_direction="cntUp",
            field14=None,
            field15=None,
        ),
    ),
    ("avt;0", Avt(0)),
    ("clk;02:00", Clock(t("02:00", 120), None)),
    ("clk;02:00;start", Clock(t("02:00", 120), ClockAction.START)),
    ("clk;01:45;stop", Clock(t("01:45", 105), ClockAction.STOP)),
    ("clk;0:00;stopEnd", Clock(t("0:00", 0), ClockAction.STOP_END)),
    ("clk;01:30;corr", Clock(t("01:30", 90), ClockAction.CORR)),
    ("brk;00:59", Break(t("00:59", 59), None)),
    ("brk;00:30;stop", Break(t("00:30", 30), ClockAction.STOP)),
    ("ij0;01:00;show", Injury(None, t("01:00", 60), InjuryAction.SHOW)),
    ("ij1;00:40;hide", Injury(BLUE, t("00:40", 40), InjuryAction.HIDE)),
    ("ij2;01:00;reset", Injury(RED, t("01:00", 60), InjuryAction.RESET)),
    ("ij2;00:59", Injury(RED, t("00:59", 59), None)),
    ("to1;01:00;start", TimeOut(BLUE, t("01:00", 60), ClockAction.START)),
    ("to2;00:59", TimeOut(RED, t("00:59", 59), None)),
    ("to2;0:00;stopEnd", TimeOut(RED, t("0:00", 0), ClockAction.STOP_END)),
    ("rnd;1", Round(1)),
    ("rnd;4", Round(4)),
    ("pt1;1", Point(BLUE, 1)),
    ("pt2;5", Point(RED, 5)),
    ("hl1;1", HitLevel(BLUE, 1)),
    ("hl2;100", HitLevel(RED, 100)),
    ("sc1;4;sc2;5", Score(4, 5)),
    ("sc2;5;sc1;4", Score(4, 5)),
    ("sc1;7", Score(7, None)),
    ("sc2;0", Score(None, 0)),
    (SIX_PAIRS, SIX_PAIRS_MESSAGE),
    ("s23;4;s11;2", RoundScores((RoundScore(RED, 3, 4), RoundScore(BLUE, 1, 2)))),
    ("sup;0", Leader(None)),
    ("sup;1", Leader(BLUE)),
    ("sup;2", Leader(RED)),
    ("wg1;1;wg2;0", Penalties(1, 0)),
    ("wg2;3", Penalties(None, 3)),
    ("ch1;", Challenge(BLUE, ChallengeState.REQUESTED, None)),
    ("ch2", Challenge(RED, ChallengeState.REQUESTED, None)),
    ("ch0;1", Challenge(None, ChallengeState.ACCEPTED, None)),
    ("ch2;0", Challenge(RED, ChallengeState.REJECTED, None)),
    ("ch1;1;1", Challenge(BLUE, ChallengeState.ACCEPTED, True)),
    ("ch1;1;0", Challenge(BLUE, ChallengeState.ACCEPTED, False)),
    ("ch1;-1", Challenge(BLUE, ChallengeState.CLOSED, None)),
    (
        "wrd;rd1;2;rd2;1;rd3;0",
        RoundWinners((RoundWinner(1, RED), RoundWinner(2, BLUE), RoundWinner(3, None))),
    ),
    (
        "rst;1;st1;2;2;2;0;0;0;st2;1;3;0;0;0;0;",
        RoundStats(1, (2, 2, 2, 0, 0, 0), (1, 3, 0, 0, 0, 0)),
    ),
    ("rsr;", RoundStatsReset()),
    ("win;BLUE", Winner(WinnerColour.BLUE)),
    ("win;RED", Winner(WinnerColour.RED)),
    ("win;TIE", Winner(WinnerColour.TIE)),
    ("wmh;Perica;2-1 PTF", MatchResult("Perica", "2-1 PTF")),
    ("wmh;Luka NOVAK", MatchResult("Luka NOVAK", None)),
]


def test_examples_cover_every_valid_type() -> None:
    assert {type(message) for _, message in EXAMPLES} == set(VALID_TYPES)


@pytest.mark.parametrize(("line", "expected"), EXAMPLES, ids=[line for line, _ in EXAMPLES])
def test_example_parses(line: str, expected: Message) -> None:
    message = parse_text(line)
    assert message == expected
    assert status_of(message) is ParseStatus.OK


# --- every real odd line, with its values --------------------------------------------------------
ODD_LINES: dict[str, Message] = {
    "ref;;;ju1;;;ju2;;;ta;;;": Referees(NOBODY, (NOBODY, NOBODY), NOBODY),
    "rsr;": RoundStatsReset(),
    "Udp Port 8888 connected;": UdpPortStatus(8888, connected=True),
    "Udp Port 8888 disconnected;": UdpPortStatus(8888, connected=False),
    MCH_245A: mch(),
    "mch;9999;Round of 128;W -67kg;0;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Under 21;3;120;cntDown;18;5;": mch(  # noqa: E501
        match_number="9999", phase="Round of 128", category="W -67kg", field14=18
    ),
    SIX_PAIRS: SIX_PAIRS_MESSAGE,
    "sc1;0;sc2;1": Score(0, 1),
    "sup;0": Leader(None),
    "sup;2": Leader(RED),
    "rst;1;st1;2;2;2;0;0;0;st2;1;3;0;0;0;0;": RoundStats(1, (2, 2, 2, 0, 0, 0), (1, 3, 0, 0, 0, 0)),
    "rst;3;st1;0;0;0;0;0;1;st2;0;0;0;0;0;2;": RoundStats(3, (0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 0, 2)),
    "win;TIE": Winner(WinnerColour.TIE),
    "wmh;;0-0 WDR": MatchResult("", "0-0 WDR"),
    "wmh;;0-1 WDR": MatchResult("", "0-1 WDR"),
    "wmh;Damjan Mitrić;1-2 PTF": MatchResult("Damjan Mitrić", "1-2 PTF"),
    "wmh;Damjan Mitrić;0-1 SUP": MatchResult("Damjan Mitrić", "0-1 SUP"),
    "at1;Marko Drakulić;Marko Drakulić;CRO;at2;Damjan Mitrić;Damjan Mitrić;CRO": Athletes(
        Athlete("Marko Drakulić", "Marko Drakulić", "CRO"),
        Athlete("Damjan Mitrić", "Damjan Mitrić", "CRO"),
    ),
    "at1;Metko Kalašnjikov;Metko Kalašnjikov;RUS;at2;Donald Zelensky;Donald Zelensky;UKR": (
        Athletes(
            Athlete("Metko Kalašnjikov", "Metko Kalašnjikov", "RUS"),
            Athlete("Donald Zelensky", "Donald Zelensky", "UKR"),
        )
    ),
    "at1;Perica;Perica;CRO;at2;Stevica;Stevica;GER": Athletes(
        Athlete("Perica", "Perica", "CRO"), Athlete("Stevica", "Stevica", "GER")
    ),
    "clk;02:00": Clock(t("02:00", 120), None),
    "clk;0:00;stopEnd": Clock(t("0:00", 0), ClockAction.STOP_END),
    "clk;00:00;stop": Clock(t("00:00", 0), ClockAction.STOP),
    "clk;01:27;stop": Clock(t("01:27", 87), ClockAction.STOP),
    "brk;00:00": Break(t("00:00", 0), None),
    "brk;0:00;stopEnd": Break(t("0:00", 0), ClockAction.STOP_END),
    "ij0;01:00;show": Injury(None, t("01:00", 60), InjuryAction.SHOW),
    "ij0;00:00;hide": Injury(None, t("00:00", 0), InjuryAction.HIDE),
    "ij0;0:00;hide": Injury(None, t("0:00", 0), InjuryAction.HIDE),
    "ch1;": Challenge(BLUE, ChallengeState.REQUESTED, None),
    "ch1;1": Challenge(BLUE, ChallengeState.ACCEPTED, None),
    "ch1;-1": Challenge(BLUE, ChallengeState.CLOSED, None),
    "pre;FightLoaded": FightLoaded(),
}


def test_every_odd_line_has_an_assertion(samples_dir: Path) -> None:
    """A new row in real_odd_lines.tsv must be added to ODD_LINES."""
    lines = [line.datagram for line in read_lines(samples_dir / "real_odd_lines.tsv")]
    assert sorted(lines) == sorted(ODD_LINES)


@pytest.mark.parametrize(("line", "expected"), list(ODD_LINES.items()), ids=list(ODD_LINES))
def test_odd_line_values(line: str, expected: Message) -> None:
    assert parse_text(line) == expected


def test_odd_wmh_empty_winner_keeps_figures_and_decision() -> None:
    result = parse_text("wmh;;0-0 WDR")
    assert isinstance(result, MatchResult)
    assert result.winner_name == ""
    assert result.figures == (0, 0)
    assert result.decision == "WDR"
    # README §2.7: the figures are display text and may contradict wrd; keep what was sent.
    other = parse_text("wmh;Damjan Mitrić;1-2 PTF")
    assert isinstance(other, MatchResult)
    assert (other.figures, other.decision) == ((1, 2), "PTF")


def test_odd_mch_keeps_text_fields_as_text() -> None:
    config = parse_text(MCH_245A)
    assert isinstance(config, MatchConfig)
    assert config.match_number == "245.A"  # never cast to int (README §5.3)
    assert config.match_id == "null"  # the literal text, not None
    assert config.field4 == "0"
    assert (config.field14, config.field15) == (23, 5)  # neutral names (README §5.4)
    assert (config.rounds, config.round_seconds) == (3, 120)


@pytest.mark.parametrize(
    ("line", "seconds", "text"),
    [
        ("clk;01:59", 119, "01:59"),  # mm:ss tick
        ("clk;0:00;stopEnd", 0, "0:00"),  # m:ss at the end of a period
        ("clk;2:00;start;", 120, "2:00"),  # spec style
        ("brk;58", 58, "58"),  # plain seconds (spec)
        ("clk;120", 120, "120"),
        ("clk;0.00;stopEnd;", 0, "0.00"),  # m.ss (KP&P)
        ("clk;1.05", 65, "1.05"),
        ("clk;10:00", 600, "10:00"),
        ("ij0;00:44;hide", 44, "00:44"),
        ("to1;99:59", 5999, "99:59"),
    ],
)
def test_mixed_clock_formats_give_whole_seconds(line: str, seconds: int, text: str) -> None:
    message = parse_text(line)
    assert isinstance(message, Clock | Break | Injury | TimeOut)
    assert message.time == ClockTime(seconds, text)  # the original text is kept


def test_challenge_minus_one_is_closed_not_rejected() -> None:
    assert parse_text("ch1;-1") == Challenge(BLUE, ChallengeState.CLOSED, None)
    assert parse_text("ch1;0") == Challenge(BLUE, ChallengeState.REJECTED, None)


def test_win_tie_has_no_side() -> None:
    winner = parse_text("win;TIE")
    assert winner == Winner(WinnerColour.TIE)
    assert isinstance(winner, Winner) and winner.colour.side is None
    assert WinnerColour.BLUE.side is BLUE and WinnerColour.RED.side is RED


# --- bad input per type: status, code and reason ----------------------------------------------
BAD: list[tuple[str, ParseStatus, str, str]] = [
    # line, status, code, substring of the reason
    ("Udp Port 6000 connectedx;", ParseStatus.UNKNOWN, "", "not WT UDP text"),
    ("Udp Port 6000 diſconnected;", ParseStatus.UNKNOWN, "", "not WT UDP text"),  # long s
    ("Udp Port ٦٠٠٠ connected;", ParseStatus.UNKNOWN, "", "not WT UDP text"),  # Arabic digits
    ("inlb", ParseStatus.MALFORMED, "inlb", "missing value"),
    ("hwt;6", ParseStatus.MALFORMED, "hwt", "outside 0-5"),
    ("pre;FightReady", ParseStatus.MALFORMED, "pre", "expected pre;FightLoaded"),
    ("rdy", ParseStatus.MALFORMED, "rdy", "expected rdy;FightReady"),
    ("ref;;;ta;a;b;ta;c;d;", ParseStatus.MALFORMED, "ref", "repeated ta marker"),
    ("at1;A;A;KOR", ParseStatus.MALFORMED, "at1", "without at2 marker"),
    ("at1;;;KOR;at2;B;B;JPN", ParseStatus.MALFORMED, "at1", "missing blue athlete name"),
    ("at1;A;A;KOR;at2;;;JPN", ParseStatus.MALFORMED, "at1", "missing red athlete name"),
    ("at1;A;at2;B;B;JPN", ParseStatus.MALFORMED, "at1", "blue athlete block has 1 fields"),
    ("at2;B;B;JPN", ParseStatus.UNKNOWN, "at2", "unknown code"),
    ("mch;101;Final", ParseStatus.MALFORMED, "mch", "cut short"),
    (MCH_245A.replace(";3;120;", ";x;120;"), ParseStatus.MALFORMED, "mch", "round count"),
    (MCH_245A.replace(";3;120;", ";3;0;"), ParseStatus.MALFORMED, "mch", "round length"),
    (MCH_245A.replace(";245.A;", ";;"), ParseStatus.MALFORMED, "mch", "empty match number"),
    (MCH_245A.replace(";23;5;", ";high;5;"), ParseStatus.MALFORMED, "mch", "field 14"),
    ("avt;x", ParseStatus.MALFORMED, "avt", "not a number"),
    ("clk", ParseStatus.MALFORMED, "clk", "missing time"),
    ("clk;01:60", ParseStatus.MALFORMED, "clk", "seconds out of range"),
    ("clk;1:60;stop", ParseStatus.MALFORMED, "clk", "seconds out of range"),
    ("clk;001:00", ParseStatus.MALFORMED, "clk", "bad time"),
    ("clk;1000", ParseStatus.MALFORMED, "clk", "bad time"),
    ("clk;-1", ParseStatus.MALFORMED, "clk", "bad time"),
    ("clk;01:59;pause", ParseStatus.UNKNOWN, "clk", "unknown clk action 'pause'"),
    ("brk;00:59;show", ParseStatus.UNKNOWN, "brk", "unknown brk action"),
    ("ij0;01:00;start", ParseStatus.UNKNOWN, "ij0", "unknown ij0 action"),
    ("ij3;01:00", ParseStatus.UNKNOWN, "ij3", "unknown code"),
    ("to1", ParseStatus.MALFORMED, "to1", "missing time"),
    ("to0;01:00", ParseStatus.UNKNOWN, "to0", "unknown code"),
    ("rnd;10", ParseStatus.MALFORMED, "rnd", "outside 1-9"),
    ("rnd;1.5", ParseStatus.MALFORMED, "rnd", "not a number"),
    ("pt1;0", ParseStatus.MALFORMED, "pt1", "outside 1-5"),
    ("pt3;1", ParseStatus.UNKNOWN, "pt3", "unknown code"),
    ("hl2;0", ParseStatus.MALFORMED, "hl2", "outside 1-100"),
    ("sc1;3;sc2", ParseStatus.MALFORMED, "sc1", "missing value after 'sc2'"),
    ("sc1;-1;sc2;0", ParseStatus.MALFORMED, "sc1", "outside 0-"),
    ("sc1;1;sc1;2", ParseStatus.MALFORMED, "sc1", "repeated marker 'sc1'"),
    ("sc1;1;wg2;2", ParseStatus.MALFORMED, "sc1", "unexpected marker 'wg2'"),
    ("s11;1;s20;2", ParseStatus.MALFORMED, "s11", "unexpected marker 's20'"),
    ("s11;x", ParseStatus.MALFORMED, "s11", "not a number"),
    ("s31;1", ParseStatus.UNKNOWN, "s31", "unknown code"),
    ("sup;3", ParseStatus.MALFORMED, "sup", "outside 0-2"),
    ("sup;", ParseStatus.MALFORMED, "sup", "missing leader"),
    ("wg1;1;wg1;1", ParseStatus.MALFORMED, "wg1", "repeated marker"),
    ("ch1;2", ParseStatus.MALFORMED, "ch1", "outside -1-1"),
    ("ch1;1;2", ParseStatus.MALFORMED, "ch1", "outside 0-1"),
    ("ch1;0;1", ParseStatus.MALFORMED, "ch1", "not accepted"),
    ("ch1;-1;0", ParseStatus.MALFORMED, "ch1", "not accepted"),
    ("wrd;rd1;1;rd2", ParseStatus.MALFORMED, "wrd", "missing value after 'rd2'"),
    ("wrd;rd1;3", ParseStatus.MALFORMED, "wrd", "outside 0-2"),
    ("wrd;st1;1", ParseStatus.MALFORMED, "wrd", "unexpected marker"),
    ("rst;1;2;2;st2;1;", ParseStatus.MALFORMED, "rst", "without st1/st2"),
    ("rst;1;st2;1;st1;2;", ParseStatus.MALFORMED, "rst", "without st1/st2"),
    ("rst;1;0;st1;1;st2;2", ParseStatus.MALFORMED, "rst", "before st1"),
    ("rst;1;st1;x;st2;1", ParseStatus.MALFORMED, "rst", "blue counter"),
    ("rst;st1;1;st2;1", ParseStatus.MALFORMED, "rst", "round is not a number"),
    ("win;GREEN", ParseStatus.MALFORMED, "win", "not BLUE, RED or TIE"),
    ("wmh", ParseStatus.MALFORMED, "wmh", "missing winner name"),
    ("xyz;1", ParseStatus.UNKNOWN, "xyz", "unknown code 'xyz'"),
    ("RoundStart: 1", ParseStatus.UNKNOWN, "", "not WT UDP text"),  # the RT broadcast feed
    ('{"a":1}', ParseStatus.UNKNOWN, "", "not WT UDP text"),
    ("<xml/>", ParseStatus.UNKNOWN, "", "not WT UDP text"),
    ("pt1;3\x07", ParseStatus.UNKNOWN, "", "control"),
    ("pt1;\ufffd", ParseStatus.UNKNOWN, "", "undecodable"),
    (";3", ParseStatus.UNKNOWN, "", "no message code"),
    ("pt1;" + "1" * MAX_LINE_CHARS, ParseStatus.UNKNOWN, "", "not WT UDP text: line of"),
    # int() refuses more than 4,300 digits: the line limit must keep that from becoming an error
    ("pt1;" + "9" * (MAX_LINE_CHARS - 4), ParseStatus.MALFORMED, "pt1", "outside 1-5"),
]


@pytest.mark.parametrize(
    ("line", "status", "code", "reason"), BAD, ids=[line[:40] for line, *_ in BAD]
)
def test_bad_input(line: str, status: ParseStatus, code: str, reason: str) -> None:
    message = parse_text(line)
    assert status_of(message) is status, message
    assert isinstance(message, Unknown | Malformed)
    assert message.code == code
    assert reason in message.reason
    assert message.raw == line


#: Codes sharing a handler with a code that BAD already covers.
PARTNERS = {
    "bye": "hel",
    "insl": "inlb",
    "inth": "inlb",
    "ij1": "ij0",
    "ij2": "ij0",
    "to2": "to1",
    "pt2": "pt1",
    "hl1": "hl2",
    "sc2": "sc1",
    "wg2": "wg1",
    "ch0": "ch1",
    "ch2": "ch1",
}


#: Codes without fields: extra fields are tolerated, so no input with that code is bad.
NO_BAD_FORM = {"hel", "bye", "rsr"}


def test_bad_examples_cover_every_known_code() -> None:
    covered = {code for _, _, code, _ in BAD} | NO_BAD_FORM
    assert {code for code in KNOWN_CODES if PARTNERS.get(code, code) not in covered} == set()


# --- framing tolerance (README §1, §5.1, §5.2, §6.3) ----------------------------------------------
@pytest.mark.parametrize("terminator", [b"", b"\r\n", b"\n", b"\r", b"\n\r", b"\x00", b"\r\n\x00"])
@pytest.mark.parametrize("line", [line for line, _ in EXAMPLES[:: max(1, len(EXAMPLES) // 12)]])
def test_any_terminator(line: str, terminator: bytes) -> None:
    (parsed,) = parse_datagram(line.encode("utf-8") + terminator)
    assert parsed.message == parse_text(line)
    assert status_of(parsed.message) is ParseStatus.OK


@pytest.mark.parametrize(
    ("with_semicolon", "without"),
    [
        ("pt1;3;", "pt1;3"),
        ("clk;2:00;start;", "clk;2:00;start"),
        ("sc1;3;sc2;4;", "sc1;3;sc2;4"),
        ("win;BLUE;", "win;BLUE"),
        ("wmh;Perica;2-1 PTF;", "wmh;Perica;2-1 PTF"),
        ("at1;A;A;KOR;at2;B;B;JPN;", "at1;A;A;KOR;at2;B;B;JPN"),
        (MCH_245A, MCH_245A.removesuffix(";")),
        ("rst;1;st1;1;2;st2;3;4;", "rst;1;st1;1;2;st2;3;4"),
        ("rsr;", "rsr"),
        ("Udp Port 8888 connected;", "Udp Port 8888 connected"),
        ("ref;;;ju1;;;ju2;;;ta;;;", "ref;;;ju1;;;ju2;;;ta;;"),
        ("wrd;rd1;0;rd2;0;rd3;0;", "wrd;rd1;0;rd2;0;rd3;0"),
        ("ch1;1;1;", "ch1;1;1"),
        ("inlb;50:;", "inlb;50:"),
    ],
)
def test_one_trailing_semicolon_is_optional(with_semicolon: str, without: str) -> None:
    message = parse_text(with_semicolon)
    assert status_of(message) is ParseStatus.OK, message
    assert parse_text(without) == message


def test_only_one_trailing_empty_field_is_dropped() -> None:
    """README §5.1: strip exactly one trailing empty field; a second one is a real field."""
    assert parse_text("wmh;Perica;;") == MatchResult("Perica", None)
    assert parse_text("ch1;;") == Challenge(BLUE, ChallengeState.REQUESTED, None)
    assert parse_text("wmh;;0-0 WDR;") == MatchResult("", "0-0 WDR")


@pytest.mark.parametrize(
    ("with_extra", "expected"),
    [
        ("pt1;3;7", "pt1;3"),
        ("pt1;3;;", "pt1;3"),
        ("hel;x", "hel;"),
        ("rsr;1", "rsr;"),
        ("hwt;1;2", "hwt;1"),
        ("pre;FightLoaded;x", "pre;FightLoaded"),
        ("ref;a;b;c;ju1;;;", "ref;a;b;ju1;;;"),
        ("at1;A;A;KOR;at2;B;B;JPN;x", "at1;A;A;KOR;at2;B;B;JPN"),
        ("at1;A;A;KOR;7;at2;B;B;JPN", "at1;A;A;KOR;at2;B;B;JPN"),
        (MCH_245A + "x;", MCH_245A),
        ("clk;01:59;start;x", "clk;01:59;start"),
        ("ch1;1;1;1", "ch1;1;1"),
        ("win;BLUE;RED", "win;BLUE"),
        ("wmh;A;2-1 PTF;x", "wmh;A;2-1 PTF"),
    ],
)
def test_extra_fields_are_tolerated(with_extra: str, expected: str) -> None:
    """Issue 3: a newer sender may append fields; the message still counts, raw keeps them."""
    message = parse_text(with_extra)
    assert status_of(message) is ParseStatus.OK, message
    assert message == parse_text(expected)


def test_inner_empty_fields_are_kept() -> None:
    assert parse_text("wmh;;0-0 WDR") == MatchResult("", "0-0 WDR")
    referees = parse_text("ref;;KOR;ju1;A;;ju2;;;ta;;;")
    assert referees == Referees(Official("", "KOR"), (Official("A", ""), NOBODY), NOBODY)
    assert parse_text("at1;A;;KOR;at2;B;;") == Athletes(
        Athlete("A", "", "KOR"), Athlete("B", "", "")
    )
    config = parse_text(MCH_245A.replace(";Under 21;", ";;"))
    assert config == mch(division="")


@pytest.mark.parametrize(
    "variant",
    ["  pt1;3", "pt1;3  ", "\tpt1;3\t", " pt1;3;\r\n", "pt1 ;3", "pt1; 3", "pt1;3 ;", "PT1;3"],
)
def test_surrounding_whitespace_and_case(variant: str) -> None:
    assert parse_datagram(variant.encode())[0].message == Point(BLUE, 3)


def test_space_padded_numbers() -> None:
    """README §5.2: trim spaces around numbers ([3p] `sc1; 3;sc2; 4`), not inside text fields."""
    assert parse_text("sc1; 3;sc2; 4") == Score(3, 4)
    assert parse_text("s11;6;s21; 6 ;s12; 8") == RoundScores(
        (RoundScore(BLUE, 1, 6), RoundScore(RED, 1, 6), RoundScore(BLUE, 2, 8))
    )
    assert parse_text("rnd; 2 ") == Round(2)
    assert parse_text("clk; 01:59 ; stop") == Clock(t("01:59", 119), ClockAction.STOP)
    assert parse_text("wrd;rd1; 1;rd2 ;2") == RoundWinners(
        (RoundWinner(1, BLUE), RoundWinner(2, RED))
    )
    assert parse_text("wmh; Perica ;2-1 PTF") == MatchResult(" Perica ", "2-1 PTF")
    assert parse_text("pt1;3 3") == Malformed("pt1", "pt1;3 3", "points is not a number: '3 3'")


def test_case_variants() -> None:
    assert parse_text("WIN;blue") == Winner(WinnerColour.BLUE)
    assert parse_text("Pre;fightloaded") == FightLoaded()
    assert parse_text("clk;0:00;STOPEND") == Clock(t("0:00", 0), ClockAction.STOP_END)
    assert parse_text("ij0;00:10;Hide") == Injury(None, t("00:10", 10), InjuryAction.HIDE)
    assert parse_text("udp port 8888 CONNECTED;") == UdpPortStatus(8888, connected=True)
    assert parse_text("SC1;1;SC2;2") == Score(1, 2)
    assert parse_text("at1;A;A;KOR;AT2;B;B;JPN") == Athletes(
        Athlete("A", "A", "KOR"), Athlete("B", "B", "JPN")
    )


def test_utf8_names() -> None:
    (parsed,) = parse_datagram("wmh;Damjan Mitrić;1-2 PTF\r\n".encode())
    assert parsed.message == MatchResult("Damjan Mitrić", "1-2 PTF")
    assert parsed.encoding_error is False


def test_latin1_names_are_read_and_flagged() -> None:
    (parsed,) = parse_datagram(b"at1;J. M\xdcLLER;Jonas M\xdcLLER;GER;at2;\xc5SA;\xc5SA;SWE\r\n")
    assert parsed.encoding_error is True
    assert parsed.message == Athletes(
        Athlete("J. MÜLLER", "Jonas MÜLLER", "GER"), Athlete("ÅSA", "ÅSA", "SWE")
    )


def test_tail_cut_inside_a_letter_loses_only_that_letter() -> None:
    """README §1: the old sender cut one byte per non-ASCII letter, possibly inside a letter."""
    full = "wmh;Ćorić Đurić Šimić;2-1 PT".encode()
    (parsed,) = parse_datagram(full[:-1] + "Ž".encode()[:1])
    assert parsed.encoding_error is True
    assert parsed.message == MatchResult("Ćorić Đurić Šimić", "2-1 P")


def test_bom_is_stripped() -> None:
    (parsed,) = parse_datagram(b"\xef\xbb\xbfpt1;3\r\n")
    assert (parsed.message, parsed.encoding_error) == (Point(BLUE, 3), False)
    assert parse_text("\ufeffpt1;3") == Point(BLUE, 3)
    assert decode(b"\xef\xbb\xbfpre;FightLoaded") == ("pre;FightLoaded", False)


def test_inner_line_breaks_split_messages() -> None:
    """README §1: CR or LF inside a datagram separates messages; same datagram, index 0, 1, …"""
    parsed = parse_datagram(b"hl2;99\rsup;2\n\nsc1;0;sc2;2\r\n\r\npt2;2\r\n")
    assert [p.index for p in parsed] == [0, 1, 2, 3]
    assert [p.text for p in parsed] == ["hl2;99", "sup;2", "sc1;0;sc2;2", "pt2;2"]
    assert [p.message for p in parsed] == [
        HitLevel(RED, 99),
        Leader(RED),
        Score(0, 2),
        Point(RED, 2),
    ]
    several = parse(b"hl2;99\rsup;2")
    assert isinstance(several, Malformed) and "2 messages" in several.reason


def test_encoding_error_applies_to_every_line_of_the_datagram() -> None:
    parsed = parse_datagram(b"wmh;M\xfcller\r\npt1;3")
    assert [p.encoding_error for p in parsed] == [True, True]
    assert parsed[0].message == MatchResult("Müller", None)


def test_empty_datagrams() -> None:
    for datagram in (b"", b"\r\n", b"   ", b"\x00\x00", b"\xef\xbb\xbf", b"\r\n \r\n"):
        (parsed,) = parse_datagram(datagram)
        assert isinstance(parsed.message, Unknown), datagram
        assert parsed.message.reason == "empty datagram"
        assert isinstance(parse(datagram), Unknown)
    assert parse_text("") == Unknown("", "", "empty datagram")


def test_decode() -> None:
    assert decode("Mitrić".encode()) == ("Mitrić", False)
    assert decode(b"Mitri\xc4") == ("Mitri", True)  # cut inside a letter
    assert decode(b"M\xfcller") == ("Müller", True)  # Latin-1
    assert decode(b"\xc4\x87\xff") == ("Ä\x87ÿ", True)  # invalid anywhere: all Latin-1
    assert split_lines(" a \r\n\r\n b ") == ["a", "b"]
    assert split_lines("\ufeff\r\n") == []


# --- message helpers -----------------------------------------------------------------------------
def test_match_result_helpers() -> None:
    assert MatchResult("A", None).decision is None
    assert MatchResult("A", None).figures is None
    assert MatchResult("A", "PTF").decision == "PTF"
    assert MatchResult("A", "PTF").figures is None
    assert MatchResult("A", "x-1 PTF").figures is None
    assert MatchResult("A", "12-10 PTG").figures == (12, 10)


def test_point_technique_and_labels() -> None:
    assert [Point(RED, v).technique for v in range(1, 6)] == list(Technique)
    assert Point(BLUE, 3).technique.label == "head"
    assert (BLUE.label, RED.label) == ("blue", "red")


@pytest.mark.parametrize(
    ("seconds", "style", "text"),
    [
        (119, "mm:ss", "01:59"),
        (0, "mm:ss", "00:00"),
        (0, "m:ss", "0:00"),
        (600, "m:ss", "10:00"),
        (58, "seconds", "58"),
    ],
)
def test_clock_time_from_seconds(seconds: int, style: str, text: str) -> None:
    clock_time = ClockTime.from_seconds(seconds, style)
    assert clock_time == ClockTime(seconds, text)
    assert parse_text(f"clk;{text}") == Clock(clock_time, None)


def test_status_of() -> None:
    assert status_of(Point(BLUE, 1)) is ParseStatus.OK
    assert status_of(Unknown("", "", "")) is ParseStatus.UNKNOWN
    assert status_of(Malformed("", "", "")) is ParseStatus.MALFORMED


# --- encoder: the sender's layout ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "datagram"),
    [
        (Clock(ClockTime.from_seconds(119), None), b"clk;01:59\r\n"),
        (Clock(ClockTime.from_seconds(0, "m:ss"), ClockAction.STOP_END), b"clk;0:00;stopEnd\r\n"),
        (Challenge(BLUE, ChallengeState.REQUESTED, None), b"ch1;\r\n"),
        (Challenge(None, ChallengeState.ACCEPTED, False), b"ch0;1;0\r\n"),
        (Challenge(RED, ChallengeState.REJECTED, None), b"ch2;0\r\n"),
        (Injury(None, ClockTime.from_seconds(60), InjuryAction.SHOW), b"ij0;01:00;show\r\n"),
        (TimeOut(RED, ClockTime.from_seconds(59), None), b"to2;00:59\r\n"),
        (Referees(NOBODY, (NOBODY, NOBODY), NOBODY), b"ref;;;ju1;;;ju2;;;ta;;;\r\n"),
        (Referees(Official("A", "KOR"), (), None), b"ref;A;KOR;\r\n"),
        (RoundStats(2, (1, 0), (0,)), b"rst;2;st1;1;0;st2;0;\r\n"),
        (LedSetting("insl", "true"), b"insl;true:\r\n"),
        (Score(None, 2), b"sc2;2\r\n"),
        (Penalties(1, None), b"wg1;1\r\n"),
        (Leader(None), b"sup;0\r\n"),
        (RoundWinners((RoundWinner(1, None),)), b"wrd;rd1;0\r\n"),
        (MatchResult("", "0-0 WDR"), b"wmh;;0-0 WDR\r\n"),
        (MatchResult("Mitrić", None), "wmh;Mitrić\r\n".encode()),
        (mch(field14=None, field15=None), (MCH_245A.replace(";23;5;", ";;;") + "\r\n").encode()),
        (UdpPortStatus(6000, connected=False), b"Udp Port 6000 disconnected;\r\n"),
    ],
)
def test_encode_layout(message: Message, datagram: bytes) -> None:
    assert encode(message) == datagram
    assert parse(datagram) == message


def test_encode_terminator_and_raw_messages() -> None:
    assert encode(Point(RED, 2), terminator="") == b"pt2;2"
    assert encode(Point(RED, 2), terminator="\n") == b"pt2;2\n"
    assert encode_text(Unknown("xyz", "xyz;1", "unknown code")) == "xyz;1"
    assert encode_text(Malformed("pt1", "pt1;9", "outside")) == "pt1;9"
    with pytest.raises(TypeError):
        encode_text(object())
