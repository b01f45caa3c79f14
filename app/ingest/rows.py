"""Turn a parsed message into the searchable columns of an event row (code, side, value, details).

The raw datagram and decoded text are always stored too; these columns exist for queries and
analytics. Clock ticks, the bulk of the stream, get no JSON at all to keep the writer fast.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
from collections.abc import Callable
from typing import Any, NamedTuple

from app.protocol import messages as m
from app.protocol.parser import parse_datagram

Fields = tuple[str, int | None, int | None, str | None]  # code, side, value, details JSON


def _side(side: m.Side | None) -> int | None:
    return int(side) if side is not None else None


def _plain(value: Any) -> Any:
    """dataclasses.asdict without its deep-copy cost, enums as their values."""
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _json(message: Any) -> str:
    return json.dumps(_plain(message), ensure_ascii=False, separators=(",", ":"))


def _timed(code: str) -> Callable[[Any], Fields]:
    def fields(message: Any) -> Fields:
        action = message.action
        details = None if action is None else f'{{"action":"{action.value}"}}'
        side = getattr(message, "side", None)
        full_code = code if code in ("clk", "brk") else f"{code}{int(side) if side else 0}"
        return full_code, _side(side), message.time.seconds, details

    return fields


_FIELDS: dict[type, Callable[[Any], Fields]] = {
    m.Clock: _timed("clk"),
    m.Break: _timed("brk"),
    m.Injury: _timed("ij"),
    m.TimeOut: _timed("to"),
    m.Point: lambda msg: (f"pt{int(msg.side)}", int(msg.side), msg.value, None),
    m.HitLevel: lambda msg: (f"hl{int(msg.side)}", int(msg.side), msg.level, None),
    m.Round: lambda msg: ("rnd", None, msg.number, None),
    m.Leader: lambda msg: ("sup", _side(msg.side), None, None),
    m.Score: lambda msg: ("sc1" if msg.blue is not None else "sc2", None, None, _json(msg)),
    m.Penalties: lambda msg: ("wg1" if msg.blue is not None else "wg2", None, None, _json(msg)),
    m.RoundScores: lambda msg: (
        f"s{int(msg.entries[0].side)}{msg.entries[0].round}",
        None,
        None,
        _json(msg),
    ),
    m.Challenge: lambda msg: (
        f"ch{int(msg.side) if msg.side else 0}",
        _side(msg.side),
        None,
        _json(msg),
    ),
    m.HardwareTest: lambda msg: ("hwt", None, msg.value, None),
    m.Avt: lambda msg: ("avt", None, msg.value, None),
    m.UdpPortStatus: lambda msg: ("udp", None, msg.port, _json(msg)),
    m.LedSetting: lambda msg: (msg.name, None, None, _json(msg)),
    m.Hello: lambda msg: ("hel", None, None, None),
    m.Bye: lambda msg: ("bye", None, None, None),
    m.FightLoaded: lambda msg: ("pre", None, None, None),
    m.FightReady: lambda msg: ("rdy", None, None, None),
    m.RoundStatsReset: lambda msg: ("rsr", None, None, None),
    m.Referees: lambda msg: ("ref", None, None, _json(msg)),
    m.Athletes: lambda msg: ("at1", None, None, _json(msg)),
    m.MatchConfig: lambda msg: ("mch", None, None, _json(msg)),
    m.RoundWinners: lambda msg: ("wrd", None, None, _json(msg)),
    m.RoundStats: lambda msg: ("rst", None, msg.round, _json(msg)),
    m.Winner: lambda msg: ("win", _side(msg.colour.side), None, _json(msg)),
    m.MatchResult: lambda msg: ("wmh", None, None, _json(msg)),
    m.Unknown: lambda msg: (msg.code, None, None, None),
    m.Malformed: lambda msg: (msg.code, None, None, None),
}


def event_fields(message: m.Message) -> Fields:
    """(code, side, value, details) for the events table."""
    return _FIELDS[type(message)](message)


class DecodedLine(NamedTuple):
    """One message of a datagram with everything its event row needs."""

    sub_index: int
    text: str
    message: m.Message
    encoding_error: bool
    code: str
    side: int | None
    value: int | None
    details: str | None
    status: str  # ok | unknown | malformed
    error: str | None


#: Datagrams up to this size are memoised whole (every real one is; the largest is ~110 bytes).
CACHED_DATAGRAM_BYTES = 512


def _decode(data: bytes) -> tuple[DecodedLine, ...]:
    lines = []
    for line in parse_datagram(data):
        message = line.message
        code, side, value, details = event_fields(message)
        if isinstance(message, m.Unknown):
            status, error = "unknown", message.reason
        elif isinstance(message, m.Malformed):
            status, error = "malformed", message.reason
        else:
            status, error = "ok", None
        lines.append(
            DecodedLine(
                line.index,
                line.text,
                message,
                line.encoding_error,
                code,
                side,
                value,
                details,
                status,
                error,
            )
        )
    return tuple(lines)


_decode_cached = functools.lru_cache(maxsize=16384)(_decode)


def decode_datagram(data: bytes) -> tuple[DecodedLine, ...]:
    """Parse a datagram and derive its row columns. Real traffic repeats itself (every clock
    tick, every load burst), parsing is pure and messages are frozen, so results are shared."""
    if len(data) <= CACHED_DATAGRAM_BYTES:
        return _decode_cached(data)
    return _decode(data)
