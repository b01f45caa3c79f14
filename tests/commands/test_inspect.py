"""`strikedesk inspect`: run as a real process on every sample; and the capture reader."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.sim.capture import CaptureError, CaptureLine, read_capture

#: What each sample's stream announces, read from the files by hand (see tests/match/
#: test_samples.py for the reasoning per match).
EXPECTED: dict[str, dict[str, Any]] = {
    "real_match_1945_final": {
        "match_number": "1945",
        "category": "M -87kg",
        "blue": {"name": "Mikhail Kalashnikov", "noc": "RUS"},
        "red": {"name": "Dicke Berta", "noc": "GER"},
        "rounds": [[4, 5], [19, 12], [12, 0]],
        "round_wins": [2, 1],
        "winner": "blue",
        "decision": "2-1 PTF",
        "events": 308,
        "unknown": 0,
        "malformed": 0,
        "warnings": [],
    },
    "real_match_7894_semifinal": {
        "match_number": "7894",
        "category": "W +73kg",
        "blue": {"name": "Marko Drakulić", "noc": "CRO"},
        "red": {"name": "Damjan Mitrić", "noc": "CRO"},
        "rounds": [[12, 11], [0, 0], [2, 1]],
        "round_wins": [2, 1],
        "winner": "red",
        "decision": "1-2 PTF",
        "events": 378,
        "unknown": 0,
        "malformed": 0,
        "warnings": ["result RED contradicts round winners (blue won 2-1)"],
    },
    "real_match_101_semifinal_injury": {
        "match_number": "101",
        "category": "M -68kg",
        "blue": {"name": "Perica", "noc": "CRO"},
        "red": {"name": "Stevica", "noc": "GER"},
        "rounds": [[0, 0], [0, 0], [0, 0]],
        "round_wins": [2, 1],
        "winner": "blue",
        "decision": "2-1 PTF",
        "events": 435,
        "unknown": 0,
        "malformed": 0,
        "warnings": [],
    },
    "real_match_5555_bronze_ivr": {
        "match_number": "5555",
        "category": "W +73kg",
        "blue": {"name": "Krava Debela", "noc": "IND"},
        "red": {"name": "Godzilla Vesela", "noc": "CHI"},
        "rounds": [[0, 0]],
        "round_wins": [1, 0],
        "winner": "tie",
        "decision": "0-0 WDR",
        "events": 39,
        "unknown": 0,
        "malformed": 0,
        "warnings": ["result TIE contradicts round winners (blue won 1-0)"],
    },
    "synthetic_full_match": {
        "match_number": "245.A",
        "category": "M -68kg",
        "blue": {"name": "Luka NOVAK", "noc": "SLO"},
        "red": {"name": "Dario ĆORIĆ", "noc": "CRO"},
        "rounds": [[7, 8], [7, 4], [6, 2]],
        "round_wins": [2, 1],
        "winner": "blue",
        "decision": "2-1 PTF",
        "events": 655,
        "unknown": 0,
        "malformed": 0,
        "warnings": [],
    },
}


def strikedesk(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize(
    "file",
    [
        *(f"{name}.tsv" for name in EXPECTED),
        "real_match_7894_semifinal.txt",
    ],
)
def test_inspect_json_gives_what_the_stream_announces(samples_dir: Path, file: str) -> None:
    result = strikedesk("inspect", samples_dir / file, "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(result.stdout) == [EXPECTED[Path(file).stem]]


def test_inspect_table(samples_dir: Path) -> None:
    result = strikedesk("inspect", samples_dir / "synthetic_full_match.tsv")
    assert result.returncode == 0, result.stderr
    header, row, *rest = result.stdout.splitlines()
    assert header.split()[:4] == ["MATCH", "CATEGORY", "BLUE", "RED"]
    assert row.split() == [
        *("245.A", "M", "-68kg", "Luka", "NOVAK", "(SLO)", "Dario", "ĆORIĆ", "(CRO)"),
        *("7-8", "7-4", "6-2", "2-1", "blue", "2-1", "PTF", "655", "0", "0"),
    ]
    assert rest == [
        "",
        "13 message(s) outside any match (session or equipment lines, or before the first load)",
    ]


def test_inspect_table_lists_warnings(samples_dir: Path) -> None:
    result = strikedesk("inspect", samples_dir / "real_match_5555_bronze_ivr.txt")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "warnings:",
        "  5555: result TIE contradicts round winners (blue won 1-0)",
    ]


def test_inspect_several_matches_in_one_file(tmp_path: Path, samples_dir: Path) -> None:
    # Two captures back to back: the tracker splits them at the second load.
    first = (samples_dir / "real_match_5555_bronze_ivr.txt").read_text(encoding="utf-8")
    second = (samples_dir / "real_match_1945_final.txt").read_text(encoding="utf-8")
    capture = tmp_path / "two.txt"
    capture.write_text(first + second, encoding="utf-8")
    result = strikedesk("inspect", capture, "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document == [EXPECTED["real_match_5555_bronze_ivr"], EXPECTED["real_match_1945_final"]]


def test_inspect_missing_file_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.tsv"
    result = strikedesk("inspect", missing, "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"strikedesk inspect: error: {missing}: no such file"]


def test_inspect_unreadable_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("hex_bytes\tnote\n00\tx\n", encoding="utf-8")
    result = strikedesk("inspect", bad)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert "expected the header" in result.stderr


def test_inspect_file_without_matches(tmp_path: Path) -> None:
    capture = tmp_path / "session.txt"
    capture.write_text("hel;\nUdp Port 8888 connected;\n", encoding="utf-8")
    result = strikedesk("inspect", capture, "--json")
    assert (result.returncode, json.loads(result.stdout)) == (0, [])


# --- the capture reader --------------------------------------------------------------------------
def test_read_tsv_and_txt_give_the_same_datagrams(samples_dir: Path) -> None:
    tsv = read_capture(samples_dir / "real_match_1945_final.tsv")
    txt = read_capture(samples_dir / "real_match_1945_final.txt")
    assert len(tsv) == len(txt) == 308
    assert [line.datagram for line in tsv] == [line.datagram for line in txt]
    assert tsv[0] == CaptureLine(0, b"pre;FightLoaded")
    assert tsv[1] == CaptureLine(13, b"ref;;;ju1;;;ju2;;;ta;;;")
    assert all(line.offset_ms is None for line in txt)


def test_read_keeps_utf8_bytes_tabs_and_empty_fields(tmp_path: Path) -> None:
    capture = tmp_path / "c.tsv"
    capture.write_bytes(
        "offset_ms\tdatagram\r\n0\tat1;Ć;Ć;CRO;at2;B;B;GER\r\n5\twmh;;0-0 WDR\n7\tx\ty\n".encode()
    )
    assert read_capture(capture) == [
        CaptureLine(0, "at1;Ć;Ć;CRO;at2;B;B;GER".encode()),
        CaptureLine(5, b"wmh;;0-0 WDR"),
        CaptureLine(7, b"x\ty"),
    ]


def test_read_txt_skips_blank_lines(tmp_path: Path) -> None:
    capture = tmp_path / "c.txt"
    capture.write_text("pre;FightLoaded\n\nrdy;FightReady\n", encoding="utf-8")
    assert [line.datagram for line in read_capture(capture)] == [
        b"pre;FightLoaded",
        b"rdy;FightReady",
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.tsv", b"offset_ms\tdatagram\n12\tpre;FightLoaded\nx\tpt1;3\n", "a.tsv:3: offset_ms"),
        ("b.tsv", b"offset_ms\tdatagram\n-1\tpt1;3\n", "b.tsv:2: offset_ms"),
        ("c.tsv", b"offset_ms\tdatagram\n12 pt1;3\n", "c.tsv:2: expected"),
        ("d.tsv", b"", "d.tsv:1: expected the header"),
        ("e.txt", b"pre;FightLoaded\nhl1;\xff\n", "e.txt:2: not UTF-8"),
        ("f.csv", b"pre;FightLoaded\n", "unsupported capture format"),
    ],
)
def test_bad_captures_raise_capture_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CaptureError, match=message):
        read_capture(path)


def test_missing_or_directory_raise_capture_error(tmp_path: Path) -> None:
    with pytest.raises(CaptureError, match="no such file"):
        read_capture(tmp_path / "missing.txt")
    folder = tmp_path / "dir.tsv"
    folder.mkdir()
    with pytest.raises(CaptureError, match="is a directory"):
        read_capture(folder)
