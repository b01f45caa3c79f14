"""`strikedesk --smoke` from the source tree, as a real process without a display."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.smoke import run_smoke
from app.store.migrate import SCHEMA_HEAD

REPO = Path(__file__).resolve().parent.parent


def test_smoke_passes_without_a_display_and_prints_its_timings() -> None:
    # No QT_QPA_PLATFORM and no DISPLAY: Qt would abort (exit 134) unless the smoke forces
    # the offscreen platform itself, as the frozen build on a headless machine needs.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "app", "--smoke"],
        capture_output=True,
        text=True,
        env=env,
        timeout=90,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert f"smoke: database migrated to schema {SCHEMA_HEAD}" in out
    assert "smoke: main window shown (offscreen)" in out
    assert "smoke: datagram received, stored and verified" in out
    timings = re.search(r"OK: cold start to window shown ([\d.]+) s, total ([\d.]+) s", out)
    assert timings is not None, out
    window, total = (float(group) for group in timings.groups())
    assert 0 < window <= total


def test_smoke_fails_with_the_reason_when_the_build_lacks_its_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A frozen build whose bundle folder has no migrations/ (a spec that forgot the data).
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # restored after the test
    assert run_smoke() == 1
    out = capsys.readouterr().out
    assert "smoke: FAILED: The database migrations are missing" in out
    assert str(tmp_path / "migrations") in out
