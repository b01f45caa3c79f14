"""Every row of samples/synthetic_malformed.tsv against an explicit expectation (README §6).

README §6 in short: never raise; `ok` / `unknown` (code not recognised, or not WT UDP text) /
`malformed` (recognised code, bad fields), each with a reason; keep the raw text; decode
leniently and flag `encoding_error`; strip a BOM and trailing CR/LF/NUL; split on inner line
breaks. The README also names an `empty` status; `ParseStatus` has no such member, so an empty
datagram is `unknown` with the reason "empty datagram" (see the final report of this suite).

Policy decisions this table pins down (each one is a README reading, not an accident):
- a field beyond the layout (`pt1;3;7`) is malformed: its meaning is unknown and §6.5 forbids
  guessing, so the message must not reach MatchState;
- an unknown action of a known code (`clk;01:59;pause`) is `unknown` (§2.4 "keep, flag unknown");
- a cut-off tail (old sender's length bug, §1) that loses only the red NOC still parses: the
  bytes are clean UTF-8 and the names are intact;
- one half of `sc`/`wg` alone is valid (§2.5, and the `Score`/`Penalties` docstrings);
- bytes that are not UTF-8 are read as Latin-1 and flagged, the message itself is still parsed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from app.protocol import parse, parse_datagram, status_of
from app.protocol.messages import (
    Athlete,
    Athletes,
    Break,
    Challenge,
    ChallengeState,
    Clock,
    ClockAction,
    ClockTime,
    FightLoaded,
    Injury,
    InjuryAction,
    Malformed,
    MatchConfig,
    MatchResult,
    Message,
    ParseStatus,
    Penalties,
    Point,
    RoundScore,
    RoundScores,
    RoundWinner,
    RoundWinners,
    Score,
    Side,
    UdpPortStatus,
    Unknown,
    Winner,
    WinnerColour,
)
from tests.protocol.sample_files import MALFORMED_FILE, MalformedRow, read_malformed

OK, UNKNOWN, MALFORMED = ParseStatus.OK, ParseStatus.UNKNOWN, ParseStatus.MALFORMED
BLUE, RED = Side.BLUE, Side.RED


@dataclass(frozen=True, slots=True)
class Expect:
    """One message of a datagram: its status and type, plus the exact value or the reason."""

    status: ParseStatus
    type: type
    message: Message | None = None  # the exact message, for `ok`
    reason: str | None = None  # a substring of the reason, for `unknown` / `malformed`
    code: str | None = None  # Unknown/Malformed.code
    encoding_error: bool = False


def ok(message: Message, *, encoding_error: bool = False) -> Expect:
    return Expect(OK, type(message), message=message, encoding_error=encoding_error)


def unknown(reason: str, code: str = "", *, encoding_error: bool = False) -> Expect:
    return Expect(UNKNOWN, Unknown, reason=reason, code=code, encoding_error=encoding_error)


def malformed(code: str, reason: str) -> Expect:
    return Expect(MALFORMED, Malformed, reason=reason, code=code)


def clock(text: str, seconds: int, action: ClockAction | None = None) -> Clock:
    return Clock(ClockTime(seconds, text), action)


def round_scores(*values: tuple[str, int]) -> RoundScores:
    return RoundScores(
        tuple(RoundScore(Side(int(m[1])), int(m[2]), points) for m, points in values)
    )


LONG_NAME = "X" * 300

#: note text -> one expectation per message of the datagram, in order.
EXPECTED: dict[str, tuple[Expect, ...]] = {
    # --- framing (README §1, §6.3) ---
    "empty datagram": (unknown("empty datagram"),),
    "terminator only": (unknown("empty datagram"),),
    "blanks only": (unknown("empty datagram"),),
    "normal message with the CRLF the sender source appends": (ok(Point(BLUE, 3)),),
    "LF only": (ok(Point(BLUE, 3)),),
    "spec-style trailing ; plus CRLF": (ok(clock("01:59", 119)),),
    "two messages in one datagram (split on CRLF)": (
        ok(Score(3, 0)),
        ok(round_scores(("s11", 3), ("s21", 0), ("s12", 0), ("s22", 0), ("s13", 0), ("s23", 0))),
    ),
    "status line and a message in one datagram": (
        ok(UdpPortStatus(6000, connected=True)),
        ok(FightLoaded()),
    ),
    # --- encoding (README §1 "Encoding", §6.3) ---
    # 6 non-ASCII letters cut 6 bytes: CR LF and ";SWE". Clean UTF-8; only the red NOC is lost.
    "tail cut off: length counted in characters while the bytes are UTF-8 (older sender flaw)": (
        ok(
            Athletes(
                Athlete("Jonas MÜLLER", "Jonas MÜLLER", "GER"),
                Athlete("Karin ÅSTRÖM", "Karin ÅSTRÖM", ""),
            )
        ),
    ),
    "not valid UTF-8 (Latin-1 letters)": (
        ok(
            Athletes(
                Athlete("J. MÜLLER", "Jonas MÜLLER", "GER"),
                Athlete("K. NIELSEN", "Karin NIELSEN", "DEN"),
            ),
            encoding_error=True,
        ),
    ),
    "UTF-8 byte order mark in front": (ok(FightLoaded()),),
    "NUL padding after the text": (ok(Point(BLUE, 3)),),
    # --- not WT UDP text (README §6.7) ---
    "binary garbage": (unknown("not WT UDP text", encoding_error=True),),
    "JSON object: a different TK-Strike output pointed at the recorder": (
        unknown("not WT UDP text"),
    ),
    "unknown code": (unknown("unknown code 'xyz'", code="xyz"),),
    "separator only": (unknown("no message code"),),
    # --- single-value codes ---
    "code without its value": (malformed("pt1", "missing points"),),
    "empty value": (malformed("pt1", "missing points"),),
    "value not a number": (malformed("pt1", "not a number"),),
    "point value outside 1-5": (malformed("pt1", "outside 1-5"),),
    # Issue 3 asks for tolerance of extra fields; the raw text keeps the `7`.
    "extra field after the value": (ok(Point(BLUE, 3)),),
    "hit level above 100": (malformed("hl1", "outside 1-100"),),
    "round 0": (malformed("rnd", "outside 1-9"),),
    # --- pairs ---
    "wg1 without the wg2 half": (ok(Penalties(2, None)),),
    "wg2 alone": (ok(Penalties(None, 1)),),
    "space-padded numbers (variant reported by another project for KP&P software)": (
        ok(Score(3, 4)),
    ),
    "space-padded numbers in the round table (same report)": (
        ok(round_scores(("s11", 6), ("s21", 6), ("s12", 8), ("s22", 7), ("s13", 0), ("s23", 0))),
    ),
    "a fourth round marker": (
        ok(
            RoundWinners(
                (
                    RoundWinner(1, BLUE),
                    RoundWinner(2, RED),
                    RoundWinner(3, BLUE),
                    RoundWinner(4, BLUE),
                )
            )
        ),
    ),
    "round markers missing": (ok(RoundWinners((RoundWinner(1, BLUE), RoundWinner(2, RED)))),),
    # --- athletes ---
    "athlete block too short, no at2 marker": (malformed("at1", "without at2 marker"),),
    # A tab is not a separator; the name keeps it (the store must not write naive TSV).
    "tab inside a name (breaks naive TSV storage)": (
        ok(Athletes(Athlete("A", "A\tB", "KOR"), Athlete("C", "D", "JPN"))),
    ),
    "very long names (over 600 bytes)": (
        ok(Athletes(Athlete(LONG_NAME, LONG_NAME, "KOR"), Athlete("B", "B", "JPN"))),
    ),
    # --- clocks (README §2.4, §3) ---
    "clock without time": (malformed("clk", "missing time"),),
    "spec style: m:ss and trailing ;": (ok(clock("2:00", 120, ClockAction.START)),),
    "clock in plain seconds": (ok(clock("120", 120)),),
    "period as time separator (variant reported by another project for KP&P software)": (
        ok(clock("0.00", 0, ClockAction.STOP_END)),
    ),
    "seconds with one digit": (malformed("clk", "bad time '1:5'"),),
    "unknown clock action": (unknown("unknown clk action 'pause'", code="clk"),),
    "break in plain seconds (spec example)": (ok(Break(ClockTime(58, "58"), None)),),
    "break end in plain seconds (spec example)": (
        ok(Break(ClockTime(0, "0"), ClockAction.STOP_END)),
    ),
    "m:ss countdown (same report; the 2025 Daedo captures use mm:ss)": (
        ok(Injury(None, ClockTime(60, "1:00"), InjuryAction.SHOW)),
    ),
    # --- review, result ---
    "trailing ; after won/lost": (ok(Challenge(BLUE, ChallengeState.ACCEPTED, won=True)),),
    "spec style cancel with trailing ;": (ok(Challenge(RED, ChallengeState.CLOSED, won=None)),),
    "upper-case code, lower-case value": (ok(Winner(WinnerColour.BLUE)),),
    "winner value missing": (malformed("win", "missing winner"),),
    "winner without classification (spec allows it)": (ok(MatchResult("Luka NOVAK", None)),),
    # --- match configuration ---
    "match block cut short": (malformed("mch", "cut short: 3 fields, 13 expected"),),
    "count-up instead of cntDown": (
        ok(
            MatchConfig(
                match_number="101",
                phase="Final",
                category="M -68kg",
                field4="0",
                blue_background="#0000ff",
                blue_text="#FFFFFF",
                red_background="#ff0000",
                red_text="#FFFFFF",
                match_id="null",
                division="Seniors",
                rounds=3,
                round_seconds=120,
                clock_direction="cntUp",
                field14=20,
                field15=5,
            )
        ),
    ),
    "status line (valid, listed for completeness)": (ok(UdpPortStatus(6000, connected=True)),),
}


@pytest.fixture(scope="module")
def rows(samples_dir: Path) -> list[MalformedRow]:
    return read_malformed(samples_dir / MALFORMED_FILE)


def test_every_row_has_an_expectation(rows: list[MalformedRow]) -> None:
    """A new row in the sample file must be added to EXPECTED (and a removed one taken out)."""
    notes = [row.note for row in rows]
    assert len(notes) == len(set(notes)), "notes must be unique: they key the table"
    missing = [f"row {row.row}: {row.note!r}" for row in rows if row.note not in EXPECTED]
    assert not missing, "rows without an expectation:\n" + "\n".join(missing)
    assert set(EXPECTED) == set(notes), f"stale expectations: {set(EXPECTED) - set(notes)}"


def test_table_covers_every_status(rows: list[MalformedRow]) -> None:
    statuses = {e.status for expectations in EXPECTED.values() for e in expectations}
    assert statuses == set(ParseStatus)


def test_each_row_parses_as_expected(rows: list[MalformedRow]) -> None:
    failures = []
    for row in rows:
        expected = EXPECTED.get(row.note)
        if expected is None:
            continue  # reported by test_every_row_has_an_expectation
        parsed = parse_datagram(row.datagram)
        got = [(status_of(p.message), type(p.message), p.encoding_error, p.message) for p in parsed]
        want = [(e.status, e.type, e.encoding_error) for e in expected]
        if [g[:3] for g in got] != want:
            failures.append(f"{row.note!r}: got {got}, expected {want}")
            continue
        for index, (line, expect) in enumerate(zip(parsed, expected, strict=True)):
            message = line.message
            assert line.index == index
            if expect.message is not None:
                if message != expect.message:
                    failures.append(f"{row.note!r}: got {message!r}, expected {expect.message!r}")
            elif isinstance(message, Unknown | Malformed):
                assert expect.reason, f"{row.note!r}: give the expected reason"
                if expect.reason not in message.reason or message.code != expect.code:
                    failures.append(
                        f"{row.note!r}: got {message!r}, expected code {expect.code!r} and a "
                        f"reason containing {expect.reason!r}"
                    )
                # README §6.1/6.4: whatever is not understood keeps its text.
                assert message.raw == line.text, row.note
                assert not message.reason.startswith("internal parser error"), row.note
    assert not failures, "\n".join(failures)


def test_parse_agrees_with_parse_datagram(rows: list[MalformedRow]) -> None:
    """`parse` is the one-message form: same result, or Malformed when a datagram holds several."""
    for row in rows:
        lines = parse_datagram(row.datagram)
        message = parse(row.datagram)
        if len(lines) == 1:
            assert message == lines[0].message, row.note
        else:
            assert isinstance(message, Malformed), row.note
            assert message.reason == f"{len(lines)} messages in one datagram"


@pytest.mark.parametrize("terminator", [b"", b"\r\n", b"\n", b"\r", b"\x00\x00"])
def test_rows_do_not_depend_on_the_terminator(rows: list[MalformedRow], terminator: bytes) -> None:
    """Appending a terminator never changes a message (README §1: CR LF, LF, CR or nothing)."""
    for row in rows:
        if not row.datagram.strip(b" \r\n"):
            continue  # an empty datagram's Unknown keeps its raw text, terminator included
        plain = [p.message for p in parse_datagram(row.datagram)]
        assert [p.message for p in parse_datagram(row.datagram + terminator)] == plain, row.note
