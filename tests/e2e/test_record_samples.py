"""End to end over real UDP: `strikedesk record` running, every sample replayed with
`strikedesk replay`, recorder stopped; the database holds every datagram and
`strikedesk matches --json` agrees with `strikedesk inspect --json` on the same files."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.sim.sender import free_udp_port
from tests.e2e.test_crash_recovery import start_recorder

SAMPLES = (
    "real_match_1945_final.tsv",
    "real_match_7894_semifinal.tsv",
    "real_match_101_semifinal_injury.tsv",
    "real_match_5555_bronze_ivr.tsv",
    "synthetic_full_match.tsv",
)


def strikedesk(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_recorded_samples_match_inspect(tmp_path: Path, samples_dir: Path) -> None:
    data = str(tmp_path / "data")
    tournament = json.loads(
        strikedesk("--data-dir", data, "tournament", "create", "Open", "--json")
    )
    day = json.loads(
        strikedesk("--data-dir", data, "day", "start", str(tournament["id"]), "--json")
    )
    port = free_udp_port()
    recorder = start_recorder(tmp_path / "data", port, "--tournament", str(tournament["id"]))
    expected: list[bytes] = []
    inspected: list[dict[str, object]] = []
    for name in SAMPLES:
        path = samples_dir / name
        strikedesk("replay", str(path), "--port", str(port), "--speed", "500", "--max-gap", "0.05")
        inspected += json.loads(strikedesk("inspect", str(path), "--json"))
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
        expected += [line.split("\t", 1)[1].encode() + b"\r\n" for line in lines]
    time.sleep(0.5)
    recorder.send_signal(signal.SIGINT)
    out, _ = recorder.communicate(timeout=30)
    summary = json.loads(out)
    assert summary["datagrams"] == len(expected) and summary["complete"]

    with sqlite3.connect(tmp_path / "data" / "strikedesk.db") as conn:
        rows = conn.execute(
            "SELECT seq, raw, tournament_id, tournament_day_id, court_id FROM events ORDER BY seq"
        ).fetchall()
        [(court_id,)] = conn.execute("SELECT id FROM courts WHERE name = 'E2E'").fetchall()
    assert [raw for _, raw, *_ in rows] == expected  # same count, same bytes, same order
    assert [seq for seq, *_ in rows] == list(range(1, len(expected) + 1))
    assert {(t, d, c) for _, _, t, d, c in rows} == {(tournament["id"], day["id"], court_id)}

    recorded = json.loads(
        strikedesk("--data-dir", data, "matches", "--tournament", str(tournament["id"]), "--json")
    )
    assert recorded == inspected
    assert [m["match_number"] for m in recorded] == ["1945", "7894", "101", "5555", "245.A"]
