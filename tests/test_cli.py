"""Basic command-line behaviour: version and help, run as real processes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app import __version__


def test_python_m_app_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.strip() == f"strikedesk {__version__}"


def test_version_does_not_load_qt() -> None:
    code = (
        "import sys\nfrom app.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "assert 'PySide6' not in sys.modules, 'Qt loaded'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_commands_work_without_standard_streams(samples_dir: Path) -> None:
    # PyInstaller's windowed Windows build starts with sys.stdout and sys.stderr set to None;
    # `inspect` writes to sys.stdout directly, which crashes unless the CLI replaces them.
    code = (
        "import sys\nsys.stdout = None\nsys.stderr = None\nfrom app.cli import main\n"
        f"raise SystemExit(main(['inspect', {str(samples_dir / 'real_match_1945_final.tsv')!r}]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
