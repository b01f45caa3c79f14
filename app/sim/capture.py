"""Read a capture file of PSS datagrams (the `.txt`/`.tsv` samples) for `inspect` and `replay`.

Two formats (protocol README §7):
- `.txt`: one datagram per line, UTF-8, no terminator; no timing, so `offset_ms` is None.
  Blank lines are skipped (an editor's stray empty line is not a datagram).
- `.tsv`: a header row `offset_ms<TAB>datagram`, then one row per datagram. Only the first tab
  separates: a datagram may itself contain tabs.

Lines end with LF; a CR before it (a file saved on Windows) is dropped. Anything that cannot be
read as such a file raises `CaptureError` with a message an operator can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

TSV_HEADER = ("offset_ms", "datagram")
SUFFIXES = (".txt", ".tsv")


class CaptureError(Exception):
    """The capture file is missing, unreadable, not UTF-8, or has a bad row."""


@dataclass(frozen=True, slots=True)
class CaptureLine:
    offset_ms: int | None  # from the first datagram of the file; None for `.txt`
    datagram: bytes


def read_capture(path: Path | str) -> list[CaptureLine]:
    """Every datagram of a capture file, in file order."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CaptureError(f"{path}: unsupported capture format (expected a .txt or .tsv file)")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CaptureError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CaptureError(f"{path}: is a directory, not a capture file") from None
    except OSError as exc:
        raise CaptureError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaptureError(f"{path}:{line}: not UTF-8 text") from None
    # split("\n"), not splitlines(): names may hold characters splitlines() treats as breaks.
    lines = [line.removesuffix("\r") for line in text.removeprefix("\ufeff").split("\n")]
    if suffix == ".txt":
        return [CaptureLine(None, line.encode("utf-8")) for line in lines if line.strip()]
    return _read_tsv(path, lines)


def _read_tsv(path: Path, lines: list[str]) -> list[CaptureLine]:
    if not lines or tuple(lines[0].split("\t")) != TSV_HEADER:
        raise CaptureError(
            f"{path}:1: expected the header 'offset_ms<TAB>datagram', "
            f"got {lines[0][:60] if lines else ''!r}"
        )
    result: list[CaptureLine] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue  # the newline at the end of the file, or a blank row
        offset_text, tab, datagram = line.partition("\t")
        if not tab:
            raise CaptureError(f"{path}:{number}: expected 'offset_ms<TAB>datagram'")
        offset_text = offset_text.strip()
        if not offset_text.isascii() or not offset_text.isdigit():
            raise CaptureError(
                f"{path}:{number}: offset_ms must be a whole number of milliseconds >= 0, "
                f"got {offset_text[:20]!r}"
            )
        result.append(CaptureLine(int(offset_text), datagram.encode("utf-8")))
    return result
