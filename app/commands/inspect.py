"""`strikedesk inspect FILE [--json]`: the matches in a capture file, one row per match.

Reads a `.txt`/`.tsv` capture, parses every datagram and places the messages in matches with
the same `MatchTracker` the recorder uses, then prints a table (or a JSON list) of match
summaries: what the stream itself announced, plus warnings where it contradicts itself.
No database, no network: safe to run on any file, e.g. to check a capture before replaying it.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.cli import EXIT_OK, EXIT_USAGE
from app.match.state import MatchState
from app.match.summary import format_table, summarize, to_json
from app.match.tracker import MatchTracker
from app.protocol.parser import parse_datagram
from app.sim.capture import CaptureError, CaptureLine, read_capture

#: A `.txt` capture has no times. Its lines are taken this far apart (seconds), so a pending
#: load resolves on its own messages (at1 + mch, rdy, …) and only times out after 2,000 lines;
#: counting one second per line would time every load out before its `mch`.
UNTIMED_STEP_S = 0.001


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "inspect",
        help="list the matches in a capture file (.txt or .tsv)",
        description=(
            "Parse a capture file and print one row per match: match number, category, "
            "athletes, points per round, round wins, winner, decision and message counts, "
            "plus any place where the stream contradicts itself."
        ),
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="capture file (.txt or .tsv)")
    parser.add_argument("--json", action="store_true", help="print a JSON list instead")
    parser.set_defaults(handler=run)


@dataclass(frozen=True, slots=True)
class Inspection:
    matches: list[MatchState]  # every match in the capture, in order, in its final state
    outside: int  # messages placed in no match (session lines, anything before the first load)


def inspect_lines(lines: Sequence[CaptureLine]) -> Inspection:
    tracker: MatchTracker[int] = MatchTracker()
    matches: list[MatchState] = []
    outside = 0
    for index, line in enumerate(lines):
        at = line.offset_ms / 1000 if line.offset_ms is not None else index * UNTIMED_STEP_S
        for parsed in parse_datagram(line.datagram):
            placed = tracker.feed(parsed.message, at, index)
            outside += sum(1 for _, state in placed if state is None)
        matches.extend(tracker.drain_closed())
    outside += sum(1 for _, state in tracker.close() if state is None)
    matches.extend(tracker.drain_closed())
    if tracker.current is not None:
        matches.append(tracker.current)
    return Inspection(matches, outside)


def run(args: argparse.Namespace) -> int:
    try:
        lines = read_capture(args.file)
    except CaptureError as exc:
        print(f"strikedesk inspect: error: {exc}", file=sys.stderr)
        return EXIT_USAGE  # the argument does not name a readable capture
    inspection = inspect_lines(lines)
    summaries = [summarize(state) for state in inspection.matches]
    if args.json:
        document: list[dict[str, Any]] = [to_json(summary) for summary in summaries]
        _write_utf8(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        text = format_table(summaries)
        if inspection.outside:
            text += (
                f"\n\n{inspection.outside} message(s) outside any match "
                "(session or equipment lines, or before the first load)"
            )
        _write_utf8(text + "\n")
    return EXIT_OK


def _write_utf8(text: str) -> None:
    # Names are UTF-8 (`Ć`); a Windows console or pipe would otherwise encode with its code page
    # and fail. JSON is UTF-8 by definition, and so is everything else StrikeDesk writes.
    buffer = getattr(sys.stdout, "buffer", None)
    if isinstance(sys.stdout, io.TextIOWrapper) and buffer is not None:
        sys.stdout.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        sys.stdout.write(text)
