"""Parse raw PSS datagrams into typed messages; never raises (protocol README §5, §6).

`parse_datagram` is what the recorder uses: it decodes leniently, splits the rare datagram that
holds several lines, and returns one `ParsedLine` per message. `parse` handles one message.
Anything not understood becomes `Unknown`; a known code with bad fields becomes `Malformed`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.protocol.messages import (
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

#: Longer lines are not WT UDP text (the largest real datagram is ~110 bytes; names can make a
#: few hundred). They are still stored whole, as unknown.
MAX_LINE_CHARS = 4096

_BOM = "\ufeff"
_STRIP = " \t\r\n\x00"
# re.ASCII: without it IGNORECASE lets `ſ` match `s` and `\d` accept any Unicode digit.
_UDP_PORT = re.compile(r"^udp port ([0-9]{1,5}) (dis)?connected;?$", re.IGNORECASE | re.ASCII)
#: The longest code of the catalogue is 4 letters (`inlb`); anything longer or not plain ASCII
#: letters and digits is not WT UDP text (e.g. the RT broadcast feed's `RoundStart: …`).
_MAX_CODE_CHARS = 8
_INT = re.compile(r"^-?[0-9]+$")
_MMSS = re.compile(r"^([0-9]{1,2})[:.]([0-9]{2})$")
_SECONDS = re.compile(r"^[0-9]{1,3}$")
_ROUND_TABLE_CODE = re.compile(r"^s([12])([1-9])$")
_ROUND_MARKER = re.compile(r"^rd([1-9])$")
_REF_MARKER = re.compile(r"^(ju[1-9]|ta)$", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")
_LINE_BREAK = re.compile(r"[\r\n]+")


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """One message of a datagram: its index inside the datagram, decoded text and result."""

    index: int
    text: str
    message: Message
    encoding_error: bool


class _Bad(Exception):
    """Raised inside a field parser; becomes `Malformed` with this reason."""


class _Unrecognised(Exception):
    """Raised inside a field parser for a known code with a value we do not know."""


# --- decoding -------------------------------------------------------------------------------
def decode(datagram: bytes) -> tuple[str, bool]:
    """Bytes -> text and whether the bytes were not clean UTF-8.

    A tail cut inside a multi-byte letter (older senders sized packets in characters) loses
    only that letter; other invalid UTF-8 is read as Latin-1, so names stay readable.
    """
    if datagram.startswith(b"\xef\xbb\xbf"):
        datagram = datagram[3:]
    try:
        return datagram.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            try:
                return datagram[: exc.start].decode("utf-8"), True
            except UnicodeDecodeError:
                pass
        return datagram.decode("latin-1"), True


def split_lines(text: str) -> list[str]:
    """Stripped non-empty lines (README §1: a CR or LF inside a datagram separates messages)."""
    if text.startswith(_BOM):
        text = text.lstrip(_BOM)
    text = text.strip(_STRIP)
    if "\r" not in text and "\n" not in text:
        return [text] if text else []
    return [line.strip(_STRIP) for line in _LINE_BREAK.split(text) if line.strip(_STRIP)]


def parse_datagram(datagram: bytes) -> tuple[ParsedLine, ...]:
    """Every message of one datagram, at least one (an empty datagram gives one `Unknown`)."""
    text, encoding_error = decode(datagram)
    lines = split_lines(text)
    if len(lines) == 1:  # the usual case: skip the generator
        return (ParsedLine(0, lines[0], parse_text(lines[0]), encoding_error),)
    if not lines:
        return (ParsedLine(0, text, Unknown("", text, "empty datagram"), encoding_error),)
    return tuple(
        ParsedLine(index, line, parse_text(line), encoding_error)
        for index, line in enumerate(lines)
    )


def parse(datagram: bytes) -> Message:
    """Parse a datagram holding one message. Several lines give `Malformed` (see parse_datagram)."""
    text, _ = decode(datagram)
    lines = split_lines(text)
    if not lines:
        return Unknown("", text, "empty datagram")
    if len(lines) > 1:
        return Malformed("", text, f"{len(lines)} messages in one datagram")
    return parse_text(lines[0])


#: Real traffic repeats itself (the same clock ticks, score lines and load bursts in every match),
#: so short lines are memoised. Safe because parsing is pure and every message is immutable.
_CACHE_SIZE = 8192
_CACHED_LINE_CHARS = 160


def parse_text(line: str) -> Message:
    """Parse one decoded message line. Never raises."""
    if len(line) <= _CACHED_LINE_CHARS:
        return _parse_text_cached(line)
    return _parse_text(line)


def _parse_text(line: str) -> Message:
    raw = line
    line = line.lstrip(_BOM).strip(_STRIP)
    code = ""
    try:
        if not line:
            return Unknown("", raw, "empty datagram")
        if len(line) > MAX_LINE_CHARS:
            return Unknown("", raw, f"not WT UDP text: line of {len(line)} characters")
        if line[0] in "{[<":
            return Unknown("", raw, "not WT UDP text: looks like JSON/markup")
        # isprintable() is False for every C0/C1 control, so the regex only runs on lines that
        # hold one (or a tab); U+FFFD is printable and is checked on its own.
        if "\ufffd" in line or (not line.isprintable() and _CONTROL.search(line)):
            return Unknown("", raw, "not WT UDP text: control or undecodable characters")
        if line[0] in "Uu":
            port_status = _UDP_PORT.match(line)
            if port_status:
                return UdpPortStatus(int(port_status.group(1)), port_status.group(2) is None)
        fields = line.split(";")
        first = fields[0].strip()
        if not first:
            return Unknown("", raw, "no message code")
        if len(first) > _MAX_CODE_CHARS or not (first.isascii() and first.isalnum()):
            return Unknown("", raw, "not WT UDP text: no plausible message code")
        code = first.lower()
        if len(fields) > 1 and not fields[-1].strip():
            fields.pop()  # one trailing empty field is optional (README §5.1)
        handler = _HANDLERS.get(code)
        if handler is None and _ROUND_TABLE_CODE.match(code):
            handler = _round_scores
        if handler is None:
            return Unknown(code, raw, f"unknown code {code!r}")
        fields[0] = code
        return handler(code, fields)
    except _Bad as exc:
        return Malformed(code, raw, str(exc))
    except _Unrecognised as exc:
        return Unknown(code, raw, str(exc))
    except Exception as exc:  # a parser bug must not stop recording; fuzz tests look for this
        return Malformed(code, raw, f"internal parser error: {type(exc).__name__}: {exc}")


_parse_text_cached = functools.lru_cache(maxsize=_CACHE_SIZE)(_parse_text)


# --- field helpers ----------------------------------------------------------------------------
def _int(text: str, what: str, low: int | None = None, high: int | None = None) -> int:
    value = text.strip()
    if not value:
        raise _Bad(f"{what} is empty")
    if not _INT.match(value):
        raise _Bad(f"{what} is not a number: {value!r}")
    number = int(value)
    if (low is not None and number < low) or (high is not None and number > high):
        raise _Bad(f"{what} {number} outside {low}-{high}")
    return number


def _arg(fields: Sequence[str], index: int, what: str) -> str:
    if len(fields) <= index:
        raise _Bad(f"missing {what}")
    return fields[index]


def _time(text: str) -> ClockTime:
    value = text.strip()
    if not value:
        raise _Bad("missing time")
    if len(value) == 5 and value[2] == ":" and value.isascii():  # `mm:ss`, every tick
        minutes_text, seconds_text = value[:2], value[3:]
        if minutes_text.isdigit() and seconds_text.isdigit():
            if seconds_text >= "60":
                raise _Bad(f"seconds out of range in {value!r}")
            return ClockTime(int(minutes_text) * 60 + int(seconds_text), value)
    mmss = _MMSS.match(value)
    if mmss:
        minutes, seconds = int(mmss.group(1)), int(mmss.group(2))
        if seconds >= 60:
            raise _Bad(f"seconds out of range in {value!r}")
        return ClockTime(minutes * 60 + seconds, value)
    if _SECONDS.match(value):
        return ClockTime(int(value), value)
    raise _Bad(f"bad time {value!r}")


def _clock_action(fields: Sequence[str]) -> ClockAction | None:
    if len(fields) < 3 or not fields[2].strip():
        return None
    wanted = fields[2].strip().lower()
    for action in ClockAction:
        if action.value.lower() == wanted:
            return action
    raise _Unrecognised(f"unknown {fields[0]} action {fields[2].strip()!r}")


def _side(code: str) -> Side:
    return Side(int(code[-1]))


def _pairs(fields: Sequence[str]) -> list[tuple[str, str]]:
    """`m1;v1;m2;v2…` including the code as first marker."""
    if len(fields) % 2:
        raise _Bad(f"missing value after {fields[-1].strip()!r}")
    return [(fields[i].strip().lower(), fields[i + 1]) for i in range(0, len(fields), 2)]


def _two_halves(fields: Sequence[str], prefix: str, what: str) -> tuple[int | None, int | None]:
    values: dict[str, int] = {}
    for marker, value in _pairs(fields):
        if marker not in (f"{prefix}1", f"{prefix}2"):
            raise _Bad(f"unexpected marker {marker!r}")
        if marker in values:
            raise _Bad(f"repeated marker {marker!r}")
        values[marker] = _int(value, f"{marker} {what}", 0)
    return values.get(f"{prefix}1"), values.get(f"{prefix}2")


# --- one handler per code -----------------------------------------------------------------------
Handler = Callable[[str, list[str]], Message]


def _literal(expected: str, result: Message) -> Handler:
    def handle(code: str, fields: list[str]) -> Message:
        value = fields[1].strip() if len(fields) > 1 else ""
        if value.lower() != expected.lower():
            raise _Bad(f"expected {code};{expected}, got {value!r}")
        return result

    return handle


def _no_fields(result: Message) -> Handler:
    def handle(code: str, fields: list[str]) -> Message:
        return result

    return handle


def _led(code: str, fields: list[str]) -> Message:
    value = _arg(fields, 1, "value").strip()
    return LedSetting(code, value.removesuffix(":"))


def _hardware_test(code: str, fields: list[str]) -> Message:
    return HardwareTest(_int(_arg(fields, 1, "test value"), "test value", 0, 5))


def _official(fields: Sequence[str], marker: str) -> Official:
    # Fields after name and NOC are tolerated (a newer sender may add some); raw text keeps them.
    return Official(fields[0] if fields else "", fields[1].strip() if len(fields) > 1 else "")


def _referees(code: str, fields: list[str]) -> Message:
    # Find the markers rather than count positions: older senders leave unknown fields out.
    segments: list[tuple[str, list[str]]] = [("ref", [])]
    for field in fields[1:]:
        if _REF_MARKER.match(field.strip()):
            segments.append((field.strip().lower(), []))
        else:
            segments[-1][1].append(field)
    referee = _official(segments[0][1], "ref")
    judges = tuple(_official(values, marker) for marker, values in segments[1:] if marker != "ta")
    assistants = [_official(values, marker) for marker, values in segments[1:] if marker == "ta"]
    if len(assistants) > 1:
        raise _Bad("repeated ta marker")
    return Referees(referee, judges, assistants[0] if assistants else None)


def _athlete(values: Sequence[str], side: str, minimum: int) -> Athlete:
    # Fields after short, long name and NOC are tolerated like any extra field.
    if len(values) < minimum:
        raise _Bad(f"{side} athlete block has {len(values)} fields, {minimum} expected")
    if not values or not values[0].strip():
        raise _Bad(f"missing {side} athlete name")
    short = values[0]
    long_name = values[1] if len(values) > 1 else short
    noc = values[2].strip() if len(values) > 2 else ""  # a cut-off tail loses the NOC first
    return Athlete(short, long_name, noc)


def _athletes(code: str, fields: list[str]) -> Message:
    if code != "at1":
        raise _Bad("athlete block must start with at1")
    markers = [i for i, field in enumerate(fields) if field.strip().lower() == "at2"]
    if not markers:
        raise _Bad("athlete block without at2 marker")
    split = markers[0]
    # Only the red block can lose its tail to the old sender's length bug (README §1).
    blue = _athlete(fields[1:split], "blue", 3)
    return Athletes(blue, _athlete(fields[split + 1 :], "red", 1))


_MCH_REQUIRED = 13
_MCH_FIELDS = 15


def _optional_int(fields: Sequence[str], index: int, what: str) -> int | None:
    if len(fields) <= index or not fields[index].strip():
        return None
    return _int(fields[index], what)


def _match_config(code: str, fields: list[str]) -> Message:
    args = fields[1:]
    if len(args) < _MCH_REQUIRED:
        raise _Bad(f"match block cut short: {len(args)} fields, {_MCH_REQUIRED} expected")
    number = args[0].strip()
    if not number:
        raise _Bad("empty match number")
    return MatchConfig(
        match_number=number,
        phase=args[1],
        category=args[2],
        field4=args[3],
        blue_background=args[4].strip(),
        blue_text=args[5].strip(),
        red_background=args[6].strip(),
        red_text=args[7].strip(),
        match_id=args[8].strip(),
        division=args[9],
        rounds=_int(args[10], "round count", 1, 9),
        round_seconds=_int(args[11], "round length", 1, 3600),
        clock_direction=args[12].strip(),
        field14=_optional_int(args, 13, "field 14"),
        field15=_optional_int(args, 14, "field 15"),
    )


def _avt(code: str, fields: list[str]) -> Message:
    return Avt(_int(_arg(fields, 1, "value"), "avt value"))


def _clock(code: str, fields: list[str]) -> Message:
    return Clock(_time(_arg(fields, 1, "time")), _clock_action(fields))


def _break(code: str, fields: list[str]) -> Message:
    return Break(_time(_arg(fields, 1, "time")), _clock_action(fields))


def _time_out(code: str, fields: list[str]) -> Message:
    return TimeOut(_side(code), _time(_arg(fields, 1, "time")), _clock_action(fields))


def _injury(code: str, fields: list[str]) -> Message:
    side = None if code == "ij0" else _side(code)
    time = _time(_arg(fields, 1, "time"))
    action: InjuryAction | None = None
    if len(fields) > 2 and fields[2].strip():
        wanted = fields[2].strip().lower()
        matches = [a for a in InjuryAction if a.value == wanted]
        if not matches:
            raise _Unrecognised(f"unknown {code} action {fields[2].strip()!r}")
        action = matches[0]
    return Injury(side, time, action)


def _round(code: str, fields: list[str]) -> Message:
    return Round(_int(_arg(fields, 1, "round"), "round", 1, 9))


def _point(code: str, fields: list[str]) -> Message:
    return Point(_side(code), _int(_arg(fields, 1, "points"), "points", 1, 5))


def _hit_level(code: str, fields: list[str]) -> Message:
    return HitLevel(_side(code), _int(_arg(fields, 1, "hit level"), "hit level", 1, 100))


def _score(code: str, fields: list[str]) -> Message:
    blue, red = _two_halves(fields, "sc", "score")
    return Score(blue, red)


def _penalties(code: str, fields: list[str]) -> Message:
    blue, red = _two_halves(fields, "wg", "gam-jeom count")
    return Penalties(blue, red)


def _round_scores(code: str, fields: list[str]) -> Message:
    entries = []
    for marker, value in _pairs(fields):
        match = _ROUND_TABLE_CODE.match(marker)
        if not match:
            raise _Bad(f"unexpected marker {marker!r} in round score table")
        side, round_number = Side(int(match.group(1))), int(match.group(2))
        entries.append(RoundScore(side, round_number, _int(value, f"{marker} score", 0)))
    return RoundScores(tuple(entries))


def _leader(code: str, fields: list[str]) -> Message:
    value = _int(_arg(fields, 1, "leader"), "leader", 0, 2)
    return Leader(Side(value) if value else None)


def _challenge(code: str, fields: list[str]) -> Message:
    side = None if code == "ch0" else _side(code)
    first = fields[1].strip() if len(fields) > 1 else ""
    second = fields[2].strip() if len(fields) > 2 else ""
    state = ChallengeState.REQUESTED
    if first:
        value = _int(first, "review value", -1, 1)
        state = {-1: ChallengeState.CLOSED, 0: ChallengeState.REJECTED}.get(
            value, ChallengeState.ACCEPTED
        )
    if len(fields) > 2 and state is not ChallengeState.ACCEPTED:
        # `ch1;0;1`: a won/lost value only exists for an accepted review (README §2.6).
        raise _Bad(f"won/lost value {second!r} after a review that was not accepted")
    won = bool(_int(second, "review outcome", 0, 1)) if second else None
    return Challenge(side, state, won)


def _round_winners(code: str, fields: list[str]) -> Message:
    entries = []
    for marker, value in _pairs(fields[1:]):
        match = _ROUND_MARKER.match(marker)
        if not match:
            raise _Bad(f"unexpected marker {marker!r} in round winners")
        winner = _int(value, f"{marker} winner", 0, 2)
        entries.append(RoundWinner(int(match.group(1)), Side(winner) if winner else None))
    return RoundWinners(tuple(entries))


def _round_stats(code: str, fields: list[str]) -> Message:
    round_number = _int(_arg(fields, 1, "round"), "round", 1, 9)
    rest = [field.strip().lower() for field in fields[2:]]
    if "st1" not in rest or "st2" not in rest or rest.index("st1") > rest.index("st2"):
        raise _Bad("round statistics without st1/st2 markers")
    first, second = rest.index("st1"), rest.index("st2")
    if first != 0:
        raise _Bad("unexpected fields before st1")
    blue = tuple(_int(v, "blue counter", 0) for v in rest[first + 1 : second])
    red = tuple(_int(v, "red counter", 0) for v in rest[second + 1 :])
    return RoundStats(round_number, blue, red)


def _winner(code: str, fields: list[str]) -> Message:
    value = _arg(fields, 1, "winner").strip().upper()
    if not value:
        raise _Bad("missing winner")
    try:
        return Winner(WinnerColour(value))
    except ValueError:
        raise _Bad(f"winner {value!r} is not BLUE, RED or TIE") from None


def _match_result(code: str, fields: list[str]) -> Message:
    if len(fields) < 2:
        raise _Bad("missing winner name")
    result = fields[2].strip() if len(fields) > 2 else ""
    return MatchResult(fields[1], result or None)


_HANDLERS: dict[str, Handler] = {
    "hel": _no_fields(Hello()),
    "bye": _no_fields(Bye()),
    "inlb": _led,
    "insl": _led,
    "inth": _led,
    "hwt": _hardware_test,
    "pre": _literal("FightLoaded", FightLoaded()),
    "rdy": _literal("FightReady", FightReady()),
    "ref": _referees,
    "at1": _athletes,
    "mch": _match_config,
    "avt": _avt,
    "clk": _clock,
    "brk": _break,
    "ij0": _injury,
    "ij1": _injury,
    "ij2": _injury,
    "to1": _time_out,
    "to2": _time_out,
    "rnd": _round,
    "pt1": _point,
    "pt2": _point,
    "hl1": _hit_level,
    "hl2": _hit_level,
    "sc1": _score,
    "sc2": _score,
    "sup": _leader,
    "wg1": _penalties,
    "wg2": _penalties,
    "ch0": _challenge,
    "ch1": _challenge,
    "ch2": _challenge,
    "wrd": _round_winners,
    "rst": _round_stats,
    "rsr": _no_fields(RoundStatsReset()),
    "win": _winner,
    "wmh": _match_result,
}

#: Codes the parser knows (for counters and tests). `sXR` round-table codes are matched by pattern.
KNOWN_CODES: frozenset[str] = frozenset(_HANDLERS)
