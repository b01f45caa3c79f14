"""Fixtures for the storage tests: a real data folder and database in tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.database import Database
from app.store.paths import DataPaths
from tests.store.recording import folder, recorded

__all__ = ["db", "folder", "paths", "recorded"]


@pytest.fixture
def paths(tmp_path: Path) -> DataPaths:
    return DataPaths.resolve(tmp_path / "data")


@pytest.fixture
def db(paths: DataPaths) -> Iterator[Database]:
    database = Database.open(paths, busy_timeout_ms=200)
    yield database
    database.close()
