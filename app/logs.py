"""Logging set-up: a rotating log file in the user log folder, and warnings on stderr.

Used by the window and the headless recorder, so a whole tournament day leaves a readable
trail without filling the disk (5 files of 5 MiB).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

LOG_NAME = "strikedesk.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"


def configure_logging(folder: Path, console_level: int = logging.WARNING) -> Path:
    """Log everything from INFO to `folder/strikedesk.log` (rotating); returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_NAME
    root = logging.getLogger()
    stop_logging()
    file_handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8", delay=True
    )
    file_handler.setFormatter(logging.Formatter(_FORMAT))
    file_handler.setLevel(logging.INFO)
    file_handler.strikedesk = True  # type: ignore[attr-defined]
    root.addHandler(file_handler)
    # A windowed (frozen) build has no console: sys.stderr is None there.
    if sys.stderr is not None:
        console = logging.StreamHandler(sys.stderr)
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        console.setLevel(console_level)
        console.strikedesk = True  # type: ignore[attr-defined]
        root.addHandler(console)
    root.setLevel(logging.INFO)
    # alembic reports every step at INFO; keep the file for what matters to an operator.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return path


def stop_logging() -> None:
    """Remove and close the handlers configure_logging added (the log file is released, which
    Windows needs before the folder can be deleted)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "strikedesk", False):
            root.removeHandler(handler)
            handler.close()
