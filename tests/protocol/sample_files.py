"""Readers for ../shared/protocol/samples (layout described in samples/SOURCES.md)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

#: Same place as the `samples_dir` fixture of tests/conftest.py; for module-level strategies.
SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "protocol" / "samples"

REAL_MATCHES = (
    "real_match_101_semifinal_injury",
    "real_match_1945_final",
    "real_match_5555_bronze_ivr",
    "real_match_7894_semifinal",
)
#: Every file whose lines are valid datagrams (test_samples.py checks this list against a glob).
VALID_FILES = (
    *(f"{name}.tsv" for name in REAL_MATCHES),
    *(f"{name}.txt" for name in REAL_MATCHES),
    "real_odd_lines.tsv",
    "synthetic_full_match.tsv",
)
MALFORMED_FILE = "synthetic_malformed.tsv"

#: SOURCES.md §1 "What was changed": the provenance of a real line is fixed by its code. Verbatim
#: lines are the sender's exact text; rebuilt lines were rewritten from the logged values in the
#: layout of the TK-Strike sender code, with inferred punctuation.
VERBATIM_CODES = frozenset({"ref", "mch", "s11", "sc1", "sup", "rst", "rsr", "win", "Udp Port"})
REBUILT_CODES = frozenset(
    {"pre", "rdy", "rnd", "wg1", "wrd", "clk", "brk", "pt1", "pt2", "hl1", "hl2", "at1", "ij0"}
    | {"wmh", "ch1"}
)


@dataclass(frozen=True, slots=True)
class SampleLine:
    file: str
    row: int  # 1-based line number in the file (the header of a .tsv is row 1)
    datagram: str
    columns: dict[str, str]  # every column of a .tsv row, by header name

    @property
    def where(self) -> str:
        return f"{self.file}:{self.row}"

    @property
    def code(self) -> str:
        return "Udp Port" if self.datagram.startswith("Udp Port") else self.datagram.split(";")[0]


def _rows(path: Path) -> list[str]:
    # split("\n"), not splitlines(): a name may legally hold U+2028 or U+0085.
    text = path.read_text(encoding="utf-8")
    rows = text.split("\n")
    if rows and rows[-1] == "":
        rows.pop()
    return rows


def read_lines(path: Path) -> list[SampleLine]:
    """The datagrams of a `.txt` (one per line) or `.tsv` (header row, `datagram` column)."""
    rows = _rows(path)
    if path.suffix == ".txt":
        return [SampleLine(path.name, i, row, {}) for i, row in enumerate(rows, start=1)]
    header = rows[0].split("\t")
    if "datagram" not in header:
        raise ValueError(f"{path.name}: no 'datagram' column in {header}")
    lines = []
    for number, row in enumerate(rows[1:], start=2):
        values = row.split("\t")
        if len(values) != len(header):
            raise ValueError(f"{path.name}:{number}: {len(values)} columns, {len(header)} expected")
        columns = dict(zip(header, values, strict=True))
        lines.append(SampleLine(path.name, number, columns["datagram"], columns))
    return lines


@dataclass(frozen=True, slots=True)
class MalformedRow:
    row: int
    datagram: bytes
    note: str


def read_malformed(path: Path) -> list[MalformedRow]:
    rows = _rows(path)
    if rows[0].split("\t") != ["hex_bytes", "note"]:
        raise ValueError(f"{path.name}: unexpected header {rows[0]!r}")
    result = []
    for number, row in enumerate(rows[1:], start=2):
        hex_bytes, note = row.split("\t")
        result.append(MalformedRow(number, bytes.fromhex(hex_bytes), note))
    return result


@functools.cache
def seed_datagrams() -> tuple[bytes, ...]:
    """Every distinct sample datagram (valid and malformed), for mutation-based tests."""
    if not SAMPLES.is_dir():
        raise FileNotFoundError(f"protocol samples not found at {SAMPLES}")
    seeds: dict[bytes, None] = {}
    for name in VALID_FILES:
        for line in read_lines(SAMPLES / name):
            seeds[line.datagram.encode("utf-8")] = None
    for row in read_malformed(SAMPLES / MALFORMED_FILE):
        seeds[row.datagram] = None
    return tuple(seeds)
