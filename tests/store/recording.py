"""A data folder recorded over real UDP by a real Recorder, shared by the data-service tests.

Tournament 1 ("Open 2026") has day 1 with two generated matches and day 2 with one; tournament 2
("Cup") has one match recorded after them on the same court, so none of tournament 1's matches
is its court's current match. Every session also has match-less events (greeting, sensor
test, farewell). Record once per module, copy the folder per test (`copy_folder`).

Its fixtures `recorded` (recorded once per module) and `folder` (a copy of it for one test) are
offered to tests/store by its conftest. tests/commands has a `recorded` of its own (the
analytics samples), so test_data_commands defines these two again in its module.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.protocol import encode
from app.sim.generator import generate_session
from app.store.repositories import Courts, Days, Tournaments
from tests.ingest.conftest import Rig, close_rig, open_rig


@dataclass(frozen=True)
class Recorded:
    root: Path
    open_id: int  # tournament 1
    cup_id: int  # tournament 2
    court_id: int


def _send_session(rig: Rig, seed: int, matches: int, first_number: int, sent: int) -> int:
    for _delay, message in generate_session(
        seed=seed, matches=matches, round_seconds=20, first_number=first_number
    ):
        rig.send(encode(message))
        sent += 1
        if sent % 200 == 0:
            rig.settle(sent)  # keep the socket buffer far from full
    rig.settle(sent)
    return sent


def _enter(rig: Rig, tournament_id: int, day_id: int) -> None:
    with rig.db.transaction() as session:
        Courts(session).set_context(rig.court.court_id, tournament_id, day_id)
    rig.recorder.set_context(rig.court.court_id, tournament_id, day_id)


def record_folder(root: Path) -> Recorded:
    rig = open_rig(root)
    try:
        with rig.db.transaction() as session:
            open_id = Tournaments(session).create("Open 2026", city="Zagreb").id
            cup_id = Tournaments(session).create("Cup").id
            day1 = Days(session).start(open_id).id
        _enter(rig, open_id, day1)
        sent = _send_session(rig, seed=11, matches=2, first_number=101, sent=0)
        with rig.db.transaction() as session:
            Days(session).end(open_id)
            day2 = Days(session).start(open_id).id
        _enter(rig, open_id, day2)
        sent = _send_session(rig, seed=12, matches=1, first_number=201, sent=sent)
        with rig.db.transaction() as session:
            cup_day = Days(session).start(cup_id).id
        _enter(rig, cup_id, cup_day)
        _send_session(rig, seed=13, matches=1, first_number=301, sent=sent)
        court_id = rig.court.court_id
    finally:
        close_rig(rig)
    return Recorded(root, open_id, cup_id, court_id)


def copy_folder(recorded: Recorded, target: Path) -> Recorded:
    shutil.copytree(recorded.root, target)
    return Recorded(target, recorded.open_id, recorded.cup_id, recorded.court_id)


def table_rows(database: Path, table: str, where: str = "1") -> list[tuple[Any, ...]]:
    """Every column of every row, by id: what "row-for-row identical" compares."""
    if not database.exists():
        return []
    connection = sqlite3.connect(database)
    try:
        return connection.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY id").fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    return record_folder(tmp_path_factory.mktemp("recorded") / "data")


@pytest.fixture
def folder(recorded: Recorded, tmp_path: Path) -> Recorded:
    return copy_folder(recorded, tmp_path / "data")
