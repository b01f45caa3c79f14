"""`strikedesk stats` and `strikedesk alerts` as real processes, after a real recording."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from app.sim.sender import free_udp_port
from tests.commands.test_store_commands import ok_json, refused, strikedesk
from tests.e2e.test_crash_recovery import start_recorder

STORED = ("batch", "queue", "memory", "performance", "backpressure", "pool", "cache", "stream")


def test_a_fresh_data_folder_says_nothing_was_stored(tmp_path: Path) -> None:
    data = tmp_path / "data"
    stats = ok_json("stats", data_dir=data)
    assert stats["sample"] is None
    assert all(stats[section] is None for section in STORED)
    assert stats["database"]["events"] == 0 and stats["database"]["events_per_day"] == []
    assert stats["disk"]["free_bytes"] > 0
    text = strikedesk("stats", data_dir=data)
    assert text.returncode == 0 and "none stored yet" in text.stdout
    assert ok_json("alerts", data_dir=data) == {
        "checked_now": [],
        "last_sample": None,
        "history": [],
    }
    assert "--hours must be more than 0" in refused("alerts", "--hours", "0", data_dir=data)


def test_stats_and_alerts_read_what_a_recording_stored(tmp_path: Path) -> None:
    data = tmp_path / "data"
    tournament = ok_json("tournament", "create", "Open 2026", data_dir=data)
    ok_json("day", "start", str(tournament["id"]), data_dir=data)
    port = free_udp_port()
    recorder = start_recorder(data, port, "--tournament", str(tournament["id"]), "--seconds", "4")
    payloads = [f"clk;01:{n % 60:02d}".encode() for n in range(5001)]
    payloads[100:110] = [b"pt1;9"] * 10  # malformed
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
        for number, payload in enumerate(payloads):
            sender.sendto(payload, ("127.0.0.1", port))
            if number % 50 == 49:
                time.sleep(0.005)  # ~10,000/s: never more than the kernel buffer holds
    out, err = recorder.communicate(timeout=60)
    assert recorder.returncode == 0, err
    assert '"events": 5001' in out

    stats = ok_json("stats", data_dir=data)
    assert stats["sample"] is not None and stats["sample"]["age_seconds"] < 60
    assert stats["stream"]["stored"] == 5001 and stats["stream"]["malformed"] == 10
    assert stats["batch"]["batches"] >= 1 and stats["queue"]["capacity"] > 0
    assert stats["memory"]["rss_bytes"] > 0 and stats["cache"]["available"] is False
    assert stats["database"]["events"] == 5001
    [day] = stats["database"]["events_per_day"]
    assert day["label"] == "Open 2026, day 1" and day["events"] == 5001

    alerts = ok_json("alerts", data_dir=data)
    [now] = alerts["checked_now"]
    assert now["kind"] == "day_size" and now["label"] == "Open 2026, day 1"
    raised = {e["kind"] for e in alerts["history"] if e["action"] == "raised"}
    assert "day_size" in raised  # stored by the recorder's monitor while it ran
    text = strikedesk("alerts", data_dir=data)
    assert text.returncode == 0 and "archive it" in text.stdout
