"""The samples recorded once per session into a real database; each test gets its own copy."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.analytics.service import AnalyticsService
from app.analytics.settings import AnalyticsSettings
from app.store.database import Database
from tests.analytics.recording import Recording, record_into

SAMPLES = (
    "real_match_1945_final.tsv",
    "real_match_7894_semifinal.tsv",
    "real_match_101_semifinal_injury.tsv",
    "real_match_5555_bronze_ivr.tsv",
    "synthetic_full_match.tsv",
)
#: "Open" holds every sample; "Cup" the 1945 final again, so its athletes have two matches.
PLAN = {"Open": SAMPLES, "Cup": ("real_match_1945_final.tsv",)}


class FakeTimer:
    """The cache clock, moved by hand (cachetools' timer)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> Recording:
    root = tmp_path_factory.mktemp("recorded") / "data"
    recording = record_into(root, samples_dir, PLAN)
    recording.db.close()
    return recording


@pytest.fixture
def data(recorded: Recording, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(recorded.db.paths.root, copy)
    return copy


@pytest.fixture
def db(data: Path) -> Iterator[Database]:
    database = Database.open(data, busy_timeout_ms=500)
    yield database
    database.close()


@pytest.fixture
def timer() -> FakeTimer:
    return FakeTimer()


@pytest.fixture
def service(db: Database, timer: FakeTimer) -> AnalyticsService:
    return AnalyticsService(db, AnalyticsSettings(), timer=timer)
