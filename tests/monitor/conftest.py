"""A real recorder (tests.ingest's rig) with a Monitor sampling fast, and helpers to wait for
alerts that real traffic, a real lock or real memory and disk use produce."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.monitor.alerts import AlertKind, AlertThresholds
from app.monitor.service import Monitor, MonitorConfig
from tests.ingest.conftest import Rig, close_rig, open_rig

#: Windows of half a second and short hysteresis times, so each test takes seconds.
FAST = MonitorConfig(
    sample_interval=0.05,
    history_interval=3600.0,
    rate_window=0.5,
    commit_window=0.5,
    error_window=0.5,
    day_count_interval=0.0,
    thresholds=AlertThresholds(clear_seconds=0.2, max_court_silence_s=0.5),
)

#: A match loaded, its first round's clock started: the court's match is running.
MATCH_START = (
    b"pre;FightLoaded",
    b"at1;Blue One;Blue One;KOR;at2;Red Two;Red Two;GER",
    b"mch;9;Final;M -68kg;0;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Seniors;3;120;cntDown;20;5;",
    b"rnd;1",
    b"clk;02:00;start",
)


def active(monitor: Monitor) -> set[AlertKind]:
    return {alert.kind for alert in monitor.alerts().active}


def wait_for(
    monitor: Monitor,
    condition: Callable[[set[AlertKind]], bool],
    timeout: float = 15.0,
    sample: bool = True,
) -> None:
    """Sample (or, with a running monitor thread, just watch) until `condition(active kinds)`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sample:
            monitor.sample()
        if condition(active(monitor)):
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out; active {active(monitor)}, last {monitor.snapshot()}")


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    opened = open_rig(tmp_path / "data")
    yield opened
    close_rig(opened)


@pytest.fixture
def monitor(rig: Rig) -> Iterator[Monitor]:
    watching = Monitor(rig.db, rig.recorder, FAST)
    yield watching
    watching.stop()
