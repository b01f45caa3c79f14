"""Cost of folding one message into MatchState (the writer does it for every event).

    python -m bench.match_fold

Prints microseconds per message for the common kinds; the recorder's budget at 50,000
events/s is ~20 µs per event for everything, so the fold should stay in the low µs.
"""

from __future__ import annotations

import time

from app.match.state import apply, fold
from app.protocol.parser import parse_text

LOAD = (
    "pre;FightLoaded",
    "at1;Blue One;Blue One;KOR;at2;Red Two;Red Two;GER",
    "mch;9;Final;M -68kg;0;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Seniors;3;120;cntDown;20;5;",
    "s11;0;s21;0;s12;0;s22;0;s13;0;s23;0",
    "rnd;1",
    "clk;02:00;start",
)
LINES = ("clk;01:59", "sc1;3;sc2;4", "s11;3;s21;4;s12;0;s22;0;s13;0;s23;0", "pt1;3", "brk;00:40")


def per_message_us(line: str, count: int = 20_000, repeats: int = 5) -> float:
    state = fold(parse_text(text) for text in LOAD)
    message = parse_text(line)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        current = state
        for _ in range(count):
            current = apply(current, message)
        best = min(best, time.perf_counter() - started)
    return best / count * 1e6


def run() -> dict[str, float]:
    return {line: round(per_message_us(line), 2) for line in LINES}


def main() -> None:
    for line, cost in run().items():
        print(f"fold {line:<40} {cost:6.2f} µs")


if __name__ == "__main__":
    main()
