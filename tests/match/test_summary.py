"""MatchSummary: JSON keys, values from a state, and the plain-text table."""

from __future__ import annotations

import json

from app.match.state import MatchState, fold
from app.match.summary import AthleteSummary, MatchSummary, format_table, summarize, to_json
from app.protocol.parser import parse_text

JSON_KEYS = [
    "match_number",
    "category",
    "blue",
    "red",
    "rounds",
    "round_wins",
    "winner",
    "decision",
    "events",
    "unknown",
    "malformed",
    "warnings",
]

FINAL = MatchSummary(
    match_number="1945",
    category="M -87kg",
    blue=AthleteSummary("Mikhail Kalashnikov", "RUS"),
    red=AthleteSummary("Dicke Berta", "GER"),
    rounds=((4, 5), (19, 12), (12, 0)),
    round_wins=(2, 1),
    winner="blue",
    decision="2-1 PTF",
    events=308,
    unknown=1,
    malformed=2,
    warnings=(),
)


def test_json_has_exactly_the_documented_keys_and_values() -> None:
    document = to_json(FINAL)
    assert list(document) == JSON_KEYS
    assert document == {
        "match_number": "1945",
        "category": "M -87kg",
        "blue": {"name": "Mikhail Kalashnikov", "noc": "RUS"},
        "red": {"name": "Dicke Berta", "noc": "GER"},
        "rounds": [[4, 5], [19, 12], [12, 0]],
        "round_wins": [2, 1],
        "winner": "blue",
        "decision": "2-1 PTF",
        "events": 308,
        "unknown": 1,
        "malformed": 2,
        "warnings": [],
    }
    assert json.loads(json.dumps(document)) == document


def test_summary_of_an_empty_match_is_all_unknown() -> None:
    summary = summarize(MatchState())
    assert summary == MatchSummary(
        match_number=None,
        category=None,
        blue=AthleteSummary(None, None),
        red=AthleteSummary(None, None),
        rounds=(),
        round_wins=(0, 0),
        winner=None,
        decision=None,
        events=0,
        unknown=0,
        malformed=0,
        warnings=(),
    )
    assert to_json(summary)["blue"] == {"name": None, "noc": None}


def test_summary_uses_long_names_and_the_announced_result() -> None:
    state = fold(
        parse_text(line)
        for line in (
            "at1;L. NOVAK;Luka NOVAK;SLO;at2;D. ĆORIĆ;Dario ĆORIĆ;CRO",
            "rnd;1",
            "s11;3;s21;1",
            "pt1;3",
            "pt2;1",
            "wrd;rd1;1",
            "win;TIE",
            "wmh;;0-0 WDR",
        )
    )
    summary = summarize(state)
    assert summary.blue == AthleteSummary("Luka NOVAK", "SLO")
    assert summary.red == AthleteSummary("Dario ĆORIĆ", "CRO")
    assert summary.rounds == ((3, 1),)
    assert (summary.winner, summary.decision) == ("tie", "0-0 WDR")
    assert summary.warnings == ("result TIE contradicts round winners (blue won 1-0)",)


def test_summary_shows_the_stated_score_even_when_points_disagree() -> None:
    state = fold(parse_text(line) for line in ("rnd;1", "s11;3;s21;1", "pt1;2", "wrd;rd1;1"))
    summary = summarize(state)
    assert summary.rounds == ((3, 1),)
    assert summary.warnings == ("round 1: stream says 3-1, points and penalties give 2-0",)


def test_table_has_a_header_and_one_row_per_match() -> None:
    other = MatchSummary(
        match_number="5555",
        category=None,
        blue=AthleteSummary("Krava Debela", None),
        red=AthleteSummary(None, None),
        rounds=(),
        round_wins=(1, 0),
        winner=None,
        decision=None,
        events=39,
        unknown=0,
        malformed=0,
        warnings=("result TIE contradicts round winners (blue won 1-0)",),
    )
    lines = format_table([FINAL, other]).splitlines()
    assert lines[0].split() == [
        "MATCH",
        "CATEGORY",
        "BLUE",
        "RED",
        "ROUNDS",
        "WINS",
        "WINNER",
        "DECISION",
        "EVENTS",
        "UNKNOWN",
        "MALFORMED",
    ]
    assert lines[1].split() == [
        *("1945", "M", "-87kg", "Mikhail", "Kalashnikov", "(RUS)", "Dicke", "Berta", "(GER)"),
        *("4-5", "19-12", "12-0", "2-1", "blue", "2-1", "PTF", "308", "1", "2"),
    ]
    assert lines[2].split() == [
        *("5555", "-", "Krava", "Debela", "-", "-", "1-0", "-", "-", "39", "0", "0"),
    ]
    # columns line up: every row starts its BLUE cell where the header does
    column = lines[0].index("BLUE")
    assert lines[1][column:].startswith("Mikhail") and lines[2][column:].startswith("Krava")
    assert lines[3:] == [
        "",
        "warnings:",
        "  5555: result TIE contradicts round winners (blue won 1-0)",
    ]


def test_table_without_matches() -> None:
    assert format_table([]) == "no matches"
