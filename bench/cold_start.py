"""Cold start of the command line and of the headless recorder, as new processes.

    python -m bench.cold_start [--runs 3]

- `strikedesk --version`: interpreter start and the CLI's imports (no Qt, no database);
- `strikedesk record` until it prints "press Ctrl+C": imports, data folder and database
  (created and migrated on a new folder; opened and checked on an existing one), journal,
  recorder and monitor threads, the court's socket. That is when it records.

The median of `runs` is reported. The window's start to a usable window is measured by the
GUI's own benchmark (bench.window_start in bench/__main__.py).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.sim.sender import free_udp_port

REPO = Path(__file__).resolve().parent.parent


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "STRIKEDESK_DATA_DIR"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def version_seconds() -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        check=True,
        capture_output=True,
        env=_environment(),
        cwd=REPO,
    )
    return time.perf_counter() - started


def recorder_ready_seconds(data: Path) -> float:
    """Seconds from launching `strikedesk record` to its "press Ctrl+C" line."""
    command = [sys.executable, "-m", "app", "--data-dir", str(data), "record"]
    command += ["--court", f"Bench={free_udp_port()}", "--bind", "127.0.0.1"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
        cwd=REPO,
    )
    assert process.stderr is not None
    ready = None
    for line in process.stderr:
        if "press Ctrl+C" in line:
            ready = time.perf_counter() - started
            break
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=60)
    if ready is None:
        raise RuntimeError(f"strikedesk record did not start (exit {process.returncode})")
    return ready


def run(runs: int = 3, quick: bool = False) -> dict[str, object]:
    if quick:
        runs = 1
    version = [version_seconds() for _ in range(runs)]
    fresh: list[float] = []
    existing: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-start-") as folder:
        for n in range(runs):
            fresh.append(recorder_ready_seconds(Path(folder) / f"new-{n}"))
        for _ in range(runs):
            existing.append(recorder_ready_seconds(Path(folder) / "new-0"))
    return {
        "runs": runs,
        "cli_version_s": round(statistics.median(version), 3),
        "recorder_ready_new_folder_s": round(statistics.median(fresh), 3),
        "recorder_ready_s": round(statistics.median(existing), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(json.dumps(run(args.runs), indent=2))


if __name__ == "__main__":
    main()
