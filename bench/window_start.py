"""Cold start to a usable window: `strikedesk --smoke` as a new process, from source.

    python -m bench.window_start [--runs 5]

The smoke check (app/smoke.py) times from the creation of the process to the operator window
being shown on a freshly migrated database with the recorder listening; this takes the median
of several runs. The frozen build's figure comes from `make smoke` (.ci/run prints it).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from typing import Any

SHOWN = re.compile(r"cold start to window shown ([0-9.]+) s")


def one_run() -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--smoke"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    match = SHOWN.search(done.stdout + done.stderr)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"strikedesk --smoke failed: {done.stdout}{done.stderr}")
    return float(match.group(1))


def run(quick: bool = False) -> dict[str, Any]:
    runs = [one_run() for _ in range(3 if quick else 5)]
    result = {"seconds": round(statistics.median(runs), 2), "runs": runs}
    print(f"cold start to window shown: median {result['seconds']} s over {len(runs)} runs {runs}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    run(parser.parse_args().quick)


if __name__ == "__main__":
    main()
