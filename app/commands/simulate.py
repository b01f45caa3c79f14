"""`strikedesk simulate`: play generated, realistic matches to a UDP port."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.protocol import encode
from app.sim.generator import generate_session
from app.sim.sender import send_scheduled


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="send generated PSS matches over UDP",
        description="Send realistic generated matches (every message type of WT UDP v2.3).",
    )
    parser.add_argument("--port", type=int, required=True, help="destination UDP port")
    parser.add_argument("--host", default="127.0.0.1", help="destination (default 127.0.0.1)")
    parser.add_argument("--matches", type=int, default=1, help="matches to play (default 1)")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="time factor: 10 plays ten times faster; 0 = no waits",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same traffic)")
    parser.add_argument(
        "--round-seconds", type=int, default=120, help="round length in seconds (default 120)"
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if not 1 <= args.port <= 65535:
        print(f"strikedesk simulate: port {args.port} is not between 1 and 65535", file=sys.stderr)
        return 2
    if args.matches < 1 or args.round_seconds < 10:
        print(
            "strikedesk simulate: --matches must be >= 1 and --round-seconds >= 10", file=sys.stderr
        )
        return 2
    steps = generate_session(args.seed, args.matches, args.port, args.round_seconds)
    schedule = ((delay / 1000, encode(message)) for delay, message in steps)
    try:
        report = send_scheduled(schedule, args.host, args.port, args.speed)
    except OSError as exc:
        print(
            f"strikedesk simulate: cannot send to {args.host}:{args.port}: {exc}", file=sys.stderr
        )
        return 2
    summary = {
        "datagrams": report.datagrams,
        "bytes": report.bytes,
        "seconds": round(report.seconds, 3),
        "matches": args.matches,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(
            f"sent {report.datagrams} datagrams ({report.bytes} bytes) of {args.matches} "
            f"match(es) to {args.host}:{args.port} in {report.seconds:.1f} s"
        )
    return 0
