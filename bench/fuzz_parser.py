"""Fuzz benchmark of the PSS parser: no exception may ever leave it (protocol README §6.2).

    python -m bench.fuzz_parser [--count N] [--seed S] [--samples DIR]

Feeds N datagrams (default 1,000,000) through `parse_datagram`, in three equal parts:
- random bytes of random length 0–200;
- sample datagrams (real, synthetic and malformed) with bytes inserted, deleted or replaced,
  separators/markers/terminators/UTF-8 fragments spliced in, or the tail cut off;
- valid sample lines with their fields shuffled, repeated, dropped or mixed with another line's.

Prints the number of exceptions (must be 0), results whose reason starts with "internal parser
error" (the parser's own catch-all, i.e. a bug that was contained; must be 0 too), broken
invariants, the count per status, and the parse rate in datagrams/s (time spent inside
`parse_datagram` only; generating the input is not counted). Exit status 1 if any exception,
internal error or broken invariant occurred.

It then prints the rate on the valid sample lines as received (CR LF appended), which is what a
recorder sees: the figure to hold against the 50,000 events/s ingest target (design.md §5).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.protocol.messages import Malformed, ParseStatus, Unknown, status_of
from app.protocol.parser import ParsedLine, parse_datagram

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SAMPLES = REPO.parent / "shared" / "protocol" / "samples"
MALFORMED_FILE = "synthetic_malformed.tsv"
INTERNAL_ERROR = "internal parser error"
DEFAULT_COUNT = 1_000_000
DEFAULT_REAL_LINES = 200_000
BATCH = 10_000
MAX_RANDOM_LENGTH = 200
KEPT_FAILURES = 10

#: Used only when the samples folder is missing, so the script still runs on its own.
FALLBACK_LINES = (
    b"pre;FightLoaded",
    b"ref;;;ju1;;;ju2;;;ta;;;",
    "at1;Marko Drakulić;Marko Drakulić;CRO;at2;Damjan Mitrić;Damjan Mitrić;CRO".encode(),
    b"mch;245.A;Bronze medal contest;M +87kg;0;#0000ff;#FFFFFF;#ff0000;#FFFFFF;null;Under 21;"
    b"3;120;cntDown;23;5;",
    b"clk;01:59",
    b"clk;0:00;stopEnd",
    b"ij0;01:00;show",
    b"s11;12;s21;11;s12;0;s22;0;s13;0;s23;1",
    b"sc1;0;sc2;1",
    b"wg1;0;wg2;1",
    b"wrd;rd1;2;rd2;1;rd3;0",
    b"rst;1;st1;2;2;2;0;0;0;st2;1;3;0;0;0;0;",
    b"ch1;-1",
    b"win;TIE",
    b"wmh;;0-0 WDR",
    b"Udp Port 8888 connected;",
)

#: Byte strings worth splicing in: separators, terminators, markers, signs, UTF-8 fragments.
TOKENS = (
    b";",
    b";;",
    b"\r\n",
    b"\r",
    b"\n",
    b"\x00",
    b" ",
    b"\t",
    b"-",
    b"-1",
    b":",
    b".",
    b"0",
    b"99999999999999999999",
    b"\xc3",
    b"\xc4\x87",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\x80",
    b"at2",
    b"ju1",
    b"ta",
    b"st1",
    b"st2",
    b"rd4",
    b"sc2",
    b"wg2",
    b"s23",
    b"stopEnd",
    b"{",
    b"Udp Port ",
)

Parse = Callable[[bytes], tuple[ParsedLine, ...]]
KINDS = ("random", "mutated", "shuffled")


@dataclass
class FuzzResult:
    count: int
    seed: int
    kinds: Counter[str] = field(default_factory=Counter)
    exceptions: int = 0
    internal_errors: int = 0
    invariant_violations: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    encoding_errors: int = 0
    parse_seconds: float = 0.0
    wall_seconds: float = 0.0
    real_lines: int = 0
    real_seconds: float = 0.0
    failures: list[tuple[bytes, str]] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return sum(self.statuses.values())

    @property
    def rate(self) -> float:
        """Datagrams per second inside the parser."""
        return self.count / self.parse_seconds if self.parse_seconds else 0.0

    @property
    def real_rate(self) -> float:
        """Datagrams per second on valid sample lines."""
        return self.real_lines / self.real_seconds if self.real_seconds else 0.0

    @property
    def clean(self) -> bool:
        return not (self.exceptions or self.internal_errors or self.invariant_violations)

    def fail(self, datagram: bytes, what: str) -> None:
        if len(self.failures) < KEPT_FAILURES:
            self.failures.append((datagram, what))


# --- input ----------------------------------------------------------------------------------------
def _sample_rows(path: Path) -> list[str]:
    rows = path.read_text(encoding="utf-8").split("\n")
    return [row for row in rows if row]


def load_seeds(samples: Path) -> tuple[list[bytes], list[bytes]]:
    """(every sample datagram, the valid ones) from the samples folder, or a built-in fallback."""
    valid: dict[bytes, None] = {}
    broken: dict[bytes, None] = {}
    paths = sorted(samples.glob("*.t[sx][vt]")) if samples.is_dir() else []
    for path in paths:
        rows = _sample_rows(path)
        if path.name == MALFORMED_FILE:
            broken.update((bytes.fromhex(row.split("\t")[0]), None) for row in rows[1:])
        elif path.suffix == ".txt":
            valid.update((row.encode("utf-8"), None) for row in rows)
        else:
            column = rows[0].split("\t").index("datagram")
            valid.update((row.split("\t")[column].encode("utf-8"), None) for row in rows[1:])
    if not valid:
        print(f"fuzz_parser: no samples in {samples}; using built-in lines", file=sys.stderr)
        valid = dict.fromkeys(FALLBACK_LINES)
    return [*valid, *broken], list(valid)


class Generator:
    """Random, mutated and shuffled datagrams from one seeded RNG."""

    def __init__(self, seed: int, seeds: Sequence[bytes], valid: Sequence[bytes]) -> None:
        self.rng = random.Random(seed)
        self.seeds = list(seeds)
        self.valid = list(valid)

    def random_bytes(self) -> bytes:
        rng = self.rng
        return rng.randbytes(rng.randint(0, MAX_RANDOM_LENGTH))

    def mutated(self) -> bytes:
        rng = self.rng
        data = bytearray(rng.choice(self.seeds))
        for _ in range(rng.randint(1, 6)):
            operation = rng.randrange(7)
            position = rng.randint(0, len(data))
            if operation == 0:  # insert random bytes
                data[position:position] = rng.randbytes(rng.randint(1, 3))
            elif operation == 1:  # splice in a token
                data[position:position] = rng.choice(TOKENS)
            elif operation == 2:  # delete a run
                del data[position : position + rng.randint(1, 4)]
            elif operation == 3 and position < len(data):  # replace a byte
                data[position] = rng.randrange(256)
            elif operation == 4:  # cut the tail (the old sender's length bug)
                del data[position:]
            elif operation == 5 and data:  # repeat a slice
                end = min(len(data), position + rng.randint(1, 12))
                data[end:end] = data[position:end]
            elif operation == 6 and position < len(data):  # flip the case of a letter
                data[position] = data[position] ^ 0x20 if chr(data[position]).isalpha() else 0
        if rng.random() < 0.3:
            data += rng.choice((b"\r\n", b"\n", b"\r", b";", b"\x00\x00"))
        return bytes(data)

    def shuffled(self) -> bytes:
        rng = self.rng
        fields = rng.choice(self.valid).split(b";")
        head, rest = fields[:1], fields[1:]
        choice = rng.randrange(6)
        if choice == 0:  # shuffle the fields after the code
            rng.shuffle(rest)
        elif choice == 1:  # shuffle everything, code included
            rest = [*head, *rest]
            rng.shuffle(rest)
            head = rest[:1]
            rest = rest[1:]
        elif choice == 2 and rest:  # repeat a field
            rest.insert(rng.randint(0, len(rest)), rng.choice(rest))
        elif choice == 3 and rest:  # drop a field
            del rest[rng.randrange(len(rest))]
        elif choice == 4:  # swap in fields of another line
            other = rng.choice(self.valid).split(b";")
            cut = rng.randint(0, len(rest))
            rest = rest[:cut] + other[rng.randint(0, len(other)) :]
        else:  # two lines in one datagram, possibly shuffled
            rng.shuffle(rest)
            rest = [*rest[:-1], (rest[-1] if rest else b"") + b"\r\n" + rng.choice(self.valid)]
        return b";".join([*head, *rest])

    def batch(self, size: int, kinds: Counter[str]) -> list[bytes]:
        makers = (self.random_bytes, self.mutated, self.shuffled)
        out = []
        for _ in range(size):
            index = self.rng.randrange(3)
            kinds[KINDS[index]] += 1
            out.append(makers[index]())
        return out


# --- run ------------------------------------------------------------------------------------------
def _timed_parse(batch: Sequence[bytes], parse: Parse) -> tuple[list[object], float]:
    results: list[object] = []
    append = results.append
    start = time.perf_counter()
    for datagram in batch:
        try:
            append(parse(datagram))
        except Exception as exc:  # what this benchmark exists to count
            append(exc)
    return results, time.perf_counter() - start


def _tally(result: FuzzResult, batch: Sequence[bytes], outcomes: Sequence[object]) -> None:
    for datagram, outcome in zip(batch, outcomes, strict=True):
        if isinstance(outcome, Exception):
            result.exceptions += 1
            result.fail(datagram, f"exception {type(outcome).__name__}: {outcome}")
            continue
        if not isinstance(outcome, tuple) or not outcome:
            result.invariant_violations += 1
            result.fail(datagram, f"not a non-empty tuple: {outcome!r}")
            continue
        for index, line in enumerate(outcome):
            if not isinstance(line, ParsedLine) or line.index != index:
                result.invariant_violations += 1
                result.fail(datagram, f"bad ParsedLine: {line!r}")
                continue
            message = line.message
            result.statuses[status_of(message).value] += 1
            result.encoding_errors += line.encoding_error
            if isinstance(message, Unknown | Malformed):
                if message.reason.startswith(INTERNAL_ERROR):
                    result.internal_errors += 1
                    result.fail(datagram, message.reason)
                if message.raw != line.text:  # README §6: the text is kept
                    result.invariant_violations += 1
                    result.fail(datagram, f"raw text lost: {message!r}")


def _real_rate(result: FuzzResult, valid: Sequence[bytes], count: int, parse: Parse) -> None:
    datagrams = [line + b"\r\n" for line in valid]
    while result.real_lines < count:
        batch = datagrams[: count - result.real_lines]
        start = time.perf_counter()
        for datagram in batch:
            parse(datagram)
        result.real_seconds += time.perf_counter() - start
        result.real_lines += len(batch)


def run(
    count: int,
    seed: int,
    samples: Path = DEFAULT_SAMPLES,
    parse: Parse = parse_datagram,
    real_lines: int = 0,
) -> FuzzResult:
    seeds, valid = load_seeds(samples)
    generator = Generator(seed, seeds, valid)
    result = FuzzResult(count, seed)
    start = time.perf_counter()
    done = 0
    while done < count:
        batch = generator.batch(min(BATCH, count - done), result.kinds)
        outcomes, seconds = _timed_parse(batch, parse)
        result.parse_seconds += seconds
        _tally(result, batch, outcomes)
        done += len(batch)
    result.wall_seconds = time.perf_counter() - start
    if real_lines:
        _real_rate(result, valid, real_lines, parse)
    return result


def report(result: FuzzResult) -> str:
    kinds = "  ".join(f"{kind} {result.kinds[kind]:,}" for kind in KINDS)
    statuses = "  ".join(f"{s.value} {result.statuses[s.value]:,}" for s in ParseStatus)
    lines = [
        f"fuzz_parser: {result.count:,} datagrams, seed {result.seed}",
        f"  mix: {kinds}",
        f"  exceptions: {result.exceptions:,}",
        f"  internal parser errors: {result.internal_errors:,}",
        f"  invariant violations: {result.invariant_violations:,}",
        f"  messages: {result.messages:,}  {statuses}  encoding errors {result.encoding_errors:,}",
        f"  parse rate: {result.rate:,.0f} datagrams/s "
        f"({result.parse_seconds:.2f} s in parse_datagram; wall {result.wall_seconds:.2f} s)",
    ]
    if result.real_lines:
        lines.append(
            f"  real sample lines: {result.real_rate:,.0f} datagrams/s "
            f"({result.real_lines:,} datagrams as received, CR LF appended)"
        )
    for datagram, what in result.failures:
        lines.append(f"  FAIL {datagram.hex()}  {what}")
    lines.append("  result: " + ("OK" if result.clean else "FAILED"))
    return "\n".join(lines)


def exit_code(result: FuzzResult) -> int:
    return 0 if result.clean else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz_parser", description=__doc__)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="datagrams to feed")
    parser.add_argument("--seed", type=int, default=None, help="RNG seed (default: random)")
    parser.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES, help="samples folder")
    parser.add_argument(
        "--real-lines",
        type=int,
        default=DEFAULT_REAL_LINES,
        help="valid sample datagrams to time after the fuzz run (0: skip)",
    )
    args = parser.parse_args(argv)
    if args.count < 0 or args.real_lines < 0:
        parser.error("--count and --real-lines must be >= 0")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    result = run(args.count, seed, args.samples, real_lines=args.real_lines)
    print(report(result), flush=True)
    return exit_code(result)


if __name__ == "__main__":
    sys.exit(main())
