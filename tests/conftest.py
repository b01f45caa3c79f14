"""Shared fixtures: sample paths and a check that no test leaks a thread (napari's practice)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO.parent / "shared" / "protocol" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        pytest.fail(
            f"protocol samples not found at {SAMPLES}: clone with ../shared beside the repo"
        )
    return SAMPLES


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5.0
    while True:
        leaked = [
            t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon
        ]
        daemon_leaks = [
            t
            for t in threading.enumerate()
            if t not in before and t.is_alive() and t.name.startswith("strikedesk")
        ]
        if not leaked and not daemon_leaks:
            return
        if time.monotonic() > deadline:
            names = ", ".join(t.name for t in leaked + daemon_leaks)
            pytest.fail(f"test leaked threads: {names}")
        time.sleep(0.05)
