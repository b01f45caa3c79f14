"""Basic command-line behaviour: version and help, run as real processes."""

from __future__ import annotations

import subprocess
import sys

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
