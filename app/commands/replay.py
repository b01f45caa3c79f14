"""`strikedesk replay`: send a capture to a UDP port with its timing (or as fast as possible)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cli import EXIT_OK, EXIT_USAGE


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="send a capture (.txt/.tsv) over UDP",
        description="Send each line of a capture as one datagram, with its original timing.",
    )
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    speed = parser.add_mutually_exclusive_group()
    speed.add_argument("--speed", type=float, default=1.0, help="time factor (default 1)")
    speed.add_argument("--fast", action="store_true", help="no waits at all")
    parser.add_argument(
        "--max-gap",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="shorten idle gaps to this (default 10; 0 keeps every gap)",
    )
    parser.add_argument("--no-crlf", action="store_true", help="send lines without CR LF")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app.sim.capture import CaptureError, read_capture
    from app.sim.replayer import replay

    if not 1 <= args.port <= 65535:
        print(f"strikedesk replay: port {args.port} is not between 1 and 65535", file=sys.stderr)
        return EXIT_USAGE
    try:
        lines = read_capture(args.file)
    except CaptureError as exc:
        print(f"strikedesk replay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = replay(
            lines,
            args.host,
            args.port,
            speed=0 if args.fast else args.speed,
            terminator=b"" if args.no_crlf else b"\r\n",
            max_gap=args.max_gap or None,
        )
    except OSError as exc:
        print(f"strikedesk replay: cannot send to {args.host}:{args.port}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps({"datagrams": report.datagrams, "seconds": round(report.seconds, 3)}))
    else:
        target = f"{args.host}:{args.port}"
        print(f"sent {report.datagrams} datagrams to {target} in {report.seconds:.1f} s")
    return EXIT_OK
