"""`make bench`: run the benchmark suite, print one table, write bench/results.json.

    python -m bench [--quick] [--only NAME ...]

Each benchmark is an entry of BENCHMARKS: a module under bench/ with a `run(...)` returning a
dict, and the figures the table takes from it, each with its target from design.md §5 and a
pass/miss check. A module that is not there (yet) is reported as "not available"; one that
fails is reported as failed; neither stops the others.

To add a benchmark: write `bench/NAME.py` with `run(quick: bool = False) -> dict` (a `quick`
parameter is optional) and append an Entry below. A module may also return
`"figures": [{"figure": ..., "value": ..., "target": ..., "passed": bool | None}]` to add rows
of its own to the table.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import importlib.util
import inspect
import json
import os
import platform
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

RESULTS = Path(__file__).with_name("results.json")

Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Figure:
    label: str
    key: str  # dotted path into the module's result
    target: str = ""  # as design.md §5 says it ("" for a figure shown for context)
    check: Check | None = None


@dataclass(frozen=True)
class Entry:
    name: str  # results.json key and --only name
    module: str  # bench.<module>
    title: str
    figures: tuple[Figure, ...]
    call: Callable[[ModuleType, bool], Any] | None = None  # default: run(quick=...) or run()


def at_least(limit: float) -> Check:
    return lambda value: value >= limit


def below(limit: float) -> Check:
    return lambda value: value < limit


def equals(expected: object) -> Check:
    return lambda value: value == expected


def _fuzz(module: ModuleType, quick: bool) -> dict[str, Any]:
    result = module.run(50_000 if quick else 200_000, seed=1, real_lines=100_000)
    print(module.report(result))
    return {
        "count": result.count,
        "exceptions": result.exceptions,
        "internal_errors": result.internal_errors,
        "rate": round(result.rate),
        "real_lines_rate": round(result.real_rate),
    }


def _ingest(module: ModuleType, quick: bool) -> dict[str, Any]:
    return dict(module.run(5.0 if quick else 30.0))


def _gui_stall(module: ModuleType, quick: bool) -> dict[str, Any]:
    result = dict(module.run(10.0 if quick else 20.0))
    print(module.report(result))
    return result


def _queries(module: ModuleType, quick: bool) -> dict[str, Any]:
    return dict(module.run())  # the 5,000,000-event database is built once and reused


def _archive(module: ModuleType, quick: bool) -> dict[str, Any]:
    result = dict(module.run(100_000 if quick else 1_000_000))
    print(module.report(result))
    return result


BENCHMARKS: tuple[Entry, ...] = (
    Entry(
        "fuzz",
        "bench.fuzz_parser",
        "parse: random and mutated datagrams",
        (
            Figure("parser fuzz rate (datagrams/s)", "rate"),
            Figure("parser fuzz exceptions", "exceptions", "0", equals(0)),
            Figure("parser on real lines (datagrams/s)", "real_lines_rate"),
        ),
        call=_fuzz,
    ),
    Entry(
        "match_fold_us",
        "bench.match_fold",
        "match fold",
        (Figure("fold per clock tick (µs)", "clk;01:59"),),
    ),
    Entry(
        "ingest",
        "bench.ingest",
        "ingest: UDP -> committed rows, zero loss, against a raw pipeline",
        (
            Figure(
                "ingest StrikeDesk (events/s, zero loss)",
                "strikedesk_events_per_s",
                ">= 50,000",
                at_least(50_000),
            ),
            Figure("ingest raw pipeline (events/s, zero loss)", "raw_events_per_s"),
            Figure("StrikeDesk / raw", "ratio", ">= 0.40", at_least(0.40)),
        ),
        call=_ingest,
    ),
    Entry(
        "latency",
        "bench.latency",
        "datagram -> committed row at 1,000 events/s",
        (
            Figure("latency p50 at 1,000 events/s (ms)", "p50_ms"),
            Figure("latency p99 at 1,000 events/s (ms)", "p99_ms", "< 250", below(250)),
            Figure("events lost at 1,000 events/s", "lost", "0", equals(0)),
        ),
    ),
    Entry(
        "gui_stall",
        "bench.gui_stall",
        "GUI event-loop stall, 5,000 events/s on 8 courts",
        (
            Figure("GUI stall p99 (ms)", "loaded.p99_ms", "< 50", below(50)),
            Figure("GUI stall max (ms)", "loaded.max_ms", "< 200", below(200)),
            Figure("GUI heartbeat p99, idle window (ms)", "idle.p99_ms"),
        ),
        call=_gui_stall,
    ),
    Entry(
        "queries",
        "bench.queries",
        "tournament/day/match queries at 5,000,000 events",
        (
            Figure("query p95 uncached, worst (ms)", "worst_uncached_p95_ms", "< 50", below(50)),
            Figure("query p95 cached, worst (ms)", "worst_cached_p95_ms", "< 1", below(1)),
        ),
        call=_queries,
    ),
    Entry(
        "archive",
        "bench.archive",
        "archive / restore",
        (
            Figure("archive (events/s)", "archive_events_per_s", ">= 100,000", at_least(100_000)),
            Figure("restore (events/s)", "restore_events_per_s", ">= 100,000", at_least(100_000)),
            Figure("byte-identical round trip", "round_trip_identical", "yes", equals(True)),
            Figure("archive, raw INSERT…SELECT (events/s)", "raw_archive_events_per_s"),
            Figure("restore, raw INSERT…SELECT (events/s)", "raw_restore_events_per_s"),
        ),
        call=_archive,
    ),
    Entry(
        "rss",
        "bench.rss",
        "recorder RSS after 1,000,000 events",
        (
            Figure("events recorded (RSS run)", "events", ">= 1,000,000", at_least(1_000_000)),
            Figure("recorder RSS after them (MB)", "rss_mb", "< 300", below(300)),
            Figure("peak RSS while recording them (MB)", "peak_rss_mb"),
        ),
    ),
    Entry(
        "cold_start",
        "bench.cold_start",
        "cold start: command line and headless recorder",
        (
            Figure("`strikedesk --version` (s)", "cli_version_s"),
            Figure("recorder start until recording (s)", "recorder_ready_s", "< 2", below(2)),
            Figure("same, new data folder (s)", "recorder_ready_new_folder_s", "< 2", below(2)),
        ),
    ),
    Entry(
        "window_start",
        "bench.window_start",
        "cold start to a usable window",
        (Figure("cold start to usable window (s)", "seconds", "< 2", below(2)),),
    ),
)


@dataclass
class Outcome:
    entry: Entry
    status: str  # "ok", "not available", "failed"
    result: dict[str, Any] = dataclasses.field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0


def machine() -> str:
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {python}"


def _call(entry: Entry, module: ModuleType, quick: bool) -> Any:
    if entry.call is not None:
        return entry.call(module, quick)
    if "quick" in inspect.signature(module.run).parameters:
        return module.run(quick=quick)
    return module.run()


def run_entry(entry: Entry, quick: bool) -> Outcome:
    started = time.monotonic()
    if importlib.util.find_spec(entry.module) is None:
        return Outcome(entry, "not available", error=f"{entry.module} does not exist yet")
    try:
        module = importlib.import_module(entry.module)
        result = _call(entry, module, quick)
    except Exception as exc:
        traceback.print_exc()
        error = f"{type(exc).__name__}: {exc}"
        return Outcome(entry, "failed", error=error, seconds=_since(started))
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = dataclasses.asdict(result)
    if not isinstance(result, dict):
        result = {"value": result}
    return Outcome(entry, "ok", result, seconds=_since(started))


def _since(started: float) -> float:
    return round(time.monotonic() - started, 1)


def lookup(result: dict[str, Any], key: str) -> Any:
    if key in result:  # keys may contain dots themselves ("clk;01:59")
        return result[key]
    node: Any = result
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def rows_of(outcome: Outcome) -> list[dict[str, Any]]:
    """Table rows: figure, value, target, pass/miss ("" when there is no target)."""
    if outcome.status != "ok":
        why = f"{outcome.status} ({outcome.error})" if outcome.error else outcome.status
        return [
            {"figure": f.label, "value": why, "target": f.target, "result": ""}
            for f in outcome.entry.figures
        ]
    rows = []
    for figure in outcome.entry.figures:
        value = lookup(outcome.result, figure.key)
        verdict = ""
        if value is None:
            value, verdict = f"n/a (no '{figure.key}' in result)", "miss" if figure.check else ""
        elif figure.check is not None:
            verdict = "pass" if figure.check(value) else "miss"
        rows.append(
            {"figure": figure.label, "value": value, "target": figure.target, "result": verdict}
        )
    for extra in outcome.result.get("figures", []):
        passed = extra.get("passed")
        rows.append(
            {
                "figure": extra.get("figure", "?"),
                "value": extra.get("value"),
                "target": extra.get("target", ""),
                "result": "" if passed is None else ("pass" if passed else "miss"),
            }
        )
    return rows


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def print_table(rows: list[dict[str, Any]]) -> None:
    cells = [[r["figure"], _cell(r["value"]), r["target"], r["result"]] for r in rows]
    headers = ["figure", "value", "target", "result"]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (a smoke check)")
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help=f"run these: {[e.name for e in BENCHMARKS]}"
    )
    args = parser.parse_args()
    entries = [e for e in BENCHMARKS if not args.only or e.name in args.only]
    started = time.monotonic()
    results: dict[str, Any] = {"machine": machine(), "quick": args.quick}
    outcomes = []
    for entry in entries:
        print(f"== {entry.name}: {entry.title}", flush=True)
        outcome = run_entry(entry, args.quick)
        outcomes.append(outcome)
        print(f"   {outcome.status} in {outcome.seconds} s", flush=True)
        results[entry.name] = outcome.result if outcome.status == "ok" else None
    rows = [row for outcome in outcomes for row in rows_of(outcome)]
    results["status"] = {
        o.entry.name: {"status": o.status, "error": o.error, "seconds": o.seconds} for o in outcomes
    }
    results["table"] = rows
    results["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print(f"\nStrikeDesk benchmarks on {results['machine']} ({results['seconds']} s)")
    print_table(rows)
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
