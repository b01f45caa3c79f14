"""The `strikedesk` command line: the GUI by default, plus headless and service commands.

Each subcommand lives in `app/commands/<name>.py` with a `register(subparsers)` function that adds
its parser and sets `handler`; a handler returns the process exit status. Imports stay lazy so
`strikedesk --version` and the headless commands never load Qt.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__

#: Modules under app/commands that provide subcommands, in help order.
COMMAND_MODULES: tuple[str, ...] = (
    "tournament",
    "day",
    "court",
    "record",
    "matches",
    "inspect",
    "simulate",
    "replay",
    "analytics",
    "cache",
    "archive",
    "backup",
    "export",
    "stats",
    "alerts",
)

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strikedesk",
        description="StrikeDesk: recorder and control desk for the WT PSS UDP stream.",
    )
    parser.add_argument("--version", action="version", version=f"strikedesk {__version__}")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="check this installation end to end (offscreen window, new database, one UDP "
        "datagram on 127.0.0.1) and exit 0, or 1 with the reason",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="data folder (default: the user data folder; env STRIKEDESK_DATA_DIR)",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"app.commands.{name}")
        module.register(subparsers)
    return parser


def data_dir_from(args: argparse.Namespace) -> Path | None:
    """`--data-dir` wins over `STRIKEDESK_DATA_DIR`; None means the platform default."""
    if args.data_dir is not None:
        return Path(args.data_dir)
    env = os.environ.get("STRIKEDESK_DATA_DIR")
    return Path(env) if env else None


def ensure_standard_streams() -> None:
    """Give a windowed build somewhere to write: PyInstaller's windowed Windows executable starts
    with sys.stdout and sys.stderr set to None, and `None.write` would crash a command."""
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115


def main(argv: Sequence[str] | None = None) -> int:
    ensure_standard_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.smoke:
        from app.smoke import run_smoke

        return run_smoke()
    handler = getattr(args, "handler", None)
    if handler is None:
        from app.ui.launch import run_gui

        return run_gui(args)
    try:
        return int(handler(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `strikedesk ... | head`: stop quietly.
        sys.stderr.close()
        return EXIT_OK
