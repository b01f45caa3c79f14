"""Locate files shipped beside the code (alembic migrations, samples) in a checkout or a build.

In a source checkout they live at the repository root, next to the `app` package; in a PyInstaller
build they are unpacked under `sys._MEIPASS`. Everything that needs such a file asks here, so the
frozen build has a single place to get right.
"""

from __future__ import annotations

import sys
from pathlib import Path


def resource_root() -> Path:
    """The folder that holds the shipped resources (repo root, or the frozen bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle is not None:
        return Path(bundle)
    return Path(__file__).resolve().parent.parent


def resource_path(name: str) -> Path:
    """Absolute path of a shipped resource such as "migrations" (not checked for existence)."""
    return resource_root() / name
