"""`make bench`: run the benchmarks, print one table, write bench/results.json.

    python -m bench [--quick]

Each benchmark prints its own progress; the table at the end collects the headline figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from bench import archive, fuzz_parser, ingest, match_fold, queries

RESULTS = Path(__file__).with_name("results.json")


def machine() -> str:
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {python}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s ingest confirmation runs")
    args = parser.parse_args()
    started = time.monotonic()
    results: dict[str, object] = {"machine": machine()}
    print("== parse: 200,000 random and mutated datagrams")
    fuzz_result = fuzz_parser.run(200_000, seed=1, real_lines=100_000)
    print(fuzz_parser.report(fuzz_result))
    results["fuzz"] = {
        "count": fuzz_result.count,
        "exceptions": fuzz_result.exceptions,
        "internal_errors": fuzz_result.internal_errors,
        "rate": round(fuzz_result.rate),
        "real_lines_rate": round(fuzz_result.real_rate),
    }
    print("== match fold")
    results["match_fold_us"] = match_fold.run()
    print("== ingest")
    results["ingest"] = ingest.run(5.0 if args.quick else 30.0)
    print("== analytics queries at 5,000,000 events")
    results["queries"] = queries.run()
    print("== archive / restore")
    moved_figures = archive.run(100_000 if args.quick else 1_000_000)
    results["archive"] = moved_figures
    print(archive.report(moved_figures))
    results["seconds"] = round(time.monotonic() - started, 1)
    RESULTS.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")

    fuzz = results["fuzz"]
    flow = results["ingest"]
    analytics = results["queries"]
    moved = results["archive"]
    assert isinstance(fuzz, dict) and isinstance(flow, dict)
    assert isinstance(analytics, dict) and isinstance(moved, dict)
    rows = [
        ("parser fuzz rate (datagrams/s)", fuzz.get("rate")),
        ("parser fuzz exceptions", fuzz.get("exceptions")),
        ("parser on real lines (datagrams/s)", fuzz.get("real_lines_rate")),
        ("fold per clock tick (µs)", results["match_fold_us"]["clk;01:59"]),  # type: ignore[index]
        ("ingest raw pipeline (events/s, zero loss)", flow["raw_events_per_s"]),
        ("ingest StrikeDesk (events/s, zero loss)", flow["strikedesk_events_per_s"]),
        ("StrikeDesk / raw", flow["ratio"]),
        ("analytics worst p95 uncached (ms)", analytics["worst_uncached_p95_ms"]),
        ("analytics worst p95 cached (ms)", analytics["worst_cached_p95_ms"]),
        ("archive StrikeDesk, checked (events/s)", moved["archive_events_per_s"]),
        ("restore StrikeDesk, checked (events/s)", moved["restore_events_per_s"]),
        ("archive raw INSERT…SELECT (events/s)", moved["raw_archive_events_per_s"]),
        ("restore raw INSERT…SELECT (events/s)", moved["raw_restore_events_per_s"]),
    ]
    print(f"\nStrikeDesk benchmarks on {results['machine']} ({results['seconds']} s)")
    for name, value in rows:
        print(f"  {name:<45} {value}")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
