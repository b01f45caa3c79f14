"""Typed messages of the WT UDP v2.3 stream (one frozen dataclass per message type).

Side 1 is always blue (chung), side 2 red (hong). Values stay as the sender wrote them wherever the
meaning is disputed (protocol README §5): neutral field names, text kept next to parsed numbers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Side(enum.IntEnum):
    BLUE = 1
    RED = 2

    @property
    def label(self) -> str:
        return self.name.lower()


class ParseStatus(enum.StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"
    MALFORMED = "malformed"


class ClockAction(enum.StrEnum):
    START = "start"
    STOP = "stop"
    STOP_END = "stopEnd"
    CORR = "corr"


class InjuryAction(enum.StrEnum):
    SHOW = "show"
    HIDE = "hide"
    RESET = "reset"


class ChallengeState(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CLOSED = "closed"


class WinnerColour(enum.StrEnum):
    BLUE = "BLUE"
    RED = "RED"
    TIE = "TIE"

    @property
    def side(self) -> Side | None:
        return {"BLUE": Side.BLUE, "RED": Side.RED}.get(self.value)


class Technique(enum.IntEnum):
    """A `pt` value is both the points and the technique (README §2.5)."""

    PUNCH = 1
    BODY = 2
    HEAD = 3
    TURNING_BODY = 4
    TURNING_HEAD = 5

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class ClockTime:
    """A countdown value: whole seconds plus the text as sent (`01:59`, `0:00`, `58`, `0.00`)."""

    seconds: int
    text: str

    @classmethod
    def from_seconds(cls, seconds: int, style: str = "mm:ss") -> ClockTime:
        minutes, secs = divmod(seconds, 60)
        if style == "mm:ss":
            return cls(seconds, f"{minutes:02d}:{secs:02d}")
        if style == "m:ss":
            return cls(seconds, f"{minutes}:{secs:02d}")
        return cls(seconds, str(seconds))


@dataclass(frozen=True, slots=True)
class Official:
    name: str
    noc: str


@dataclass(frozen=True, slots=True)
class Athlete:
    short_name: str
    long_name: str
    noc: str


# --- session and equipment ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class UdpPortStatus:
    """`Udp Port N connected;` / `Udp Port N disconnected;`."""

    port: int
    connected: bool


@dataclass(frozen=True, slots=True)
class Hello:
    """`hel;`"""


@dataclass(frozen=True, slots=True)
class Bye:
    """`bye;`"""


@dataclass(frozen=True, slots=True)
class LedSetting:
    """`inlb;N:` `insl;B:` `inth;N:` — LED scoreboard settings; no match meaning."""

    name: str  # inlb | insl | inth
    value: str


@dataclass(frozen=True, slots=True)
class HardwareTest:
    """`hwt;0..5`: sensor test screen."""

    value: int


# --- match load -----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class FightLoaded:
    """`pre;FightLoaded`: first message of a load burst."""


@dataclass(frozen=True, slots=True)
class FightReady:
    """`rdy;FightReady`: last message of a load burst."""


@dataclass(frozen=True, slots=True)
class Referees:
    """`ref;name;NOC;ju1;name;NOC;ju2;name;NOC;ta;name;NOC;`"""

    referee: Official
    judges: tuple[Official, ...]
    assistant: Official | None  # the `ta` block; older senders write `ju3` instead


@dataclass(frozen=True, slots=True)
class Athletes:
    """`at1;short;long;NOC;at2;short;long;NOC`"""

    blue: Athlete
    red: Athlete


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """`mch;…`: match configuration. Fields 4, 14, 15 have disputed meanings: neutral names."""

    match_number: str
    phase: str
    category: str
    field4: str
    blue_background: str
    blue_text: str
    red_background: str
    red_text: str
    match_id: str  # the literal text `null` in every capture
    division: str
    rounds: int
    round_seconds: int
    clock_direction: str  # cntDown | cntUp
    field14: int | None
    field15: int | None


@dataclass(frozen=True, slots=True)
class Avt:
    """`avt;n`: listed in the spec's load sequence, meaning unclear."""

    value: int


# --- clocks ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Clock:
    """`clk;time[;action]`: round clock."""

    time: ClockTime
    action: ClockAction | None


@dataclass(frozen=True, slots=True)
class Break:
    """`brk;time[;action]`: rest between rounds."""

    time: ClockTime
    action: ClockAction | None


@dataclass(frozen=True, slots=True)
class Injury:
    """`ij0|ij1|ij2;time[;show|hide|reset]`: injury / kye-shi countdown (side None for ij0)."""

    side: Side | None
    time: ClockTime
    action: InjuryAction | None


@dataclass(frozen=True, slots=True)
class TimeOut:
    """`to1|to2;time[;action]`: para-taekwondo time-out countdown."""

    side: Side
    time: ClockTime
    action: ClockAction | None


@dataclass(frozen=True, slots=True)
class Round:
    """`rnd;n`: the current round (a golden round is 4)."""

    number: int


# --- scoring --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Point:
    """`pt1|pt2;n`: points just awarded; the value is also the technique."""

    side: Side
    value: int

    @property
    def technique(self) -> Technique:
        return Technique(self.value)


@dataclass(frozen=True, slots=True)
class HitLevel:
    """`hl1|hl2;n`: sensor impact strength 1–100."""

    side: Side
    level: int


@dataclass(frozen=True, slots=True)
class Score:
    """`sc1;n;sc2;n`: score shown for the current round; either half may come alone."""

    blue: int | None
    red: int | None


@dataclass(frozen=True, slots=True)
class RoundScore:
    side: Side
    round: int
    points: int


@dataclass(frozen=True, slots=True)
class RoundScores:
    """`s11;n;s21;n;s12;…`: score per round, in the order sent (any subset accepted)."""

    entries: tuple[RoundScore, ...]

    def get(self, side: Side, round_number: int) -> int | None:
        for entry in self.entries:
            if entry.side == side and entry.round == round_number:
                return entry.points
        return None


@dataclass(frozen=True, slots=True)
class Leader:
    """`sup;0|1|2`: who leads the current round after tie-break rules (None: nobody)."""

    side: Side | None


@dataclass(frozen=True, slots=True)
class Penalties:
    """`wg1;n;wg2;n`: gam-jeom counts of the current round; either half may come alone."""

    blue: int | None
    red: int | None


@dataclass(frozen=True, slots=True)
class Challenge:
    """`ch0|ch1|ch2[;accepted[;won]]` or `;-1`: video review (side None: the referee's)."""

    side: Side | None
    state: ChallengeState
    won: bool | None


# --- round and match end ---------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RoundWinner:
    round: int
    side: Side | None  # None: not decided


@dataclass(frozen=True, slots=True)
class RoundWinners:
    """`wrd;rd1;w;rd2;w;rd3;w`"""

    entries: tuple[RoundWinner, ...]


@dataclass(frozen=True, slots=True)
class RoundStats:
    """`rst;round;st1;c1..c6;st2;c1..c6;`: per-round counters, meaning provisional (README §2.7)."""

    round: int
    blue: tuple[int, ...]
    red: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RoundStatsReset:
    """`rsr;`: always right after `rst`; meaning unknown."""


@dataclass(frozen=True, slots=True)
class Winner:
    """`win;BLUE|RED|TIE`"""

    colour: WinnerColour


@dataclass(frozen=True, slots=True)
class MatchResult:
    """`wmh;winner name;B-R DECISION`. The figures are display text (README §5.13)."""

    winner_name: str
    result_text: str | None  # e.g. `2-1 PTF`; None when the classification is missing

    @property
    def decision(self) -> str | None:
        if not self.result_text:
            return None
        return self.result_text.split()[-1]

    @property
    def figures(self) -> tuple[int, int] | None:
        if not self.result_text:
            return None
        head = self.result_text.split()[0]
        blue, sep, red = head.partition("-")
        if sep and blue.isdigit() and red.isdigit():
            return int(blue), int(red)
        return None


# --- anything else ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Unknown:
    """A datagram the parser does not recognise (unknown code, not WT text, empty)."""

    code: str
    raw: str
    reason: str


@dataclass(frozen=True, slots=True)
class Malformed:
    """A recognised code whose fields are wrong. Never fed to MatchState."""

    code: str
    raw: str
    reason: str


Message = (
    UdpPortStatus
    | Hello
    | Bye
    | LedSetting
    | HardwareTest
    | FightLoaded
    | FightReady
    | Referees
    | Athletes
    | MatchConfig
    | Avt
    | Clock
    | Break
    | Injury
    | TimeOut
    | Round
    | Point
    | HitLevel
    | Score
    | RoundScores
    | Leader
    | Penalties
    | Challenge
    | RoundWinners
    | RoundStats
    | RoundStatsReset
    | Winner
    | MatchResult
    | Unknown
    | Malformed
)

#: Every message type that a valid datagram can produce (for tests and the encoder).
VALID_TYPES: tuple[type, ...] = (
    UdpPortStatus,
    Hello,
    Bye,
    LedSetting,
    HardwareTest,
    FightLoaded,
    FightReady,
    Referees,
    Athletes,
    MatchConfig,
    Avt,
    Clock,
    Break,
    Injury,
    TimeOut,
    Round,
    Point,
    HitLevel,
    Score,
    RoundScores,
    Leader,
    Penalties,
    Challenge,
    RoundWinners,
    RoundStats,
    RoundStatsReset,
    Winner,
    MatchResult,
)


def status_of(message: Message) -> ParseStatus:
    if isinstance(message, Unknown):
        return ParseStatus.UNKNOWN
    if isinstance(message, Malformed):
        return ParseStatus.MALFORMED
    return ParseStatus.OK
