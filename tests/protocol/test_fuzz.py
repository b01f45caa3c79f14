"""bench/fuzz_parser.py: a quick run by default, the full 1,000,000-datagram run with -m slow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.protocol.messages import Malformed
from app.protocol.parser import ParsedLine, parse_datagram
from bench import fuzz_parser
from bench.fuzz_parser import exit_code, report, run

REPO = Path(__file__).resolve().parents[2]


def assert_clean(result: fuzz_parser.FuzzResult) -> None:
    assert result.exceptions == 0, report(result)
    assert result.internal_errors == 0, report(result)
    assert result.invariant_violations == 0, report(result)
    assert exit_code(result) == 0


def test_quick_fuzz(samples_dir: Path) -> None:
    result = run(20_000, seed=20_250_728, samples=samples_dir)
    print(report(result))
    assert_clean(result)
    assert result.count == sum(result.kinds.values()) == 20_000
    # The mix reaches every outcome: valid lines survive some shuffles, so the handlers run.
    assert min(result.kinds.values()) > 5_000
    assert all(result.statuses[status] > 500 for status in ("ok", "unknown", "malformed"))
    assert result.encoding_errors > 0
    assert result.rate > 0


def test_command_line(samples_dir: Path) -> None:
    command = [sys.executable, "-m", "bench.fuzz_parser", "--count", "20000", "--seed", "7"]
    completed = subprocess.run(
        [*command, "--samples", str(samples_dir)],
        check=False,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "exceptions: 0\n" in completed.stdout
    assert "internal parser errors: 0\n" in completed.stdout
    assert "datagrams/s" in completed.stdout
    assert "real sample lines: " in completed.stdout


def test_same_seed_same_input(samples_dir: Path) -> None:
    first = run(3_000, seed=3, samples=samples_dir)
    second = run(3_000, seed=3, samples=samples_dir)
    assert (first.kinds, first.statuses) == (second.kinds, second.statuses)


def test_runs_without_samples(tmp_path: Path) -> None:
    assert_clean(run(2_000, seed=1, samples=tmp_path / "missing", real_lines=100))
    assert_clean(run(2_000, seed=1, samples=tmp_path, real_lines=100))  # a folder without files


def test_real_line_rate(samples_dir: Path) -> None:
    result = run(0, seed=1, samples=samples_dir, real_lines=5_000)
    assert result.count == 0 and result.real_lines == 5_000
    assert result.real_rate > 0
    assert "real sample lines" in report(result)


def test_detects_exceptions_and_internal_errors(samples_dir: Path) -> None:
    """The harness must be able to fail: a parser that raises or hides a bug is reported."""

    def raising(datagram: bytes) -> tuple[ParsedLine, ...]:
        if len(datagram) % 2:
            raise ValueError("boom")
        return parse_datagram(datagram)

    def hiding(datagram: bytes) -> tuple[ParsedLine, ...]:
        reason = "internal parser error: IndexError: list index out of range"
        return (ParsedLine(0, "x", Malformed("", "x", reason), False),)

    def losing_raw(datagram: bytes) -> tuple[ParsedLine, ...]:
        return (ParsedLine(0, "x", Malformed("", "", "bad"), False),)

    raised = run(1_000, seed=1, samples=samples_dir, parse=raising)
    assert 0 < raised.exceptions < 1_000
    assert exit_code(raised) == 1
    assert "FAIL" in report(raised) and "exception ValueError: boom" in report(raised)

    hidden = run(1_000, seed=1, samples=samples_dir, parse=hiding)
    assert (hidden.exceptions, hidden.internal_errors) == (0, 1_000)
    assert exit_code(hidden) == 1

    lost = run(100, seed=1, samples=samples_dir, parse=losing_raw)
    assert lost.invariant_violations == 100
    assert exit_code(lost) == 1


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_full_fuzz_one_million(samples_dir: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    result = run(1_000_000, seed=seed, samples=samples_dir)
    print(report(result))
    assert_clean(result)
