"""`strikedesk tournament|day|court` run as real processes on a data folder in tmp_path."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.store.database import Database
from app.store.repositories import Audit


def strikedesk(
    *args: str, data_dir: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "app"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    environment = {k: v for k, v in os.environ.items() if k != "STRIKEDESK_DATA_DIR"}
    environment.update(env or {})
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=environment, check=False
    )


def ok_json(*args: str, data_dir: Path) -> Any:
    result = strikedesk(*args, "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def refused(*args: str, data_dir: Path) -> str:
    result = strikedesk(*args, data_dir=data_dir)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def test_tournament_create_and_list(data: Path) -> None:
    riga = ["Riga Open", "--city", "Riga", "--country", "LAT"]
    dates = ["--start", "2025-05-01", "--end", "2025-05-03"]
    created = ok_json("tournament", "create", *riga, *dates, data_dir=data)
    assert created["id"] == 1
    assert created["name"] == "Riga Open"
    assert (created["start_date"], created["end_date"]) == ("2025-05-01", "2025-05-03")
    assert created["status"] == "planned"

    text = strikedesk("tournament", "create", "Oslo Cup", data_dir=data)
    assert text.returncode == 0, text.stderr
    assert text.stdout.strip() == "created tournament 2: Oslo Cup"

    listed = ok_json("tournament", "list", data_dir=data)
    assert [(t["id"], t["name"], t["city"]) for t in listed] == [
        (1, "Riga Open", "Riga"),
        (2, "Oslo Cup", None),
    ]
    table = strikedesk("tournament", "list", data_dir=data).stdout.splitlines()
    assert table[0].split() == ["ID", "NAME", "CITY", "COUNTRY", "START", "END", "STATUS"]
    assert table[1].split() == [
        *("1", "Riga", "Open", "Riga", "LAT"),
        *("2025-05-01", "2025-05-03", "planned"),
    ]
    assert (data / "strikedesk.db").is_file()


def test_tournament_validation_errors_are_one_line_and_exit_2(data: Path) -> None:
    backwards = ["--start", "2025-05-03", "--end", "2025-05-01"]
    line = refused("tournament", "create", "Bad", *backwards, data_dir=data)
    assert line.startswith("strikedesk tournament create: ")
    assert "before it starts" in line
    line = refused("tournament", "create", "Bad", "--start", "3 May", data_dir=data)
    assert "YYYY-MM-DD" in line
    assert "is not a date" in line
    assert "needs a name" in refused("tournament", "create", " ", data_dir=data)
    assert ok_json("tournament", "list", data_dir=data) == []


def test_day_start_end_and_the_one_active_day_rule(data: Path) -> None:
    ok_json("tournament", "create", "Riga Open", data_dir=data)
    day = ok_json("day", "start", "1", data_dir=data)
    assert (day["number"], day["status"], day["tournament_id"]) == (1, "active", 1)
    assert day["started_at"] is not None

    line = refused("day", "start", "1", data_dir=data)
    assert line == (
        "strikedesk day start: Day 1 of 'Riga Open' is still active; "
        "end it before starting another day."
    )
    ended = ok_json("day", "end", "1", data_dir=data)
    assert (ended["number"], ended["status"]) == (1, "completed")
    assert "no active day" in refused("day", "end", "1", data_dir=data)

    fifth = ok_json("day", "start", "1", "--number", "5", data_dir=data)
    assert fifth["number"] == 5
    days = ok_json("day", "list", "1", data_dir=data)
    assert [(d["number"], d["status"]) for d in days] == [(1, "completed"), (5, "active")]
    assert "no tournament 42" in refused("day", "start", "42", data_dir=data)

    with Database.open(data) as db, db.session() as session:
        actions = [entry.action for entry in Audit(session).recent()]
    assert actions == ["day.start", "day.end", "day.start", "tournament.create"]


def test_court_add_and_list(data: Path) -> None:
    courts = ok_json("court", "list", data_dir=data)
    assert [(c["name"], c["port"], c["bind_address"]) for c in courts] == [
        ("Court 1", 6000, "0.0.0.0")
    ]
    allow = ["--allow", "10.0.0.5", "10.0.0.6"]
    added = ok_json("court", "add", "Court 2", "--port", "6001", *allow, data_dir=data)
    assert added["allowed_sources"] == ["10.0.0.5", "10.0.0.6"]
    assert added["enabled"] is True
    local = ok_json("court", "add", "Local", "--port", "6002", "--bind", "127.0.0.1", data_dir=data)
    assert local["bind_address"] == "127.0.0.1"

    assert "between 1 and 65535" in refused("court", "add", "X", "--port", "70000", data_dir=data)
    assert "already used by court 'Court 2'" in refused(
        "court", "add", "X", "--port", "6001", "--bind", "127.0.0.1", data_dir=data
    )
    duplicate = refused("court", "add", "Local", "--port", "7000", data_dir=data)
    assert "already a court named" in duplicate
    assert "not an IP address" in refused(
        "court", "add", "X", "--port", "7000", "--allow", "nowhere", data_dir=data
    )
    table = strikedesk("court", "list", data_dir=data).stdout.splitlines()
    assert [line.split()[0] for line in table] == ["ID", "1", "2", "3"]
    assert "10.0.0.5, 10.0.0.6" in table[2]


def test_data_dir_from_the_environment(tmp_path: Path) -> None:
    data = tmp_path / "from-env"
    result = strikedesk("tournament", "create", "Env Cup", env={"STRIKEDESK_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    assert (data / "strikedesk.db").is_file()
    listed = strikedesk("tournament", "list", "--json", env={"STRIKEDESK_DATA_DIR": str(data)})
    assert [t["name"] for t in json.loads(listed.stdout)] == ["Env Cup"]


def test_an_unusable_data_folder_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = strikedesk("court", "list", data_dir=blocker / "data")
    assert result.returncode == 1
    assert result.stderr.startswith("strikedesk court list: Cannot create the data folder")
    assert len(result.stderr.splitlines()) == 1


def test_usage_errors_exit_2(data: Path) -> None:
    assert strikedesk("day", "start", "one", data_dir=data).returncode == 2
    assert strikedesk("court", "add", "X", data_dir=data).returncode == 2  # --port required
    bare = strikedesk("tournament", data_dir=data)
    assert bare.returncode == 2
    assert "create" in bare.stderr
    assert "list" in bare.stderr
