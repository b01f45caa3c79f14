"""One-line summaries of matches: a plain record, its JSON form and a plain-text table.

`MatchSummary` does not depend on how it was produced: `summarize(state)` builds it from a folded
`MatchState` (the `inspect` command), and the `matches` command can build it from database rows
and reuse `to_json` and `format_table` unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.match.state import MatchState
from app.protocol.messages import Athlete


@dataclass(frozen=True, slots=True)
class AthleteSummary:
    name: str | None  # the long name (the short one when no long name was sent)
    noc: str | None


@dataclass(frozen=True, slots=True)
class MatchSummary:
    match_number: str | None
    category: str | None
    blue: AthleteSummary
    red: AthleteSummary
    rounds: tuple[tuple[int, int], ...]  # points per round as stated by the stream, blue first
    round_wins: tuple[int, int]  # rounds won per `wrd`, blue first
    winner: str | None  # "blue", "red", "tie" (from `win`) or None
    decision: str | None  # the `wmh` result text as announced, e.g. "2-1 PTF"
    events: int
    unknown: int
    malformed: int
    warnings: tuple[str, ...]


def _athlete(athlete: Athlete | None) -> AthleteSummary:
    if athlete is None:
        return AthleteSummary(None, None)
    name = athlete.long_name.strip() or athlete.short_name.strip()
    return AthleteSummary(name or None, athlete.noc or None)


def summarize(state: MatchState) -> MatchSummary:
    outcome = state.outcome
    result = outcome.result
    return MatchSummary(
        match_number=state.info.match_number,
        category=state.info.category,
        blue=_athlete(state.info.blue),
        red=_athlete(state.info.red),
        rounds=tuple((row.blue, row.red) for row in state.stated_rounds),
        round_wins=(state.round_wins.blue, state.round_wins.red),
        winner=outcome.winner.value.lower() if outcome.winner is not None else None,
        decision=result.result_text if result is not None else None,
        events=state.events,
        unknown=state.unknown,
        malformed=state.malformed,
        warnings=state.warnings,
    )


def to_json(summary: MatchSummary) -> dict[str, Any]:
    """A JSON-ready dict with exactly the documented keys (scripts rely on them)."""
    return {
        "match_number": summary.match_number,
        "category": summary.category,
        "blue": {"name": summary.blue.name, "noc": summary.blue.noc},
        "red": {"name": summary.red.name, "noc": summary.red.noc},
        "rounds": [[blue, red] for blue, red in summary.rounds],
        "round_wins": list(summary.round_wins),
        "winner": summary.winner,
        "decision": summary.decision,
        "events": summary.events,
        "unknown": summary.unknown,
        "malformed": summary.malformed,
        "warnings": list(summary.warnings),
    }


_HEADERS = (
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
)
_NUMERIC = {"EVENTS", "UNKNOWN", "MALFORMED"}
_NONE = "-"


def _athlete_cell(athlete: AthleteSummary) -> str:
    if athlete.name is None:
        return _NONE
    return f"{athlete.name} ({athlete.noc})" if athlete.noc else athlete.name


def _cells(summary: MatchSummary) -> tuple[str, ...]:
    return (
        summary.match_number or _NONE,
        summary.category or _NONE,
        _athlete_cell(summary.blue),
        _athlete_cell(summary.red),
        " ".join(f"{blue}-{red}" for blue, red in summary.rounds) or _NONE,
        f"{summary.round_wins[0]}-{summary.round_wins[1]}",
        summary.winner or _NONE,
        summary.decision or _NONE,
        str(summary.events),
        str(summary.unknown),
        str(summary.malformed),
    )


def format_table(summaries: Sequence[MatchSummary]) -> str:
    """A plain-text table, one row per match, then the warnings (each under its match number)."""
    if not summaries:
        return "no matches"
    rows = [_HEADERS, *(_cells(summary) for summary in summaries)]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_HEADERS))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(width) if header in _NUMERIC else cell.ljust(width)
            for cell, width, header in zip(row, widths, _HEADERS, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    warned = [(s.match_number or _NONE, text) for s in summaries for text in s.warnings]
    if warned:
        lines.append("")
        lines.append("warnings:")
        lines.extend(f"  {number}: {text}" for number, text in warned)
    return "\n".join(lines)
