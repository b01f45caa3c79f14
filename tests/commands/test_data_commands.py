"""`strikedesk archive|backup|export` as real processes on recorded data folders."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.commands.test_store_commands import strikedesk

# The storage tests' recorded folder, which here takes the place of tests/commands' own
# `recorded` (the analytics samples): a fixture imported into a module wins over a conftest's.
from tests.store.recording import Recorded, folder, recorded, table_rows

__all__ = ["folder", "recorded"]


def ok(*args: str, data_dir: Path) -> Any:
    result = strikedesk(*args, "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def failed(*args: str, data_dir: Path, status: int) -> str:
    result = strikedesk(*args, data_dir=data_dir)
    assert result.returncode == status, (result.stdout, result.stderr)
    assert result.stdout == ""
    [line] = [text for text in result.stderr.splitlines() if text.startswith("strikedesk ")]
    return line


def test_archive_run_stats_and_restore(folder: Recorded) -> None:
    root = folder.root
    before = table_rows(root / "strikedesk.db", "events")
    plan = ok("archive", "run", "--tournament", str(folder.open_id), "--dry-run", data_dir=root)
    done = ok("archive", "run", "--tournament", str(folder.open_id), data_dir=root)
    assert done["events"] == plan["events"] > 0 and done["matches"] == 3
    stats = ok("archive", "stats", data_dir=root)
    assert stats["archive"]["events"] == done["events"]
    assert [t["name"] for t in stats["archive"]["tournaments"]] == ["Open 2026"]
    back = ok("archive", "restore", "--tournament", str(folder.open_id), data_dir=root)
    assert back["events"] == done["events"] and back["checksum"] == done["checksum"]
    assert table_rows(root / "strikedesk.db", "events") == before
    optimized = ok("archive", "optimize", data_dir=root)
    assert [Path(d["path"]).name for d in optimized["databases"]] == ["strikedesk.db", "archive.db"]
    cleaned = ok("archive", "cleanup", "--older-than", "30", data_dir=root)
    assert cleaned["events"] == 0


def test_archive_mistakes_are_one_line(folder: Recorded) -> None:
    root = folder.root
    assert "--day needs --tournament" in failed(
        "archive", "run", "--older-than", "3", "--day", "1", data_dir=root, status=2
    )
    assert "no tournament 77" in failed(
        "archive", "run", "--tournament", "77", data_dir=root, status=2
    )
    assert "no archive" in failed(
        "archive", "restore", "--tournament", "1", data_dir=root, status=1
    )
    assert "--from needs --to" in failed(
        "archive", "restore", "--from", "2026-01-01", data_dir=root, status=2
    )


def test_backup_create_verify_and_restore_into_a_new_folder(
    folder: Recorded, tmp_path: Path
) -> None:
    root = folder.root
    backup = tmp_path / "full.sdbackup"
    made = ok("backup", "create", str(backup), data_dir=root)
    assert made["manifest"]["kind"] == "full"
    verified = ok("backup", "verify", str(backup), data_dir=root)
    assert verified["ok"] and verified["manifest"] == made["manifest"]
    restored = ok("backup", "restore", str(backup), "--into", str(tmp_path / "copy"), data_dir=root)
    assert Path(restored["folder"]) == tmp_path / "copy"
    assert table_rows(tmp_path / "copy" / "strikedesk.db", "events") == table_rows(
        root / "strikedesk.db", "events"
    )
    one = tmp_path / "open.sdbackup"
    ok("backup", "create", str(one), "--tournament", str(folder.open_id), data_dir=root)
    merged = ok("backup", "restore", str(one), data_dir=tmp_path / "other")
    assert merged["matches"] == 3 and merged["new_tournament"]


def test_a_bad_backup_file_is_refused_in_one_line(folder: Recorded, tmp_path: Path) -> None:
    noise = tmp_path / "noise.sdbackup"
    noise.write_bytes(bytes(range(256)) * 40)
    line = failed("backup", "verify", str(noise), data_dir=folder.root, status=1)
    assert line == f"strikedesk backup verify: {noise} is not a StrikeDesk backup file."
    line = failed(
        "backup",
        "restore",
        str(noise),
        "--into",
        str(tmp_path / "x"),
        data_dir=folder.root,
        status=1,
    )
    assert "not a StrikeDesk backup file" in line


def test_export_events_and_results(folder: Recorded, tmp_path: Path) -> None:
    root = folder.root
    events = ok(
        "export", "events", "--tournament", str(folder.open_id), "--day", "1",
        "--format", "csv", "--out", str(tmp_path / "day1.csv"), data_dir=root,
    )  # fmt: skip
    assert events["rows"] > 0
    assert (tmp_path / "day1.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    results = ok(
        "export", "results", "--match", "201.A", "--format", "json",
        "--out", str(tmp_path / "m.json"), data_dir=root,
    )  # fmt: skip
    [row] = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["rows"]
    assert results["rows"] == 1 and row["match_number"] == "201.A"
    assert "choose --tournament" in failed(
        "export", "events", "--out", str(tmp_path / "x.csv"), data_dir=root, status=2
    )


def test_ctrl_c_cancels_an_archive_between_chunks(tmp_path: Path) -> None:
    from bench.archive import build_folder

    root = tmp_path / "big"
    build_folder(root, 80_000)  # eight chunks of 10,000 events
    with sqlite3.connect(root / "strikedesk.db") as connection:
        everything = set(connection.execute("SELECT seq FROM events").fetchall())
    connection.close()
    # A shell that starts a command in the background without job control makes it ignore
    # SIGINT, and children inherit that (a CI runner may start the tests so). An operator's
    # Ctrl-C reaches a process that handles SIGINT: a handled signal is reset to its default
    # in the child, so the child's Python turns it into KeyboardInterrupt.
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "app",
                "--data-dir",
                str(root),
                "archive",
                "run",
                "--older-than",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    finally:
        signal.signal(signal.SIGINT, inherited)
    assert process.stderr is not None
    for line in process.stderr:  # the first progress line: the job is moving chunks
        if "events to go" in line:
            break
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, (out, err)
    assert "cancelling" in err and "exactly one database" in err
    with (
        sqlite3.connect(root / "strikedesk.db") as live,
        sqlite3.connect(root / "archive.db") as archive,
    ):
        in_live = set(live.execute("SELECT seq FROM events").fetchall())
        in_archive = set(archive.execute("SELECT seq FROM events").fetchall())
    live.close()
    archive.close()
    assert in_archive and in_live  # stopped part-way
    assert in_live | in_archive == everything and not in_live & in_archive


def test_record_makes_automatic_backups(tmp_path: Path) -> None:
    from app.sim.sender import free_udp_port
    from app.store.backup import verify_backup

    root = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(root), "record", "--json",
         "--court", f"Mat={free_udp_port()}", "--bind", "127.0.0.1", "--seconds", "4",
         "--backup-every", "0.02", "--backup-keep", "2"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "automatic backups every 0.02 min" in result.stderr
    made = sorted((root / "backups").glob("auto-*.sdbackup"))
    assert 1 <= len(made) <= 2
    verify_backup(made[-1])
