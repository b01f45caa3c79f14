"""Every datagram of the real and synthetic captures parses, and the encoder writes it back.

The real captures (samples/SOURCES.md §1) are the ground truth for what TK-Strike sends: a real
line that does not parse is a parser bug, and a real line that does not come back byte for byte
from `encode_text(parse_text(line))` means the encoder does not write what the sender writes.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.protocol import encode, encode_text, parse, parse_datagram, parse_text, status_of
from app.protocol.messages import (
    VALID_TYPES,
    FightLoaded,
    MatchConfig,
    MatchResult,
    Message,
    ParseStatus,
    Winner,
    WinnerColour,
)
from tests.protocol.sample_files import (
    MALFORMED_FILE,
    REAL_MATCHES,
    REBUILT_CODES,
    VALID_FILES,
    VERBATIM_CODES,
    SampleLine,
    read_lines,
)

REAL_FILES = tuple(name for name in VALID_FILES if name.startswith("real_"))

#: Datagram rows per file, from samples/SOURCES.md (guards the reader against dropping rows).
ROWS = {
    "real_match_1945_final": 308,
    "real_match_7894_semifinal": 378,
    "real_match_101_semifinal_injury": 435,
    "real_match_5555_bronze_ivr": 39,
    "real_odd_lines.tsv": 33,
    "synthetic_full_match.tsv": 668,
}

#: Real lines allowed to differ after encode_text(parse_text(line)), with the reason. Empty: every
#: real line round-trips byte for byte. Keep an entry only with an explanation of why the encoder
#: may legitimately write something else; test_accepted_differences_are_still_needed fails when
#: an entry no longer differs, so this list cannot go stale.
ACCEPTED_DIFFERENCES: dict[str, str] = {}


def _lines(samples_dir: Path, name: str) -> list[SampleLine]:
    return read_lines(samples_dir / name)


def test_file_list_matches_the_samples_folder(samples_dir: Path) -> None:
    """A new capture in samples/ must be added to VALID_FILES (or to the malformed tests)."""
    on_disk = {p.name for p in samples_dir.iterdir() if p.suffix in (".tsv", ".txt")}
    assert on_disk == {*VALID_FILES, MALFORMED_FILE}


@pytest.mark.parametrize("name", VALID_FILES)
def test_row_counts_match_sources_md(samples_dir: Path, name: str) -> None:
    expected = ROWS.get(name) or ROWS[name.rsplit(".", 1)[0]]
    assert len(_lines(samples_dir, name)) == expected


@pytest.mark.parametrize("name", VALID_FILES)
def test_every_line_parses_to_a_valid_message(samples_dir: Path, name: str) -> None:
    failures = []
    for line in _lines(samples_dir, name):
        message = parse_text(line.datagram)
        if status_of(message) is not ParseStatus.OK or type(message) not in VALID_TYPES:
            failures.append(f"{line.where}: {line.datagram!r} -> {message!r}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", VALID_FILES)
def test_every_line_parses_the_same_as_a_datagram(samples_dir: Path, name: str) -> None:
    """As received: UTF-8 bytes with the CR LF the sender appends, one message per datagram."""
    for line in _lines(samples_dir, name):
        datagram = line.datagram.encode("utf-8") + b"\r\n"
        (parsed,) = parse_datagram(datagram)
        assert parsed.index == 0
        assert parsed.text == line.datagram
        assert parsed.encoding_error is False, line.where
        assert parsed.message == parse_text(line.datagram), line.where
        assert parse(datagram) == parsed.message, line.where


@pytest.mark.parametrize("match", REAL_MATCHES)
def test_txt_and_tsv_hold_the_same_datagrams(samples_dir: Path, match: str) -> None:
    tsv = [line.datagram for line in _lines(samples_dir, f"{match}.tsv")]
    txt = [line.datagram for line in _lines(samples_dir, f"{match}.txt")]
    assert tsv == txt


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_lines_round_trip_byte_for_byte(samples_dir: Path, name: str) -> None:
    failures = []
    for line in _lines(samples_dir, name):
        message = parse_text(line.datagram)
        text = encode_text(message)
        if text != line.datagram and line.datagram not in ACCEPTED_DIFFERENCES:
            failures.append(f"{line.where}: {line.datagram!r} encoded as {text!r}")
            continue
        # The sender appends CR LF and encodes UTF-8 (README §1).
        assert encode(message) == (text + "\r\n").encode("utf-8")
    assert not failures, "\n".join(failures)


def test_accepted_differences_are_still_needed(samples_dir: Path) -> None:
    real = {line.datagram for name in REAL_FILES for line in _lines(samples_dir, name)}
    for datagram, reason in ACCEPTED_DIFFERENCES.items():
        assert reason.strip(), f"{datagram!r}: give the reason"
        assert datagram in real, f"{datagram!r} is not a real line any more"
        assert encode_text(parse_text(datagram)) != datagram, f"{datagram!r} round-trips now"


def test_synthetic_match_round_trips(samples_dir: Path) -> None:
    """make_synthetic.py writes the sender's layout too, including the codes never captured."""
    for line in _lines(samples_dir, "synthetic_full_match.tsv"):
        assert encode_text(parse_text(line.datagram)) == line.datagram, line.where


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_line_provenance_is_known(samples_dir: Path, name: str) -> None:
    """Each real code is either verbatim or rebuilt (SOURCES.md): the round trip covers both."""
    codes = {line.code for line in _lines(samples_dir, name)}
    assert codes <= VERBATIM_CODES | REBUILT_CODES
    assert codes & VERBATIM_CODES, "no verbatim line: the round trip would only test rebuilt text"


def test_real_odd_lines_provenance_column_agrees_with_sources_md(samples_dir: Path) -> None:
    for line in _lines(samples_dir, "real_odd_lines.tsv"):
        expected = "verbatim" if line.code in VERBATIM_CODES else "rebuilt"
        assert line.columns["provenance"] == expected, line.where


def test_synthetic_match_covers_every_message_type(samples_dir: Path) -> None:
    types = {type(parse_text(line.datagram)) for line in _lines(samples_dir, VALID_FILES[-1])}
    assert VALID_FILES[-1] == "synthetic_full_match.tsv"
    assert types == set(VALID_TYPES)


def _messages(samples_dir: Path, name: str) -> list[Message]:
    return [parse_text(line.datagram) for line in _lines(samples_dir, name)]


@pytest.mark.parametrize(
    ("match", "number", "colour", "result"),
    [
        ("real_match_101_semifinal_injury", "101", WinnerColour.BLUE, ("Perica", "2-1 PTF")),
        (
            "real_match_1945_final",
            "1945",
            WinnerColour.BLUE,
            ("Mikhail Kalashnikov", "2-1 PTF"),
        ),
        ("real_match_5555_bronze_ivr", "5555", WinnerColour.TIE, ("", "0-0 WDR")),
        ("real_match_7894_semifinal", "7894", WinnerColour.RED, ("Damjan Mitrić", "1-2 PTF")),
    ],
)
def test_real_match_files_parse_into_a_whole_match(
    samples_dir: Path,
    match: str,
    number: str,
    colour: WinnerColour,
    result: tuple[str, str],
) -> None:
    """SOURCES.md: a match file starts at its `pre;FightLoaded` and ends with its `wmh`."""
    messages = _messages(samples_dir, f"{match}.tsv")
    assert messages[0] == FightLoaded()
    configs = [m for m in messages if isinstance(m, MatchConfig)]
    assert [c.match_number for c in configs] == [number]
    winners = [m for m in messages if isinstance(m, Winner)]
    assert winners == [Winner(colour)]
    assert messages[-2] == Winner(colour)
    assert messages[-1] == MatchResult(*result)


def test_real_captures_show_the_expected_codes(samples_dir: Path) -> None:
    """The real files hold the codes README §2.1 marks [cap], and no others."""
    counts: Counter[str] = Counter()
    for match in REAL_MATCHES:
        counts.update(type(m).__name__ for m in _messages(samples_dir, f"{match}.tsv"))
    assert set(counts) == {
        "FightLoaded",
        "Referees",
        "Athletes",
        "MatchConfig",
        "FightReady",
        "Clock",
        "Round",
        "Break",
        "Injury",
        "Point",
        "HitLevel",
        "Score",
        "RoundScores",
        "Leader",
        "Penalties",
        "Challenge",
        "RoundWinners",
        "RoundStats",
        "RoundStatsReset",
        "Winner",
        "MatchResult",
    }
    assert counts["Clock"] > 500
