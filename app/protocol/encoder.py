"""Write messages the way the TK-Strike sender writes them (used by the simulator and tests).

Layouts follow the 2025 captures: no trailing `;` except on `mch`, `ref`, `rst`, `rsr`, `ch…;`
requests and the status lines; every datagram ends with CR LF like the sender code.
"""

from __future__ import annotations

from functools import singledispatch

from app.protocol.messages import (
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
    Leader,
    LedSetting,
    Malformed,
    MatchConfig,
    MatchResult,
    Message,
    Penalties,
    Point,
    Referees,
    Round,
    RoundScores,
    RoundStats,
    RoundStatsReset,
    RoundWinners,
    Score,
    Side,
    TimeOut,
    UdpPortStatus,
    Unknown,
    Winner,
)

TERMINATOR = "\r\n"


def encode(message: Message, terminator: str = TERMINATOR) -> bytes:
    """The datagram (UTF-8 bytes) a sender would emit for `message`."""
    return (encode_text(message) + terminator).encode("utf-8")


def _timed(code: str, time: ClockTime, action: ClockAction | str | None) -> str:
    return f"{code};{time.text}" + (f";{action}" if action is not None else "")


def _side_code(prefix: str, side: Side | None) -> str:
    return f"{prefix}{int(side) if side is not None else 0}"


def _halves(prefix: str, blue: int | None, red: int | None) -> str:
    parts = []
    if blue is not None:
        parts.append(f"{prefix}1;{blue}")
    if red is not None:
        parts.append(f"{prefix}2;{red}")
    return ";".join(parts)


@singledispatch
def encode_text(message: object) -> str:
    """The text of one message, without terminator."""
    raise TypeError(f"cannot encode {type(message).__name__}")


@encode_text.register
def _(m: UdpPortStatus) -> str:
    return f"Udp Port {m.port} {'connected' if m.connected else 'disconnected'};"


@encode_text.register
def _(m: Hello) -> str:
    return "hel;"


@encode_text.register
def _(m: Bye) -> str:
    return "bye;"


@encode_text.register
def _(m: LedSetting) -> str:
    return f"{m.name};{m.value}:"


@encode_text.register
def _(m: HardwareTest) -> str:
    return f"hwt;{m.value}"


@encode_text.register
def _(m: FightLoaded) -> str:
    return "pre;FightLoaded"


@encode_text.register
def _(m: FightReady) -> str:
    return "rdy;FightReady"


@encode_text.register
def _(m: Referees) -> str:
    parts = ["ref", m.referee.name, m.referee.noc]
    for number, judge in enumerate(m.judges, start=1):
        parts += [f"ju{number}", judge.name, judge.noc]
    if m.assistant is not None:
        parts += ["ta", m.assistant.name, m.assistant.noc]
    return ";".join(parts) + ";"


@encode_text.register
def _(m: Athletes) -> str:
    b, r = m.blue, m.red
    return f"at1;{b.short_name};{b.long_name};{b.noc};at2;{r.short_name};{r.long_name};{r.noc}"


@encode_text.register
def _(m: MatchConfig) -> str:
    fields = [
        m.match_number,
        m.phase,
        m.category,
        m.field4,
        m.blue_background,
        m.blue_text,
        m.red_background,
        m.red_text,
        m.match_id,
        m.division,
        str(m.rounds),
        str(m.round_seconds),
        m.clock_direction,
        "" if m.field14 is None else str(m.field14),
        "" if m.field15 is None else str(m.field15),
    ]
    return "mch;" + ";".join(fields) + ";"


@encode_text.register
def _(m: Avt) -> str:
    return f"avt;{m.value}"


@encode_text.register
def _(m: Clock) -> str:
    return _timed("clk", m.time, m.action)


@encode_text.register
def _(m: Break) -> str:
    return _timed("brk", m.time, m.action)


@encode_text.register
def _(m: Injury) -> str:
    return _timed(_side_code("ij", m.side), m.time, m.action)


@encode_text.register
def _(m: TimeOut) -> str:
    return _timed(_side_code("to", m.side), m.time, m.action)


@encode_text.register
def _(m: Round) -> str:
    return f"rnd;{m.number}"


@encode_text.register
def _(m: Point) -> str:
    return f"pt{int(m.side)};{m.value}"


@encode_text.register
def _(m: HitLevel) -> str:
    return f"hl{int(m.side)};{m.level}"


@encode_text.register
def _(m: Score) -> str:
    return _halves("sc", m.blue, m.red)


@encode_text.register
def _(m: Penalties) -> str:
    return _halves("wg", m.blue, m.red)


@encode_text.register
def _(m: RoundScores) -> str:
    return ";".join(f"s{int(e.side)}{e.round};{e.points}" for e in m.entries)


@encode_text.register
def _(m: Leader) -> str:
    return f"sup;{int(m.side) if m.side is not None else 0}"


@encode_text.register
def _(m: Challenge) -> str:
    code = _side_code("ch", m.side)
    if m.state is ChallengeState.REQUESTED:
        return f"{code};"
    if m.state is ChallengeState.CLOSED:
        return f"{code};-1"
    if m.state is ChallengeState.REJECTED:
        return f"{code};0"
    return f"{code};1" + ("" if m.won is None else f";{int(m.won)}")


@encode_text.register
def _(m: RoundWinners) -> str:
    return "wrd;" + ";".join(
        f"rd{e.round};{int(e.side) if e.side is not None else 0}" for e in m.entries
    )


@encode_text.register
def _(m: RoundStats) -> str:
    blue = "".join(f";{c}" for c in m.blue)
    red = "".join(f";{c}" for c in m.red)
    return f"rst;{m.round};st1{blue};st2{red};"


@encode_text.register
def _(m: RoundStatsReset) -> str:
    return "rsr;"


@encode_text.register
def _(m: Winner) -> str:
    return f"win;{m.colour.value}"


@encode_text.register
def _(m: MatchResult) -> str:
    return f"wmh;{m.winner_name}" + ("" if m.result_text is None else f";{m.result_text}")


@encode_text.register
def _(m: Unknown) -> str:
    return m.raw


@encode_text.register
def _(m: Malformed) -> str:
    return m.raw
